/* PSK file parsing (srv_psk.h). */
#define _GNU_SOURCE
#include "srv_psk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_secret.h"

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The third field: an endpoint name, or imei=IMEI for urn:imei:IMEI. */
static int parse_binding(const char *s, size_t n, struct srv_psk_entry *e)
{
    if (n == 0 || memchr(s, '\0', n))
        return SRV_E_PARSE;
    if (n > 5 && memcmp(s, "imei=", 5) == 0) {
        if (n - 5 != SRV_IMEI_LEN)
            return SRV_E_PARSE;
        memcpy(e->imei, s + 5, SRV_IMEI_LEN);
        e->imei[SRV_IMEI_LEN] = '\0';
        if (!srv_imei_valid(e->imei))
            return SRV_E_PARSE;
        snprintf(e->endpoint, sizeof e->endpoint, "urn:imei:%s", e->imei);
        return 0;
    }
    if (n >= sizeof e->endpoint)
        return SRV_E_PARSE;
    memcpy(e->endpoint, s, n);
    e->endpoint[n] = '\0';
    return 0;
}

static int parse_line(const char *s, size_t n, struct srv_psk_entry *e)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    const char *colon = memchr(s, ':', n);
    if (!colon || colon == s)
        return SRV_E_PARSE;
    size_t idlen = (size_t)(colon - s);
    const char *hex = colon + 1;
    const char *colon2 = memchr(hex, ':', n - idlen - 1);
    size_t hexlen = colon2 ? (size_t)(colon2 - hex) : n - idlen - 1;
    if (idlen >= sizeof e->identity || hexlen == 0 || hexlen % 2 || hexlen / 2 > SRV_PSK_KEY_MAX ||
        memchr(s, '\0', idlen))
        return SRV_E_PARSE;
    memset(e, 0, sizeof *e);
    memcpy(e->identity, s, idlen);
    for (size_t i = 0; i < hexlen / 2; i++) {
        int hi = hexdigit(hex[2 * i]), lo = hexdigit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return SRV_E_PARSE;
        e->key[i] = (uint8_t)(hi * 16 + lo);
    }
    e->key_len = hexlen / 2;
    if (colon2)
        return parse_binding(colon2 + 1, n - idlen - 1 - hexlen - 1, e);
    /* two columns: the identity is the endpoint name */
    if (idlen >= sizeof e->endpoint)
        return SRV_E_PARSE;
    memcpy(e->endpoint, s, idlen);
    return 0;
}

static int by_identity(const void *a, const void *b)
{
    return strcmp(((const struct srv_psk_entry *)a)->identity,
                  ((const struct srv_psk_entry *)b)->identity);
}

int srv_psk_parse(const char *text, size_t len, struct srv_psk_table *out, int *bad_line)
{
    memset(out, 0, sizeof *out);
    size_t i = 0, cap = 0;
    int line = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *s = text + i;
        size_t n = end - i;
        line++;
        i = end + 1;
        while (n && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        if (n == 0 || *s == '#' || (n == 1 && *s == '\r'))
            continue;
        struct srv_psk_entry e;
        if (parse_line(s, n, &e) != 0) {
            *bad_line = line;
            srv_psk_free(out);
            return SRV_E_PARSE;
        }
        e.line = line;
        if (out->count == cap) { /* doubling: a file of 100 000 identities loads in one go */
            cap = cap ? cap * 2 : 16;
            struct srv_psk_entry *grown = realloc(out->entries, cap * sizeof e);
            if (!grown) {
                srv_psk_free(out);
                return SRV_E_NOMEM;
            }
            out->entries = grown;
        }
        out->entries[out->count++] = e;
    }
    /* sorted by identity: found by bisection in every handshake, repeats side by side */
    if (out->count > 1)
        qsort(out->entries, out->count, sizeof out->entries[0], by_identity);
    for (size_t k = 1; k < out->count; k++) {
        if (strcmp(out->entries[k - 1].identity, out->entries[k].identity) == 0) {
            int a = out->entries[k - 1].line, b = out->entries[k].line;
            *bad_line = a > b ? a : b;
            srv_psk_free(out);
            return SRV_E_PARSE;
        }
    }
    return 0;
}

int srv_psk_load(const char *path, struct srv_psk_table *out, char *why, size_t cap)
{
    char *text;
    size_t len;
    int rc = srv_secret_read(path, &text, &len);
    if (rc == SRV_E_PERM) {
        snprintf(why, cap,
                 "%s holds secrets but the group or others may read or write it; run chmod 600 %s",
                 path, path);
        return SRV_E_ARG;
    }
    if (rc == SRV_E_IO) {
        snprintf(why, cap, "cannot read %s: %s", path,
                 errno == EINVAL ? "not a regular file" : strerror(errno));
        return rc;
    }
    if (rc != 0) {
        snprintf(why, cap, "out of memory reading %s", path);
        return rc;
    }
    int bad_line = 0;
    rc = srv_psk_parse(text, len, out, &bad_line);
    free(text);
    if (rc == SRV_E_PARSE)
        snprintf(why, cap,
                 "%s line %d: expected 'identity:hexkey[:endpoint]' or "
                 "'identity:hexkey:imei=IMEI' (15 digits), each identity once",
                 path, bad_line);
    else if (rc != 0)
        snprintf(why, cap, "out of memory reading %s", path);
    return rc;
}

const struct srv_psk_entry *srv_psk_find(const struct srv_psk_table *t, const uint8_t *identity,
                                         size_t len)
{
    char key[SRV_PSK_ID_MAX];
    if (len >= sizeof key || memchr(identity, '\0', len))
        return NULL;
    memcpy(key, identity, len);
    key[len] = '\0';
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, t->entries[mid].identity);
        if (c == 0)
            return &t->entries[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool srv_psk_may_use(const struct srv_psk_entry *e, const char *endpoint)
{
    return strcmp(e->endpoint, endpoint) == 0;
}

void srv_psk_free(struct srv_psk_table *t)
{
    free(t->entries);
    t->entries = NULL;
    t->count = 0;
}
