/* REST API handlers (srv_api.h): the store and the job engine, rendered with jansson. */
#define _GNU_SOURCE
#include "srv_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_oma.h"

/* A JSON string of text that came from the network: bytes that are not UTF-8 become '?'
 * (jansson refuses invalid UTF-8). */
static json_t *text(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j)
        return j;
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

json_t *srv_api_device_json(const struct srv_device *d, bool registered_now)
{
    char loc[32];
    snprintf(loc, sizeof loc, "%s%s", d->reg_id[0] ? "/rd/" : "", d->reg_id);
    return json_pack(
        "{s:o, s:o, s:b, s:o, s:o, s:o, s:b, s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:i, s:s, "
        "s:i, s:s}",
        "endpoint", text(d->endpoint), "imei", text(d->imei), "imei_conflict", d->imei_conflict,
        "psk_identity", text(d->identity), "product", text(d->product), "fw_version",
        text(d->fw_version), "registered", d->registered && registered_now, "location", loc,
        "lifetime", (json_int_t)d->lifetime, "registered_at", (json_int_t)d->registered_at,
        "last_seen", (json_int_t)d->last_seen, "address", text(d->address), "binding",
        text(d->binding), "lwm2m", text(d->lwm2m), "objects", text(d->objects), "fw_state",
        d->fw_state, "fw_state_name", d->fw_state < 0 ? "" : srv_oma_state_name(d->fw_state),
        "fw_result", d->fw_result, "fw_result_text",
        d->fw_result < 0 ? "" : srv_oma_result_text(d->fw_result));
}

json_t *srv_api_job_json(const struct srv_job_record *j)
{
    return json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:o, s:s, s:b, s:i, s:i, s:s, s:o, s:I, s:I}", "id",
        (json_int_t)j->id, "endpoint", text(j->endpoint), "imei", text(j->imei), "package",
        text(j->package), "target_version", text(j->target_version), "uri", text(j->uri), "state",
        srv_job_state_name(j->state), "final", srv_job_state_final(j->state), "fw_state",
        j->fw_state, "fw_result", j->fw_result, "fw_result_text",
        j->fw_result < 0 ? "" : srv_oma_result_text(j->fw_result), "message", text(j->message),
        "created", (json_int_t)j->created, "updated", (json_int_t)j->updated);
}

/* Serialises `v` (stolen) into out. */
static unsigned emit(struct srv_buf *out, unsigned status, json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    if (!s) {
        out->failed = true;
        return 500;
    }
    srv_buf_append(out, s, strlen(s));
    free(s);
    return status;
}

unsigned srv_api_error(struct srv_buf *out, unsigned status, const char *why)
{
    return emit(out, status, json_pack("{s:o}", "error", text(why)));
}

struct list_ctx {
    json_t *array;
    struct srv_lwm2m *lwm2m;
};

static void list_device(void *user, const struct srv_device *d)
{
    struct list_ctx *c = user;
    json_array_append_new(c->array,
                          srv_api_device_json(d, srv_lwm2m_is_registered(c->lwm2m, d->endpoint)));
}

static void list_job(void *user, const struct srv_job_record *j)
{
    struct list_ctx *c = user;
    json_array_append_new(c->array, srv_api_job_json(j));
}

static unsigned start_update(const struct srv_api_env *env, const struct srv_api_call *call,
                             struct srv_buf *out)
{
    int64_t id;
    char why[256];
    int rc = srv_job_start(env->jobs, call->device, call->package, &id, why, sizeof why);
    if (rc != 0) {
        unsigned status = rc == SRV_E_NOTFOUND                     ? 404
                          : rc == SRV_E_STATE                      ? 409
                          : rc == SRV_E_ARG || rc == SRV_E_PACKAGE ? 400
                                                                   : 500;
        return srv_api_error(out, status, why);
    }
    fprintf(stderr, "larafw-server: api: %s started job %lld (%s on %s)\n", call->who,
            (long long)id, call->package, call->device);
    struct srv_job_record j;
    if (srv_store_job_get(env->store, id, &j) != 0)
        return srv_api_error(out, 500, "job created but not found in the store");
    return emit(out, 201, srv_api_job_json(&j));
}

unsigned srv_api_run(const struct srv_api_env *env, const struct srv_api_call *call,
                     struct srv_buf *out)
{
    struct list_ctx c = {json_array(), env->lwm2m};
    if (!c.array)
        return emit(out, 500, NULL);
    int rc = 0;
    switch (call->route) {
    case SRV_API_DEVICES:
        rc = srv_store_device_list(env->store, list_device, &c);
        break;
    case SRV_API_JOBS:
        rc = srv_store_job_list(env->store, list_job, &c);
        break;
    case SRV_API_TOKENS:
        for (size_t i = 0; i < env->tokens->count; i++)
            json_array_append_new(c.array,
                                  json_pack("{s:s, s:s}", "name", env->tokens->entries[i].name,
                                            "role", srv_role_name(env->tokens->entries[i].role)));
        break;
    case SRV_API_DEVICE: {
        json_decref(c.array);
        struct srv_device d;
        if (srv_store_device_get(env->store, SRV_KEY_IMEI, call->device, &d) != 0 &&
            srv_store_device_get(env->store, SRV_KEY_ENDPOINT, call->device, &d) != 0)
            return srv_api_error(out, 404, "no device with this IMEI or endpoint");
        return emit(out, 200,
                    srv_api_device_json(&d, srv_lwm2m_is_registered(env->lwm2m, d.endpoint)));
    }
    case SRV_API_JOB: {
        json_decref(c.array);
        struct srv_job_record j;
        if (srv_store_job_get(env->store, call->job_id, &j) != 0)
            return srv_api_error(out, 404, "no such job");
        return emit(out, 200, srv_api_job_json(&j));
    }
    case SRV_API_DEVICE_UPDATE:
        json_decref(c.array);
        return start_update(env, call, out);
    }
    if (rc != 0) {
        json_decref(c.array);
        return srv_api_error(out, 500, "the store failed");
    }
    return emit(out, 200, c.array);
}
