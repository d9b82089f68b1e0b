/* Secrets never reach the AT log: FTP/HTTP passwords (§4.2.1.1, §4.2.2.1) and URL credentials.
 * One function so that every log path goes through the same rules. */
#include "cli_util.h"

#include <ctype.h>
#include <string.h>

struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, char c)
{
    if (o->cap && o->len < o->cap - 1)
        o->buf[o->len] = c;
    o->len++;
}

static void puts_n(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
}

/* Case-insensitive match of `word` at in[i]; returns the index after it or 0. */
static size_t match_word(const char *in, size_t len, size_t i, const char *word)
{
    size_t n = strlen(word);
    if (i + n > len)
        return 0;
    for (size_t k = 0; k < n; k++) {
        if (toupper((unsigned char)in[i + k]) != toupper((unsigned char)word[k]))
            return 0;
    }
    return i + n;
}

static size_t skip_spaces(const char *in, size_t len, size_t i)
{
    while (i < len && in[i] == ' ')
        i++;
    return i;
}

/* After "+UFTP": "=" or ":" then "3" then ","; returns the value start or 0. */
static size_t ftp_password_at(const char *in, size_t len, size_t i)
{
    size_t j = match_word(in, len, i, "+UFTP");
    if (!j || j >= len || (in[j] != '=' && in[j] != ':'))
        return 0;
    j = skip_spaces(in, len, j + 1);
    if (j >= len || in[j] != '3')
        return 0;
    j = skip_spaces(in, len, j + 1);
    if (j >= len || in[j] != ',')
        return 0;
    return skip_spaces(in, len, j + 1);
}

/* After "+UHTTP": "=" or ":" then <profile> "," "3" ","; returns the value start or 0. */
static size_t http_password_at(const char *in, size_t len, size_t i)
{
    size_t j = match_word(in, len, i, "+UHTTP");
    if (!j || j >= len || (in[j] != '=' && in[j] != ':'))
        return 0;
    j = skip_spaces(in, len, j + 1);
    size_t digits = j;
    while (j < len && isdigit((unsigned char)in[j]))
        j++;
    if (j == digits)
        return 0;
    j = skip_spaces(in, len, j);
    if (j >= len || in[j] != ',')
        return 0;
    j = skip_spaces(in, len, j + 1);
    if (j >= len || in[j] != '3')
        return 0;
    j = skip_spaces(in, len, j + 1);
    if (j >= len || in[j] != ',')
        return 0;
    return skip_spaces(in, len, j + 1);
}

/* Writes "***" for the parameter value at in[i] and returns the index after it: a quoted
 * value keeps its quotes, an unquoted one ends at ';', ',' or the line end. */
static size_t redact_value(const char *in, size_t len, size_t i, struct out *o)
{
    if (i < len && in[i] == '"') {
        size_t j = i + 1;
        while (j < len && in[j] != '"' && in[j] != '\r' && in[j] != '\n')
            j++;
        puts_n(o, "\"***", 4);
        if (j < len && in[j] == '"') {
            put(o, '"');
            j++;
        }
        return j;
    }
    size_t j = i;
    while (j < len && in[j] != ';' && in[j] != ',' && in[j] != '\r' && in[j] != '\n')
        j++;
    if (j > i)
        puts_n(o, "***", 3);
    return j;
}

static bool url_end(char c)
{
    return c == '/' || c == '"' || c == ' ' || c == '\r' || c == '\n' || c == ',' || c == ';' ||
           c == '?' || c == '#' || c == '\'' || c == '>' || (unsigned char)c < 0x20;
}

size_t lfw_redact(const char *in, size_t len, char *out, size_t cap)
{
    struct out o = {.buf = out, .cap = cap, .len = 0};
    size_t i = 0;
    while (i < len) {
        size_t v = 0;
        if (in[i] == '+') {
            v = ftp_password_at(in, len, i);
            if (!v)
                v = http_password_at(in, len, i);
        }
        if (v) {
            puts_n(&o, in + i, v - i);
            i = redact_value(in, len, v, &o);
            continue;
        }
        if (in[i] == ':' && i + 2 < len && in[i + 1] == '/' && in[i + 2] == '/') {
            size_t a = i + 3, e = a, at = 0;
            while (e < len && !url_end(in[e])) {
                if (in[e] == '@')
                    at = e;
                e++;
            }
            puts_n(&o, "://", 3);
            if (at) {
                puts_n(&o, "***", 3);
                i = at;
            } else {
                i = a;
            }
            continue;
        }
        put(&o, in[i]);
        i++;
    }
    if (cap)
        out[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}
