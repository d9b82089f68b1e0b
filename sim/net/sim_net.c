/* The network transfer engine of the simulated module: real FTP / HTTP(S) downloads with
 * libcurl's multi interface, driven by sim_main.c's single-threaded ppoll() loop through the
 * part's hooks sim_net_poll_setup() / sim_net_service() (no threads besides libcurl's
 * resolver). One libcurl multi handle per module (s->net).
 *
 * A FOTA download (§4.2.1, §4.2.2) writes DIR/fota/.net.part and, every SIM_NET_SYNC_BYTES,
 * makes it durable (fdatasync) and records how far it is in DIR/netdl (atomic write): URL,
 * package name, total size, bytes stored, HTTP validator. A power cut therefore loses at most
 * the bytes after the last record, and the resume point may be below the last progress the
 * host saw, as §4.2.1.2 says. At the end the package's MD5 is computed over what was stored,
 * the file is renamed into the FOTA area and st.fota_pkg_present is set exactly as for a
 * pushed package (§4.2.3), so that AT+UFWINSTALL installs it (§4.3).
 *
 * Faults: progress goes through sim_fault_progress(SIM_PH_DOWNLOAD) (power-cut=download:N);
 * net-drop=PERCENT[:COUNT] cuts a transfer attempt once it has moved PERCENT % of the file,
 * COUNT attempts per process start (docs/simulator.md). */
#define _GNU_SOURCE
#include "sim_net.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Durable checkpoint interval: what a power cut may cost at most. */
#define SIM_NET_SYNC_BYTES (64u * 1024u)
/* Largest package the FOTA area takes (sim_files.c has the same capacity). */
#define SIM_NET_FOTA_CAPACITY (32ull * 1024u * 1024u)
/* Host-time limits of libcurl: connect, and "no byte for this long" = connection lost. */
#define SIM_NET_CONNECT_S 10L
#define SIM_NET_STALL_S   20L

struct sim_net_sock {
    curl_socket_t fd;
    int what; /* CURL_POLL_IN / OUT / INOUT */
};

struct sim_net {
    bool inited;
    CURLM *multi;
    struct sim_net_sock socks[SIM_NET_FDS_MAX];
    int nsocks;
    bool timer_armed;
    uint64_t timer_due_ns; /* host monotonic */
    const char *ca_file;   /* --ca-file */

    /* the one transfer */
    CURL *easy;
    struct sim_net_job job;
    sim_net_done_fn done;
    struct sim_net_record rec;
    int part_fd;
    uint64_t offset; /* bytes in the part file */
    uint64_t resumed_from;
    uint64_t fetched; /* bytes received this attempt */
    uint64_t drop_at; /* net-drop: cut when fetched reaches this (0: no cut) */
    bool body_started;
    bool dropped, storage_failed;
    int ftp_refusal; /* last FTP reply >= 400 */
    char etag[SIM_NET_ETAG_MAX];
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *hdrs;

    /* a cancelled transfer's result, delivered by a timer after the command's OK */
    struct sim_net_job cancelled_job;
    sim_net_done_fn cancelled_done;
};

void sim_net_set_ca_file(struct sim *s, const char *path)
{
    s->net->ca_file = path;
}

/* ---- the part file ---------------------------------------------------------------------- */

static int sim_net_sync(struct sim *s, int fd)
{
    if (s->no_fsync)
        return 0;
    return fdatasync(fd);
}

/* Makes what was received durable and records it. */
static void sim_net_checkpoint(struct sim *s)
{
    struct sim_net *n = s->net;
    if (n->part_fd < 0 || n->storage_failed)
        return;
    if (sim_net_sync(s, n->part_fd) != 0) {
        n->storage_failed = true;
        return;
    }
    n->rec.stored = n->offset;
    if (sim_net_rec_save(s, &n->rec) != 0)
        n->storage_failed = true;
}

