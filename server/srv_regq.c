/* Registration query parsing (srv_regq.h). */
#include "srv_regq.h"

#include <string.h>

static int copy_value(const char *v, size_t vlen, char *out, size_t cap)
{
    if (vlen == 0 || vlen >= cap)
        return SRV_E_PARSE;
    /* printable ASCII only: values reach the log and the API (no forged log lines) */
    for (size_t i = 0; i < vlen; i++)
        if ((unsigned char)v[i] < 0x21 || (unsigned char)v[i] > 0x7e)
            return SRV_E_PARSE;
    memcpy(out, v, vlen);
    out[vlen] = '\0';
    return 0;
}

static bool binding_ok(const char *b)
{
    static const char *const ok[] = {"U", "UQ", "S", "SQ", "US", "UQS"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(b, ok[i]) == 0)
            return true;
    return false;
}

int srv_regq_parse(const char *q, size_t len, bool registration, struct srv_reg_query *out)
{
    memset(out, 0, sizeof *out);
    out->lifetime = SRV_DEFAULT_LIFETIME;
    strcpy(out->lwm2m, "1.0");
    strcpy(out->binding, "U");
    size_t i = 0;
    while (q && i < len) {
        const char *amp = memchr(q + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - q) : len;
        const char *param = q + i;
        size_t plen = end - i;
        const char *eq = memchr(param, '=', plen);
        if (eq) {
            size_t klen = (size_t)(eq - param);
            const char *v = eq + 1;
            size_t vlen = plen - klen - 1;
            if (klen == 2 && memcmp(param, "ep", 2) == 0) {
                if (copy_value(v, vlen, out->ep, sizeof out->ep) != 0)
                    return SRV_E_PARSE;
                out->has_ep = true;
            } else if (klen == 2 && memcmp(param, "lt", 2) == 0) {
                long lt = 0;
                if (vlen == 0 || vlen > 9)
                    return SRV_E_PARSE;
                for (size_t k = 0; k < vlen; k++) {
                    if (v[k] < '0' || v[k] > '9')
                        return SRV_E_PARSE;
                    lt = lt * 10 + (v[k] - '0');
                }
                if (lt <= 0)
                    return SRV_E_PARSE;
                out->lifetime = lt;
                out->has_lt = true;
            } else if (klen == 5 && memcmp(param, "lwm2m", 5) == 0) {
                if (copy_value(v, vlen, out->lwm2m, sizeof out->lwm2m) != 0)
                    return SRV_E_PARSE;
            } else if (klen == 1 && param[0] == 'b') {
                if (copy_value(v, vlen, out->binding, sizeof out->binding) != 0 ||
                    !binding_ok(out->binding))
                    return SRV_E_PARSE;
                out->has_b = true;
            }
        }
        i = end + 1;
    }
    if (registration) {
        if (!out->has_ep)
            return SRV_E_PARSE;
        if (strncmp(out->lwm2m, "1.", 2) != 0)
            return SRV_E_PARSE;
    }
    return 0;
}
