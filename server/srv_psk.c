/* PSK file parsing (srv_psk.h). */
#define _GNU_SOURCE
#include "srv_psk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int parse_line(const char *s, size_t n, struct srv_psk_entry *e)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    const char *colon = memchr(s, ':', n);
    if (!colon || colon == s)
        return SRV_E_PARSE;
    size_t idlen = (size_t)(colon - s);
    size_t hexlen = n - idlen - 1;
    if (idlen >= sizeof e->identity || hexlen == 0 || hexlen % 2 || hexlen / 2 > SRV_PSK_KEY_MAX)
        return SRV_E_PARSE;
    memset(e, 0, sizeof *e);
    memcpy(e->identity, s, idlen);
    for (size_t i = 0; i < hexlen / 2; i++) {
        int hi = hexdigit(colon[1 + 2 * i]), lo = hexdigit(colon[2 + 2 * i]);
        if (hi < 0 || lo < 0)
            return SRV_E_PARSE;
        e->key[i] = (uint8_t)(hi * 16 + lo);
    }
    e->key_len = hexlen / 2;
    return 0;
}

int srv_psk_parse(const char *text, size_t len, struct srv_psk_table *out, int *bad_line)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
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
        struct srv_psk_entry *grown = realloc(out->entries, (out->count + 1) * sizeof e);
        if (!grown) {
            srv_psk_free(out);
            return SRV_E_NOMEM;
        }
        out->entries = grown;
        out->entries[out->count++] = e;
    }
    return 0;
}

int srv_psk_load(const char *path, struct srv_psk_table *out, int *bad_line)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return SRV_E_IO;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    int err = ferror(f);
    fclose(f);
    if (err)
        return SRV_E_IO;
    return srv_psk_parse(buf, n, out, bad_line);
}

const struct srv_psk_entry *srv_psk_find(const struct srv_psk_table *t, const uint8_t *identity,
                                         size_t len)
{
    for (size_t i = 0; i < t->count; i++)
        if (strlen(t->entries[i].identity) == len &&
            memcmp(t->entries[i].identity, identity, len) == 0)
            return &t->entries[i];
    return NULL;
}

void srv_psk_free(struct srv_psk_table *t)
{
    free(t->entries);
    t->entries = NULL;
    t->count = 0;
}
