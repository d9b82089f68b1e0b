/* REST API handlers (srv_api.h). */
#define _GNU_SOURCE
#include "srv_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_oma.h"

void srv_api_device_json(struct srv_buf *b, const struct srv_device *d, bool registered_now)
{
    srv_buf_append(b, "{", 1);
    srv_json_kv_str(b, "endpoint", d->endpoint);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "imei", d->imei);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "product", d->product);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "fw_version", d->fw_version);
    srv_buf_append(b, ",", 1);
    srv_json_kv_bool(b, "registered", d->registered && registered_now);
    srv_buf_append(b, ",", 1);
    char loc[32];
    snprintf(loc, sizeof loc, "%s%s", d->reg_id[0] ? "/rd/" : "", d->reg_id);
    srv_json_kv_str(b, "location", loc);
    srv_buf_append(b, ",", 1);
    srv_json_kv_int(b, "lifetime", d->lifetime);
    srv_buf_append(b, ",", 1);
    srv_json_kv_int(b, "registered_at", d->registered_at);
    srv_buf_append(b, ",", 1);
    srv_json_kv_int(b, "last_seen", d->last_seen);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "address", d->address);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "binding", d->binding);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "lwm2m", d->lwm2m);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "objects", d->objects);
    srv_buf_append(b, ",", 1);
    srv_json_kv_int(b, "fw_state", d->fw_state);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "fw_state_name", d->fw_state < 0 ? "" : srv_oma_state_name(d->fw_state));
    srv_buf_append(b, ",", 1);
    srv_json_kv_int(b, "fw_result", d->fw_result);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "fw_result_text", d->fw_result < 0 ? "" : srv_oma_result_text(d->fw_result));
    srv_buf_append(b, "}", 1);
}

void srv_api_job_json(struct srv_buf *b, const struct srv_job_record *j)
{
    srv_buf_append(b, "{", 1);
    srv_json_kv_int(b, "id", j->id);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "endpoint", j->endpoint);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "imei", j->imei);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "package", j->package);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "target_version", j->target_version);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "uri", j->uri);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "state", srv_job_state_name(j->state));
    srv_buf_append(b, ",", 1);
    srv_json_kv_bool(b, "final", srv_job_state_final(j->state));
    srv_buf_append(b, ",", 1);
    srv_json_kv_int(b, "fw_state", j->fw_state);
    srv_buf_append(b, ",", 1);
    srv_json_kv_int(b, "fw_result", j->fw_result);
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "fw_result_text", j->fw_result < 0 ? "" : srv_oma_result_text(j->fw_result));
    srv_buf_append(b, ",", 1);
    srv_json_kv_str(b, "message", j->message);
    srv_buf_append(b, ",", 1);
    srv_json_kv_int(b, "created", j->created);
    srv_buf_append(b, ",", 1);
    srv_json_kv_int(b, "updated", j->updated);
    srv_buf_append(b, "}", 1);
}

static unsigned error(struct srv_buf *out, unsigned status, const char *msg)
{
    srv_buf_append(out, "{", 1);
    srv_json_kv_str(out, "error", msg);
    srv_buf_append(out, "}", 1);
    return status;
}

struct list_ctx {
    struct srv_buf *out;
    struct srv_lwm2m *lwm2m;
    bool first;
};

static void list_device(void *user, const struct srv_device *d)
{
    struct list_ctx *c = user;
    if (!c->first)
        srv_buf_append(c->out, ",", 1);
    c->first = false;
    srv_api_device_json(c->out, d, srv_lwm2m_is_registered(c->lwm2m, d->endpoint));
}

static void list_job(void *user, const struct srv_job_record *j)
{
    struct list_ctx *c = user;
    if (!c->first)
        srv_buf_append(c->out, ",", 1);
    c->first = false;
    srv_api_job_json(c->out, j);
}

static unsigned start_update(const struct srv_http_config *cfg, const char *device,
                             const char *body, size_t body_len, struct srv_buf *out)
{
    char package[128];
    struct srv_json_span span = {body ? body : "", body ? body_len : 0};
    int rc = srv_json_get_str(span, "package", package, sizeof package);
    if (rc != 0)
        return error(out, 400, "the body must be a JSON object {\"package\":\"<file name>\"}");
    int64_t id;
    char why[256];
    rc = srv_job_start(cfg->jobs, device, package, &id, why, sizeof why);
    if (rc != 0) {
        unsigned status = rc == SRV_E_NOTFOUND                     ? 404
                          : rc == SRV_E_STATE                      ? 409
                          : rc == SRV_E_ARG || rc == SRV_E_PACKAGE ? 400
                                                                   : 500;
        return error(out, status, why);
    }
    struct srv_job_record j;
    if (srv_store_job_get(cfg->store, id, &j) != 0)
        return error(out, 500, "job created but not found in the store");
    srv_api_job_json(out, &j);
    return 201;
}

unsigned srv_api_handle(const struct srv_http_config *cfg, const char *method, const char *path,
                        const char *body, size_t body_len, struct srv_buf *out)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    struct list_ctx c = {out, cfg->lwm2m, true};

    if (strcmp(path, "/api/devices") == 0) {
        if (!get)
            return error(out, 405, "use GET");
        srv_buf_append(out, "[", 1);
        if (srv_store_device_list(cfg->store, list_device, &c) != 0) {
            out->len = 0;
            return error(out, 500, "the store failed");
        }
        srv_buf_append(out, "]", 1);
        return 200;
    }
    if (strcmp(path, "/api/jobs") == 0) {
        if (!get)
            return error(out, 405, "use GET");
        srv_buf_append(out, "[", 1);
        if (srv_store_job_list(cfg->store, list_job, &c) != 0) {
            out->len = 0;
            return error(out, 500, "the store failed");
        }
        srv_buf_append(out, "]", 1);
        return 200;
    }
    if (strncmp(path, "/api/devices/", 13) == 0) {
        char device[SRV_EP_MAX];
        const char *rest = path + 13;
        const char *slash = strchr(rest, '/');
        size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
        if (n == 0 || n >= sizeof device)
            return error(out, 404, "no such device");
        memcpy(device, rest, n);
        device[n] = '\0';
        if (slash) {
            if (strcmp(slash, "/update") != 0)
                return error(out, 404, "unknown path; see docs/server.md");
            if (!post)
                return error(out, 405, "use POST with {\"package\":\"<file>\"}");
            return start_update(cfg, device, body, body_len, out);
        }
        if (!get)
            return error(out, 405, "use GET");
        struct srv_device d;
        if (srv_store_device_get(cfg->store, SRV_KEY_IMEI, device, &d) != 0 &&
            srv_store_device_get(cfg->store, SRV_KEY_ENDPOINT, device, &d) != 0)
            return error(out, 404, "no device with this IMEI or endpoint");
        srv_api_device_json(out, &d, srv_lwm2m_is_registered(cfg->lwm2m, d.endpoint));
        return 200;
    }
    if (strncmp(path, "/api/jobs/", 10) == 0) {
        if (!get)
            return error(out, 405, "use GET");
        char *end;
        long long id = strtoll(path + 10, &end, 10);
        struct srv_job_record j;
        if (*end != '\0' || end == path + 10 || srv_store_job_get(cfg->store, id, &j) != 0)
            return error(out, 404, "no such job");
        srv_api_job_json(out, &j);
        return 200;
    }
    return error(out, 404, "unknown path; see docs/server.md");
}