/* Opens the part file for `resume_from` bytes of stored data (0: a new file). */
static int sim_net_part_open(struct sim *s, uint64_t resume_from)
{
    struct sim_net *n = s->net;
    char path[PATH_MAX];
    sim_path(s, SIM_NET_PART_REL, path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < resume_from)
        resume_from = 0; /* the file holds less than recorded: start again */
    /* bytes after the last durable record may not have reached flash: they are not trusted */
    if (ftruncate(fd, (off_t)resume_from) != 0 || lseek(fd, (off_t)resume_from, SEEK_SET) < 0) {
        close(fd);
        return -1;
    }
    n->part_fd = fd;
    n->offset = resume_from;
    return 0;
}

/* ---- libcurl callbacks -------------------------------------------------------------------- */

/* HTTP(S) transfers: AT+UHTTPC and the uFOTA package URI (sim_ufota.c, §5.1). */
static bool sim_net_is_http(enum sim_download k)
{
    return k == SIM_DL_HTTP || k == SIM_DL_LWM2M;
}

static double sim_net_percent(const struct sim_net *n)
{
    if (n->rec.total == 0)
        return 0.0;
    double p = (double)n->offset * 100.0 / (double)n->rec.total;
    return p > 100.0 ? 100.0 : p;
}

/* First body bytes: the server's answer decides where the data goes. */
static int sim_net_body_start(struct sim *s)
{
    struct sim_net *n = s->net;
    n->body_started = true;
    curl_off_t cl = -1;
    (void)curl_easy_getinfo(n->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    if (sim_net_is_http(n->job.kind)) {
        long code = 0;
        (void)curl_easy_getinfo(n->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code != 206 && n->offset > 0) {
            /* the server sent the whole file (no Range support, or If-Range: it changed) */
            sim_report(s, "note", "http: server answered %ld to a range request: from byte 0",
                       code);
            if (ftruncate(n->part_fd, 0) != 0 || lseek(n->part_fd, 0, SEEK_SET) != 0)
                return -1;
            n->offset = n->resumed_from = 0;
        }
        snprintf(n->rec.etag, sizeof n->rec.etag, "%s", n->etag);
    }
    if (cl >= 0)
        n->rec.total = n->offset + (uint64_t)cl;
    if (n->rec.total > SIM_NET_FOTA_CAPACITY)
        return -1;
    if (n->rec.total && s->faults.net_drop_pct >= 0 && s->faults.net_drop_count > 0) {
        /* "once it has moved PCT %": the first byte count at or above PCT % */
        uint64_t step = (n->rec.total * (uint64_t)s->faults.net_drop_pct + 99u) / 100u;
        n->drop_at = step ? step : 1;
    }
    n->rec.stored = n->offset;
    return sim_net_rec_save(s, &n->rec);
}

static size_t sim_net_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct sim *s = ud;
    struct sim_net *n = s->net;
    size_t len = size * nmemb;
    if (n->job.op != SIM_NET_FOTA || n->part_fd < 0)
        return len; /* a login probe: nothing to keep */
    if (!n->body_started && sim_net_body_start(s) != 0) {
        n->storage_failed = true;
        return 0;
    }
    if (n->offset + len > SIM_NET_FOTA_CAPACITY) {
        n->storage_failed = true;
        return 0;
    }
    /* net-drop: the cut comes once this attempt has moved drop_at bytes; the rest of the
     * chunk never reaches the module (else a cut could land past the end of the file) */
    size_t keep = len;
    bool cut = false;
    if (n->drop_at && s->faults.net_drop_count > 0 && n->fetched + len >= n->drop_at) {
        keep = n->fetched < n->drop_at ? (size_t)(n->drop_at - n->fetched) : 0;
        cut = true;
    }
    if (pkg_write_all(n->part_fd, ptr, keep) != 0) {
        n->storage_failed = true;
        return 0;
    }
    n->offset += keep;
    n->fetched += keep;
    if (n->offset - n->rec.stored >= SIM_NET_SYNC_BYTES)
        sim_net_checkpoint(s);
    sim_fault_progress(s, SIM_PH_DOWNLOAD, sim_net_percent(n)); /* power-cut=download:N */
    if (cut) {
        s->faults.net_drop_count--;
        n->dropped = true;
        sim_report(s, "fault", "net-drop at %.1f%% (%llu bytes this attempt)", sim_net_percent(n),
                   (unsigned long long)n->fetched);
        return 0; /* libcurl closes the connection: CURLE_WRITE_ERROR */
    }
    return len;
}

