/* What every update procedure shares: the event callback, the timeouts and the config.
 *
 * Procedures (foat.h, fota.h, info.h) block the caller: they wait through the port's read
 * timeout, never by sleeping, and report progress through one callback:
 *   download   — bytes/total of the transfer (XMODEM or +UDWNFILE stream), percent
 *   validation — +UFWPREVAL: <percent> (§3.1.1, §4.3.1)
 *   install    — +UFWUPD: / +UFWINSTALL: <percent>
 *   reboot     — waiting for the module to answer AT again (result_code = final code)
 *   done       — finished, result_code = final code (128 = success) or -1
 */
#ifndef LARAFW_PROC_H
#define LARAFW_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "larafw/at.h"
#include "larafw/error.h"
#include "larafw/product.h"

enum lfw_phase {
    LFW_PHASE_DOWNLOAD = 0,
    LFW_PHASE_VALIDATION,
    LFW_PHASE_INSTALL,
    LFW_PHASE_REBOOT,
    LFW_PHASE_DONE,
};

struct lfw_event {
    enum lfw_phase phase;
    int percent;     /* 0…100, -1 when unknown (install without URCs) */
    uint32_t bytes;  /* download phase: bytes acknowledged */
    uint32_t total;  /* download phase: bytes to send */
    int result_code; /* final code once known (Appendix A), else -1 */
};

/* Returns 0 to go on. A non-zero return during the download phase cancels the transfer
 * (LFW_ECANCELED); in the other phases it is ignored — an install cannot be cancelled (§5.7). */
typedef int (*lfw_event_fn)(void *user, const struct lfw_event *ev);

/* Every timeout in milliseconds; 0 selects the default given. */
struct lfw_timeouts {
    uint32_t cmd_ms;          /* ordinary AT command answer: 10 s */
    uint32_t foat_prepare_ms; /* AT+UFWUPD=3 → "+UFWUPD: ONGOING" (~5 s, §3.1): 30 s */
    uint32_t xmodem_start_ms; /* receiver's first 'C'/NAK: 109 s (§3.1) */
    uint32_t xmodem_ack_ms;   /* ACK of one block: 10 s */
    uint32_t final_ok_ms;     /* OK after the transfer (XMODEM EOT / +UDWNFILE bytes): 60 s */
    uint32_t prompt_ms;       /* '>' prompt of +UDWNFILE: 10 s */
    uint32_t install_ms;      /* whole validation + install: product's (65 min / 3 min §3.1;
                               * lfw_fota_install: at least 20 min, §5.5 Table 4) */
    uint32_t reboot_ms;       /* after the final code, until AT answers: 5 min */
    uint32_t poll_ms;         /* one AT poll (answer wait) while waiting for the module: 2 s */
    uint32_t settle_ms;       /* without URCs: time before the first AT poll: 10 s */
    uint32_t download_ms;     /* FTP/HTTP download by the module, until its result URC: 30 min */
};

struct lfw_proc_config {
    struct lfw_at *at;                 /* the AT channel (required) */
    const struct lfw_product *product; /* NULL = unknown product (conservative) */
    struct lfw_timeouts timeouts;
    lfw_event_fn on_event; /* may be NULL */
    void *user;            /* first argument of on_event */
    /* Progress URCs never reach this link (host on USB, §3.1): wait up to the install limit
     * polling AT, then confirm by version. */
    bool no_urcs;
    /* Line rate the link runs at now (0 = 115200, the factory +IPR). */
    uint32_t base_baud;
    /* Faster transfer: AT+IPR=<rate> for the transfer and back afterwards (0 = keep the
     * base rate). 3000000 is refused with LFW_ENOTSUP on LARA-R6004D-00B / LARA-L6004-00B. */
    uint32_t transfer_baud;
    /* Version the module must report after the update (AT+CGMR), NULL = do not check. */
    const char *expected_version;
    /* The version read after the update is copied here when not NULL. */
    char *version_out;
    size_t version_out_size;
};

#endif /* LARAFW_PROC_H */
