/* uFOTA: the module's LwM2M client downloads a delta chosen by a campaign; the host enables
 * the URCs, follows the download, may pause/resume/cancel/acknowledge it, and waits for the
 * installation (§5.1–§5.5, §5.7).
 *
 * +UFOTASTAT: <a>,<b>,<pct> (§5.2) becomes a typed status through one const table:
 *   3,1,0 client started · 1,0,0 download triggered/resuming · 0,1,<pct> downloading ·
 *   0,2,<pct> paused · 0,3,0 waiting for the host's ack · 2,2,100 download complete ·
 *   2,3,100 cancelled/rejected · 2,1,<pct> download failed (simulator assumption,
 *   docs/simulator.md; the note shows no failure URC).
 * URCs are off after every power-up: lfw_ufota_enable_urcs() again after each reboot (§5.7.1);
 * lfw_ufota_wait_install() does it itself. Never reset the module during FOTA (§5.7).
 */
#ifndef LARAFW_UFOTA_H
#define LARAFW_UFOTA_H

#include <stdbool.h>
#include <stdint.h>

#include "larafw/error.h"
#include "larafw/proc.h"

enum lfw_ufota_state {
    LFW_UFOTA_UNKNOWN = 0,    /* a combination the table does not know */
    LFW_UFOTA_CLIENT_STARTED, /* 3,1,0 */
    LFW_UFOTA_DOWNLOAD_START, /* 1,0,0 */
    LFW_UFOTA_DOWNLOADING,    /* 0,1,<pct> */
    LFW_UFOTA_PAUSED,         /* 0,2,<pct> */
    LFW_UFOTA_WAIT_ACK,       /* 0,3,0 */
    LFW_UFOTA_DOWNLOADED,     /* 2,2,100 */
    LFW_UFOTA_CANCELLED,      /* 2,3,100 */
    LFW_UFOTA_FAILED,         /* 2,1,<pct> */
};

struct lfw_ufota_status {
    enum lfw_ufota_state state;
    int percent; /* <pct> of the URC */
};

/* +UFOTACONFIG=721,<mode>,255 modes (§5.4, LARA-R6 "01B" only). */
enum lfw_ufota_mode {
    LFW_UFOTA_MODE_DEFAULT = 0,
    LFW_UFOTA_MODE_DOWNLOAD_ONLY = 1, /* the host installs with lfw_fota_install() */
    LFW_UFOTA_MODE_WAIT_ACK = 2,      /* the host accepts with lfw_ufota_ack() */
    LFW_UFOTA_MODE_DISABLED = 3,
};

/* +UFOTA=<op> (§5.3): cancel works on every product (only while a download runs); pause and
 * resume only on LARA-R6 "01B". */
enum lfw_ufota_control {
    LFW_UFOTA_CANCEL = 0,
    LFW_UFOTA_PAUSE = 1,
    LFW_UFOTA_RESUME = 2,
};

/* Parses one "+UFOTASTAT: a,b,pct" line. Returns true and fills *out for such a line (state
 * LFW_UFOTA_UNKNOWN for an unknown combination), false for any other line. */
bool lfw_ufota_parse(const char *line, struct lfw_ufota_status *out);

/* AT+UFOTASTAT=1, AT+ULWM2MSTAT=1,7 and AT+UFWINSTALL=1,<urc_baud>,,1 (§5.2; urc_baud 0 =
 * 115200). Returns 0, LFW_EAT_ERROR, LFW_ECME, LFW_ETIMEDOUT, LFW_EINVAL, LFW_EBUSY, LFW_EIO. */
int lfw_ufota_enable_urcs(const struct lfw_proc_config *proc, uint32_t urc_baud,
                          struct lfw_error *err) LFW_WARN_UNUSED;

/* AT+UFOTACONFIG=721,<mode>,255. Returns 0, LFW_ENOTSUP (not a LARA-R6 "01B"), LFW_EINVAL and
 * the command errors of lfw_ufota_enable_urcs(). */
int lfw_ufota_configure(const struct lfw_proc_config *proc, enum lfw_ufota_mode mode,
                        struct lfw_error *err) LFW_WARN_UNUSED;

/* AT+UFOTA=<op>. Returns 0, LFW_ENOTSUP (pause/resume on a product without them), LFW_EINVAL
 * and the command errors. After a cancel the module reports 2,3,100; a cancelled campaign
 * needs a new campaign (§5.3). */
int lfw_ufota_control(const struct lfw_proc_config *proc, enum lfw_ufota_control op,
                      struct lfw_error *err) LFW_WARN_UNUSED;

/* AT+UFOTAACK=<delay_s>: accept the download after delay_s seconds, 0 rejects (§5.4.2).
 * Returns 0, LFW_ENOTSUP (not a LARA-R6 "01B") and the command errors. */
int lfw_ufota_ack(const struct lfw_proc_config *proc, uint32_t delay_s,
                  struct lfw_error *err) LFW_WARN_UNUSED;

/* Follows +UFOTASTAT URCs (download events with <pct>) for up to timeouts.download_ms and
 * returns when the download is complete (0, last->state DOWNLOADED), waits for the host's ack
 * (0, last->state WAIT_ACK: call lfw_ufota_ack() and wait again), was cancelled or rejected
 * (LFW_ECANCELED) or failed (LFW_EDOWNLOAD). `last` may be NULL.
 * Other returns: LFW_ETIMEDOUT, LFW_EINVAL, LFW_EBUSY, LFW_EIO. */
int lfw_ufota_wait_download(const struct lfw_proc_config *proc, struct lfw_ufota_status *last,
                            struct lfw_error *err) LFW_WARN_UNUSED;

/* After the server's execute: +UUFWPREVAL: 0…100, +UUFWINSTALL: 1…100, final code (128 =
 * success) within timeouts.install_ms (default: the product's FOAT bound, at least 20 min of
 * §5.5 Table 4), reboot, AT answers, AT+CGMR (expected_version checked, version_out filled),
 * then the URCs are enabled again (§5.7.1). Returns 0, LFW_EMODULE (err->result_code),
 * LFW_ETIMEDOUT, LFW_ENOANSWER, LFW_EVERSION and the command errors. */
int lfw_ufota_wait_install(const struct lfw_proc_config *proc, uint32_t urc_baud,
                           struct lfw_error *err) LFW_WARN_UNUSED;

#endif /* LARAFW_UFOTA_H */