static size_t sim_net_header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
    struct sim_net *n = ud;
    size_t len = size * nitems;
    /* FTP: libcurl hands every server reply here; keep the last refusal (530, 550 …) since
     * the reply to QUIT comes after it */
    if (n->job.kind == SIM_DL_FTP && len >= 4 && buf[0] >= '1' && buf[0] <= '5' && buf[1] >= '0' &&
        buf[1] <= '9' && buf[2] >= '0' && buf[2] <= '9' && (buf[3] == ' ' || buf[3] == '-')) {
        int code = (buf[0] - '0') * 100 + (buf[1] - '0') * 10 + (buf[2] - '0');
        if (code >= 400)
            n->ftp_refusal = code;
    }
    if (len > 5 && strncasecmp(buf, "ETag:", 5) == 0) {
        size_t i = 5;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        size_t e = len;
        while (e > i && (buf[e - 1] == '\r' || buf[e - 1] == '\n' || buf[e - 1] == ' '))
            e--;
        size_t k = e - i < sizeof n->etag - 1 ? e - i : 0; /* an over-long tag: none */
        memcpy(n->etag, buf + i, k);
        n->etag[k] = '\0';
    }
    return len;
}

static int sim_net_socket_cb(CURL *easy, curl_socket_t fd, int what, void *ud, void *sockp)
{
    (void)easy;
    (void)sockp;
    struct sim_net *n = ud;
    int i = 0;
    while (i < n->nsocks && n->socks[i].fd != fd)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < n->nsocks)
            n->socks[i] = n->socks[--n->nsocks];
        return 0;
    }
    if (i == n->nsocks) {
        if (n->nsocks == SIM_NET_FDS_MAX) {
            fprintf(stderr, "larafw-sim: net: more than %d sockets\n", SIM_NET_FDS_MAX);
            return -1;
        }
        n->nsocks++;
    }
    n->socks[i].fd = fd;
    n->socks[i].what = what;
    return 0;
}

static int sim_net_timer_cb(CURLM *multi, long timeout_ms, void *ud)
{
    (void)multi;
    struct sim_net *n = ud;
    if (timeout_ms < 0) {
        n->timer_armed = false;
        return 0;
    }
    n->timer_armed = true;
    n->timer_due_ns = sim_host_ns() + (uint64_t)timeout_ms * 1000000ull;
    return 0;
}

static int sim_net_init(struct sim_net *n)
{
    if (n->inited)
        return 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    n->multi = curl_multi_init();
    if (!n->multi)
        return -1;
    curl_multi_setopt(n->multi, CURLMOPT_SOCKETFUNCTION, sim_net_socket_cb);
    curl_multi_setopt(n->multi, CURLMOPT_SOCKETDATA, n);
    curl_multi_setopt(n->multi, CURLMOPT_TIMERFUNCTION, sim_net_timer_cb);
    curl_multi_setopt(n->multi, CURLMOPT_TIMERDATA, n);
    n->inited = true;
    return 0;
}

/* ---- start, finish, cancel ------------------------------------------------------------ */

static void sim_net_close_part(struct sim_net *n)
{
    if (n->part_fd >= 0)
        close(n->part_fd);
    n->part_fd = -1;
}

static void sim_net_release(struct sim_net *n)
{
    if (n->easy) {
        curl_multi_remove_handle(n->multi, n->easy);
        curl_easy_cleanup(n->easy);
        n->easy = NULL;
    }
    curl_slist_free_all(n->hdrs);
    n->hdrs = NULL;
    sim_net_close_part(n);
    n->done = NULL;
}

static const char *sim_net_kind_name(enum sim_download k)
{
    return k == SIM_DL_HTTP ? "http" : k == SIM_DL_LWM2M ? "lwm2m" : "ftp";
}

