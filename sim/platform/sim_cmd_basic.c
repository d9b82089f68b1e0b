/* Basic AT commands: identification, echo, error format, line rate, power modes and the
 * NVM settings the note names (Table 6: +UBANDMASK, +UMNOPROF, +CGDCONT, eDRX; §2.4: +CPMS,
 * +UBKUPDATA). Response formats follow the LARA-R6/L6 AT commands manual; where the note is
 * silent the choice is written down in docs/simulator.md. */
#include "sim_platform.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_MANUFACTURER "u-blox"

static bool sim_text_ok(const char *t)
{
    for (; *t; t++) {
        unsigned char ch = (unsigned char)*t;
        if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
            return false;
    }
    return true;
}

/* ---- identification ---- */

static int sim_cmd_e(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->basic_value > 1)
        return SIM_RES_ERROR;
    s->port[iface].echo = c->basic_value == 1;
    return SIM_RES_OK;
}

static int sim_cmd_i(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->basic_value) {
    case -1:
    case 0:
        sim_line(s, iface, "Manufacturer: %s\r\nModel: %s\r\nRevision: %s\r\nSVN: 01\r\nIMEI: %s",
                 SIM_MANUFACTURER, s->product->model, s->fw.version, s->st.imei);
        return SIM_RES_OK;
    case 9: /* <modem version>,<product version> (docs/simulator.md) */
        sim_line(s, iface, "%s,%s", s->fw.version, s->product->name);
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

static int sim_ident(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c, const char *v)
{
    if (c->type == SIM_AT_TEST)
        return SIM_RES_OK;
    if (c->type != SIM_AT_ACTION)
        return SIM_RES_ERROR;
    sim_line(s, iface, "%s", v);
    return SIM_RES_OK;
}

static int sim_cmd_cgmi(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    return sim_ident(s, iface, c, SIM_MANUFACTURER);
}

static int sim_cmd_cgmm(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    return sim_ident(s, iface, c, s->product->model);
}

/* The firmware version comes from the installed image's version record: after an update
 * it is the new one (§4.3: "confirmed by AT, ATI or +CGMR"). */
static int sim_cmd_cgmr(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    return sim_ident(s, iface, c, s->fw.version);
}

static int sim_cmd_cgsn(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type == SIM_AT_SET && c->nparams == 1 && sim_param_num(c, 0, 0, 1)) {
        if (c->p[0].num == 1)
            sim_line(s, iface, "+CGSN: \"%s\"", s->st.imei);
        else
            sim_line(s, iface, "%s", s->st.imei);
        return SIM_RES_OK;
    }
    return sim_ident(s, iface, c, s->st.imei);
}

/* ATZ / AT&F: back to the (only) stored profile: echo on, factory +CMEE (docs/simulator.md). */
static int sim_cmd_profile(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->basic_value > 0)
        return SIM_RES_ERROR;
    s->port[iface].echo = true;
    s->cmee = SIM_FACTORY_CMEE;
    return SIM_RES_OK;
}

/* ATV1 / ATQ0 are what the simulator does anyway; numeric or quiet result codes are not
 * simulated (ERROR). */
static int sim_cmd_v(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    (void)s;
    (void)iface;
    return c->basic_value == 1 ? SIM_RES_OK : SIM_RES_ERROR;
}

static int sim_cmd_q(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    (void)s;
    (void)iface;
    return c->basic_value <= 0 ? SIM_RES_OK : SIM_RES_ERROR;
}

/* ---- +CMEE ---- */

