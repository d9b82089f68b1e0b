/* Shared parts of the update procedures: defaults, events, line rates, waiting for the
 * validation and installation (§3.1.1, §4.3.1), the reboot and the version check. */
#include <string.h>

#include "larafw/info.h"
#include "larafw/xmodem.h"
#include "proc_internal.h"
#include "util.h"

#define DEFAULT_CMD_MS      10000u
#define DEFAULT_PREPARE_MS  30000u /* §3.1: ~5 s preparation before +UFWUPD: ONGOING */
#define DEFAULT_FINAL_OK_MS 60000u
#define DEFAULT_PROMPT_MS   10000u
#define DEFAULT_REBOOT_MS   300000u
#define DEFAULT_POLL_MS     2000u
#define DEFAULT_SETTLE_MS   10000u
#define DEFAULT_DOWNLOAD_MS (30u * 60u * 1000u)

static uint32_t or_default(uint32_t v, uint32_t def)
{
    return v != 0 ? v : def;
}

int lfw_proc_begin(struct lfw_proc_run *r, const struct lfw_proc_config *cfg, struct lfw_error *err,
                   uint32_t install_default_ms)
{
    lfw_error_clear(err);
    memset(r, 0, sizeof *r);
    r->err = err;
    if (cfg == NULL || cfg->at == NULL || cfg->at->port == NULL) {
        return LFW_EINVAL;
    }
    r->cfg = cfg;
    r->at = cfg->at;
    r->product = cfg->product != NULL ? cfg->product : lfw_product_get(LFW_PRODUCT_UNKNOWN);
    r->base_baud = or_default(cfg->base_baud, LFW_BAUD_FACTORY);
    const struct lfw_timeouts *in = &cfg->timeouts;
    r->t.cmd_ms = or_default(in->cmd_ms, DEFAULT_CMD_MS);
    r->t.foat_prepare_ms = or_default(in->foat_prepare_ms, DEFAULT_PREPARE_MS);
    r->t.xmodem_start_ms = or_default(in->xmodem_start_ms, LFW_XMODEM_START_TIMEOUT_MS);
    r->t.xmodem_ack_ms = or_default(in->xmodem_ack_ms, LFW_XMODEM_ACK_TIMEOUT_MS);
    r->t.final_ok_ms = or_default(in->final_ok_ms, DEFAULT_FINAL_OK_MS);
    r->t.prompt_ms = or_default(in->prompt_ms, DEFAULT_PROMPT_MS);
    r->t.install_ms = or_default(in->install_ms, install_default_ms);
    r->t.reboot_ms = or_default(in->reboot_ms, DEFAULT_REBOOT_MS);
    r->t.poll_ms = or_default(in->poll_ms, DEFAULT_POLL_MS);
    r->t.settle_ms = or_default(in->settle_ms, DEFAULT_SETTLE_MS);
    r->t.download_ms = or_default(in->download_ms, DEFAULT_DOWNLOAD_MS);
    return 0;
}

int lfw_proc_end(struct lfw_proc_run *r, int rc)
{
    if (r->err == NULL) {
        return rc;
    }
    r->err->code = rc;
    if (rc == LFW_ECME && r->at != NULL) {
        const char *text = NULL;
        r->err->cme_code = lfw_at_last_cme(r->at, &text);
        (void)lfw_str_copy(r->err->cme_text, sizeof r->err->cme_text, text);
    }
    return rc;
}

int lfw_proc_emit(const struct lfw_proc_run *r, enum lfw_phase phase, int percent, uint32_t bytes,
                  uint32_t total, int result_code)
{
    if (r->cfg == NULL || r->cfg->on_event == NULL) {
        return 0;
    }
    struct lfw_event ev = {phase, percent, bytes, total, result_code};
    return r->cfg->on_event(r->cfg->user, &ev);
}

int lfw_proc_read_line(struct lfw_proc_run *r, const struct lfw_deadline *d, const char **line)
{
    uint32_t left = lfw_deadline_left(d, r->at->port);
    if (left == 0) {
        return LFW_ETIMEDOUT; /* the last call already took its final look */
    }
    return lfw_at_read_line(r->at, left, line);
}

