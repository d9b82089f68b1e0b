/* HTTP daemon: /packages/<file> with Range (206 + Content-Range, 416 when unsatisfiable)
 * and the REST API (srv_api.c). libmicrohttpd runs without threads of its own: the server's
 * event loop selects on its sockets together with libcoap's (srv_main.c), so the API
 * handlers call the job engine and libcoap directly, with no locking. */
#define _GNU_SOURCE
#include "srv_http.h"

#include <inttypes.h>
#include <stdbool.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "srv_api.h"
#include "srv_json.h"
#include "srv_package.h"
#include "srv_range.h"

#define BODY_MAX 8192 /* API request bodies are tiny */

struct srv_http {
    struct srv_http_config cfg;
    struct MHD_Daemon *daemon;
};

/* Per-connection request body. */
struct request {
    struct srv_buf body;
    bool too_big;
};

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *text, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_package(struct srv_http *h, struct MHD_Connection *c, const char *name)
{
    int fd = srv_package_open(h->cfg.packages_dir, name);
    if (fd < 0) {
        static const char msg[] = "no such package\n";
        return send_text(c, MHD_HTTP_NOT_FOUND, "text/plain", msg, sizeof msg - 1);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return MHD_NO;
    }
    uint64_t size = (uint64_t)st.st_size, first = 0, last = 0;
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
    enum srv_range_result rr = srv_range_parse(range, size, &first, &last);
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
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct srv_http *h = cls;
    struct request *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        *con_cls = req;
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
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (strncmp(url, "/packages/", 10) == 0) {
        if (!get) {
            static const char msg[] = "use GET\n";
            return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", msg, sizeof msg - 1);
        }
        return send_package(h, c, url + 10);
    }
    if (strncmp(url, "/api/", 5) == 0) {
        struct srv_buf out = {0};
        unsigned status;
        if (req->too_big) {
            srv_buf_printf(&out, "{\"error\":\"request body over %d bytes\"}", BODY_MAX);
            status = MHD_HTTP_CONTENT_TOO_LARGE;
        } else {
            status = srv_api_handle(&h->cfg, method, url, req->body.data, req->body.len, &out);
        }
        if (out.failed) {
            srv_buf_free(&out);
            return MHD_NO;
        }
        srv_buf_append(&out, "\n", 1);
        enum MHD_Result ok = send_text(c, status, "application/json", out.data, out.len);
        srv_buf_free(&out);
        return ok;
    }
    static const char msg[] = "larafw-server: /packages/<file> and /api/ (docs/server.md)\n";
    return send_text(c, MHD_HTTP_NOT_FOUND, "text/plain", msg, sizeof msg - 1);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *req = *con_cls;
    if (req) {
        srv_buf_free(&req->body);
        free(req);
        *con_cls = NULL;
    }
}

int srv_http_new(const struct srv_http_config *cfg, struct srv_http **out)
{
    struct srv_http *h = calloc(1, sizeof *h);
    if (!h)
        return SRV_E_NOMEM;
    h->cfg = *cfg;
    unsigned flags = MHD_USE_ERROR_LOG;
    if (cfg->addr->ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    bool tls = cfg->tls_cert_pem && cfg->tls_key_pem;
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        fprintf(stderr, "larafw-server: this libmicrohttpd has no TLS support\n");
        free(h);
        return SRV_E_IO;
    }
    if (tls)
        h->daemon = MHD_start_daemon(
            flags | MHD_USE_TLS, cfg->addr->port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
            (const struct sockaddr *)&cfg->addr->ss, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_HTTPS_MEM_CERT,
            cfg->tls_cert_pem, MHD_OPTION_HTTPS_MEM_KEY, cfg->tls_key_pem, MHD_OPTION_END);
    else
        h->daemon = MHD_start_daemon(flags, cfg->addr->port, NULL, NULL, on_request, h,
                                     MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&cfg->addr->ss,
                                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
    if (!h->daemon) {
        free(h);
        return SRV_E_IO;
    }
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

void srv_http_fdset(struct srv_http *h, fd_set *rs, fd_set *ws, fd_set *es, int *maxfd,
                    uint32_t *timeout_ms)
{
    MHD_socket max = -1;
    MHD_get_fdset(h->daemon, rs, ws, es, &max);
    if (max > *maxfd)
        *maxfd = max;
    MHD_UNSIGNED_LONG_LONG t;
    if (MHD_get_timeout(h->daemon, &t) == MHD_YES && t < *timeout_ms)
        *timeout_ms = (uint32_t)t;
}

void srv_http_run(struct srv_http *h, const fd_set *rs, const fd_set *ws, const fd_set *es)
{
    MHD_run_from_select(h->daemon, rs, ws, es);
}
