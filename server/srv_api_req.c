/* Admission and routing of REST API requests (srv_api_req.h). */
#define _GNU_SOURCE
#include "srv_api_req.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN_MAX 256

/* The host part of a Host header value ("h", "h:port", "[v6]", "[v6]:port") into out. */
static bool host_part(const char *host, char *out, size_t cap)
{
    size_t n;
    if (host[0] == '[') {
        const char *end = strchr(host, ']');
        if (!end || (end[1] != '\0' && end[1] != ':'))
            return false;
        host++;
        n = (size_t)(end - host);
    } else {
        const char *colon = strchr(host, ':');
        n = colon ? (size_t)(colon - host) : strlen(host);
    }
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, host, n);
    out[n] = '\0';
    return true;
}

/* A name that a DNS rebinding page cannot use: an IP literal, localhost, or one the operator
 * named with --api-host. */
static bool host_allowed(const struct srv_api_policy *p, const char *host)
{
    char name[256];
    if (!host_part(host, name, sizeof name))
        return false;
    unsigned char addr[16];
    if (inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1 ||
        strcasecmp(name, "localhost") == 0)
        return true;
    for (size_t i = 0; i < p->host_count; i++) {
        char allowed[256];
        if (host_part(p->hosts[i], allowed, sizeof allowed) && strcasecmp(name, allowed) == 0)
            return true;
    }
    return false;
}

/* Same origin: "http://<Host>" or "https://<Host>" (https behind a TLS proxy). */
static bool origin_allowed(const char *origin, const char *host)
{
    if (!host)
        return false;
    const char *rest = strncasecmp(origin, "http://", 7) == 0    ? origin + 7
                       : strncasecmp(origin, "https://", 8) == 0 ? origin + 8
                                                                 : NULL;
    return rest && strcasecmp(rest, host) == 0;
}

static bool is_json_type(const char *ct)
{
    static const char want[] = "application/json";
    if (!ct || strncasecmp(ct, want, sizeof want - 1) != 0)
        return false;
    char next = ct[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

/* The token of "Bearer <token>" or NULL. */
static const char *bearer(const char *auth, size_t *len)
{
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
        return NULL;
    const char *t = auth + 7;
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    if (n == 0 || n > TOKEN_MAX)
        return NULL;
    *len = n;
    return t;
}

/* Path and method → route. Returns 0 or 404 / 405 with *why. */
static unsigned route(const struct srv_api_request *r, struct srv_api_call *call, const char **why)
{
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    bool post = strcmp(r->method, "POST") == 0;
    const char *path = r->path;
    if (strcmp(path, "/api/devices") == 0 || strcmp(path, "/api/jobs") == 0 ||
        strcmp(path, "/api/tokens") == 0) {
        call->route = path[5] == 'd'   ? SRV_API_DEVICES
                      : path[5] == 'j' ? SRV_API_JOBS
                                       : SRV_API_TOKENS;
        *why = "use GET";
        return get ? 0 : 405;
    }
    if (strncmp(path, "/api/devices/", 13) == 0) {
        const char *rest = path + 13;
        const char *slash = strchr(rest, '/');
        size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
        *why = "no such device";
        if (n == 0 || n >= sizeof call->device)
            return 404;
        memcpy(call->device, rest, n);
        call->device[n] = '\0';
        if (!slash) {
            call->route = SRV_API_DEVICE;
            *why = "use GET";
            return get ? 0 : 405;
        }
        *why = "unknown path; see docs/server.md";
        if (strcmp(slash, "/update") != 0)
            return 404;
        call->route = SRV_API_DEVICE_UPDATE;
        *why = "use POST with {\"package\":\"<file>\"}";
        return post ? 0 : 405;
    }
    if (strncmp(path, "/api/jobs/", 10) == 0) {
        char *end;
        call->job_id = strtoll(path + 10, &end, 10);
        *why = "no such job";
        if (*end != '\0' || end == path + 10)
            return 404;
        call->route = SRV_API_JOB;
        *why = "use GET";
        return get ? 0 : 405;
    }
    *why = "unknown path; see docs/server.md";
    return 404;
}

static enum srv_role role_needed(enum srv_api_route r)
{
    switch (r) {
    case SRV_API_DEVICE_UPDATE:
        return SRV_ROLE_OPERATOR;
    case SRV_API_TOKENS:
        return SRV_ROLE_ADMIN;
    default:
        return SRV_ROLE_VIEWER;
    }
}

/* {"package":"<file>"} through jansson. */
static unsigned parse_update(const struct srv_api_request *r, struct srv_api_call *call,
                             const char **why)
{
    *why = "the body must be a JSON object {\"package\":\"<file name>\"}";
    json_error_t err;
    json_t *root = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return 400;
    const char *package = NULL;
    size_t n = 0;
    if (json_is_object(root) && json_unpack(root, "{s:s%}", "package", &package, &n) == 0 &&
        n > 0 && n < sizeof call->package && strlen(package) == n)
        memcpy(call->package, package, n + 1);
    else
        package = NULL;
    json_decref(root);
    return package ? 0 : 400;
}

unsigned srv_api_admit(const struct srv_api_policy *p, const struct srv_api_request *r,
                       struct srv_api_call *call, const char **why)
{
    memset(call, 0, sizeof *call);
    if (r->host && !host_allowed(p, r->host)) {
        *why = "Host is not an address or name of this server; add it with --api-host NAME";
        return 403;
    }
    if (r->origin && !origin_allowed(r->origin, r->host)) {
        *why = "cross-site request refused (Origin is not this server)";
        return 403;
    }
    size_t token_len = 0;
    const char *token = bearer(r->authorization, &token_len);
    const char *name = NULL;
    call->role = token ? srv_tokens_check(p->tokens, token, token_len, &name) : SRV_ROLE_NONE;
    if (call->role == SRV_ROLE_NONE) {
        *why = token ? "unknown token; larafw-server token add NAME ROLE makes one"
                     : "send Authorization: Bearer <token> (--token-file, $LARAFW_SERVER_TOKEN)";
        return 401;
    }
    snprintf(call->who, sizeof call->who, "%s", name);
    unsigned status = route(r, call, why);
    if (status)
        return status;
    enum srv_role need = role_needed(call->route);
    if (call->role < need) {
        *why = need == SRV_ROLE_ADMIN ? "this needs a token with role admin"
                                      : "this needs a token with role operator or admin";
        return 403;
    }
    if (call->route != SRV_API_DEVICE_UPDATE)
        return 0;
    if (!is_json_type(r->content_type)) {
        *why = "send Content-Type: application/json";
        return 415;
    }
    return parse_update(r, call, why);
}
