/* FOTA with transfer from the host: push the delta with AT+UDWNFILE (§4.2.3), install it with
 * AT+UFWINSTALL (§4.3). Also used after an FTP/HTTP download (§4.2.1, §4.2.2). */
#ifndef LARAFW_FOTA_H
#define LARAFW_FOTA_H

#include <stdint.h>

#include "larafw/error.h"
#include "larafw/proc.h"
#include "larafw/source.h"

/* Longest module file name accepted by lfw_fota_push. */
#define LFW_FOTA_NAME_MAX 64

/* AT+UDWNFILE="<name>",<size>,"FOAT" → '>' → exactly size bytes from `pkg` → OK (§4.2.3).
 * With proc->transfer_baud the link runs at that rate for the transfer (AT+IPR) and is set
 * back to the base rate afterwards. Progress: download events. A cancel from the event
 * callback stops sending: the module then waits for the missing bytes and gives up on its own
 * (the note has no abort for +UDWNFILE); the package it holds is incomplete.
 * Returns 0, LFW_EINVAL (name empty, too long, or with '"'), LFW_ENOTSUP, LFW_EAT_ERROR,
 * LFW_ECME (e.g. another download in progress, §6), LFW_ETIMEDOUT, LFW_ECANCELED,
 * LFW_ESOURCE, LFW_EIO. */
int lfw_fota_push(const struct lfw_proc_config *proc, const char *name,
                  const struct lfw_source *pkg, struct lfw_error *err) LFW_WARN_UNUSED;

/* AT+UFWINSTALL=1,<urc_baud> → OK → reset → +UFWPREVAL → +UFWINSTALL: 1…100 → final code →
 * reset → AT answers → AT+CGMR (§4.3, §4.3.1). urc_baud 0 = 115200.
 * Returns 0 (final code 128), LFW_ECME (no package: "+CME ERROR: operation not allowed",
 * err->cme_text has the text), LFW_EAT_ERROR, LFW_EMODULE (err->result_code), LFW_ETIMEDOUT,
 * LFW_ENOANSWER, LFW_EVERSION, LFW_EINVAL, LFW_EBUSY, LFW_EIO. */
int lfw_fota_install(const struct lfw_proc_config *proc, uint32_t urc_baud,
                     struct lfw_error *err) LFW_WARN_UNUSED;

#endif /* LARAFW_FOTA_H */
