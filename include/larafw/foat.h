/* FOAT: firmware update through AT+UFWUPD=3 and XMODEM (§3, §3.1, §3.1.1, §3.1.2).
 *
 * AT+UFWUPD=3 → "+UFWUPD: ONGOING" → 'C' (CRC) or NAK (checksum) → XMODEM(-1K) transfer →
 * OK → reboot → +UFWPREVAL: 0…100 → +UFWUPD: 1…100 → +UFWUPD: <final> (128 = success) →
 * reboot → AT answers → AT+CGMR confirms the version.
 * With cfg->no_urcs the progress URCs are not expected (USB, §3.1): the module is polled with AT
 * until the product's install limit, then the version is read.
 */
#ifndef LARAFW_FOAT_H
#define LARAFW_FOAT_H

#include <stddef.h>
#include <stdint.h>

#include "larafw/error.h"
#include "larafw/proc.h"
#include "larafw/source.h"
#include "larafw/xmodem.h"

struct lfw_foat_config {
    const struct lfw_proc_config *proc;
    uint8_t *block_buf; /* XMODEM block buffer: LFW_XMODEM_BUF_1K (or _128) bytes, or twice
                           that to prepare each block ahead (larafw/xmodem.h) */
    size_t block_buf_size;
    uint16_t block_size;  /* 1024 (default when 0) or 128 */
    uint32_t max_retries; /* XMODEM retries per block, 0 = LFW_XMODEM_MAX_RETRIES */
};

/* Runs the whole FOAT update of `image` (a .upd file). `err` (may be NULL) gets the module's
 * final code / +CME ERROR. Returns 0 after final code 128 and a module that answers again
 * (and, if asked, runs proc->expected_version), or:
 * LFW_EINVAL, LFW_ENOTSUP (transfer_baud not possible on this product), LFW_EAT_ERROR /
 * LFW_ECME (AT+UFWUPD refused, e.g. another download in progress, §6), LFW_ETIMEDOUT,
 * LFW_EERROR1 (§3.1.2), LFW_ECANCELED, LFW_ERETRIES, LFW_ESOURCE, LFW_EIO,
 * LFW_EMODULE (final code != 128, err->result_code has it), LFW_ENOANSWER, LFW_EVERSION,
 * LFW_EPROTO. */
int lfw_foat_run(const struct lfw_foat_config *cfg, const struct lfw_source *image,
                 struct lfw_error *err) LFW_WARN_UNUSED;

#endif /* LARAFW_FOAT_H */
