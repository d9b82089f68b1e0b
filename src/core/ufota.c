/* uFOTA from the host's side (§5.1–§5.5, §5.7): URCs, download control, install wait. */
#include <string.h>

#include "larafw/ufota.h"
#include "proc_internal.h"
#include "util.h"

#define UFOTA_SERVER_ID 721u /* u-blox uFOTA server short id (§5.1, §5.4) */

/* +UFOTASTAT: <a>,<b>,… → state (§5.2, MODULE.md §5). */
static const struct {
    uint8_t a, b;
    enum lfw_ufota_state state;
} stat_table[] = {
    {3, 1, LFW_UFOTA_CLIENT_STARTED}, {1, 0, LFW_UFOTA_DOWNLOAD_START},
    {0, 1, LFW_UFOTA_DOWNLOADING},    {0, 2, LFW_UFOTA_PAUSED},
    {0, 3, LFW_UFOTA_WAIT_ACK},       {2, 2, LFW_UFOTA_DOWNLOADED},
    {2, 3, LFW_UFOTA_CANCELLED},      {2, 1, LFW_UFOTA_FAILED},
};

bool lfw_ufota_parse(const char *line, struct lfw_ufota_status *out)
{
    static const char prefix[] = "+UFOTASTAT:";
    if (line == NULL || out == NULL || !lfw_str_prefix(line, prefix)) {
        return false;
    }
    const char *p = line + sizeof prefix - 1;
    uint32_t v[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (!lfw_str_parse_u32(&p, &v[i]) || (i < 2 && *p++ != ',')) {
            return false; /* "+UFOTASTAT: 1" is the read answer, not a URC */
        }
    }
    out->state = LFW_UFOTA_UNKNOWN;
    out->percent = v[2] > 100u ? 100 : (int)v[2];
    for (size_t i = 0; i < sizeof stat_table / sizeof stat_table[0]; i++) {
        if (stat_table[i].a == v[0] && stat_table[i].b == v[1]) {
            out->state = stat_table[i].state;
        }
    }
    return true;
}

static int command(struct lfw_proc_run *r, const char *head, const uint32_t *nums, size_t count,
                   const char *tail)
{
    char cmd[48];
    size_t pos = 0;
    (void)lfw_str_append(cmd, sizeof cmd, &pos, head);
    for (size_t i = 0; i < count; i++) {
        if (i > 0) {
            (void)lfw_str_append(cmd, sizeof cmd, &pos, ",");
        }
        (void)lfw_str_append_u32(cmd, sizeof cmd, &pos, nums[i]);
    }
    (void)lfw_str_append(cmd, sizeof cmd, &pos, tail);
    return lfw_at_cmd(r->at, cmd, NULL, NULL, 0, r->t.cmd_ms);
}

static int enable_urcs(struct lfw_proc_run *r, uint32_t urc_baud)
{
    const uint32_t one = 1;
    const uint32_t lwm2m[2] = {1, 7};
    const uint32_t install[2] = {1, urc_baud != 0 ? urc_baud : LFW_BAUD_FACTORY};
    int rc = command(r, "AT+UFOTASTAT=", &one, 1, "");
    if (rc == 0) {
        rc = command(r, "AT+ULWM2MSTAT=", lwm2m, 2, "");
    }
    if (rc == 0) {
        rc = command(r, "AT+UFWINSTALL=", install, 2, ",,1"); /* §5.2: install URCs on */
    }
    return rc;
}

int lfw_ufota_enable_urcs(const struct lfw_proc_config *proc, uint32_t urc_baud,
                          struct lfw_error *err)
{
    struct lfw_proc_run r;
    int rc = lfw_proc_begin(&r, proc, err, 0);
    if (rc == 0) {
        rc = enable_urcs(&r, urc_baud);
    }
    return lfw_proc_end(&r, rc);
}

/* R6 "01B" features refuse other products before anything is sent (MODULE.md §1). */
static int begin_feature(struct lfw_proc_run *r, const struct lfw_proc_config *proc,
                         struct lfw_error *err, uint32_t feature)
{
    int rc = lfw_proc_begin(r, proc, err, 0);
    if (rc == 0 && feature != 0 && !lfw_product_has(r->product, feature)) {
        rc = LFW_ENOTSUP;
    }
    return rc;
}