/* The package name in the FOTA area: the last path element of the URL. */
static void sim_net_pkg_name(const char *url, char *out, size_t len)
{
    const char *slash = strrchr(url, '/');
    const char *base = slash ? slash + 1 : url;
    size_t k = strcspn(base, "?#");
    char name[SIM_NAME_MAX];
    if (k >= sizeof name)
        k = 0;
    memcpy(name, base, k);
    name[k] = '\0';
    snprintf(out, len, "%s", sim_file_name_ok(name) ? name : "fota.pkg");
}

int sim_net_start(struct sim *s, const struct sim_net_job *job, sim_net_done_fn done)
{
    struct sim_net *n = s->net;
    if (n->easy || sim_net_init(n) != 0)
        return -1;
    CURL *e = curl_easy_init();
    if (!e)
        return -1;
    n->easy = e;
    n->job = *job;
    n->done = done;
    n->fetched = n->resumed_from = n->drop_at = 0;
    n->body_started = n->dropped = n->storage_failed = false;
    n->ftp_refusal = 0;
    n->etag[0] = n->errbuf[0] = '\0';

    struct curl_slist *hdrs = NULL;
    if (job->op == SIM_NET_FOTA) {
        struct sim_net_record old;
        sim_net_rec_load(s, &old);
        bool resume =
            job->resume && old.valid && old.kind == job->kind && strcmp(old.url, job->url) == 0;
        if (!resume)
            sim_net_rec_drop(s);
        memset(&n->rec, 0, sizeof n->rec);
        n->rec.valid = true;
        n->rec.kind = job->kind;
        snprintf(n->rec.url, sizeof n->rec.url, "%s", job->url);
        sim_net_pkg_name(job->url, n->rec.name, sizeof n->rec.name);
        if (resume) {
            n->rec.total = old.total;
            snprintf(n->rec.etag, sizeof n->rec.etag, "%s", old.etag);
        }
        if (sim_net_part_open(s, resume ? old.stored : 0) != 0) {
            sim_net_release(n);
            return -1;
        }
        n->resumed_from = n->offset;
        n->rec.stored = n->offset;
        if (sim_net_rec_save(s, &n->rec) != 0) {
            sim_net_release(n);
            return -1;
        }
        if (n->offset > 0) {
            if (sim_net_is_http(job->kind)) {
                char range[48];
                snprintf(range, sizeof range, "%llu-", (unsigned long long)n->offset);
                curl_easy_setopt(e, CURLOPT_RANGE, range);
                if (n->rec.etag[0]) {
                    char h[SIM_NET_ETAG_MAX + 16];
                    snprintf(h, sizeof h, "If-Range: %s", n->rec.etag);
                    hdrs = curl_slist_append(hdrs, h);
                }
            } else {
                curl_easy_setopt(e, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)n->offset);
            }
        }
        s->download = job->kind;
        sim_report(s, "phase", "download start %s %s%s%llu", sim_net_kind_name(job->kind), job->url,
                   n->offset ? " resuming at byte " : " from byte ", (unsigned long long)n->offset);
    } else {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        sim_report(s, "note", "ftp login to %s", job->url);
    }
    curl_easy_setopt(e, CURLOPT_URL, job->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, sim_net_is_http(job->kind) ? "http,https" : "ftp");
    curl_easy_setopt(e, CURLOPT_PRIVATE, n);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sim_net_write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, sim_net_header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, n);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, n->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, SIM_NET_CONNECT_S);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, SIM_NET_STALL_S);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    if (job->user[0] || job->pass[0]) {
        curl_easy_setopt(e, CURLOPT_USERNAME, job->user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, job->pass);
    }
    if (job->kind == SIM_DL_FTP) {
        if (job->ftp_active)
            curl_easy_setopt(e, CURLOPT_FTPPORT, "-");
        /* plain PASV / PORT (IPv4), as a module does */
        curl_easy_setopt(e, CURLOPT_FTP_USE_EPSV, 0L);
        curl_easy_setopt(e, CURLOPT_FTP_USE_EPRT, 0L);
    } else {
        curl_easy_setopt(e, CURLOPT_FAILONERROR, 1L);
        if (job->http_basic)
            curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        if (hdrs)
            curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
        if (n->ca_file) {
            curl_easy_setopt(e, CURLOPT_CAINFO, n->ca_file);
            curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
        } else {
            /* factory security profile: no certificate validation (docs/simulator.md) */
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
        }
    }
    n->hdrs = hdrs; /* lives as long as the handle */
    if (curl_multi_add_handle(n->multi, e) != CURLM_OK) {
        if (job->op == SIM_NET_FOTA)
            s->download = SIM_DL_NONE;
        sim_net_release(n);
        return -1;
    }
    return 0;
}

