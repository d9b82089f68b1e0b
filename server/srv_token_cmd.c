/* Token files on disk and the `token` subcommand (srv_token_cmd.h). */
#define _GNU_SOURCE
#include "srv_token_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "srv_secret.h"
#include "srv_token.h"

int srv_state_dir(char *out, size_t cap)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(out, cap, "%s/larafw-server", xdg);
    else if (home && home[0])
        n = snprintf(out, cap, "%s/.local/state/larafw-server", home);
    else
        return SRV_E_ARG;
    return n > 0 && (size_t)n < cap ? 0 : SRV_E_NOSPACE;
}

int srv_token_paths(const char *db, char *tokens, char *admin, size_t cap)
{
    int n, m;
    if (!db || strcmp(db, ":memory:") == 0) {
        char dir[4096];
        int rc = srv_state_dir(dir, sizeof dir);
        if (rc != 0)
            return rc;
        n = snprintf(tokens, cap, "%s/tokens", dir);
        m = snprintf(admin, cap, "%s/admin-token", dir);
    } else {
        n = snprintf(tokens, cap, "%s.tokens", db);
        m = snprintf(admin, cap, "%s.admin-token", db);
    }
    return n > 0 && m > 0 && (size_t)n < cap && (size_t)m < cap ? 0 : SRV_E_NOSPACE;
}

/* mkdir -p with mode 0700 for the parts it creates. */
static int make_dirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int srv_tokens_first_start(const char *db, char *tokens, size_t cap)
{
    char admin[4096];
    if (srv_token_paths(db, tokens, admin, cap < sizeof admin ? cap : sizeof admin) != 0) {
        fprintf(stderr, "larafw-server: neither XDG_STATE_HOME nor HOME is set: give --tokens "
                        "FILE (larafw-server token add NAME ROLE --tokens FILE makes one)\n");
        return SRV_E_ARG;
    }
    struct stat st;
    if (stat(tokens, &st) == 0) {
        if (stat(admin, &st) == 0)
            fprintf(stderr, "larafw-server: API admin token in %s\n", admin);
        return 0;
    }
    char *slash = strrchr(admin, '/');
    if (slash && slash != admin) {
        *slash = '\0';
        int rc = make_dirs(admin);
        *slash = '/';
        if (rc != 0) {
            fprintf(stderr, "larafw-server: cannot create the directory of %s: %s\n", admin,
                    strerror(errno));
            return SRV_E_IO;
        }
    }
    char token[SRV_TOKEN_TEXT_MAX], hex[2 * SRV_TOKEN_HASH_LEN + 1], line[160];
    uint8_t hash[SRV_TOKEN_HASH_LEN];
    srv_token_generate(token, hash);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    snprintf(line, sizeof line,
             "# larafw-server API tokens: name:role:BLAKE2b-256 of the token (docs/server.md)\n"
             "admin:admin:%s\n",
             hex);
    /* hashes first and exclusively: a server started at the same moment keeps the winner's */
    int rc = srv_secret_write(tokens, line, strlen(line), 1);
    if (rc == SRV_E_STATE) {
        sodium_memzero(token, sizeof token);
        return 0;
    }
    const char *failed = rc != 0 ? tokens : NULL;
    strcat(token, "\n");
    if (!failed && srv_secret_write(admin, token, strlen(token), 0) != 0)
        failed = admin;
    sodium_memzero(token, sizeof token);
    if (failed) {
        fprintf(stderr, "larafw-server: cannot write %s: %s\n", failed, strerror(errno));
        return SRV_E_IO;
    }
    fprintf(stderr,
            "larafw-server: created an API admin token in %s (update and devices read it "
            "from there; only its hash is in %s)\n",
            admin, tokens);
    return 0;
}

