/* JSON output of `--json`: flat objects, one per line, valid UTF-8 whatever the module sends. */
#include "cli_util.h"

#include <stdio.h>
#include <string.h>

struct sink {
    char *buf;
    size_t cap, len;
};

static void sink_put(struct sink *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s->cap && s->len < s->cap - 1)
            s->buf[s->len] = p[i];
        s->len++;
    }
}

/* Length of a valid UTF-8 sequence at p (≤ n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t need;
    unsigned min;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
        cp = c & 0x1fu;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        cp = c & 0x0fu;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        cp = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return need;
}

static void escape_into(struct sink *s, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t n = strlen(str);
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        char tmp[8];
        switch (c) {
        case '"':
            sink_put(s, "\\\"", 2);
            break;
        case '\\':
            sink_put(s, "\\\\", 2);
            break;
        case '\n':
            sink_put(s, "\\n", 2);
            break;
        case '\r':
            sink_put(s, "\\r", 2);
            break;
        case '\t':
            sink_put(s, "\\t", 2);
            break;
        case '\b':
            sink_put(s, "\\b", 2);
            break;
        case '\f':
            sink_put(s, "\\f", 2);
            break;
        default:
            if (c < 0x20) {
                snprintf(tmp, sizeof tmp, "\\u%04x", c);
                sink_put(s, tmp, 6);
            } else if (c < 0x80) {
                sink_put(s, (const char *)&p[i], 1);
            } else {
                size_t k = utf8_len(p + i, n - i);
                if (k) {
                    sink_put(s, (const char *)&p[i], k);
                    i += k;
                    continue;
                }
                sink_put(s, "\\ufffd", 6);
            }
        }
        i++;
    }
}

size_t lfw_json_escape(const char *s, char *out, size_t cap)
{
    struct sink k = {.buf = out, .cap = cap, .len = 0};
    escape_into(&k, s ? s : "");
    if (cap)
        out[k.len < cap ? k.len : cap - 1] = '\0';
    return k.len;
}

static void j_raw(struct lfw_json *j, const char *p, size_t n)
{
    struct sink k = {.buf = j->buf, .cap = j->cap, .len = j->len};
    sink_put(&k, p, n);
    j->len = k.len;
    if (j->cap == 0 || j->len >= j->cap)
        j->overflow = true;
}

static void j_key(struct lfw_json *j, const char *key)
{
    if (!j->first)
        j_raw(j, ",", 1);
    j->first = false;
    j_raw(j, "\"", 1);
    struct sink k = {.buf = j->buf, .cap = j->cap, .len = j->len};
    escape_into(&k, key);
    j->len = k.len;
    j_raw(j, "\":", 2);
}

void lfw_json_begin(struct lfw_json *j, char *buf, size_t cap)
{
    j->buf = buf;
    j->cap = cap;
    j->len = 0;
    j->first = true;
    j->overflow = false;
    j_raw(j, "{", 1);
}

void lfw_json_str(struct lfw_json *j, const char *key, const char *val)
{
    j_key(j, key);
    if (!val) {
        j_raw(j, "null", 4);
        return;
    }
    j_raw(j, "\"", 1);
    struct sink k = {.buf = j->buf, .cap = j->cap, .len = j->len};
    escape_into(&k, val);
    j->len = k.len;
    j_raw(j, "\"", 1);
}

void lfw_json_int(struct lfw_json *j, const char *key, long long val)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%lld", val);
    j_key(j, key);
    j_raw(j, tmp, (size_t)n);
}

void lfw_json_bool(struct lfw_json *j, const char *key, bool val)
{
    j_key(j, key);
    if (val)
        j_raw(j, "true", 4);
    else
        j_raw(j, "false", 5);
}

const char *lfw_json_end(struct lfw_json *j)
{
    j_raw(j, "}", 1);
    if (j->overflow || j->cap == 0)
        return NULL;
    j->buf[j->len] = '\0';
    return j->buf;
}