/* CURLcode + protocol code → the module's reason. */
static enum sim_net_err sim_net_classify(const struct sim_net *n, CURLcode rc, long code)
{
    if (rc == CURLE_OK)
        return SIM_NET_OK;
    if (n->storage_failed)
        return SIM_NET_E_STORAGE;
    if (n->dropped)
        return SIM_NET_E_LOST;
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return SIM_NET_E_HOST;
    case CURLE_COULDNT_CONNECT:
    case CURLE_FTP_ACCEPT_FAILED:
    case CURLE_FTP_CANT_GET_HOST:
    case CURLE_FTP_WEIRD_PASV_REPLY:
    case CURLE_FTP_WEIRD_227_FORMAT:
        return SIM_NET_E_CONNECT;
    case CURLE_LOGIN_DENIED:
        return SIM_NET_E_LOGIN;
    case CURLE_REMOTE_FILE_NOT_FOUND:
    case CURLE_REMOTE_ACCESS_DENIED:
        return code == 530 ? SIM_NET_E_LOGIN : SIM_NET_E_MISSING;
    case CURLE_HTTP_RETURNED_ERROR:
        if (code == 401 || code == 403 || code == 407)
            return SIM_NET_E_LOGIN;
        if (code == 404 || code == 410)
            return SIM_NET_E_MISSING;
        return SIM_NET_E_PROTOCOL;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_WRITE_ERROR:
    case CURLE_FTP_COULDNT_RETR_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return SIM_NET_E_LOST;
    case CURLE_OPERATION_TIMEDOUT:
        return SIM_NET_E_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return SIM_NET_E_TLS;
    case CURLE_BAD_DOWNLOAD_RESUME:
    case CURLE_FTP_BAD_FILE_LIST:
        return SIM_NET_E_PROTOCOL;
    default:
        return SIM_NET_E_INTERNAL;
    }
}

/* A completed FOTA download: MD5 over what was stored, then into the FOTA area. */
static enum sim_net_err sim_net_commit(struct sim *s, struct sim_net_result *r)
{
    struct sim_net *n = s->net;
    if (n->rec.total && n->offset != n->rec.total)
        return SIM_NET_E_LOST;
    if (sim_net_sync(s, n->part_fd) != 0 || sim_net_md5_file(n->part_fd, r->md5) != 0)
        return SIM_NET_E_STORAGE;
    r->size = n->offset;
    char from[PATH_MAX], to[PATH_MAX], rel[PATH_MAX];
    snprintf(rel, sizeof rel, "fota/%s", n->rec.name);
    sim_path(s, SIM_NET_PART_REL, from, sizeof from);
    sim_path(s, rel, to, sizeof to);
    if (rename(from, to) != 0)
        return SIM_NET_E_STORAGE;
    char old[SIM_NAME_MAX] = "";
    if (s->st.fota_pkg_present && strcmp(s->st.fota_pkg_name, n->rec.name) != 0)
        snprintf(old, sizeof old, "%s", s->st.fota_pkg_name);
    s->st.fota_pkg_present = true;
    s->st.fota_pkg_source = n->job.kind;
    snprintf(s->st.fota_pkg_name, sizeof s->st.fota_pkg_name, "%s", n->rec.name);
    if (sim_state_save(s) != 0)
        return SIM_NET_E_STORAGE;
    sim_net_unlink(s, SIM_NET_RECORD_REL);
    if (old[0]) {
        snprintf(rel, sizeof rel, "fota/%s", old);
        sim_net_unlink(s, rel);
    }
    return SIM_NET_OK;
}

