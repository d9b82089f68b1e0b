/* The REST API's front door, free of I/O: which requests are admitted (Host, Origin, token
 * and role, Content-Type, JSON body) and which route they take. srv_api.c then runs the
 * admitted call; the libFuzzer target tests/fuzz/server_api.c drives this file directly.
 *
 * Checks, in order (docs/server.md, "Security model"):
 *   1. Host is an IP literal, "localhost" or an --api-host name, else 403 (DNS rebinding);
 *      an Origin header, when present, is http(s)://<the Host>, else 403 (cross-site);
 *   2. Authorization: Bearer <token> of the tokens file, else 401;
 *   3. the path and method exist, else 404 / 405;
 *   4. the token's role may do this (GET: viewer; POST update: operator; tokens: admin),
 *      else 403;
 *   5. a state-changing request has Content-Type: application/json (else 415) and a JSON
 *      body of the expected shape, parsed by jansson (else 400). */
#ifndef LARAFW_SRV_API_REQ_H
#define LARAFW_SRV_API_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include "srv_store.h"
#include "srv_token.h"

struct srv_api_policy {
    const struct srv_tokens *tokens;
    const char *const *hosts; /* extra names accepted in Host (--api-host), may be NULL */
    size_t host_count;
};

/* One request as the HTTP layer saw it; absent headers are NULL. */
struct srv_api_request {
    const char *method;
    const char *path; /* decoded URL path, starts with "/api/" */
    const char *host;
    const char *origin;
    const char *content_type;
    const char *authorization;
    const char *body;
    size_t body_len;
};

enum srv_api_route {
    SRV_API_DEVICES,       /* GET /api/devices */
    SRV_API_DEVICE,        /* GET /api/devices/<imei or endpoint> */
    SRV_API_DEVICE_UPDATE, /* POST /api/devices/<imei>/update {"package":"<file>"} */
    SRV_API_JOBS,          /* GET /api/jobs */
    SRV_API_JOB,           /* GET /api/jobs/<id> */
    SRV_API_TOKENS,        /* GET /api/tokens: names and roles, never hashes */
};

#define SRV_API_PACKAGE_MAX 128

/* What an admitted request asks for. */
struct srv_api_call {
    enum srv_api_route route;
    char device[SRV_EP_MAX];
    long long job_id;
    char package[SRV_API_PACKAGE_MAX];
    enum srv_role role;               /* of the token */
    char who[SRV_TOKEN_NAME_MAX + 1]; /* the token's name, for the log */
};

/* Admits or refuses `r`. Returns 0 with *call filled, or the HTTP status of the refusal with
 * *why set to a static text that says what to do. */
unsigned srv_api_admit(const struct srv_api_policy *p, const struct srv_api_request *r,
                       struct srv_api_call *call, const char **why);

#endif
