/* Private: what the procedures (foat.c, fota.c) share. */
#ifndef LARAFW_CORE_PROC_INTERNAL_H
#define LARAFW_CORE_PROC_INTERNAL_H

#include "larafw/proc.h"
#include "util.h"

#define LFW_BAUD_FACTORY 115200u /* §3.1: factory +IPR; progress URCs of +UFWUPD use it */

/* One running procedure. */
struct lfw_proc_run {
    const struct lfw_proc_config *cfg;
    struct lfw_at *at;
    const struct lfw_product *product;
    struct lfw_timeouts t; /* with defaults filled in */
    struct lfw_error *err;
    uint32_t base_baud;
};

/* Checks cfg and fills `r`; install_ms defaults to `install_default_ms`. Returns 0 or
 * LFW_EINVAL. */
int lfw_proc_begin(struct lfw_proc_run *r, const struct lfw_proc_config *cfg, struct lfw_error *err,
                   uint32_t install_default_ms);

/* Records `rc` (and the channel's +CME ERROR for LFW_ECME) in r->err; returns rc. */
int lfw_proc_end(struct lfw_proc_run *r, int rc);

/* Reports an event; returns the callback's answer (0 = go on). */
int lfw_proc_emit(const struct lfw_proc_run *r, enum lfw_phase phase, int percent, uint32_t bytes,
                  uint32_t total, int result_code);

/* The next line before deadline `d` (started with lfw_deadline_start on r->at->port): the
 * deadline is checked before every line, so a module that keeps talking (URCs, noise lines)
 * cannot hold a wait open. Returns the line length, LFW_ETIMEDOUT and the errors of
 * lfw_at_read_line (LFW_EGARBAGE, LFW_ECANCELED, LFW_EIO…). */
int lfw_proc_read_line(struct lfw_proc_run *r, const struct lfw_deadline *d, const char **line);

/* Percent of bytes/total without 64-bit division. */
int lfw_proc_percent(uint32_t bytes, uint32_t total);

/* AT+IPR=<baud> → OK → port set_baud(baud). Refuses what the product lacks (LFW_ENOTSUP). */
int lfw_proc_set_rate(struct lfw_proc_run *r, uint32_t baud);

/* Changes only the host side rate (the module changed by itself, e.g. after a reboot). */
int lfw_proc_set_host_rate(struct lfw_proc_run *r, uint32_t baud);

/* Waits for validation/installation to end (§3.1.1, §4.3.1): +UFWPREVAL: n, then
 * "<prefix> n" until a final code > 100, within r->t.install_ms. With cfg->no_urcs, waits for
 * the module to answer AT instead. Then waits for the module to come back, reads AT+CGMR and
 * checks the expected version. urc_baud: the rate the progress URCs use; the host runs at
 * r->base_baud before and after. alt_baud (0 = none): another rate the module may answer AT at
 * after the reboot (the transfer rate), tried when the base rate gets no answer. */
int lfw_proc_finish_install(struct lfw_proc_run *r, const char *progress_prefix, uint32_t urc_baud,
                            uint32_t alt_baud);

#endif /* LARAFW_CORE_PROC_INTERNAL_H */
