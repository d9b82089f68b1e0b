/* Bearer tokens of the REST API (srv_token.h). */
#define _GNU_SOURCE
#include "srv_token.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_buf.h"
#include "srv_secret.h"

static const char *const role_names[] = {"none", "viewer", "operator", "admin"};

const char *srv_role_name(enum srv_role r)
{
    return (unsigned)r < sizeof role_names / sizeof role_names[0] ? role_names[r] : "none";
}

int srv_role_parse(const char *s, enum srv_role *out)
{
    for (int r = SRV_ROLE_VIEWER; r <= SRV_ROLE_ADMIN; r++)
        if (strcmp(s, role_names[r]) == 0) {
            *out = (enum srv_role)r;
            return 0;
        }
    return SRV_E_ARG;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n > SRV_TOKEN_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@'))
            return false;
    }
    return true;
}

bool srv_token_name_ok(const char *name)
{
    return name_ok(name, strlen(name));
}

/* One `name:role:hash` line (without its newline) into *e. */
static int parse_line(const char *p, size_t n, struct srv_token_entry *e)
{
    const char *c1 = memchr(p, ':', n);
    if (!c1 || !name_ok(p, (size_t)(c1 - p)))
        return SRV_E_PARSE;
    const char *role = c1 + 1;
    const char *c2 = memchr(role, ':', n - (size_t)(role - p));
    if (!c2 || c2 - role >= 16)
        return SRV_E_PARSE;
    char word[16];
    memcpy(word, role, (size_t)(c2 - role));
    word[c2 - role] = '\0';
    if (srv_role_parse(word, &e->role) != 0)
        return SRV_E_PARSE;
    const char *hex = c2 + 1;
    size_t hex_len = n - (size_t)(hex - p);
    while (hex_len && (hex[hex_len - 1] == ' ' || hex[hex_len - 1] == '\r'))
        hex_len--;
    size_t bin_len;
    if (hex_len != 2 * SRV_TOKEN_HASH_LEN ||
        sodium_hex2bin(e->hash, sizeof e->hash, hex, hex_len, NULL, &bin_len, NULL) != 0 ||
        bin_len != SRV_TOKEN_HASH_LEN)
        return SRV_E_PARSE;
    memcpy(e->name, p, (size_t)(c1 - p));
    e->name[c1 - p] = '\0';
    return 0;
}

int srv_tokens_parse(const char *text, size_t len, struct srv_tokens *out, int *bad_line)
{
    struct srv_tokens t = {0};
    size_t cap = 0;
    int line = 0;
    *bad_line = 0;
    for (size_t off = 0; off < len;) {
        const char *p = text + off;
        const char *nl = memchr(p, '\n', len - off);
        size_t n = nl ? (size_t)(nl - p) : len - off;
        off += n + (nl ? 1 : 0);
        line++;
        size_t blank = 0;
        while (blank < n && (p[blank] == ' ' || p[blank] == '\t' || p[blank] == '\r'))
            blank++;
        if (blank == n || p[blank] == '#')
            continue;
        if (t.count == cap) {
            cap = cap ? cap * 2 : 8;
            struct srv_token_entry *grown = realloc(t.entries, cap * sizeof *grown);
            if (!grown) {
                srv_tokens_free(&t);
                return SRV_E_NOMEM;
            }
            t.entries = grown;
        }
        struct srv_token_entry *e = &t.entries[t.count];
        bool dup = false;
        if (parse_line(p, n, e) == 0)
            for (size_t i = 0; i < t.count && !dup; i++)
                dup = strcmp(t.entries[i].name, e->name) == 0;
        else
            dup = true;
        if (dup) {
            *bad_line = line;
            srv_tokens_free(&t);
            return SRV_E_PARSE;
        }
        t.count++;
    }
    *out = t;
    return 0;
}

int srv_tokens_load(const char *path, struct srv_tokens *out, int *bad_line)
{
    char *text;
    size_t len;
    *bad_line = 0;
    struct stat st;
    if (stat(path, &st) != 0)
        return SRV_E_IO;
    int rc = srv_secret_read(path, &text, &len);
    if (rc != 0)
        return rc;
    rc = srv_tokens_parse(text, len, out, bad_line);
    sodium_memzero(text, len);
    free(text);
    if (rc == 0)
        out->seen = st;
    return rc;
}

