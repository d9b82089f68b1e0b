/* lfw_info_read: what is on the module (AT+CGMR, ATI, ATI9, AT+CGMM, AT+CGSN). */
#ifndef LARAFW_INFO_H
#define LARAFW_INFO_H

#include <stdint.h>

#include "larafw/at.h"
#include "larafw/error.h"
#include "larafw/product.h"

#define LFW_INFO_TEXT_MAX 64

struct lfw_info {
    char version[LFW_INFO_TEXT_MAX];   /* AT+CGMR */
    char ident[LFW_INFO_TEXT_MAX];     /* ATI (first lines, '\n'-joined, cut to fit) */
    char model[LFW_INFO_TEXT_MAX];     /* AT+CGMM */
    char imei[LFW_INFO_TEXT_MAX];      /* AT+CGSN */
    char type[LFW_INFO_TEXT_MAX];      /* ATI9: "<modem version>,<product version>" or "" */
    const struct lfw_product *product; /* from ATI9, else ATI, else AT+CGMM (the first that
                                        * names a LARA series); never NULL after success */
};

/* Reads version, identification, model and IMEI, each command waiting up to `timeout_ms`
 * (0 = 10 s). `err` (may be NULL) gets the details of a failure.
 * Returns 0, LFW_ETIMEDOUT, LFW_EAT_ERROR, LFW_ECME, LFW_EOVERFLOW, LFW_EINVAL, LFW_EBUSY,
 * LFW_EIO, LFW_ECANCELED, LFW_EPROTO (OK without a version line), LFW_EGARBAGE (an answer
 * that is no AT text: control or non-ASCII bytes, an IMEI that is not 14–17 digits). Lines
 * of another command ("+XXX: …", URCs the channel has no handler for) are left out of the
 * version, model and IMEI. ATI, ATI9, AT+CGMM and AT+CGSN failing leaves their field "" (only
 * AT+CGMR is required). The product version ("00B"/"01B") decides timeouts and features: ATI shows
 * only the type number on some firmware, ATI9 the product version. */
int lfw_info_read(struct lfw_at *at, uint32_t timeout_ms, struct lfw_info *out,
                  struct lfw_error *err) LFW_WARN_UNUSED;

/* Polls with "AT" until the module answers OK: each poll waits `poll_ms`, all together at most
 * `total_ms`. Port read/write errors count as "no answer" (a USB port may vanish while the
 * module reboots, §3.1). Returns 0, LFW_ENOANSWER, LFW_EINVAL, LFW_EBUSY, LFW_ECANCELED (the
 * port was asked to stop). */
int lfw_info_wait_alive(struct lfw_at *at, uint32_t poll_ms, uint32_t total_ms) LFW_WARN_UNUSED;

#endif /* LARAFW_INFO_H */