static int sim_cmd_cmee(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET:
        if (c->nparams == 0) {
            s->cmee = 0;
            return SIM_RES_OK;
        }
        if (c->nparams != 1 || !sim_param_num(c, 0, 0, 2))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        s->cmee = (int)c->p[0].num;
        return SIM_RES_OK;
    case SIM_AT_READ:
        sim_line(s, iface, "+CMEE: %d", s->cmee);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+CMEE: (0-2)");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

/* ---- +IPR (§3.1, §4.2.3; 3 Mbit/s per product, MODULE.md §1) ---- */

/* Switches the UART once the OK has left at the old rate (bounded wait: a host that does not
 * read must not keep the old rate forever). */
static void sim_ipr_apply(struct sim *s, void *arg)
{
    uintptr_t tries = (uintptr_t)arg;
    if (s->port[SIM_IF_UART].out_len > 0 && tries < 1000 &&
        sim_timer_add(s, 1, sim_ipr_apply, (void *)(tries + 1)) != 0)
        return;
    sim_set_rate(s, SIM_IF_UART, s->st.ipr);
}

static int sim_cmd_ipr(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    char list[128];
    switch (c->type) {
    case SIM_AT_SET: {
        if (c->nparams < 1 || c->nparams > 1 || !sim_param_num(c, 0, 0, 4000000))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        uint32_t rate = (uint32_t)c->p[0].num;
        if (!sim_uart_rate_known(rate))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS); /* includes 0: no autobauding here */
        if (rate == 3000000 && !s->product->rate_3m)
            return SIM_RES_CME(SIM_CME_NOT_SUPPORTED);
        s->st.ipr = rate;
        if (sim_state_save(s) != 0)
            return SIM_RES_CME(SIM_CME_UNKNOWN);
        sim_ok(s, iface);
        sim_uart_flush_all(s);
        /* The OK goes out at the old rate; the new rate applies from the next byte on. */
        if (sim_timer_add(s, 0, sim_ipr_apply, NULL) == 0)
            sim_ipr_apply(s, NULL);
        return SIM_RES_PENDING;
    }
    case SIM_AT_READ:
        sim_line(s, iface, "+IPR: %" PRIu32, s->st.ipr);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_uart_rate_list(s->product, list, sizeof list);
        sim_line(s, iface, "+IPR: (),(%s)", list);
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

/* ---- +CFUN ---- */

static void sim_cfun_reset(struct sim *s, void *arg)
{
    (void)arg;
    sim_reboot(s);
}

static int sim_cmd_cfun(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET: {
        if (c->nparams < 1 || c->nparams > 2 || !sim_param_num(c, 0, 0, 16))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (c->nparams == 2 && c->p[1].present && !sim_param_num(c, 1, 0, 1))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        int fun = (int)c->p[0].num;
        if (fun == 15 || fun == 16) {
            /* §5.7: the host must not reset the module while a FOTA download runs */
            if (s->download != SIM_DL_NONE)
                sim_report(s, "compliance", "reset (AT+CFUN=%d) during a firmware download", fun);
            sim_ok(s, iface);
            sim_uart_flush_all(s);
            if (sim_timer_add(s, 0, sim_cfun_reset, NULL) == 0)
                sim_reboot(s);
            return SIM_RES_PENDING;
        }
        if (fun != 0 && fun != 1 && fun != 4)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        s->cfun = fun;
        return SIM_RES_OK;
    }
    case SIM_AT_READ:
        sim_line(s, iface, "+CFUN: %d,0", s->cfun);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+CFUN: (0,1,4,15,16),(0-1)");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

/* ---- +UBKUPDATA (§2.4, §4.3.1.5) ---- */

static int sim_cmd_ubkupdata(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_READ:
        sim_line(s, iface, "+UBKUPDATA: 0,0,%d,0,0,0,\"\"", s->st.backup_done ? 1 : 0);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+UBKUPDATA: (0-1)");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

/* ---- +CPMS (§2.4.1) ---- */

static bool sim_cpms_mem_ok(const struct sim_at_param *p)
{
    return p->present &&
           (strcmp(p->str, "ME") == 0 || strcmp(p->str, "SM") == 0 || strcmp(p->str, "MT") == 0);
}

static const char *sim_cpms_mem(const struct sim *s, int i)
{
    return s->st.cpms[i][0] ? s->st.cpms[i] : "ME";
}

#define SIM_SMS_SLOTS 23

static int sim_cmd_cpms(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET:
        if (c->nparams < 1 || c->nparams > 3)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        for (int i = 0; i < c->nparams; i++) {
            if (!sim_cpms_mem_ok(&c->p[i]))
                return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        }
        for (int i = 0; i < 3; i++) {
            const char *m = i < c->nparams ? c->p[i].str : sim_cpms_mem(s, i);
            snprintf(s->st.cpms[i], sizeof s->st.cpms[i], "%s", m);
        }
        if (sim_state_save(s) != 0)
            return SIM_RES_CME(SIM_CME_UNKNOWN);
        sim_line(s, iface, "+CPMS: 0,%d,0,%d,0,%d", SIM_SMS_SLOTS, SIM_SMS_SLOTS, SIM_SMS_SLOTS);
        return SIM_RES_OK;
    case SIM_AT_READ:
        sim_line(s, iface, "+CPMS: \"%s\",0,%d,\"%s\",0,%d,\"%s\",0,%d", sim_cpms_mem(s, 0),
                 SIM_SMS_SLOTS, sim_cpms_mem(s, 1), SIM_SMS_SLOTS, sim_cpms_mem(s, 2),
                 SIM_SMS_SLOTS);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface,
                 "+CPMS: (\"ME\",\"SM\",\"MT\"),(\"ME\",\"SM\",\"MT\"),(\"ME\",\"SM\",\"MT\")");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

/* ---- +UMNOPROF ---- */

static const int sim_mno_profiles[] = {0, 1, 2, 3, 4, 5, 6, 19, 21, 28, 31, 39, 90, 100, 201};

static int sim_cmd_umnoprof(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET: {
        if (c->nparams < 1 || c->nparams > 2 || !sim_param_num(c, 0, 0, 999))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        bool known = false;
        for (size_t i = 0; i < sizeof sim_mno_profiles / sizeof sim_mno_profiles[0]; i++)
            known = known || sim_mno_profiles[i] == c->p[0].num;
        if (!known)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        /* As on the module: the profile changes only with the radio off (+CFUN=0 or 4). */
        if (s->cfun == 1)
            return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
        s->st.mno_profile = (int)c->p[0].num;
        if (sim_state_save(s) != 0)
            return SIM_RES_CME(SIM_CME_UNKNOWN);
        return SIM_RES_OK;
    }
    case SIM_AT_READ:
        sim_line(s, iface, "+UMNOPROF: %d", s->st.mno_profile);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+UMNOPROF: (0-201),(0-1)");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

/* ---- +CGDCONT ---- */

static int sim_cmd_cgdcont(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET: {
        if (c->nparams < 1 || !sim_param_num(c, 0, 1, SIM_CONTEXTS))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        int cid = (int)c->p[0].num;
        if (c->nparams == 1) { /* undefine the context */
            s->st.apn[cid - 1][0] = '\0';
            return sim_state_save(s) == 0 ? SIM_RES_OK : SIM_RES_CME(SIM_CME_UNKNOWN);
        }
        const struct sim_at_param *type = &c->p[1];
        if (!type->present || (strcmp(type->str, "IP") != 0 && strcmp(type->str, "IPV6") != 0 &&
                               strcmp(type->str, "IPV4V6") != 0 && strcmp(type->str, "NONIP") != 0))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        const char *apn = c->nparams >= 3 && c->p[2].present ? c->p[2].str : "";
        if (strlen(apn) >= SIM_APN_MAX)
            return SIM_RES_CME(SIM_CME_TEXT_TOO_LONG);
        if (!sim_text_ok(apn))
            return SIM_RES_CME(SIM_CME_INVALID_CHARS);
        /* an empty APN still defines the context: store a marker-free "" and keep cid 1 */
        snprintf(s->st.apn[cid - 1], sizeof s->st.apn[cid - 1], "%s", apn);
        return sim_state_save(s) == 0 ? SIM_RES_OK : SIM_RES_CME(SIM_CME_UNKNOWN);
    }
    case SIM_AT_READ:
        /* cid 1 is always defined (LTE default bearer); others when they have an APN */
        for (int i = 0; i < SIM_CONTEXTS; i++) {
            if (i == 0 || s->st.apn[i][0])
                sim_line(s, iface, "+CGDCONT: %d,\"IP\",\"%s\",\"0.0.0.0\",0,0,0,0", i + 1,
                         s->st.apn[i]);
        }
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+CGDCONT: (1-%d),\"IP\",,,(0),(0)", SIM_CONTEXTS);
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

/* ---- +CEDRXS (§5.7: eDRX must be off during FOTA) ---- */

static bool sim_edrx_value_ok(const char *v)
{
    if (strlen(v) != 4)
        return false;
    for (int i = 0; i < 4; i++) {
        if (v[i] != '0' && v[i] != '1')
            return false;
    }
    return true;
}

static int sim_cmd_cedrxs(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET: {
        if (c->nparams == 0) {
            s->st.edrx_mode = 0;
            return sim_state_save(s) == 0 ? SIM_RES_OK : SIM_RES_CME(SIM_CME_UNKNOWN);
        }
        if (c->nparams > 3 || !sim_param_num(c, 0, 0, 3))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (c->nparams >= 2 && c->p[1].present && !sim_param_num(c, 1, 4, 5))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS); /* 4 = E-UTRAN */
        if (c->nparams == 3 && c->p[2].present) {
            if (!sim_edrx_value_ok(c->p[2].str))
                return SIM_RES_CME(SIM_CME_BAD_PARAMS);
            snprintf(s->st.edrx_value, sizeof s->st.edrx_value, "%s", c->p[2].str);
        }
        /* mode 3 = disable and reset to the factory value */
        s->st.edrx_mode = c->p[0].num == 3 ? 0 : (int)c->p[0].num;
        if (c->p[0].num == 3)
            snprintf(s->st.edrx_value, sizeof s->st.edrx_value, "0010");
        return sim_state_save(s) == 0 ? SIM_RES_OK : SIM_RES_CME(SIM_CME_UNKNOWN);
    }
    case SIM_AT_READ:
        if (s->st.edrx_mode != 0)
            sim_line(s, iface, "+CEDRXS: 4,\"%s\"", s->st.edrx_value);
        else
            sim_line(s, iface, "+CEDRXS:");
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+CEDRXS: (0-3),(4),(\"0000\"-\"1111\")");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

/* ---- +UBANDMASK ---- */

static bool sim_u64(const struct sim_at_param *p, uint64_t *out)
{
    if (!p->present || p->quoted || p->str[0] < '0' || p->str[0] > '9')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(p->str, &end, 10);
    if (errno || *end)
        return false;
    *out = (uint64_t)v;
    return true;
}

static int sim_cmd_ubandmask(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET: {
        uint64_t m0 = 0, m1 = 0;
        if (c->nparams < 2 || c->nparams > 3 || !sim_param_num(c, 0, 0, 0) ||
            !sim_u64(&c->p[1], &m0))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (c->nparams == 3 && !sim_u64(&c->p[2], &m1))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (m0 == 0 && m1 == 0)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS); /* at least one band */
        s->st.bandmask[0] = m0;
        s->st.bandmask[1] = m1;
        return sim_state_save(s) == 0 ? SIM_RES_OK : SIM_RES_CME(SIM_CME_UNKNOWN);
    }
    case SIM_AT_READ:
        sim_line(s, iface, "+UBANDMASK: 0,%" PRIu64 ",%" PRIu64, s->st.bandmask[0],
                 s->st.bandmask[1]);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+UBANDMASK: (0),(0-18446744073709551615),(0-18446744073709551615)");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

static const struct sim_cmd sim_basic_cmds[] = {
    {"E", sim_cmd_e},
    {"I", sim_cmd_i},
    {"Z", sim_cmd_profile},
    {"&F", sim_cmd_profile},
    {"V", sim_cmd_v},
    {"Q", sim_cmd_q},
    {"+CGMI", sim_cmd_cgmi},
    {"+CGMM", sim_cmd_cgmm},
    {"+CGMR", sim_cmd_cgmr},
    {"+CGSN", sim_cmd_cgsn},
    {"+GMI", sim_cmd_cgmi},
    {"+GMM", sim_cmd_cgmm},
    {"+GMR", sim_cmd_cgmr},
    {"+GSN", sim_cmd_cgsn},
    {"+CMEE", sim_cmd_cmee},
    {"+IPR", sim_cmd_ipr},
    {"+CFUN", sim_cmd_cfun},
    {"+UBKUPDATA", sim_cmd_ubkupdata},
    {"+CPMS", sim_cmd_cpms},
    {"+UMNOPROF", sim_cmd_umnoprof},
    {"+CGDCONT", sim_cmd_cgdcont},
    {"+CEDRXS", sim_cmd_cedrxs},
    {"+UBANDMASK", sim_cmd_ubandmask},
    {NULL, NULL},
};

/* V.250 basics, identification, +CMEE, +IPR, +CFUN and the NVM settings (Table 6). */
const struct sim_part sim_part_basic = {
    .name = "basic",
    .cmds = sim_basic_cmds,
};
