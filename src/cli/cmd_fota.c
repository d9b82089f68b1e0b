/* larafw fota http|ftp URL: the module downloads a delta itself (§4.2.1 FTP, §4.2.2 HTTP),
 * larafw checks its MD5, installs it (§4.3) and confirms the version.
 *
 * Resume: before the download starts, a small state file records which download runs on this
 * port (cli_net.h). If larafw finds it at the next run for the same URL, the download was
 * interrupted: FTP continues with AT+UFTPC=100,"<file>",1 (§4.2.1.2, survives a power cycle);
 * HTTP continues by itself (the module's Range request). If the module is still downloading
 * (larafw was killed, the module went on), the profile commands are refused (§6) and larafw
 * waits for that download's result URC instead of starting another one.
 *
 * Secrets: the password goes to the module only; messages use lfw_net_url_public() and the AT
 * log redacts the commands and answers that carry it (redact.c). */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli_net.h"
#include "larafw/fota.h"
#include "larafw/fota_net.h"
#include "session.h"

struct fota_run {
    struct lfw_session *s;
    bool ftp;
    struct lfw_net_url url;
    char public_url[LFW_CLI_NET_TEXT * 3];
    char state_path[4096];
    bool have_state_path;
    const char *step; /* "FTP download" / "HTTP download" */
};

/* What +UFTPER / +UHTTPER class,code mean (§4.2.1.5, §4.2.2.5; the simulator's table in
 * docs/simulator.md follows the note's examples 8,40 and 3,23) and what to do. */
static const struct net_error_text {
    bool ftp;
    int cls, code; /* code -1: any code of the class */
    const char *meaning;
    const char *advice;
    bool resumable;
} net_errors[] = {
    {true, 8, 23, "host name lookup failed",
     "check the host name in the URL and the module's "
     "network registration (AT+CEREG?)",
     false},
    {false, 3, 23, "host name lookup failed",
     "check the host name in the URL and the module's "
     "network registration (AT+CEREG?)",
     false},
    {true, 8, 11, "connection refused or host unreachable",
     "check the host and port in the "
     "URL and that the server runs",
     false},
    {false, 3, 11, "connection refused or host unreachable",
     "check the host and port in the "
     "URL and that the server runs",
     false},
    {true, 1, 530, "login refused by the server (530)", "check the user and password", false},
    {false, 3, 24, "authentication refused (401/403)", "check the user and password", false},
    {true, 1, 550, "file not found on the server (550)", "check the path in the URL", false},
    {false, 2, 404, "file not found on the server (404)", "check the path in the URL", false},
    {true, 8, 27, "connection lost during the transfer",
     "run the same command again: it "
     "resumes the download",
     true},
    {false, 3, 27, "connection lost during the transfer",
     "run the same command again: it "
     "resumes the download",
     true},
    {true, 8, 26, "no data for too long (timed out)",
     "check the network, then run the same "
     "command again: it resumes the download",
     true},
    {false, 3, 26, "no data for too long (timed out)",
     "check the network, then run the same "
     "command again: it resumes the download",
     true},
    {false, 3, 73, "secure connection failed (TLS handshake or certificate)",
     "check the "
     "server certificate and the module's security profile, or use http://",
     false},
    {true, 8, 40, "download cancelled", "run the command again to download from the start", false},
    {true, 8, 10, "internal error of the module (FOTA area full or not writable)",
     "check the "
     "package size (32 MiB at most) and run the command again",
     false},
    {false, 3, 10, "internal error of the module (FOTA area full or not writable)",
     "check the "
     "package size (32 MiB at most) and run the command again",
     false},
    {true, 1, -1, "the server refused the request", "check the URL and the server's log", false},
    {false, 2, -1, "the server answered with an HTTP error status",
     "check the URL and the "
     "server's log",
     false},
};

static const struct net_error_text *net_error_find(bool ftp, int cls, int code)
{
    const struct net_error_text *any = NULL;
    for (size_t i = 0; i < sizeof net_errors / sizeof net_errors[0]; i++) {
        const struct net_error_text *t = &net_errors[i];
        if (t->ftp != ftp || t->cls != cls)
            continue;
        if (t->code == code)
            return t;
        if (t->code < 0)
            any = t;
    }
    return any;
}

static void state_keep(struct fota_run *f, bool keep)
{
    if (!f->have_state_path || keep)
        return;
    if (lfw_fota_state_remove(f->state_path) < 0)
        lfw_session_debug(f->s, "cannot remove %s", f->state_path);
}

