/* What larafw reads from the line besides what the library interprets: the --checksum start
 * filter and the values of install URCs (used to follow an install it did not start). */
#include "cli_util.h"

#include <string.h>

static bool is_letter(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

size_t lfw_crc_filter_apply(struct lfw_crc_filter *f, uint8_t *buf, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        /* A 'C' right after a letter or '+' belongs to text ("+CME ERROR"); a 'C' after one
         * we hid is the receiver's next solicitation ("CCC"). */
        bool in_word = (is_letter(f->prev) && !f->prev_hidden) || f->prev == '+';
        bool hide = c == 'C' && !in_word;
        f->prev = c;
        f->prev_hidden = hide;
        if (!hide)
            buf[out++] = c;
    }
    return out;
}

int lfw_urc_value(const char *line)
{
    const char *colon = strchr(line, ':');
    if (!colon)
        return -1;
    const char *p = colon + 1;
    while (*p == ' ')
        p++;
    long v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > 100000)
            return -1;
        v = v * 10 + (*p - '0');
        digits++;
    }
    if (!digits || (*p != '\0' && *p != ' ' && *p != ',' && *p != '\r' && *p != '\n'))
        return -1;
    return (int)v;
}
