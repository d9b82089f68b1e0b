/* CoRE Link Format (RFC 6690) as LwM2M 1.0 registration payloads use it:
 * `</>;rt="oma.lwm2m",</1/10>;ssid=721,</3/0>,</5/0>`. Untrusted input: any bytes give an
 * error or a result, never a crash (tests/fuzz/server_lwm2m.c). */
#ifndef LARAFW_SRV_LINK_H
#define LARAFW_SRV_LINK_H

#include <stddef.h>

#include "srv_err.h"

#define SRV_LINK_PATH_MAX 64

/* One link. obj/inst/res are -1 when the path has fewer numeric segments or is not an
 * LwM2M object path at all (then obj is -1 and `path` still holds the text). */
struct srv_link {
    char path[SRV_LINK_PATH_MAX];
    int obj;
    int inst;
    int res;
};

/* Parses `len` bytes of link format. Stores up to `cap` links in `out` and the number of
 * links seen in *count (which may exceed cap: the rest are parsed, not stored).
 * Returns 0 or SRV_E_PARSE (no `<…>`, unterminated quote or bracket, path too long). */
SRV_WARN_UNUSED int srv_link_parse(const char *s, size_t len, struct srv_link *out, size_t cap,
                                   size_t *count);

#endif