int lfw_proc_percent(uint32_t bytes, uint32_t total)
{
    if (total == 0 || bytes >= total) {
        return 100;
    }
    if (total <= UINT32_MAX / 100u) {
        return (int)(bytes * 100u / total);
    }
    return (int)(bytes / (total / 100u));
}

int lfw_proc_set_host_rate(struct lfw_proc_run *r, uint32_t baud)
{
    const struct lfw_port *port = r->at->port;
    if (port->set_baud == NULL) {
        return LFW_ENOTSUP;
    }
    if (port->set_baud(port->user, baud) != 0) {
        return LFW_EIO;
    }
    lfw_at_flush(r->at); /* bytes received at the old rate are noise now */
    return 0;
}

int lfw_proc_set_rate(struct lfw_proc_run *r, uint32_t baud)
{
    int rc = lfw_product_check_baud(r->product, baud);
    if (rc != 0) {
        return rc; /* §3.1: no 3000000 bit/s on LARA-R6004D-00B / LARA-L6004-00B */
    }
    if (r->at->port->set_baud == NULL) {
        return LFW_ENOTSUP;
    }
    char cmd[24];
    size_t pos = 0;
    (void)lfw_str_copy(cmd, sizeof cmd, "AT+IPR=");
    pos = strlen(cmd);
    (void)lfw_str_append_u32(cmd, sizeof cmd, &pos, baud);
    rc = lfw_at_cmd(r->at, cmd, NULL, NULL, 0, r->t.cmd_ms);
    if (rc != 0) {
        return rc;
    }
    return lfw_proc_set_host_rate(r, baud);
}

/* Value of a "<prefix> <n>" line, or -1. */
static int progress_value(const char *line, const char *prefix)
{
    if (!lfw_str_prefix(line, prefix)) {
        return -1;
    }
    const char *p = line + strlen(prefix);
    uint32_t v = 0;
    if (!lfw_str_parse_u32(&p, &v) || v > 0xffffu) {
        return -1;
    }
    return (int)v;
}

enum install_state {
    INSTALL_WAIT_URC,   /* +UFWPREVAL / +UFWUPD / +UFWINSTALL until a final code */
    INSTALL_WAIT_QUIET, /* no URCs: let the module go into install mode */
    INSTALL_POLL,       /* no URCs: poll AT until it answers */
    INSTALL_REBOOT,     /* final code 128 seen: wait for the module to answer AT */
    INSTALL_CONFIRM,    /* AT+CGMR */
    INSTALL_DONE,
};

/* Reads progress URCs until a final code; returns it (> 100) or a negative LFW_E…. */
static int wait_final_code(struct lfw_proc_run *r, const char *prefix)
{
    struct lfw_deadline d;
    lfw_deadline_start(&d, r->at->port, r->t.install_ms);
    for (;;) {
        const char *line = NULL;
        int n = lfw_proc_read_line(r, &d, &line);
        if (n < 0) {
            return n;
        }
        int v = progress_value(line, "+UFWPREVAL:");
        if (v < 0) {
            v = progress_value(line, "+UUFWPREVAL:"); /* uFOTA (§5.1) */
        }
        if (v >= 0) {
            (void)lfw_proc_emit(r, LFW_PHASE_VALIDATION, v > 100 ? 100 : v, 0, 0, -1);
            continue;
        }
        /* +UFWUPD: after FOAT, +UFWINSTALL: after FOTA, +UUFWINSTALL: after uFOTA; the
         * procedure's own prefix first, then the others (§3.1.1, §4.3.1, §5.1). */
        v = progress_value(line, prefix);
        if (v < 0) {
            v = progress_value(line, "+UFWUPD:");
        }
        if (v < 0) {
            v = progress_value(line, "+UFWINSTALL:");
        }
        if (v < 0) {
            continue; /* reboot noise, other URCs */
        }
        if (v >= LFW_RESULT_FIRST) {
            return v;
        }
        (void)lfw_proc_emit(r, LFW_PHASE_INSTALL, v, 0, 0, -1);
    }
}