int srv_tokens_reload(const char *path, struct srv_tokens *t)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return SRV_E_IO;
    if (st.st_ino == t->seen.st_ino && st.st_dev == t->seen.st_dev &&
        st.st_size == t->seen.st_size && st.st_mtim.tv_sec == t->seen.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == t->seen.st_mtim.tv_nsec &&
        st.st_ctim.tv_sec == t->seen.st_ctim.tv_sec &&
        st.st_ctim.tv_nsec == t->seen.st_ctim.tv_nsec && st.st_mode == t->seen.st_mode)
        return 0;
    struct srv_tokens fresh;
    int bad_line;
    int rc = srv_tokens_load(path, &fresh, &bad_line);
    if (rc != 0)
        return rc;
    srv_tokens_free(t);
    *t = fresh;
    return 1;
}

void srv_tokens_free(struct srv_tokens *t)
{
    free(t->entries);
    memset(t, 0, sizeof *t);
}

enum srv_role srv_tokens_check(const struct srv_tokens *t, const char *token, size_t len,
                               const char **name)
{
    uint8_t h[SRV_TOKEN_HASH_LEN];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, len, NULL, 0);
    enum srv_role role = SRV_ROLE_NONE;
    for (size_t i = 0; i < t->count; i++) {
        /* no early exit: the time does not tell which entry matched */
        if (sodium_memcmp(h, t->entries[i].hash, sizeof h) == 0 && role == SRV_ROLE_NONE) {
            role = t->entries[i].role;
            if (name)
                *name = t->entries[i].name;
        }
    }
    return len == 0 ? SRV_ROLE_NONE : role;
}

void srv_token_generate(char *out, uint8_t hash[SRV_TOKEN_HASH_LEN])
{
    if (sodium_init() < 0)
        abort(); /* no usable random source: nothing safe to do */
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "lfw_", 4);
    sodium_bin2base64(out + 4, SRV_TOKEN_TEXT_MAX - 4, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    crypto_generichash(hash, SRV_TOKEN_HASH_LEN, (const unsigned char *)out, strlen(out), NULL, 0);
}

/* The file's text ("" when it does not exist yet), checked to parse. */
static int read_checked(const char *path, char **text, size_t *len, struct srv_tokens *t,
                        int *bad_line)
{
    int rc = srv_secret_read(path, text, len);
    if (rc == SRV_E_IO && errno == ENOENT) {
        *text = strdup("");
        *len = 0;
        rc = *text ? 0 : SRV_E_NOMEM;
    }
    if (rc != 0)
        return rc;
    rc = srv_tokens_parse(*text, *len, t, bad_line);
    if (rc != 0)
        free(*text);
    return rc;
}

int srv_tokens_add(const char *path, const char *name, enum srv_role role, char *out, int *bad_line)
{
    *bad_line = 0;
    if (!srv_token_name_ok(name) || role == SRV_ROLE_NONE)
        return SRV_E_ARG;
    char *text;
    size_t len;
    struct srv_tokens t;
    int rc = read_checked(path, &text, &len, &t, bad_line);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < t.count && rc == 0; i++)
        if (strcmp(t.entries[i].name, name) == 0)
            rc = SRV_E_STATE;
    srv_tokens_free(&t);
    if (rc == 0) {
        uint8_t hash[SRV_TOKEN_HASH_LEN];
        char hex[2 * SRV_TOKEN_HASH_LEN + 1];
        srv_token_generate(out, hash);
        sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
        struct srv_buf b = {0};
        srv_buf_append(&b, text, len);
        if (len && text[len - 1] != '\n')
            srv_buf_append(&b, "\n", 1);
        srv_buf_printf(&b, "%s:%s:%s\n", name, srv_role_name(role), hex);
        rc = b.failed ? SRV_E_NOMEM : srv_secret_write(path, b.data, b.len, 0);
        srv_buf_free(&b);
        if (rc != 0)
            sodium_memzero(out, SRV_TOKEN_TEXT_MAX);
    }
    free(text);
    return rc;
}

int srv_tokens_remove(const char *path, const char *name, int *bad_line)
{
    *bad_line = 0;
    char *text;
    size_t len;
    struct srv_tokens t;
    int rc = read_checked(path, &text, &len, &t, bad_line);
    if (rc != 0)
        return rc;
    srv_tokens_free(&t);
    struct srv_buf b = {0};
    size_t name_len = strlen(name);
    bool found = false;
    for (size_t off = 0; off < len;) {
        const char *p = text + off;
        const char *nl = memchr(p, '\n', len - off);
        size_t n = nl ? (size_t)(nl - p) + 1 : len - off;
        off += n;
        if (n > name_len && memcmp(p, name, name_len) == 0 && p[name_len] == ':') {
            found = true;
            continue;
        }
        srv_buf_append(&b, p, n);
    }
    rc = !found     ? SRV_E_NOTFOUND
         : b.failed ? SRV_E_NOMEM
                    : srv_secret_write(path, b.data ? b.data : "", b.len, 0);
    srv_buf_free(&b);
    free(text);
    return rc;
}