/* A failed download: message with the class/code meaning; the state file stays when a rerun
 * can resume. */
static int download_failed(struct fota_run *f, int rc, const struct lfw_error *e)
{
    struct lfw_session *s = f->s;
    if (rc == LFW_EDOWNLOAD) {
        const struct net_error_text *t =
            e->net_class >= 0 ? net_error_find(f->ftp, e->net_class, e->net_code) : NULL;
        state_keep(f, t ? t->resumable : true);
        if (e->net_class < 0)
            return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                     "%s of %s failed and the module gave no error class "
                                     "(%s); run the command again with --at-log FILE",
                                     f->step, f->public_url, f->ftp ? "AT+UFTPER" : "AT+UHTTPER");
        return lfw_session_error(
            s, LFW_EXIT_MODULE, -1, "%s of %s failed: error class %d, code %d: %s; %s", f->step,
            f->public_url, e->net_class, e->net_code,
            t ? t->meaning : "not a code larafw knows (see the AT commands manual)",
            t ? t->advice : "check the URL and the server, then run the command again");
    }
    if (rc == LFW_ENOTSUP) {
        state_keep(f, false);
        return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                 "%s: %s has no FTP/HTTP FOTA (LARA-L6, MODULE.md §1, §4.2.1, "
                                 "§4.2.2); push the package with 'larafw push PKG' and install "
                                 "it with 'larafw install'",
                                 f->step,
                                 s->product_version[0] ? s->product_version : "this product");
    }
    if (rc == LFW_EINVAL) {
        state_keep(f, false);
        return lfw_session_error(s, LFW_EXIT_USAGE, -1,
                                 "%s: the host, user, password or path is empty, longer than "
                                 "128 characters or contains '\"'; check the URL",
                                 f->step);
    }
    /* line lost (power cut), timeout, interrupted: the download can go on */
    state_keep(f, rc == LFW_EIO || rc == LFW_ETIMEDOUT || rc == LFW_ECANCELED);
    if (rc == LFW_EIO)
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "%s: serial line error on %s (did the module lose power?); "
                                 "when the module is back, run the same command again: the "
                                 "download resumes where it stopped",
                                 f->step, s->opts->port);
    return lfw_session_fail(s, f->step, rc, e);
}

/* Copies the quoted MD5 of `p` ("\"960d…\"" after optional fields) into md5. */
static void md5_from(const char *p, char md5[LFW_MD5_HEX_SIZE])
{
    const char *q = strchr(p, '"');
    size_t n = 0;
    if (q) {
        q++;
        while (n < LFW_MD5_HEX_SIZE - 1 && q[n] && q[n] != '"') {
            md5[n] = q[n];
            n++;
        }
    }
    md5[n] = '\0';
}

/* The module is still running the download of an earlier larafw: wait for its result URC
 * (§4.2.1.4 +UUFTPCR: 100,…, §4.2.2.4 +UUHTTPCR: <p>,100,…). */
static int attach(struct fota_run *f, uint32_t limit_ms, char md5[LFW_MD5_HEX_SIZE],
                  struct lfw_error *e)
{
    struct lfw_session *s = f->s;
    int p = f->s->opts->profile < 0 ? 0 : f->s->opts->profile;
    char prefix[32];
    if (f->ftp)
        snprintf(prefix, sizeof prefix, "+UUFTPCR: 100,");
    else
        snprintf(prefix, sizeof prefix, "+UUHTTPCR: %d,100,", p);
    lfw_session_say(s, "the module is still downloading (started by an earlier run): waiting "
                       "for it to finish");
    lfw_progress_event(&s->progress, "download", -1, 0, 0, -1, lfw_posix_now_ms());
    s->phase = LFW_PHASE_DOWNLOAD; /* the module's own download: an interrupt leaves it on */
    uint64_t t0 = lfw_posix_now_ms();
    for (;;) {
        uint64_t spent = lfw_posix_now_ms() - t0;
        if (spent >= limit_ms)
            return LFW_ETIMEDOUT;
        const char *line;
        int n = lfw_at_read_line(&s->at, (uint32_t)(limit_ms - spent), &line);
        if (n == LFW_ETIMEDOUT)
            continue;
        if (n < 0)
            return n;
        if (strncmp(line, prefix, strlen(prefix)) != 0)
            continue;
        const char *rest = line + strlen(prefix);
        while (*rest == ' ')
            rest++;
        if (*rest == '1') {
            md5_from(rest, md5);
            lfw_progress_event(&s->progress, "download", 100, 0, 0, -1, lfw_posix_now_ms());
            return 0;
        }
        char query[24], info[48] = "";
        snprintf(query, sizeof query, f->ftp ? "AT+UFTPER" : "AT+UHTTPER=%d", p);
        if (lfw_at_cmd(&s->at, query, f->ftp ? "+UFTPER:" : "+UHTTPER:", info, sizeof info,
                       10000) == 0) {
            const char *q = info;
            if (!f->ftp && (q = strchr(info, ',')) != NULL)
                q++;
            if (q && sscanf(q, "%d,%d", &e->net_class, &e->net_code) != 2)
                e->net_class = e->net_code = -1;
        }
        return LFW_EDOWNLOAD;
    }
}

