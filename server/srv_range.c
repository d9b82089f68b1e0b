/* Single-range HTTP Range parsing (srv_range.h). */
#include "srv_range.h"

#include <stdbool.h>
#include <string.h>

static bool read_u64(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    while (*s >= '0' && *s <= '9') {
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        s++;
    }
    *p = s;
    *out = v;
    return true;
}

enum srv_range_result srv_range_parse(const char *header, uint64_t size, uint64_t *first,
                                      uint64_t *last)
{
    if (!header)
        return SRV_RANGE_IGNORE;
    while (*header == ' ')
        header++;
    if (strncmp(header, "bytes=", 6) != 0)
        return SRV_RANGE_IGNORE;
    const char *p = header + 6;
    while (*p == ' ')
        p++;
    if (strchr(p, ','))
        return SRV_RANGE_IGNORE; /* several ranges: a server may answer with the whole file */
    uint64_t a = 0, b = 0;
    if (*p == '-') {
        p++;
        if (!read_u64(&p, &b))
            return SRV_RANGE_IGNORE;
        while (*p == ' ')
            p++;
        if (*p)
            return SRV_RANGE_IGNORE;
        if (b == 0 || size == 0)
            return SRV_RANGE_UNSAT;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return SRV_RANGE_OK;
    }
    if (!read_u64(&p, &a) || *p != '-')
        return SRV_RANGE_IGNORE;
    p++;
    bool has_end = read_u64(&p, &b);
    while (*p == ' ')
        p++;
    if (*p)
        return SRV_RANGE_IGNORE;
    if (has_end && b < a)
        return SRV_RANGE_IGNORE;
    if (a >= size)
        return SRV_RANGE_UNSAT;
    *first = a;
    *last = has_end && b < size ? b : size - 1;
    return SRV_RANGE_OK;
}
