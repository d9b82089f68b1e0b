/* Command lines of `larafw fota`, `larafw ufota` and `larafw lwm2m` (docs/cli.md), the
 * download URL and the approval window. No module, no OS: unit-tested in test_cli_net.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_net.h"
#include "cli_util.h"

static int net_usage(char *err, size_t errlen, enum lfw_cli_cmd cmd, const char *fmt, ...)
    LFW_CLI_PRINTF(4, 5);

static int net_usage(char *err, size_t errlen, enum lfw_cli_cmd cmd, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s; see 'larafw %s --help'", what, lfw_cli_cmd_name(cmd));
    return LFW_EXIT_USAGE;
}

static bool one_of(const char *s, const char *const *list)
{
    for (; *list; list++) {
        if (s && strcmp(s, *list) == 0)
            return true;
    }
    return false;
}

static bool md5_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        if (!isxdigit((unsigned char)s[n]))
            return false;
    }
    return n == 32;
}

int lfw_cli_check_net(struct lfw_cli_opts *o, char *err, size_t errlen)
{
    static const char *const fota_actions[] = {"http", "ftp", NULL};
    static const char *const ufota_actions[] = {"watch",  "status", "pause",
                                                "resume", "cancel", NULL};
    static const char *const lwm2m_actions[] = {"srlt", "register", "deregister", NULL};
    switch (o->cmd) {
    case LFW_CMD_FOTA:
        if (!one_of(o->action, fota_actions))
            return net_usage(err, errlen, o->cmd, "give 'fota http URL' or 'fota ftp URL'");
        if (!o->target)
            return net_usage(err, errlen, o->cmd, "no URL given");
        if (o->md5 && !md5_ok(o->md5))
            return net_usage(err, errlen, o->cmd, "--md5 needs 32 hex digits (md5sum's output)");
        if (o->profile >= 0 && strcmp(o->action, "http") != 0)
            return net_usage(err, errlen, o->cmd, "--profile applies to 'fota http' only");
        {
            static struct lfw_net_url u; /* large; the parser is not re-entered */
            char why[160];
            if (lfw_net_url_parse(o->target, o->action, &u, why, sizeof why) < 0)
                return net_usage(err, errlen, o->cmd, "fota %s: %s", o->action, why);
            memset(&u, 0, sizeof u); /* no password left behind */
        }
        return 0;
    case LFW_CMD_UFOTA:
        if (!one_of(o->action, ufota_actions))
            return net_usage(err, errlen, o->cmd,
                             "give one of: watch, status, pause, resume, cancel");
        if (o->target)
            return net_usage(err, errlen, o->cmd, "unexpected argument '%s'", o->target);
        if (strcmp(o->action, "watch") != 0 &&
            (o->policy || o->defer_set || o->no_install || o->timeout_s))
            return net_usage(err, errlen, o->cmd,
                             "--policy, --defer, --no-install and --timeout belong to "
                             "'ufota watch'");
        if (o->policy) {
            struct lfw_window w;
            bool window = strncmp(o->policy, "window=", 7) == 0;
            if (!window && strcmp(o->policy, "auto") != 0 && strcmp(o->policy, "ack") != 0 &&
                strcmp(o->policy, "reject") != 0)
                return net_usage(err, errlen, o->cmd,
                                 "invalid --policy '%s' (auto, ack, window=HH:MM-HH:MM or "
                                 "reject)",
                                 o->policy);
            if (window && lfw_window_parse(o->policy + 7, &w) < 0)
                return net_usage(err, errlen, o->cmd,
                                 "invalid window '%s' (local time, e.g. window=01:00-04:30)",
                                 o->policy + 7);
        }
        if (o->no_install && o->policy && strcmp(o->policy, "auto") != 0)
            return net_usage(err, errlen, o->cmd,
                             "--no-install (download only, §5.4.1) cannot ask for an ack: use "
                             "it with --policy auto");
        return 0;
    case LFW_CMD_LWM2M:
        if (!one_of(o->action, lwm2m_actions))
            return net_usage(err, errlen, o->cmd,
                             "give one of: srlt SECONDS, register, deregister");
        if (strcmp(o->action, "srlt") == 0) {
            char *end = NULL;
            unsigned long v = o->target ? strtoul(o->target, &end, 10) : 0;
            if (!o->target || !isdigit((unsigned char)o->target[0]) || *end || v == 0 ||
                v > 0xffffffful)
                return net_usage(err, errlen, o->cmd,
                                 "'lwm2m srlt' needs the lifetime in seconds, e.g. 86400");
        } else if (o->target) {
            return net_usage(err, errlen, o->cmd, "unexpected argument '%s'", o->target);
        }
        return 0;
    default:
        return 0;
    }
}

/* ---- URL --------------------------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Copies [s, s+n) percent-decoded; -1 when bad, too long or with '"'/control characters
 * (the module takes the value in quotes). */