static void token_usage(FILE *f)
{
    fprintf(f,
            "usage: larafw-server token add NAME ROLE [--tokens FILE]\n"
            "       larafw-server token remove NAME [--tokens FILE]\n"
            "       larafw-server token list [--tokens FILE]\n"
            "\n"
            "Manages the bearer tokens of the REST API. ROLE is viewer (read devices and jobs),\n"
            "operator (also start updates) or admin (also list tokens). `add` prints the new\n"
            "token once, alone on its last line; the file keeps only its BLAKE2b-256 hash.\n"
            "A running server picks up changes at its next API request.\n"
            "\n"
            "  --tokens FILE   the server's --tokens file (created 0600 when missing; default\n"
            "                  $XDG_STATE_HOME/larafw-server/tokens, the file of a server\n"
            "                  started without --tokens and --db)\n"
            "\n"
            "Exit status: 0 done; 1 refused (name exists or unknown, file unreadable); 2 bad "
            "usage.\n");
}

static int report(const char *path, int rc, int bad_line, const char *name)
{
    if (rc == SRV_E_STATE)
        fprintf(stderr, "larafw-server token: %s already has a token named %s; remove it first\n",
                path, name);
    else if (rc == SRV_E_NOTFOUND)
        fprintf(stderr, "larafw-server token: no token named %s in %s\n", name, path);
    else if (rc == SRV_E_PERM)
        fprintf(stderr, "larafw-server token: %s is readable or writable by others: chmod 600 %s\n",
                path, path);
    else if (rc == SRV_E_PARSE)
        fprintf(stderr, "larafw-server token: %s line %d: expected name:role:hash\n", path,
                bad_line);
    else
        fprintf(stderr, "larafw-server token: cannot use %s: %s\n", path, strerror(errno));
    return 1;
}

int srv_cli_token(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"tokens", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char path[4096], admin[4096];
    const char *tokens = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 't') {
            tokens = optarg;
        } else if (c == 'h') {
            token_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "larafw-server token: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    int nargs = argc - optind;
    const char *verb = nargs > 0 ? argv[optind] : "";
    bool add = strcmp(verb, "add") == 0, remove = strcmp(verb, "remove") == 0,
         list = strcmp(verb, "list") == 0;
    if (!(add && nargs == 3) && !(remove && nargs == 2) && !(list && nargs == 1)) {
        fprintf(stderr, "larafw-server token: expected add NAME ROLE, remove NAME or list; see "
                        "--help\n");
        return 2;
    }
    if (!tokens) {
        if (srv_token_paths(NULL, path, admin, sizeof path) != 0) {
            fprintf(stderr, "larafw-server token: HOME is not set; give --tokens FILE\n");
            return 2;
        }
        tokens = path;
    }
    int bad_line = 0, rc;
    if (list) {
        struct srv_tokens t;
        rc = srv_tokens_load(tokens, &t, &bad_line);
        if (rc != 0)
            return report(tokens, rc, bad_line, "");
        for (size_t i = 0; i < t.count; i++)
            printf("%s %s\n", t.entries[i].name, srv_role_name(t.entries[i].role));
        srv_tokens_free(&t);
        return 0;
    }
    const char *name = argv[optind + 1];
    if (!srv_token_name_ok(name)) {
        fprintf(stderr, "larafw-server token: NAME is 1-64 characters of A-Z a-z 0-9 . _ @ -\n");
        return 2;
    }
    if (remove) {
        rc = srv_tokens_remove(tokens, name, &bad_line);
        if (rc != 0)
            return report(tokens, rc, bad_line, name);
        printf("removed %s from %s\n", name, tokens);
        return 0;
    }
    enum srv_role role;
    if (srv_role_parse(argv[optind + 2], &role) != 0) {
        fprintf(stderr, "larafw-server token: ROLE is viewer, operator or admin\n");
        return 2;
    }
    char token[SRV_TOKEN_TEXT_MAX];
    char *slash = strrchr(tokens, '/');
    if (slash && slash != tokens) { /* the default directory may not exist yet */
        snprintf(admin, sizeof admin, "%.*s", (int)(slash - tokens), tokens);
        if (make_dirs(admin) != 0)
            return report(admin, SRV_E_IO, 0, name);
    }
    rc = srv_tokens_add(tokens, name, role, token, &bad_line);
    if (rc != 0)
        return report(tokens, rc, bad_line, name);
    printf("added %s (%s) to %s; the token is shown once, here:\n%s\n", name, srv_role_name(role),
           tokens, token);
    sodium_memzero(token, sizeof token);
    return 0;
}
