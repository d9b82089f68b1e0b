/* LwM2M 1.0 registration interface query (OMA-TS-LightweightM2M-V1_0 §5.3.1, §8.2.3):
 * `ep=…&lt=…&lwm2m=1.0&b=U[&sms=…]` on POST /rd, `lt=…&b=…` on POST /rd/<id>. */
#ifndef LARAFW_SRV_REGQ_H
#define LARAFW_SRV_REGQ_H

#include <stdbool.h>
#include <stddef.h>

#include "srv_err.h"

#define SRV_EP_MAX           65 /* endpoint client name, NUL included */
#define SRV_DEFAULT_LIFETIME 86400

struct srv_reg_query {
    char ep[SRV_EP_MAX];
    long lifetime;   /* seconds; SRV_DEFAULT_LIFETIME when absent */
    char lwm2m[8];   /* "1.0" when absent */
    char binding[8]; /* "U" when absent */
    bool has_ep, has_lt, has_b;
};

/* Parses the query (parameters joined by '&', as libcoap hands them over, not percent-
 * encoded). Unknown parameters are ignored. With `registration` true, ep is required and
 * lwm2m must be 1.x. Returns 0 or SRV_E_PARSE (missing ep, lt not a positive integer, value
 * too long or not printable ASCII 0x21..0x7e, unsupported version, binding other than
 * U/UQ/S/SQ/US/UQS). */
SRV_WARN_UNUSED int srv_regq_parse(const char *q, size_t len, bool registration,
                                   struct srv_reg_query *out);

#endif