static int copy_part(char *out, size_t cap, const char *s, size_t n, bool decode)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (decode && c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '"' || (unsigned char)c < 0x20 || c == 0x7f || k + 1 >= cap)
            return -1;
        out[k++] = c;
    }
    out[k] = '\0';
    return 0;
}

static bool is_ipv4(const char *h)
{
    int dots = 0, digits = 0;
    for (; *h; h++) {
        if (*h == '.') {
            if (!digits)
                return false;
            dots++;
            digits = 0;
        } else if (isdigit((unsigned char)*h) && digits < 3) {
            digits++;
        } else {
            return false;
        }
    }
    return dots == 3 && digits > 0;
}

int lfw_net_url_parse(const char *url, const char *kind, struct lfw_net_url *u, char *err,
                      size_t errlen)
{
    memset(u, 0, sizeof *u);
    bool want_ftp = strcmp(kind, "ftp") == 0;
    const char *p;
    if (want_ftp && strncmp(url, "ftp://", 6) == 0) {
        u->ftp = true;
        p = url + 6;
    } else if (!want_ftp && strncmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else if (!want_ftp && strncmp(url, "https://", 8) == 0) {
        u->https = true;
        p = url + 8;
    } else {
        snprintf(err, errlen, "the URL must start with %s",
                 want_ftp ? "ftp://" : "http:// or https://");
        return -1;
    }
    size_t auth_len = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++) {
        if (p[i] == '@')
            at = p + i;
    }
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ulen = colon ? (size_t)(colon - p) : (size_t)(at - p);
        if (copy_part(u->user, sizeof u->user, p, ulen, true) < 0 || ulen == 0) {
            snprintf(err, errlen,
                     "the user name in the URL is empty, too long or badly "
                     "percent-encoded");
            return -1;
        }
        u->has_user = true;
        if (colon) {
            if (copy_part(u->password, sizeof u->password, colon + 1, (size_t)(at - colon - 1),
                          true) < 0) {
                snprintf(err, errlen,
                         "the password in the URL is too long or badly "
                         "percent-encoded (write '@' as %%40, ':' as %%3A)");
                return -1;
            }
            u->has_password = true;
        }
        auth_len -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    const char *colon = memchr(p, ':', auth_len);
    size_t hlen = colon ? (size_t)(colon - p) : auth_len;
    if (hlen == 0 || copy_part(u->host, sizeof u->host, p, hlen, false) < 0) {
        snprintf(err, errlen, "no valid host name in the URL");
        return -1;
    }
    u->host_is_ip = is_ipv4(u->host);
    if (colon) {
        unsigned long port = 0;
        size_t i = 1;
        for (; colon + i < p + auth_len; i++) {
            if (!isdigit((unsigned char)colon[i]) || port > 65535)
                break;
            port = port * 10 + (unsigned long)(colon[i] - '0');
        }
        if (colon + i != p + auth_len || i == 1 || port == 0 || port > 65535) {
            snprintf(err, errlen, "invalid port in the URL (1…65535)");
            return -1;
        }
        u->port = (uint16_t)port;
    }
    p += auth_len;
    if (*p != '/' || p[1] == '\0') {
        snprintf(err, errlen, "the URL names no file (…/path/to/package)");
        return -1;
    }
    const char *path = u->ftp ? p + 1 : p;
    size_t plen = u->ftp ? strcspn(path, "?#;") : strcspn(path, "#");
    if (copy_part(u->path, sizeof u->path, path, plen, u->ftp) < 0 || !u->path[0]) {
        snprintf(err, errlen, "the path in the URL is too long or has '\"'");
        return -1;
    }
    return 0;
}

void lfw_net_url_public(const struct lfw_net_url *u, char *out, size_t cap)
{
    char port[8] = "";
    if (u->port)
        snprintf(port, sizeof port, ":%u", (unsigned)u->port);
    snprintf(out, cap, "%s://%s%s%s%s%s%s",
             u->ftp     ? "ftp"
             : u->https ? "https"
                        : "http",
             u->has_user ? u->user : "", u->has_user ? "@" : "", u->host, port, u->ftp ? "/" : "",
             u->path);
}

/* ---- approval window --------------------------------------------------------------------- */

