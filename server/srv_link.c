/* CoRE link-format parser for LwM2M registration payloads (srv_link.h). */
#include "srv_link.h"

#include <stdbool.h>
#include <string.h>

/* Splits "/1/10" into numeric segments; anything else leaves obj = -1. */
static void path_ids(struct srv_link *l)
{
    l->obj = l->inst = l->res = -1;
    int *ids[3] = {&l->obj, &l->inst, &l->res};
    const char *p = l->path;
    int n = 0;
    while (*p == '/' && n < 3) {
        p++;
        if (*p < '0' || *p > '9')
            break;
        long v = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            if (v > 65535)
                goto not_lwm2m;
            p++;
        }
        *ids[n++] = (int)v;
    }
    if (*p == '\0')
        return;
not_lwm2m:
    l->obj = l->inst = l->res = -1;
}

int srv_link_parse(const char *s, size_t len, struct srv_link *out, size_t cap, size_t *count)
{
    size_t i = 0, n = 0;
    *count = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
            i++;
        if (i >= len)
            break;
        if (s[i] != '<')
            return SRV_E_PARSE;
        const char *start = s + i + 1;
        const char *gt = memchr(start, '>', len - i - 1);
        if (!gt)
            return SRV_E_PARSE;
        size_t plen = (size_t)(gt - start);
        if (plen >= SRV_LINK_PATH_MAX || memchr(start, '\0', plen))
            return SRV_E_PARSE;
        if (n < cap) {
            memcpy(out[n].path, start, plen);
            out[n].path[plen] = '\0';
            path_ids(&out[n]);
        }
        n++;
        i = (size_t)(gt - s) + 1;
        /* attributes up to the next top-level comma; quoted values may hold commas */
        bool quoted = false;
        while (i < len && (quoted || s[i] != ',')) {
            if (s[i] == '"')
                quoted = !quoted;
            else if (s[i] == '\\' && quoted && i + 1 < len)
                i++;
            i++;
        }
        if (quoted)
            return SRV_E_PARSE;
        if (i < len)
            i++; /* the comma */
    }
    if (n == 0)
        return SRV_E_PARSE;
    *count = n;
    return 0;
}
