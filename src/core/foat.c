/* FOAT: AT+UFWUPD=3 + XMODEM, then validation, installation and reboot (§3.1, §3.1.1). */
#include <string.h>

#include "larafw/foat.h"
#include "proc_internal.h"
#include "util.h"

#define ONGOING "+UFWUPD: ONGOING"

/* XMODEM progress → download events; the caller may cancel here. */
static int foat_progress(void *user, uint32_t bytes, uint32_t total)
{
    const struct lfw_proc_run *r = user;
    return lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, lfw_proc_percent(bytes, total), bytes, total, -1);
}

/* Sends AT+UFWUPD=3 and waits for "+UFWUPD: ONGOING" (§3.1: ~5 s of preparation). The
 * receiver's 'C'/NAK that follows stays buffered for the XMODEM sender. */
static int start_download(struct lfw_proc_run *r)
{
    int rc = lfw_at_send(r->at, "AT+UFWUPD=3");
    if (rc != 0) {
        return rc;
    }
    struct lfw_deadline d;
    lfw_deadline_start(&d, r->at->port, r->t.foat_prepare_ms);
    for (;;) {
        const char *line = NULL;
        int n = lfw_proc_read_line(r, &d, &line);
        if (n < 0) {
            return n;
        }
        if (lfw_str_prefix(line, ONGOING)) {
            return 0;
        }
        switch (lfw_at_classify(line, NULL)) {
        case LFW_AT_LINE_OK:
            return LFW_EPROTO;
        case LFW_AT_LINE_ERROR:
            return LFW_EAT_ERROR; /* §6: e.g. another download in progress */
        case LFW_AT_LINE_CME:
            return LFW_ECME;
        case LFW_AT_LINE_ERROR1:
            return LFW_EERROR1;
        case LFW_AT_LINE_OTHER:
            break; /* echo, URCs */
        }
    }
}

/* The XMODEM part: from AT+UFWUPD=3 to the OK after EOT. */
static int transfer(struct lfw_proc_run *r, const struct lfw_foat_config *cfg,
                    const struct lfw_source *image)
{
    int rc = start_download(r);
    if (rc != 0) {
        return rc;
    }
    (void)lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, 0, 0, image->size, -1);
    struct lfw_xmodem_config xc = {
        .port = lfw_at_raw_port(r->at),
        .block_buf = cfg->block_buf,
        .block_buf_size = cfg->block_buf_size,
        .block_size = cfg->block_size,
        .start_timeout_ms = r->t.xmodem_start_ms,
        .ack_timeout_ms = r->t.xmodem_ack_ms,
        .max_retries = cfg->max_retries,
        .progress = foat_progress,
        .progress_user = r,
    };
    struct lfw_xmodem x;
    rc = lfw_xmodem_init(&x, &xc);
    if (rc == 0) {
        rc = lfw_xmodem_send(&x, image);
    }
    if (rc != 0) {
        return rc;
    }
    /* §3.1.1: OK once the package is in flash; ERROR1 if the module gave up (§3.1.2). */
    return lfw_at_wait_final(r->at, NULL, NULL, NULL, 0, r->t.final_ok_ms);
}

int lfw_foat_run(const struct lfw_foat_config *cfg, const struct lfw_source *image,
                 struct lfw_error *err)
{
    struct lfw_proc_run r;
    if (cfg == NULL) {
        lfw_error_clear(err);
        if (err != NULL) {
            err->code = LFW_EINVAL;
        }
        return LFW_EINVAL;
    }
    int rc = lfw_proc_begin(&r, cfg->proc, err, 0);
    if (rc != 0) {
        return lfw_proc_end(&r, rc);
    }
    if (r.cfg->timeouts.install_ms == 0) {
        r.t.install_ms = r.product->install_max_ms; /* §3.1: 65 min R6 00B, else 3 min */
    }
    if (image == NULL || image->read == NULL || cfg->block_buf == NULL) {
        return lfw_proc_end(&r, LFW_EINVAL);
    }
    uint32_t fast = r.cfg->transfer_baud != r.base_baud ? r.cfg->transfer_baud : 0;
    if (fast != 0) {
        rc = lfw_proc_set_rate(&r, fast);
        if (rc != 0) {
            return lfw_proc_end(&r, rc);
        }
    }
    rc = transfer(&r, cfg, image);
    if (fast != 0) {
        if (rc == 0) {
            /* The module reboots; its URCs come at 115200 (§3.1), its AT at +IPR. */
            (void)lfw_proc_set_host_rate(&r, r.base_baud);
        } else {
            /* Firmware unchanged (§3.1.2): put the link back at the base rate. */
            int drained = lfw_at_poll(r.at, 0); /* ERROR1 and the like */
            (void)drained;
            (void)lfw_proc_set_rate(&r, r.base_baud);
        }
    }
    if (rc != 0) {
        return lfw_proc_end(&r, rc);
    }
    rc = lfw_proc_finish_install(&r, "+UFWUPD:", LFW_BAUD_FACTORY, fast);
    return lfw_proc_end(&r, rc);
}
