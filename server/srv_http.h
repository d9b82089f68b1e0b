/* The HTTP side of larafw-server (libmicrohttpd in external epoll mode, run from the
 * server's own event loop): one daemon per listener, each serving either package downloads
 * under /packages/ (--http, --https) or the REST API under /api/ (--api, srv_api.h). Epoll,
 * not select(): any number of connections up to the descriptor limit. */
#ifndef LARAFW_SRV_HTTP_H
#define LARAFW_SRV_HTTP_H

#include <stddef.h>

#include "srv_addr.h"
#include "srv_api.h"
#include "srv_err.h"
#include "srv_token.h"

enum srv_http_serves {
    SRV_HTTP_PACKAGES, /* GET/HEAD /packages/<file>: Range, ETag, If-Range */
    SRV_HTTP_API,      /* /api/…: tokens, same-origin checks */
};

struct srv_http_config {
    const struct srv_addr *addr; /* where to listen (TCP) */
    enum srv_http_serves serves;
    const char *packages_dir;  /* SRV_HTTP_PACKAGES */
    struct srv_api_env api;    /* SRV_HTTP_API: store, jobs, lwm2m, tokens */
    struct srv_tokens *tokens; /* SRV_HTTP_API: reloaded from tokens_path when it changes */
    const char *tokens_path;
    const char *const *api_hosts; /* --api-host names accepted in Host */
    size_t api_host_count;
    const char *tls_cert_pem; /* with tls_key_pem: serve HTTPS (NULL: plain HTTP) */
    const char *tls_key_pem;
    unsigned connection_limit; /* 0: libmicrohttpd's default */
};

struct srv_http;

/* Starts listening (HTTPS when the config has a certificate and key in PEM). Returns 0,
 * SRV_E_IO (cannot bind, bad certificate or key, no TLS or epoll in libmicrohttpd) or
 * SRV_E_NOMEM. */
SRV_WARN_UNUSED int srv_http_new(const struct srv_http_config *cfg, struct srv_http **out);
void srv_http_free(struct srv_http *h);
/* The descriptor to poll for input (the daemon's epoll set). */
int srv_http_fd(const struct srv_http *h);
/* Lowers *timeout_ms to the daemon's next timeout (0 when it has work buffered). */
void srv_http_timeout(const struct srv_http *h, int *timeout_ms);
/* Runs the daemon without blocking. */
void srv_http_run(struct srv_http *h);

#endif
