/* AT+UFWINSTALL (§4.3, §4.3.1) and what an installed package changes in NVM (§7 Table 6).
 *
 * AT+UFWINSTALL[=<port>,<baud>[,,<urc_enable>]]
 *   <port>        0 or 1: the primary UART; 2: the USB interface (when the simulator has one).
 *                 Default 1. (The note's example uses 1 for the primary UART.)
 *   <baud>        a +IPR rate; default 115200. The install URCs use it (§4.3.1).
 *   <urc_enable>  0/1: URCs of an install triggered by uFOTA (§5.2); default unchanged.
 */
#define _GNU_SOURCE
#include "sim_install.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool sim_install_rate_ok(const struct sim *s, long long baud)
{
    if (baud == 3000000 && !s->product->rate_3m)
        return false;
    return sim_uart_rate_known(baud);
}

/* <port> → interface. */
static const struct {
    int port;
    enum sim_if iface;
} sim_install_ports[] = {
    {0, SIM_IF_UART},
    {1, SIM_IF_UART},
    {2, SIM_IF_USB},
};

static int sim_install_port(const struct sim_at_param *p, enum sim_if *out)
{
    if (!p->present) {
        *out = SIM_IF_UART;
        return 0;
    }
    if (!p->is_num)
        return -1;
    for (size_t i = 0; i < sizeof sim_install_ports / sizeof sim_install_ports[0]; i++) {
        if (sim_install_ports[i].port == p->num) {
            *out = sim_install_ports[i].iface;
            return 0;
        }
    }
    return -1;
}

static int sim_cmd_ufwinstall(struct sim *s, enum sim_if iface, const struct sim_at_cmd *cmd)
{
    if (cmd->type == SIM_AT_TEST) {
        sim_line(s, iface,
                 "+UFWINSTALL: (0-2),(9600,19200,38400,57600,115200,230400,460800,"
                 "921600%s),,(0,1)",
                 s->product->rate_3m ? ",3000000" : "");
        return SIM_RES_OK;
    }
    if (cmd->type == SIM_AT_READ) {
        sim_line(s, iface, "+UFWINSTALL: %d,%u,,%d", s->st.install_urc_if == SIM_IF_USB ? 2 : 1,
                 (unsigned)(s->st.install_urc_baud ? s->st.install_urc_baud : 115200),
                 s->st.install_urc_enable ? 1 : 0);
        return SIM_RES_OK;
    }
    enum sim_if urc_if = SIM_IF_UART;
    long long baud = 115200;
    int urc_enable = -1;
    if (cmd->type == SIM_AT_SET) {
        if (cmd->nparams > 4 || (cmd->nparams >= 3 && cmd->p[2].present))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (sim_install_port(&cmd->p[0], &urc_if) != 0)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (cmd->nparams >= 2 && cmd->p[1].present) {
            if (!cmd->p[1].is_num || !sim_install_rate_ok(s, cmd->p[1].num))
                return SIM_RES_CME(SIM_CME_BAD_PARAMS);
            baud = cmd->p[1].num;
        }
        if (cmd->nparams >= 4 && cmd->p[3].present) {
            if (!cmd->p[3].is_num || (cmd->p[3].num != 0 && cmd->p[3].num != 1))
                return SIM_RES_CME(SIM_CME_BAD_PARAMS);
            urc_enable = (int)cmd->p[3].num;
        }
        if (urc_if == SIM_IF_USB && !s->port[SIM_IF_USB].present)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    }
    if (urc_enable >= 0) {
        s->st.install_urc_enable = urc_enable == 1;
        /* "AT+UFWINSTALL=1,115200,,1" only configures the uFOTA URCs (§5.2) when no
         * package is waiting (or only an LwM2M one the host may not install, §5.7.1); with
         * one it installs it like any other call. */
        if (!s->st.fota_pkg_present || !sim_parts_host_may_install(s)) {
            (void)sim_state_save(s);
            return SIM_RES_OK;
        }
    }
    /* §4.3: only a package downloaded by +UDWNFILE "FOAT", FTP or HTTP; not one from LwM2M,
     * not while a download (§6) or another update runs. */
    if (!s->st.fota_pkg_present || !sim_parts_host_may_install(s) || s->download != SIM_DL_NONE ||
        sim_install_busy(s))
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED);

    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "fota/%s", s->st.fota_pkg_name);
    s->st.install_urc_if = (int)urc_if;
    s->st.install_urc_baud = (uint32_t)baud;

    struct pkg_header h;
    if (sim_install_read_header(s, rel, &h) == 0 && strcmp(h.product, s->fw.product) == 0 &&
        strcmp(h.dst_version, s->fw.version) == 0 &&
        memcmp(h.dst_sha256, s->fw.sha256, PKG_SHA256_LEN) == 0) {
        /* §4.3.1.4: the destination is already installed: 128 at once, no reset. */
        sim_ok(s, iface);
        sim_report(s, "update", "fota: already on %s", h.dst_version);
        sim_urc(s, urc_if, "+UFWINSTALL: 128");
        (void)sim_state_save(s);
        return SIM_RES_PENDING;
    }
    (void)sim_state_save(s);
    sim_ok(s, iface);
    sim_install_start(s, SIM_INSTALL_FOTA, rel);
    return SIM_RES_PENDING;
}

