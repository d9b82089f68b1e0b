/* The HTTP side of larafw-server (libmicrohttpd, run from the server's own event loop with
 * external select): package downloads under /packages/ with Range, and the REST API under
 * /api/ (srv_api.h). */
#ifndef LARAFW_SRV_HTTP_H
#define LARAFW_SRV_HTTP_H

#include <stdint.h>
#include <sys/select.h>

#include "srv_addr.h"
#include "srv_err.h"
#include "srv_job.h"
#include "srv_lwm2m.h"
#include "srv_store.h"

struct srv_http_config {
    const struct srv_addr *addr; /* where to listen (TCP) */
    const char *packages_dir;
    struct srv_store *store;
    struct srv_jobs *jobs;
    struct srv_lwm2m *lwm2m;
    const char *tls_cert_pem; /* with tls_key_pem: serve HTTPS (NULL: plain HTTP) */
    const char *tls_key_pem;
};

struct srv_http;

/* Starts listening (HTTPS when the config has a certificate and key in PEM). Returns 0,
 * SRV_E_IO (cannot bind, bad certificate or key, no TLS in libmicrohttpd) or SRV_E_NOMEM. */
SRV_WARN_UNUSED int srv_http_new(const struct srv_http_config *cfg, struct srv_http **out);
void srv_http_free(struct srv_http *h);
/* Adds the daemon's sockets to the sets (raising *maxfd) and lowers *timeout_ms to the
 * daemon's next timeout. */
void srv_http_fdset(struct srv_http *h, fd_set *rs, fd_set *ws, fd_set *es, int *maxfd,
                    uint32_t *timeout_ms);
/* Runs the daemon on what select() reported. */
void srv_http_run(struct srv_http *h, const fd_set *rs, const fd_set *ws, const fd_set *es);

#endif