/* Module answers AT at base rate; if not and another rate was in use, tries that one too. */
static int wait_alive(struct lfw_proc_run *r, uint32_t total_ms, uint32_t other_baud)
{
    int rc = lfw_info_wait_alive(r->at, r->t.poll_ms, total_ms);
    if (rc != LFW_ENOANSWER || other_baud == 0 || other_baud == r->base_baud ||
        r->at->port->set_baud == NULL) {
        return rc;
    }
    if (lfw_proc_set_host_rate(r, other_baud) != 0) {
        return LFW_ENOANSWER;
    }
    rc = lfw_info_wait_alive(r->at, r->t.poll_ms, r->t.reboot_ms);
    if (rc == 0) {
        rc = lfw_proc_set_rate(r, r->base_baud);
    } else {
        (void)lfw_proc_set_host_rate(r, r->base_baud);
    }
    return rc;
}

int lfw_proc_finish_install(struct lfw_proc_run *r, const char *progress_prefix, uint32_t urc_baud,
                            uint32_t alt_baud)
{
    const struct lfw_proc_config *cfg = r->cfg;
    enum install_state state = cfg->no_urcs ? INSTALL_WAIT_QUIET : INSTALL_WAIT_URC;
    int code = -1;
    int rc = 0;
    char version[LFW_INFO_TEXT_MAX];
    while (state != INSTALL_DONE) {
        switch (state) {
        case INSTALL_WAIT_URC:
            if (urc_baud != r->base_baud && lfw_proc_set_host_rate(r, urc_baud) != 0) {
                return LFW_EIO;
            }
            code = wait_final_code(r, progress_prefix);
            if (urc_baud != r->base_baud && lfw_proc_set_host_rate(r, r->base_baud) != 0) {
                return LFW_EIO;
            }
            if (code < 0) {
                return code;
            }
            if (r->err != NULL) {
                r->err->result_code = code;
            }
            if (code != LFW_RESULT_SUCCESS) {
                /* Appendix A: the module goes back to normal mode on the old firmware. */
                (void)lfw_proc_emit(r, LFW_PHASE_DONE, -1, 0, 0, code);
                return LFW_EMODULE;
            }
            state = INSTALL_REBOOT;
            break;
        case INSTALL_WAIT_QUIET:
            /* §3.1: no URCs on USB. Let the module reset before the first poll. */
            (void)lfw_proc_emit(r, LFW_PHASE_INSTALL, -1, 0, 0, -1);
            rc = lfw_at_poll(r->at, r->t.settle_ms);
            if (rc < 0 && rc != LFW_EIO) {
                return rc;
            }
            state = INSTALL_POLL;
            break;
        case INSTALL_POLL:
            rc = wait_alive(r, r->t.install_ms, alt_baud);
            if (rc != 0) {
                return rc;
            }
            state = INSTALL_CONFIRM;
            break;
        case INSTALL_REBOOT:
            (void)lfw_proc_emit(r, LFW_PHASE_REBOOT, 100, 0, 0, code);
            rc = wait_alive(r, r->t.reboot_ms, alt_baud);
            if (rc != 0) {
                return rc;
            }
            state = INSTALL_CONFIRM;
            break;
        case INSTALL_CONFIRM:
            /* §4.3: the new version shows in AT+CGMR. */
            rc = lfw_at_cmd(r->at, "AT+CGMR", "", version, sizeof version, r->t.cmd_ms);
            if (rc != 0 && rc != LFW_EOVERFLOW) {
                return rc;
            }
            if (cfg->version_out != NULL && cfg->version_out_size > 0) {
                (void)lfw_str_copy(cfg->version_out, cfg->version_out_size, version);
            }
            if (cfg->expected_version != NULL && strcmp(cfg->expected_version, version) != 0) {
                return LFW_EVERSION;
            }
            (void)lfw_proc_emit(r, LFW_PHASE_DONE, 100, 0, 0, code);
            state = INSTALL_DONE;
            break;
        case INSTALL_DONE:
            break;
        }
    }
    return 0;
}
