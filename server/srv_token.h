/* Operator access to the REST API: bearer tokens with a role, kept only as BLAKE2b-256
 * hashes at rest (docs/server.md, "Security model").
 *
 * Tokens file (--tokens FILE, mode 0600): one `name:role:hash` line per token, where role is
 * viewer, operator or admin and hash is the hex BLAKE2b-256 (libsodium crypto_generichash) of
 * the token text; blank lines and lines starting with '#' are ignored. A token is "lfw_"
 * followed by 43 base64url characters (256 random bits), so a plain unkeyed hash is enough. */
#ifndef LARAFW_SRV_TOKEN_H
#define LARAFW_SRV_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "srv_err.h"

/* Ordered: a role may do what the roles below it may. */
enum srv_role {
    SRV_ROLE_NONE = 0,     /* no or unknown token */
    SRV_ROLE_VIEWER = 1,   /* GET: devices, jobs */
    SRV_ROLE_OPERATOR = 2, /* + start update jobs */
    SRV_ROLE_ADMIN = 3,    /* + list tokens */
};

#define SRV_TOKEN_NAME_MAX 64
#define SRV_TOKEN_HASH_LEN 32
#define SRV_TOKEN_TEXT_MAX 64 /* "lfw_" + 43 + NUL fits */

struct srv_token_entry {
    char name[SRV_TOKEN_NAME_MAX + 1];
    enum srv_role role;
    uint8_t hash[SRV_TOKEN_HASH_LEN];
};

struct srv_tokens {
    struct srv_token_entry *entries;
    size_t count;
    struct stat seen; /* the file as last loaded (srv_tokens_reload) */
};

/* "viewer", "operator", "admin" ("none" for SRV_ROLE_NONE). */
const char *srv_role_name(enum srv_role r);
/* Returns 0 and the role, or SRV_E_ARG for another word. */
SRV_WARN_UNUSED int srv_role_parse(const char *s, enum srv_role *out);
/* True for 1..64 bytes of [A-Za-z0-9._@-]. */
bool srv_token_name_ok(const char *name);

/* Parses tokens-file text. On error *bad_line is the 1-based line at fault. Returns 0,
 * SRV_E_PARSE (not name:role:64-hex, bad name or role, a name twice) or SRV_E_NOMEM. */
SRV_WARN_UNUSED int srv_tokens_parse(const char *text, size_t len, struct srv_tokens *out,
                                     int *bad_line);
/* Reads and parses `path` (srv_secret_read: whole, 0600). Returns 0, SRV_E_IO, SRV_E_PERM or
 * a srv_tokens_parse error. */
SRV_WARN_UNUSED int srv_tokens_load(const char *path, struct srv_tokens *out, int *bad_line);
/* Loads `path` again when it changed since the last load (`token add` while the server runs).
 * On any error the old table stays. Returns 1 reloaded, 0 unchanged, or a load error. */
int srv_tokens_reload(const char *path, struct srv_tokens *t);
void srv_tokens_free(struct srv_tokens *t);

/* The role of the presented token (len bytes, not NUL-terminated), SRV_ROLE_NONE when it
 * matches no entry. Every entry is compared, each in constant time. *name (may be NULL) gets
 * the entry's name. */
enum srv_role srv_tokens_check(const struct srv_tokens *t, const char *token, size_t len,
                               const char **name);

/* A new random token into out[SRV_TOKEN_TEXT_MAX] and its hash. */
void srv_token_generate(char *out, uint8_t hash[SRV_TOKEN_HASH_LEN]);

/* Adds a token `name` with `role` to the file `path` (created 0600 when missing; the rewrite
 * is atomic). The token text goes to out[SRV_TOKEN_TEXT_MAX]; only its hash is stored.
 * Returns 0, SRV_E_ARG (bad name), SRV_E_STATE (the name exists), SRV_E_PERM, SRV_E_PARSE
 * (*bad_line) or SRV_E_IO. */
SRV_WARN_UNUSED int srv_tokens_add(const char *path, const char *name, enum srv_role role,
                                   char *out, int *bad_line);
/* Removes token `name` from `path`. Returns 0, SRV_E_NOTFOUND or a srv_tokens_add error. */
SRV_WARN_UNUSED int srv_tokens_remove(const char *path, const char *name, int *bad_line);

#endif
