/* Parts of `larafw fota`, `larafw ufota` and `larafw lwm2m` that do not talk to a module:
 * the download URL, the approval window and the FOTA resume state file. They live in
 * larafw_cli_lib so that unit tests (tests/unit/test_cli_net.c) link them directly. */
#ifndef LARAFW_CLI_NET_H
#define LARAFW_CLI_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest host, user, password or path (the core's LFW_NET_TEXT_MAX, fota_net.h). */
#define LFW_CLI_NET_TEXT 128

/* ftp://user:pass@host:port/path or http(s)://[user:pass@]host[:port]/path (RFC 3986; the
 * user and password are percent-decoded). */
struct lfw_net_url {
    bool ftp;   /* ftp:// */
    bool https; /* https:// */
    char host[LFW_CLI_NET_TEXT];
    bool host_is_ip; /* dotted IPv4 address: AT+UFTP=0 / AT+UHTTP=<p>,0 */
    uint16_t port;   /* 0 = the scheme's default */
    bool has_user, has_password;
    char user[LFW_CLI_NET_TEXT];
    char password[LFW_CLI_NET_TEXT];
    /* FTP: relative to the login directory (the leading '/' dropped, RFC 1738 §3.2.2);
     * HTTP: the absolute path with its query. */
    char path[LFW_CLI_NET_TEXT];
};

/* Parses `url` for `kind` ("ftp" or "http"; https is http). On error writes a message that
 * never contains the password into err and returns -1. */
int lfw_net_url_parse(const char *url, const char *kind, struct lfw_net_url *u, char *err,
                      size_t errlen);

/* The URL without its password ("ftp://user@host:21/path"): for messages and the state
 * file. */
void lfw_net_url_public(const struct lfw_net_url *u, char *out, size_t cap);

/* --policy window=HH:MM-HH:MM (local time; the end may be past midnight). */
struct lfw_window {
    int start_min, end_min; /* minutes since midnight */
};
int lfw_window_parse(const char *s, struct lfw_window *w);
/* Seconds from `now_s` (seconds since local midnight) until the window opens; 0 inside. */
long lfw_window_wait_s(const struct lfw_window *w, long now_s);

/* ---- FOTA resume state (fota_state.c): which download this port had running ----------- */

struct lfw_fota_state {
    char kind[8];                   /* "ftp" or "http" */
    char url[LFW_CLI_NET_TEXT * 3]; /* lfw_net_url_public() */
    long long started;              /* epoch seconds */
};

/* The state file for `port`: `override` if given, else
 * $XDG_STATE_HOME/larafw/fota-<hash of the port path>.state, else
 * ~/.local/state/larafw/fota-<hash>.state. Returns 0 or -1 (no HOME). */
int lfw_fota_state_path(const char *port, const char *override, char *out, size_t cap);
/* Reads it: 1 found and parsed, 0 absent, -1 unreadable/garbled. */
int lfw_fota_state_load(const char *path, struct lfw_fota_state *st);
/* Writes it atomically (temp file, fsync, rename, fsync of the directory), creating the
 * directory. Returns 0 or -1 (errno). */
int lfw_fota_state_save(const char *path, const struct lfw_fota_state *st);
/* Removes it; absent is fine. Returns 0 or -1. */
int lfw_fota_state_remove(const char *path);

#endif