/* ---- Table 6: NVM items and MNO profiles ---------------------------------------------- */

static bool sim_item_u64(const char *value, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 0);
    if (errno != 0 || end == value || *end != '\0' || value[0] == '-')
        return false;
    *out = v;
    return true;
}

static bool sim_item_bandmask0(struct sim *s, const char *value)
{
    return sim_item_u64(value, &s->st.bandmask[0]);
}

static bool sim_item_bandmask1(struct sim *s, const char *value)
{
    return sim_item_u64(value, &s->st.bandmask[1]);
}

static bool sim_item_mno(struct sim *s, const char *value)
{
    uint64_t v;
    if (!sim_item_u64(value, &v) || v > 1000)
        return false;
    s->st.mno_profile = (int)v;
    return true;
}

/* NVM item names a package may carry (docs/simulator.md, "Firmware update"). */
static const struct {
    const char *name;
    bool (*apply)(struct sim *s, const char *value);
} sim_nvm_items[] = {
    {"bandmask0", sim_item_bandmask0}, /* +UBANDMASK <rat> 0 */
    {"bandmask1", sim_item_bandmask1}, /* +UBANDMASK <rat> 1 */
    {"mno", sim_item_mno},             /* +UMNOPROF */
};

void sim_install_apply_items(struct sim *s, const struct pkg_header *h)
{
    for (unsigned i = 0; i < h->nvm_count && i < PKG_NVM_MAX; i++) {
        char item[PKG_ITEM_MAX];
        snprintf(item, sizeof item, "%s", h->nvm[i]);
        char *eq = strchr(item, '=');
        bool applied = false;
        if (eq) {
            *eq = '\0';
            for (size_t k = 0; k < sizeof sim_nvm_items / sizeof sim_nvm_items[0]; k++)
                if (strcmp(sim_nvm_items[k].name, item) == 0)
                    applied = sim_nvm_items[k].apply(s, eq + 1);
        }
        sim_report(s, "update", "nvm item %s %s", h->nvm[i], applied ? "applied" : "ignored");
    }
    /* The simulator keeps no MNO profile contents: the listed ones are recorded as changed;
     * the selected profile and every other item stay as they were (§7 Table 6). */
    for (unsigned i = 0; i < h->mno_count && i < PKG_MNO_MAX; i++)
        sim_report(s, "update", "mno profile %u updated%s", (unsigned)h->mno[i],
                   (int)h->mno[i] == s->st.mno_profile ? " (selected)" : "");
}

static const struct sim_cmd sim_install_cmds[] = {
    {"+UFWINSTALL", sim_cmd_ufwinstall},
    {NULL, NULL},
};

/* The install engine (§4.3) and AT+UFWINSTALL, which installs the pending FOTA package with
 * method FOTA. */
const struct sim_part sim_part_install = {
    .name = "install",
    .cmds = sim_install_cmds,
    .fini = sim_install_fini,
    .power_up = sim_install_power_up,
    .installs = 1u << SIM_INSTALL_FOTA,
};