static void json_downloaded(struct lfw_session *s, const char *md5, bool match)
{
    if (!s->opts->json)
        return;
    char buf[256];
    struct lfw_json j;
    lfw_json_begin(&j, buf, sizeof buf);
    lfw_json_str(&j, "event", "downloaded");
    lfw_json_str(&j, "md5", md5);
    lfw_json_bool(&j, "md5_checked", match);
    const char *t = lfw_json_end(&j);
    if (t)
        printf("%s\n", t);
    fflush(stdout);
}

static int download(struct fota_run *f, const struct lfw_product *product, bool resume,
                    char md5[LFW_MD5_HEX_SIZE], struct lfw_error *e)
{
    struct lfw_session *s = f->s;
    const struct lfw_net_url *u = &f->url;
    struct lfw_proc_config pc;
    lfw_session_proc(s, &pc, product);
    pc.timeouts.install_ms = 0;
    if (s->opts->timeout_s)
        pc.timeouts.download_ms = s->opts->timeout_s * 1000u;
    uint32_t limit = pc.timeouts.download_ms ? pc.timeouts.download_ms : 30u * 60u * 1000u;
    int rc;
    if (f->ftp) {
        struct lfw_ftp_server srv = {
            .host = u->host,
            .host_is_ip = u->host_is_ip,
            .port = u->port,
            .user = u->has_user ? u->user : NULL,
            .password = u->has_password ? u->password : NULL,
            .passive = true, /* the host side of most networks lets only passive FTP through */
            .path = u->path,
            .resume = resume,
        };
        rc = lfw_fota_ftp_download(&pc, &srv, md5, e);
    } else {
        if (u->has_user) {
            /* basic authentication for the user/password (AT+UHTTP=<p>,4,1, §4.2.2.1) */
            char cmd[24];
            snprintf(cmd, sizeof cmd, "AT+UHTTP=%d,4,1",
                     s->opts->profile < 0 ? 0 : s->opts->profile);
            rc = lfw_at_cmd(&s->at, cmd, NULL, NULL, 0, 10000);
            if (rc != 0) {
                const char *text = NULL;
                e->cme_code = lfw_at_last_cme(&s->at, &text);
                if (text)
                    snprintf(e->cme_text, sizeof e->cme_text, "%s", text);
                return rc;
            }
        }
        struct lfw_http_server srv = {
            .profile = (uint8_t)(s->opts->profile < 0 ? 0 : s->opts->profile),
            .host = u->host,
            .host_is_ip = u->host_is_ip,
            .port = u->port,
            .https = u->https,
            .user = u->has_user ? u->user : NULL,
            .password = u->has_password ? u->password : NULL,
            .path = u->path,
        };
        rc = lfw_fota_http_download(&pc, &srv, md5, e);
    }
    /* §6: a download still running refuses the profile commands: if it is ours, follow it */
    if (rc == LFW_ECME && resume && strstr(e->cme_text, "not allowed")) {
        lfw_error_clear(e);
        rc = attach(f, limit, md5, e);
        e->code = rc;
    }
    return rc;
}