static int parse_hhmm(const char *s, size_t n)
{
    if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

int lfw_window_parse(const char *s, struct lfw_window *w)
{
    const char *dash = strchr(s, '-');
    if (!dash)
        return -1;
    w->start_min = parse_hhmm(s, (size_t)(dash - s));
    w->end_min = parse_hhmm(dash + 1, strlen(dash + 1));
    if (w->start_min < 0 || w->end_min < 0 || w->start_min == w->end_min)
        return -1;
    return 0;
}

long lfw_window_wait_s(const struct lfw_window *w, long now_s)
{
    long day = 24L * 3600L;
    long start = w->start_min * 60L, end = w->end_min * 60L;
    now_s %= day;
    bool inside = start < end ? (now_s >= start && now_s < end) : (now_s >= start || now_s < end);
    if (inside)
        return 0;
    return (start - now_s + day) % day;
}

/* ---- usage ------------------------------------------------------------------------------- */

static const char usage_fota[] =
    "usage: larafw [-p PORT] fota http URL [--profile N] [--md5 HEX] [--no-install]\n"
    "       larafw [-p PORT] fota ftp URL [--md5 HEX] [--no-install]\n"
    "                        [--state-file FILE] [--timeout SECONDS]\n"
    "\n"
    "The module downloads a delta package itself (LARA-R6 only): over HTTP(S) with\n"
    "AT+UHTTP / AT+UHTTPC=<p>,100 (§4.2.2) or over FTP with AT+UFTP / AT+UFTPC=100\n"
    "(§4.2.1). larafw compares the module's MD5 with --md5, installs the package\n"
    "(AT+UFWINSTALL, §4.3) and checks the new version.\n"
    "\n"
    "  URL                  http(s)://[user:pass@]host[:port]/path or\n"
    "                       ftp://user:pass@host[:port]/path ('@' in a password: %40).\n"
    "                       A URL with a user but no password takes the password from\n"
    "                       $LARAFW_FOTA_PASSWORD. Passwords never reach a log or message.\n"
    "  --profile N          HTTP profile 0..3 (default 0)\n"
    "  --md5 HEX            expected MD5 of the package; a mismatch stops before installing\n"
    "  --no-install         stop after the download; install later with 'larafw install'\n"
    "  --state-file FILE    resume record (default $XDG_STATE_HOME/larafw/fota-<port>.state,\n"
    "                       else ~/.local/state/larafw/fota-<port>.state)\n"
    "  --timeout SECONDS    longest wait for the download (default 30 min)\n"
    "\n"
    "An interrupted download (power cut, larafw killed) resumes when the same command is\n"
    "run again: FTP with AT+UFTPC=100,\"<file>\",1, HTTP with a Range request by the\n"
    "module. The state file is removed once the download succeeded.\n";

static const char usage_ufota[] =
    "usage: larafw [-p PORT] ufota watch [--policy auto|ack|window=HH:MM-HH:MM|reject]\n"
    "                                    [--defer SECONDS] [--no-install] [--timeout S]\n"
    "       larafw [-p PORT] ufota status|pause|resume|cancel\n"
    "\n"
    "watch   enables the uFOTA URCs (§5.2), sets AT+UFOTACONFIG for the policy (§5.4),\n"
    "        says what the module does already (AT+UFOTA?: downloading, paused),\n"
    "        waits for the server's campaign, approves or rejects it, turns eDRX off for\n"
    "        the update and back on once it has ended (§5.7, §5.8.3; Ctrl-C during an\n"
    "        update leaves it off and prints the command that restores it), follows\n"
    "        download, validation and install, polls AT until the module is back, enables\n"
    "        the URCs again (§5.7.1) and prints old → new version.\n"
    "  --policy auto        the module updates by itself (AT+UFOTACONFIG=721,0,255; default)\n"
    "  --policy ack         the module asks (mode 2); larafw accepts (AT+UFOTAACK)\n"
    "  --policy window=HH:MM-HH:MM   accept inside that local-time window; outside it\n"
    "                       defer the download until the window opens\n"
    "  --policy reject      refuse every update (AT+UFOTAACK=0)\n"
    "  --defer SECONDS      start an accepted download that much later (default 1)\n"
    "  --no-install         download only (mode 1, §5.4.1): install later with\n"
    "                       'larafw install'\n"
    "  --timeout SECONDS    give up when no download runs for that long: no campaign, a\n"
    "                       paused download, no install started (default: wait)\n"
    "status  AT+UFOTA?: none, paused, downloading or downloaded, with bytes (LARA-R6 01B)\n"
    "pause   AT+UFOTA=1 (LARA-R6 01B)   resume  AT+UFOTA=2 (LARA-R6 01B)\n"
    "cancel  AT+UFOTA=0: only while the download runs, not while it is paused (resume\n"
    "        first); the campaign is over (§5.3)\n";

static const char usage_lwm2m[] =
    "usage: larafw [-p PORT] lwm2m srlt SECONDS\n"
    "       larafw [-p PORT] lwm2m register|deregister\n"
    "\n"
    "srlt        sets the server registration lifetime of the uFOTA server (/1/10/1) with\n"
    "            AT+ULWM2MWRITE; the module sends a registration update (§5.6)\n"
    "register    AT+ULWM2MREG: register with the LwM2M server again\n"
    "deregister  AT+ULWM2MDEREG: deregister until reboot or 'register' (§5.6)\n";

void lfw_cli_usage_net(FILE *f, enum lfw_cli_cmd cmd)
{
    if (cmd == LFW_CMD_FOTA)
        fputs(usage_fota, f);
    else if (cmd == LFW_CMD_UFOTA)
        fputs(usage_ufota, f);
    else
        fputs(usage_lwm2m, f);
}