static void sim_net_finish(struct sim *s, CURLcode rc)
{
    struct sim_net *n = s->net;
    struct sim_net_result r;
    memset(&r, 0, sizeof r);
    (void)curl_easy_getinfo(n->easy, CURLINFO_RESPONSE_CODE, &r.proto_code);
    if (n->job.kind == SIM_DL_FTP)
        r.proto_code = rc != CURLE_OK && n->ftp_refusal ? n->ftp_refusal : 0;
    r.err = sim_net_classify(n, rc, r.proto_code);
    r.fetched = n->fetched;
    r.resumed_from = n->resumed_from;
    struct sim_net_job job = n->job;
    sim_net_done_fn done = n->done;
    if (job.op == SIM_NET_FOTA) {
        if (r.err == SIM_NET_OK)
            r.err = sim_net_commit(s, &r);
        else
            sim_net_checkpoint(s); /* still powered: what arrived is kept for a resume */
        r.size = r.size ? r.size : n->rec.total;
        if (r.err == SIM_NET_OK)
            sim_report(s, "phase",
                       "download done %s \"%s\": %llu bytes, fetched %llu, resumed at %llu, "
                       "md5 %s",
                       sim_net_kind_name(job.kind), n->rec.name, (unsigned long long)r.size,
                       (unsigned long long)r.fetched, (unsigned long long)r.resumed_from, r.md5);
        else
            sim_report(s, "phase",
                       "download failed %s: reason %d, curl %d (%s), code %ld, stored %llu of "
                       "%llu, fetched %llu",
                       sim_net_kind_name(job.kind), (int)r.err, (int)rc, curl_easy_strerror(rc),
                       r.proto_code, (unsigned long long)n->rec.stored,
                       (unsigned long long)n->rec.total, (unsigned long long)r.fetched);
        if (s->download == job.kind)
            s->download = SIM_DL_NONE;
    } else {
        sim_report(s, "note", "ftp login %s (code %ld)", r.err == SIM_NET_OK ? "ok" : "failed",
                   r.proto_code);
    }
    sim_net_release(n);
    if (done)
        done(s, &job, &r);
}

static void sim_net_cancelled(struct sim *s, void *arg)
{
    (void)arg;
    struct sim_net *n = s->net;
    sim_net_done_fn done = n->cancelled_done;
    n->cancelled_done = NULL;
    struct sim_net_result r;
    memset(&r, 0, sizeof r);
    r.err = SIM_NET_E_CANCELLED;
    if (done)
        done(s, &n->cancelled_job, &r);
}

int sim_net_cancel(struct sim *s, enum sim_download kind)
{
    struct sim_net *n = s->net;
    if (!n->easy || n->job.op != SIM_NET_FOTA || n->job.kind != kind)
        return -1;
    n->cancelled_job = n->job;
    n->cancelled_done = n->done;
    sim_net_release(n);
    sim_net_rec_drop(s); /* §4.2.1.2: a cancelled session cannot be resumed */
    if (s->download == kind)
        s->download = SIM_DL_NONE;
    sim_report(s, "phase", "download cancelled %s", sim_net_kind_name(kind));
    (void)sim_timer_add(s, 0, sim_net_cancelled, NULL);
    return 0;
}

int sim_net_stop(struct sim *s, enum sim_download kind)
{
    struct sim_net *n = s->net;
    if (!n->easy || n->job.op != SIM_NET_FOTA || n->job.kind != kind)
        return -1;
    sim_net_checkpoint(s); /* what arrived stays, resumable */
    sim_report(s, "phase", "download stopped %s at byte %llu", sim_net_kind_name(kind),
               (unsigned long long)n->rec.stored);
    sim_net_release(n);
    if (s->download == kind)
        s->download = SIM_DL_NONE;
    return 0;
}