int lfw_cmd_fota(struct lfw_session *s)
{
    const struct lfw_cli_opts *o = s->opts;
    static struct fota_run f; /* large buffers; one run per process */
    memset(&f, 0, sizeof f);
    f.s = s;
    f.ftp = strcmp(o->action, "ftp") == 0;
    f.step = f.ftp ? "FTP download" : "HTTP download";
    char why[256];
    if (lfw_net_url_parse(o->target, o->action, &f.url, why, sizeof why) < 0)
        return lfw_session_error(s, LFW_EXIT_USAGE, -1, "fota %s: %s; see 'larafw fota --help'",
                                 o->action, why);
    if (f.url.has_user && !f.url.has_password) {
        const char *pw = getenv("LARAFW_FOTA_PASSWORD");
        if (pw && *pw) {
            if (strlen(pw) >= sizeof f.url.password || strchr(pw, '"'))
                return lfw_session_error(s, LFW_EXIT_USAGE, -1,
                                         "$LARAFW_FOTA_PASSWORD is longer than 127 characters "
                                         "or contains '\"'");
            snprintf(f.url.password, sizeof f.url.password, "%s", pw);
            f.url.has_password = true;
        }
    }
    lfw_net_url_public(&f.url, f.public_url, sizeof f.public_url);

    struct lfw_fota_state st;
    bool resume = false;
    f.have_state_path =
        lfw_fota_state_path(o->port, o->state_file, f.state_path, sizeof f.state_path) == 0;
    if (!f.have_state_path)
        lfw_session_say(s, "note: no $HOME or $XDG_STATE_HOME: an interrupted download will "
                           "not resume (give --state-file FILE)");
    else if (lfw_fota_state_load(f.state_path, &st) == 1) {
        resume = strcmp(st.kind, o->action) == 0 && strcmp(st.url, f.public_url) == 0;
        if (!resume)
            lfw_session_debug(s, "%s records another download (%s); this one starts afresh",
                              f.state_path, st.url);
    }

    struct lfw_info info;
    int rc = lfw_session_info(s, &info, 0);
    if (rc)
        return rc;
    lfw_session_say(s, "module: %s, firmware %s", lfw_session_product(s, &info), info.version);

    if (f.have_state_path) {
        memset(&st, 0, sizeof st);
        snprintf(st.kind, sizeof st.kind, "%s", o->action);
        snprintf(st.url, sizeof st.url, "%s", f.public_url);
        st.started = (long long)time(NULL);
        if (lfw_fota_state_save(f.state_path, &st) < 0)
            lfw_session_say(s,
                            "note: cannot write %s: an interrupted download will not "
                            "resume",
                            f.state_path);
        else
            lfw_session_debug(s, "resume record: %s", f.state_path);
    }
    lfw_session_say(s, "%s%s by the module: %s", resume ? "resuming the " : "", f.step,
                    f.public_url);

    char md5[LFW_MD5_HEX_SIZE] = "";
    struct lfw_error e;
    lfw_error_clear(&e);
    rc = download(&f, info.product, resume, md5, &e);
    lfw_progress_finish(&s->progress);
    if (rc != 0)
        return download_failed(&f, rc, &e);
    state_keep(&f, false); /* done: nothing to resume any more */

    bool checked = o->md5 != NULL;
    if (checked && strcasecmp(md5, o->md5) != 0) {
        json_downloaded(s, md5, false);
        return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                 "%s: the module's MD5 of the package is %s, expected %s: the "
                                 "file on the server is not the one you meant, or it changed; "
                                 "NOT installed. Check the file (md5sum) and the URL, then run "
                                 "the command again; do not run 'larafw install' for this "
                                 "package",
                                 f.step, md5[0] ? md5 : "(none reported)", o->md5);
    }
    json_downloaded(s, md5, checked);
    lfw_session_say(s, "downloaded; MD5 %s%s", md5[0] ? md5 : "(not reported)",
                    checked ? " (as expected)" : "");
    if (o->no_install) {
        lfw_session_json_result(s, "fota", -1, info.version, NULL);
        lfw_session_say(s, "stored; install it with 'larafw install'");
        return LFW_EXIT_OK;
    }

    char new_version[LFW_INFO_TEXT_MAX] = "";
    struct lfw_proc_config pc;
    lfw_session_proc(s, &pc, info.product);
    pc.timeouts.install_ms = 0; /* --timeout was the download's */
    pc.version_out = new_version;
    pc.version_out_size = sizeof new_version;
    lfw_error_clear(&e);
    rc = lfw_fota_install(&pc, 115200, &e);
    lfw_progress_finish(&s->progress);
    if (rc != 0)
        return lfw_session_fail(s, "install", rc, &e);
    return lfw_session_done(s, "fota", e.result_code, info.version, new_version);
}
