/* HTTP daemons (srv_http.h). libmicrohttpd runs in external epoll mode: the server's event
 * loop polls each daemon's epoll descriptor together with libcoap's (srv_main.c) and then
 * calls MHD_run, so the API handlers call the job engine and libcoap directly, with no
 * locking, and no FD_SETSIZE limit applies to connections.
 *
 * Packages: /packages/<file> with Range (206 + Content-Range, 416 when unsatisfiable), a
 * strong ETag (inode, size, mtime in ns) and Last-Modified; If-Range that does not match sends
 * the whole file (RFC 9110 §13.1.5), so a resumed download never mixes two files. */
#define _GNU_SOURCE
#include "srv_http.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "srv_package.h"
#include "srv_range.h"

#define BODY_MAX 8192 /* API request bodies are tiny */

struct srv_http {
    struct srv_http_config cfg;
    struct MHD_Daemon *daemon;
    int epoll_fd;
    bool tls;
};

/* One request: created by the URI log callback (which sees the URI before it is decoded),
 * freed when the request completes. */
struct request {
    struct srv_buf body;
    bool started;
    bool too_big;
    bool nul_in_uri; /* "%00": decoding would cut the path short */
};

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *text, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_msg(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return send_text(c, status, "text/plain", msg, strlen(msg));
}

/* Does If-Range (absent: yes) name the file as it is now? An entity tag compares strongly,
 * a date must equal Last-Modified. */
static bool if_range_matches(const char *if_range, const char *etag, const char *last_modified)
{
    if (!if_range)
        return true;
    while (*if_range == ' ')
        if_range++;
    if (if_range[0] == '"')
        return strcmp(if_range, etag) == 0;
    if (strncmp(if_range, "W/", 2) == 0)
        return false; /* weak tags never match in If-Range */
    return strcmp(if_range, last_modified) == 0;
}

