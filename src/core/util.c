/* Private helpers of the core (see util.h). */
#include "util.h"

#include <string.h>

#include "larafw/error.h"

void lfw_deadline_start(struct lfw_deadline *d, const struct lfw_port *port, uint32_t span_ms)
{
    d->start = port->now_ms(port->user);
    d->span = span_ms;
}

uint32_t lfw_deadline_left(const struct lfw_deadline *d, const struct lfw_port *port)
{
    uint32_t elapsed = port->now_ms(port->user) - d->start;
    return elapsed >= d->span ? 0u : d->span - elapsed;
}

bool lfw_deadline_expired(const struct lfw_deadline *d, const struct lfw_port *port)
{
    return lfw_deadline_left(d, port) == 0u;
}

bool lfw_str_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0;
}

bool lfw_str_copy(char *dst, size_t size, const char *src)
{
    size_t pos = 0;
    if (size == 0) {
        return false;
    }
    dst[0] = '\0';
    return lfw_str_append(dst, size, &pos, src);
}

bool lfw_str_append(char *dst, size_t size, size_t *pos, const char *src)
{
    size_t n = strlen(src);
    if (size == 0 || *pos >= size) {
        return false;
    }
    size_t room = size - 1 - *pos;
    bool whole = n <= room;
    if (!whole) {
        n = room;
    }
    memcpy(dst + *pos, src, n);
    *pos += n;
    dst[*pos] = '\0';
    return whole;
}

bool lfw_str_append_u32(char *dst, size_t size, size_t *pos, uint32_t v)
{
    char digits[11];
    size_t i = sizeof digits - 1;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    return lfw_str_append(dst, size, pos, &digits[i]);
}

bool lfw_str_parse_u32(const char **s, uint32_t *out)
{
    const char *p = *s;
    uint32_t v = 0;
    bool any = false;
    while (*p == ' ') {
        p++;
    }
    while (*p >= '0' && *p <= '9') {
        uint32_t d = (uint32_t)(*p - '0');
        if (v > (UINT32_MAX - d) / 10u) {
            return false;
        }
        v = v * 10u + d;
        any = true;
        p++;
    }
    if (!any) {
        return false;
    }
    *s = p;
    *out = v;
    return true;
}

int lfw_port_write_all(const struct lfw_port *port, const uint8_t *data, size_t len)
{
    size_t done = 0;
    unsigned stalls = 0;
    while (done < len) {
        int n = port->write(port->user, data + done, len - done);
        if (n < 0 || (size_t)n > len - done) {
            return n == LFW_ECANCELED ? LFW_ECANCELED : LFW_EIO;
        }
        if (n == 0) {
            /* A port that accepts nothing again and again is broken, not slow. */
            if (++stalls > 1000u) {
                return LFW_EIO;
            }
            continue;
        }
        stalls = 0;
        done += (size_t)n;
    }
    return 0;
}