int sim_net_progress(struct sim *s, enum sim_download kind, uint64_t *done, uint64_t *total)
{
    struct sim_net *n = s->net;
    if (n->easy && n->job.op == SIM_NET_FOTA && n->job.kind == kind) {
        *done = n->offset;
        *total = n->rec.total;
        return 1;
    }
    struct sim_net_record r;
    sim_net_rec_load(s, &r);
    if (!r.valid || r.kind != kind)
        return -1;
    *done = r.stored;
    *total = r.total;
    return 0;
}

int sim_net_running(const struct sim *s)
{
    return s->net->easy ? (int)s->net->job.op : -1;
}

/* A module reset: the transfer is dropped (what arrived stays, resumable), a cancelled one's
 * result is never delivered. */
static void sim_net_reset(struct sim *s)
{
    struct sim_net *n = s->net;
    if (n->easy) {
        sim_report(s, "note", "module reset: %s transfer abandoned, %llu bytes stored",
                   sim_net_kind_name(n->job.kind), (unsigned long long)n->rec.stored);
        sim_net_release(n);
    }
    n->cancelled_done = NULL;
}

static int sim_net_part_init(struct sim *s)
{
    s->net = calloc(1, sizeof *s->net);
    if (!s->net)
        return -1;
    s->net->part_fd = -1;
    return 0;
}

static void sim_net_fini(struct sim *s)
{
    struct sim_net *n = s->net;
    if (!n)
        return;
    sim_net_release(n);
    if (n->multi)
        curl_multi_cleanup(n->multi);
    free(n);
    s->net = NULL;
}

/* ---- main loop hooks ---------------------------------------------------------------------- */

static int sim_net_poll_setup(struct sim *s, struct pollfd *fds, int max,
                              uint64_t *timeout_module_ms)
{
    struct sim_net *n = s->net;
    if (!n->inited)
        return 0;
    int k = 0;
    for (int i = 0; i < n->nsocks && k < max; i++) {
        fds[k].fd = n->socks[i].fd;
        fds[k].events = (short)(((n->socks[i].what & CURL_POLL_IN) ? POLLIN : 0) |
                                ((n->socks[i].what & CURL_POLL_OUT) ? POLLOUT : 0));
        fds[k].revents = 0;
        k++;
    }
    if (n->timer_armed) {
        uint64_t now = sim_host_ns();
        uint64_t host_ms = n->timer_due_ns > now ? (n->timer_due_ns - now + 999999u) / 1000000u : 0;
        uint64_t m = sim_clock_module_ms(s, host_ms);
        if (m < *timeout_module_ms)
            *timeout_module_ms = m;
    }
    return k;
}

static void sim_net_service(struct sim *s, const struct pollfd *fds, int nfds)
{
    struct sim_net *n = s->net;
    if (!n->inited)
        return;
    int running = 0;
    for (int i = 0; i < nfds; i++) {
        if (!fds[i].revents)
            continue;
        int ev = 0;
        if (fds[i].revents & (POLLIN | POLLHUP))
            ev |= CURL_CSELECT_IN;
        if (fds[i].revents & POLLOUT)
            ev |= CURL_CSELECT_OUT;
        if (fds[i].revents & (POLLERR | POLLNVAL))
            ev |= CURL_CSELECT_ERR;
        curl_multi_socket_action(n->multi, fds[i].fd, ev, &running);
    }
    if (n->timer_armed && sim_host_ns() >= n->timer_due_ns) {
        n->timer_armed = false;
        curl_multi_socket_action(n->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(n->multi, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == n->easy) {
            sim_net_finish(s, msg->data.result);
            break; /* the handle is gone; later messages belong to nothing */
        }
    }
}

/* The download engine: no commands of its own (FTP, HTTP and uFOTA start its transfers). */
const struct sim_part sim_part_net = {
    .name = "net",
    .init = sim_net_part_init,
    .fini = sim_net_fini,
    .reset = sim_net_reset,
    .fds_max = SIM_NET_FDS_MAX,
    .poll_setup = sim_net_poll_setup,
    .service = sim_net_service,
};