static enum MHD_Result send_package(struct srv_http *h, struct MHD_Connection *c, const char *name)
{
    int fd = srv_package_open(h->cfg.packages_dir, name);
    if (fd < 0)
        return send_msg(c, MHD_HTTP_NOT_FOUND, "no such package (regular files only)\n");
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return MHD_NO;
    }
    char etag[80], last_modified[40];
    snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "%09ld\"", (uint64_t)st.st_ino,
             (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct tm tm;
    gmtime_r(&st.st_mtim.tv_sec, &tm);
    strftime(last_modified, sizeof last_modified, "%a, %d %b %Y %H:%M:%S GMT", &tm);

    uint64_t size = (uint64_t)st.st_size, first = 0, last = 0;
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
    const char *if_range =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_RANGE);
    enum srv_range_result rr = if_range_matches(if_range, etag, last_modified)
                                   ? srv_range_parse(range, size, &first, &last)
                                   : SRV_RANGE_IGNORE;
    char cr[96];
    struct MHD_Response *r;
    unsigned status;
    if (rr == SRV_RANGE_UNSAT) {
        close(fd);
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        snprintf(cr, sizeof cr, "bytes */%" PRIu64, size);
        status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
    } else if (rr == SRV_RANGE_OK) {
        r = MHD_create_response_from_fd_at_offset64(last - first + 1, fd, first);
        snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, size);
        status = MHD_HTTP_PARTIAL_CONTENT;
    } else {
        r = MHD_create_response_from_fd64(size, fd);
        cr[0] = '\0';
        status = MHD_HTTP_OK;
    }
    if (!r) {
        if (rr != SRV_RANGE_UNSAT)
            close(fd);
        return MHD_NO;
    }
    if (cr[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, last_modified);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static enum MHD_Result serve_api(struct srv_http *h, struct MHD_Connection *c, const char *url,
                                 const char *method, struct request *req)
{
    struct srv_buf out = {0};
    unsigned status;
    if (req->too_big) {
        status = srv_api_error(&out, MHD_HTTP_CONTENT_TOO_LARGE, "request body over 8192 bytes");
    } else {
        if (h->cfg.tokens_path) {
            int rc = srv_tokens_reload(h->cfg.tokens_path, h->cfg.tokens);
            if (rc < 0)
                fprintf(stderr,
                        "larafw-server: cannot reload %s (%s); the tokens loaded before "
                        "stay in use\n",
                        h->cfg.tokens_path, srv_strerror(rc));
        }
        struct srv_api_policy policy = {h->cfg.tokens, h->cfg.api_hosts, h->cfg.api_host_count};
        struct srv_api_request ar = {
            .method = method,
            .path = url,
            .host = header(c, MHD_HTTP_HEADER_HOST),
            .origin = header(c, MHD_HTTP_HEADER_ORIGIN),
            .content_type = header(c, MHD_HTTP_HEADER_CONTENT_TYPE),
            .authorization = header(c, MHD_HTTP_HEADER_AUTHORIZATION),
            .body = req->body.data,
            .body_len = req->body.len,
        };
        struct srv_api_call call;
        const char *why;
        status = srv_api_admit(&policy, &ar, &call, &why);
        if (status)
            srv_api_error(&out, status, why);
        else
            status = srv_api_run(&h->cfg.api, &call, &out);
    }
    if (out.failed) {
        srv_buf_free(&out);
        return MHD_NO;
    }
    srv_buf_append(&out, "\n", 1);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(out.len, out.data, MHD_RESPMEM_MUST_COPY);
    srv_buf_free(&out);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"); /* fleet data */
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"larafw-server\"");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct srv_http *h = cls;
    struct request *req = *con_cls;
    if (!req)
        return MHD_NO; /* the URI log callback could not allocate */
    if (!req->started) {
        req->started = true;
        return MHD_YES; /* headers only so far; the body (if any) comes next */
    }
    if (*upload_data_size) {
        if (req->body.len + *upload_data_size > BODY_MAX)
            req->too_big = true;
        else
            srv_buf_append(&req->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->nul_in_uri)
        return send_msg(c, MHD_HTTP_BAD_REQUEST, "NUL byte (%00) in the URL\n");
    if (h->cfg.serves == SRV_HTTP_PACKAGES) {
        if (strncmp(url, "/packages/", 10) != 0)
            return send_msg(c, MHD_HTTP_NOT_FOUND,
                            "larafw-server: /packages/<file> here; the REST API listens on its "
                            "own address (--api), docs/server.md\n");
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return send_msg(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET\n");
        return send_package(h, c, url + 10);
    }
    if (strncmp(url, "/api/", 5) != 0)
        return send_msg(c, MHD_HTTP_NOT_FOUND,
                        "larafw-server: /api/ here; packages are served on the --http "
                        "address, docs/server.md\n");
    return serve_api(h, c, url, method, req);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct request *req = calloc(1, sizeof *req);
    if (req && uri)
        for (const char *p = uri; (p = strchr(p, '%')) != NULL; p++)
            if (p[1] == '0' && p[2] == '0')
                req->nul_in_uri = true;
    return req;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct request *req = *con_cls;
    if (req) {
        srv_buf_free(&req->body);
        free(req);
        *con_cls = NULL;
    }
}

int srv_http_new(const struct srv_http_config *cfg, struct srv_http **out)
{
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) != MHD_YES) {
        fprintf(stderr, "larafw-server: this libmicrohttpd has no epoll support\n");
        return SRV_E_IO;
    }
    struct srv_http *h = calloc(1, sizeof *h);
    if (!h)
        return SRV_E_NOMEM;
    h->cfg = *cfg;
    unsigned flags = MHD_USE_ERROR_LOG | MHD_USE_EPOLL;
    if (cfg->addr->ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    h->tls = cfg->tls_cert_pem && cfg->tls_key_pem;
    if (h->tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        fprintf(stderr, "larafw-server: this libmicrohttpd has no TLS support\n");
        free(h);
        return SRV_E_IO;
    }
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, (void *)&cfg->addr->ss},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, h},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h},
        {MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL},
        {cfg->connection_limit ? MHD_OPTION_CONNECTION_LIMIT : MHD_OPTION_END,
         (intptr_t)cfg->connection_limit, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    if (h->tls)
        h->daemon =
            MHD_start_daemon(flags | MHD_USE_TLS, cfg->addr->port, NULL, NULL, on_request, h,
                             MHD_OPTION_ARRAY, opts, MHD_OPTION_HTTPS_MEM_CERT, cfg->tls_cert_pem,
                             MHD_OPTION_HTTPS_MEM_KEY, cfg->tls_key_pem, MHD_OPTION_END);
    else
        h->daemon = MHD_start_daemon(flags, cfg->addr->port, NULL, NULL, on_request, h,
                                     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    const union MHD_DaemonInfo *info =
        h->daemon ? MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!info) {
        if (h->daemon)
            MHD_stop_daemon(h->daemon);
        free(h);
        return SRV_E_IO;
    }
    h->epoll_fd = info->epoll_fd;
    *out = h;
    return 0;
}

void srv_http_free(struct srv_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
}

int srv_http_fd(const struct srv_http *h)
{
    return h->epoll_fd;
}

void srv_http_timeout(const struct srv_http *h, int *timeout_ms)
{
    MHD_UNSIGNED_LONG_LONG t;
    if (MHD_get_timeout(h->daemon, &t) == MHD_YES && t < (MHD_UNSIGNED_LONG_LONG)*timeout_ms)
        *timeout_ms = (int)t;
}

void srv_http_run(struct srv_http *h)
{
    MHD_run(h->daemon);
}
