/* JSON writer and flat reader for the REST API (srv_json.h). */
#define _GNU_SOURCE
#include "srv_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srv_buf_free(struct srv_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static bool buf_reserve(struct srv_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) {
        b->failed = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void srv_buf_append(struct srv_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void srv_buf_printf(struct srv_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n)) {
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void srv_json_str(struct srv_buf *b, const char *s)
{
    srv_buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            srv_buf_append(b, esc, 2);
        } else if (*p < 0x20) {
            srv_buf_printf(b, "\\u%04x", *p);
        } else {
            srv_buf_append(b, (const char *)p, 1);
        }
    }
    srv_buf_append(b, "\"", 1);
}

void srv_json_kv_str(struct srv_buf *b, const char *key, const char *value)
{
    srv_json_str(b, key);
    srv_buf_append(b, ":", 1);
    srv_json_str(b, value ? value : "");
}

void srv_json_kv_int(struct srv_buf *b, const char *key, long long value)
{
    srv_json_str(b, key);
    srv_buf_printf(b, ":%lld", value);
}

void srv_json_kv_bool(struct srv_buf *b, const char *key, bool value)
{
    srv_json_str(b, key);
    srv_buf_printf(b, ":%s", value ? "true" : "false");
}

/* ---- reader ---- */

struct cursor {
    const char *p;
    const char *end;
};

static void skip_ws(struct cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int skip_string(struct cursor *c)
{
    if (c->p >= c->end || *c->p != '"')
        return SRV_E_PARSE;
    for (c->p++; c->p < c->end; c->p++) {
        if (*c->p == '\\') {
            c->p++;
            continue;
        }
        if (*c->p == '"') {
            c->p++;
            return 0;
        }
    }
    return SRV_E_PARSE;
}

/* Skips one value of any kind; nesting is bounded to keep hostile input cheap. */
static int skip_value(struct cursor *c, int depth)
{
    if (depth > 32)
        return SRV_E_PARSE;
    skip_ws(c);
    if (c->p >= c->end)
        return SRV_E_PARSE;
    char open = *c->p;
    if (open == '"')
        return skip_string(c);
    if (open == '{' || open == '[') {
        char close = open == '{' ? '}' : ']';
        c->p++;
        skip_ws(c);
        if (c->p < c->end && *c->p == close) {
            c->p++;
            return 0;
        }
        for (;;) {
            if (open == '{') {
                skip_ws(c);
                if (skip_string(c) != 0)
                    return SRV_E_PARSE;
                skip_ws(c);
                if (c->p >= c->end || *c->p != ':')
                    return SRV_E_PARSE;
                c->p++;
            }
            if (skip_value(c, depth + 1) != 0)
                return SRV_E_PARSE;
            skip_ws(c);
            if (c->p >= c->end)
                return SRV_E_PARSE;
            if (*c->p == close) {
                c->p++;
                return 0;
            }
            if (*c->p != ',')
                return SRV_E_PARSE;
            c->p++;
        }
    }
    const char *start = c->p;
    while (c->p < c->end && strchr("+-.0123456789eEtruefalsn", *c->p))
        c->p++;
    return c->p > start ? 0 : SRV_E_PARSE;
}

static bool key_equals(const char *quoted, size_t qlen, const char *key)
{
    size_t klen = strlen(key);
    return qlen == klen + 2 && memcmp(quoted + 1, key, klen) == 0;
}

int srv_json_member(struct srv_json_span obj, const char *key, struct srv_json_span *value)
{
    struct cursor c = {obj.p, obj.p + obj.len};
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return SRV_E_PARSE;
    c.p++;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}')
        return SRV_E_NOTFOUND;
    for (;;) {
        skip_ws(&c);
        const char *k = c.p;
        if (skip_string(&c) != 0)
            return SRV_E_PARSE;
        size_t klen = (size_t)(c.p - k);
        skip_ws(&c);
        if (c.p >= c.end || *c.p != ':')
            return SRV_E_PARSE;
        c.p++;
        skip_ws(&c);
        const char *v = c.p;
        if (skip_value(&c, 0) != 0)
            return SRV_E_PARSE;
        if (key_equals(k, klen, key)) {
            value->p = v;
            value->len = (size_t)(c.p - v);
            return 0;
        }
        skip_ws(&c);
        if (c.p >= c.end)
            return SRV_E_PARSE;
        if (*c.p == '}')
            return SRV_E_NOTFOUND;
        if (*c.p != ',')
            return SRV_E_PARSE;
        c.p++;
    }
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int srv_json_get_str(struct srv_json_span obj, const char *key, char *out, size_t cap)
{
    struct srv_json_span v;
    int rc = srv_json_member(obj, key, &v);
    if (rc != 0)
        return rc;
    if (v.len < 2 || v.p[0] != '"')
        return SRV_E_PARSE;
    size_t n = 0;
    for (size_t i = 1; i + 1 < v.len; i++) {
        char ch = v.p[i];
        if (ch == '\\') {
            i++;
            if (i + 1 >= v.len)
                return SRV_E_PARSE;
            switch (v.p[i]) {
            case 'n':
                ch = '\n';
                break;
            case 't':
                ch = '\t';
                break;
            case 'r':
                ch = '\r';
                break;
            case 'b':
                ch = '\b';
                break;
            case 'f':
                ch = '\f';
                break;
            case 'u': {
                if (i + 4 >= v.len)
                    return SRV_E_PARSE;
                int code = 0;
                for (int k = 1; k <= 4; k++) {
                    int h = hexval(v.p[i + k]);
                    if (h < 0)
                        return SRV_E_PARSE;
                    code = code * 16 + h;
                }
                if (code == 0 || code > 0x7f)
                    return SRV_E_PARSE; /* only ASCII escapes: names and versions */
                ch = (char)code;
                i += 4;
                break;
            }
            default:
                ch = v.p[i];
                break;
            }
        }
        if (n + 1 >= cap)
            return SRV_E_NOSPACE;
        out[n++] = ch;
    }
    out[n] = '\0';
    return 0;
}

int srv_json_get_int(struct srv_json_span obj, const char *key, long long *out)
{
    struct srv_json_span v;
    int rc = srv_json_member(obj, key, &v);
    if (rc != 0)
        return rc;
    char tmp[32];
    if (v.len == 0 || v.len >= sizeof tmp)
        return SRV_E_PARSE;
    memcpy(tmp, v.p, v.len);
    tmp[v.len] = '\0';
    char *end;
    long long x = strtoll(tmp, &end, 10);
    if (*end != '\0' || end == tmp)
        return SRV_E_PARSE;
    *out = x;
    return 0;
}

int srv_json_element(struct srv_json_span arr, size_t index, struct srv_json_span *value)
{
    struct cursor c = {arr.p, arr.p + arr.len};
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '[')
        return SRV_E_PARSE;
    c.p++;
    skip_ws(&c);
    if (c.p < c.end && *c.p == ']')
        return SRV_E_NOTFOUND;
    for (size_t i = 0;; i++) {
        skip_ws(&c);
        const char *v = c.p;
        if (skip_value(&c, 0) != 0)
            return SRV_E_PARSE;
        if (i == index) {
            value->p = v;
            value->len = (size_t)(c.p - v);
            return 0;
        }
        skip_ws(&c);
        if (c.p >= c.end)
            return SRV_E_PARSE;
        if (*c.p == ']')
            return SRV_E_NOTFOUND;
        if (*c.p != ',')
            return SRV_E_PARSE;
        c.p++;
    }
}