int lfw_ufota_configure(const struct lfw_proc_config *proc, enum lfw_ufota_mode mode,
                        struct lfw_error *err)
{
    struct lfw_proc_run r;
    int rc = begin_feature(&r, proc, err, LFW_FEAT_UFOTACONFIG);
    if (rc == 0 && (unsigned)mode > (unsigned)LFW_UFOTA_MODE_DISABLED) {
        rc = LFW_EINVAL;
    }
    if (rc == 0) {
        const uint32_t args[3] = {UFOTA_SERVER_ID, (uint32_t)mode, 255u};
        rc = command(&r, "AT+UFOTACONFIG=", args, 3, "");
    }
    return lfw_proc_end(&r, rc);
}

int lfw_ufota_control(const struct lfw_proc_config *proc, enum lfw_ufota_control op,
                      struct lfw_error *err)
{
    struct lfw_proc_run r;
    uint32_t feature = op == LFW_UFOTA_CANCEL ? 0u : LFW_FEAT_UFOTA_CONTROL;
    int rc = begin_feature(&r, proc, err, feature);
    if (rc == 0 && (unsigned)op > (unsigned)LFW_UFOTA_RESUME) {
        rc = LFW_EINVAL;
    }
    if (rc == 0) {
        const uint32_t arg = (uint32_t)op;
        rc = command(&r, "AT+UFOTA=", &arg, 1, "");
    }
    return lfw_proc_end(&r, rc);
}

int lfw_ufota_ack(const struct lfw_proc_config *proc, uint32_t delay_s, struct lfw_error *err)
{
    struct lfw_proc_run r;
    int rc = begin_feature(&r, proc, err, LFW_FEAT_UFOTACONFIG);
    if (rc == 0) {
        rc = command(&r, "AT+UFOTAACK=", &delay_s, 1, "");
    }
    return lfw_proc_end(&r, rc);
}

static int wait_download(struct lfw_proc_run *r, struct lfw_ufota_status *last)
{
    struct lfw_deadline d;
    lfw_deadline_start(&d, r->at->port, r->t.download_ms);
    for (;;) {
        const char *line = NULL;
        int n = lfw_proc_read_line(r, &d, &line);
        if (n < 0) {
            return n;
        }
        struct lfw_ufota_status st;
        if (!lfw_ufota_parse(line, &st)) {
            continue; /* +ULWM2MSTAT and other URCs */
        }
        if (last != NULL) {
            *last = st;
        }
        switch (st.state) {
        case LFW_UFOTA_DOWNLOAD_START:
        case LFW_UFOTA_DOWNLOADING:
        case LFW_UFOTA_PAUSED:
            (void)lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, st.percent, 0, 0, -1);
            break;
        case LFW_UFOTA_DOWNLOADED:
            (void)lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, 100, 0, 0, -1);
            return 0;
        case LFW_UFOTA_WAIT_ACK:
            return 0; /* §5.4.2: the host decides */
        case LFW_UFOTA_CANCELLED:
            return LFW_ECANCELED;
        case LFW_UFOTA_FAILED:
            return LFW_EDOWNLOAD;
        case LFW_UFOTA_CLIENT_STARTED:
        case LFW_UFOTA_UNKNOWN:
            break;
        }
    }
}

int lfw_ufota_wait_download(const struct lfw_proc_config *proc, struct lfw_ufota_status *last,
                            struct lfw_error *err)
{
    struct lfw_proc_run r;
    int rc = lfw_proc_begin(&r, proc, err, 0);
    if (rc == 0) {
        rc = wait_download(&r, last);
    }
    return lfw_proc_end(&r, rc);
}

int lfw_ufota_wait_install(const struct lfw_proc_config *proc, uint32_t urc_baud,
                           struct lfw_error *err)
{
    struct lfw_proc_run r;
    int rc = lfw_proc_begin(&r, proc, err, 0);
    if (rc != 0) {
        return lfw_proc_end(&r, rc);
    }
    if (r.cfg->timeouts.install_ms == 0) {
        uint32_t product_ms = r.product->install_max_ms;
        r.t.install_ms =
            product_ms > LFW_FOTA_INSTALL_MAX_MS ? product_ms : LFW_FOTA_INSTALL_MAX_MS;
    }
    uint32_t baud = urc_baud != 0 ? urc_baud : LFW_BAUD_FACTORY;
    rc = lfw_proc_finish_install(&r, "+UUFWINSTALL:", baud, 0);
    if (rc == 0) {
        rc = enable_urcs(&r, baud); /* §5.7.1: URCs are off after the reboot */
    }
    return lfw_proc_end(&r, rc);
}
