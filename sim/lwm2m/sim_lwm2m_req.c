/* CoAP request handlers of the module's LwM2M client (§5.1): one libcoap resource per object,
 * instance and resource path with Read (GET, Observe), Write (PUT) and Execute (POST). Payloads
 * in text, OMA-TLV and LwM2M JSON (sim_lwm2m_data.c); large ones block-wise by libcoap. */
#define _GNU_SOURCE
#include "sim_lwm2m_coap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m_tlv.h"

#define SIM_LWM2M_BUF  4096 /* largest object payload */
#define SIM_LWM2M_VALS 24

static int sim_coap_code(int code)
{
    return ((code / 100) << 5) | (code % 100); /* class.detail, RFC 7252 §3 */
}

/* The LwM2M path of a resource ("5/0/3" → {5,0,3}). */
static int sim_res_path(coap_resource_t *r, uint16_t ids[3])
{
    coap_str_const_t *p = coap_resource_get_uri_path(r);
    if (!p)
        return -1;
    return sim_lwm2m_path((const char *)p->s, p->length, ids);
}

static int sim_opt_uint(const coap_pdu_t *pdu, uint16_t num, unsigned *out)
{
    coap_opt_iterator_t it;
    coap_opt_t *o = coap_check_option(pdu, num, &it);
    if (!o)
        return -1;
    *out = coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o));
    return 0;
}

/* Appends resource `v` as OMA-TLV (SIM_LV_MULTI as a multiple resource of integer
 * instances) to out[*used..cap). 0, or -1 when it does not fit (*used unchanged). */
static int sim_lwm2m_value_to_tlv(uint8_t *out, size_t cap, size_t *used,
                                  const struct sim_lwm2m_value *v)
{
    if (*used > cap)
        return -1;
    uint8_t *dst = out + *used;
    size_t room = cap - *used;
    uint8_t b[4];
    long n;
    switch (v->type) {
    case SIM_LV_INT:
        n = lwm2m_tlv_put_int(dst, room, LWM2M_TLV_RESOURCE, v->id, v->i);
        break;
    case SIM_LV_BOOL:
        b[0] = v->i ? 1 : 0;
        n = lwm2m_tlv_put(dst, room, LWM2M_TLV_RESOURCE, v->id, b, 1);
        break;
    case SIM_LV_STR:
        if (v->slen >= sizeof v->s)
            return -1;
        n = lwm2m_tlv_put(dst, room, LWM2M_TLV_RESOURCE, v->id, v->s, v->slen);
        break;
    case SIM_LV_OBJLNK:
        b[0] = (uint8_t)(v->i >> 24);
        b[1] = (uint8_t)(v->i >> 16);
        b[2] = (uint8_t)(v->i >> 8);
        b[3] = (uint8_t)v->i;
        n = lwm2m_tlv_put(dst, room, LWM2M_TLV_RESOURCE, v->id, b, 4);
        break;
    case SIM_LV_MULTI: {
        uint8_t inner[SIM_LWM2M_MULTI_MAX * 11];
        size_t il = 0;
        for (unsigned k = 0; k < v->nmulti && k < SIM_LWM2M_MULTI_MAX; k++) {
            long m = lwm2m_tlv_put_int(inner + il, sizeof inner - il, LWM2M_TLV_RESOURCE_INSTANCE,
                                       (uint16_t)k, v->multi[k]);
            if (m < 0)
                return -1;
            il += (size_t)m;
        }
        n = lwm2m_tlv_put(dst, room, LWM2M_TLV_MULTIPLE_RESOURCE, v->id, inner, il);
        break;
    }
    default:
        return -1;
    }
    if (n < 0)
        return -1;
    *used += (size_t)n;
    return 0;
}

/* Fills `v` from a resource TLV given the type the resource has. 0 or -1. */
static int sim_lwm2m_value_from_tlv(const struct lwm2m_tlv *t, enum sim_lwm2m_type type,
                                    struct sim_lwm2m_value *v)
{
    if (t->type != LWM2M_TLV_RESOURCE)
        return -1;
    v->id = t->id;
    v->type = type;
    switch (type) {
    case SIM_LV_INT:
        return lwm2m_tlv_int(t, &v->i) == 0 ? 0 : -1;
    case SIM_LV_BOOL:
        if (t->len != 1 || t->value[0] > 1)
            return -1;
        v->i = t->value[0];
        return 0;
    case SIM_LV_STR:
        if (lwm2m_tlv_str(t, v->s, sizeof v->s) != 0)
            return -1;
        v->slen = t->len;
        return 0;
    default:
        return -1;
    }
}

static void sim_release_buf(coap_session_t *session, void *app_ptr)
{
    (void)session;
    free(app_ptr);
}

static void sim_respond(coap_pdu_t *response, int code)
{
    coap_pdu_set_code(response, (coap_pdu_code_t)sim_coap_code(code));
}

/* Discover (GET with Accept: application/link-format, OMA LwM2M 1.0 §5.4.2). */
static void sim_h_discover(coap_resource_t *r, coap_session_t *session, const coap_pdu_t *request,
                           const coap_string_t *query, coap_pdu_t *response, const uint16_t ids[3],
                           int n)
{
    char *buf = malloc(SIM_LWM2M_BUF);
    if (!buf) {
        sim_respond(response, 500);
        return;
    }
    int len = sim_lwm2m_discover(sim_lwm2m_sim(session), ids, n, buf, SIM_LWM2M_BUF);
    if (len < 0) {
        free(buf);
        sim_respond(response, -len);
        return;
    }
    sim_respond(response, 205);
    if (!coap_add_data_large_response(r, session, request, response, query, SIM_LWM2M_CF_LINK, -1,
                                      0, (size_t)len, (const uint8_t *)buf, sim_release_buf, buf))
        sim_respond(response, 500);
}

/* Read (and Observe: libcoap calls this again for each notification). */
static void sim_h_get(coap_resource_t *r, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response)
{
    struct sim *s = sim_lwm2m_sim(session);
    uint16_t ids[3];
    int n = sim_res_path(r, ids);
    unsigned accept = n == 3 ? SIM_LWM2M_CF_TEXT : SIM_LWM2M_CF_TLV;
    (void)sim_opt_uint(request, COAP_OPTION_ACCEPT, &accept);
    if (accept == SIM_LWM2M_CF_LINK) {
        sim_h_discover(r, session, request, query, response, ids, n);
        return;
    }
    struct sim_lwm2m_value *vals = calloc(SIM_LWM2M_VALS, sizeof *vals);
    if (!vals) {
        sim_respond(response, 500);
        return;
    }
    int k = sim_lwm2m_read(s, ids, n, vals, SIM_LWM2M_VALS);
    if (k < 0) {
        free(vals);
        sim_respond(response, -k);
        return;
    }
    uint8_t *buf = malloc(SIM_LWM2M_BUF);
    if (!buf) {
        free(vals);
        sim_respond(response, 500);
        return;
    }
    int len = -1;
    if (accept == SIM_LWM2M_CF_TEXT && n == 3 && vals[0].type != SIM_LV_MULTI) {
        len = sim_text_put((char *)buf, SIM_LWM2M_BUF, &vals[0]);
    } else if (accept == SIM_LWM2M_CF_TLV) {
        size_t used = 0, ok = 1;
        if (n == 1) {
            /* an object: one object-instance TLV around the resources */
            uint8_t *inner = malloc(SIM_LWM2M_BUF);
            size_t il = 0;
            for (int i = 0; inner && i < k; i++)
                ok = ok && sim_lwm2m_value_to_tlv(inner, SIM_LWM2M_BUF, &il, &vals[i]) == 0;
            uint16_t inst = 0;
            for (size_t i = 0; i < sim_lwm2m_ninstances; i++)
                if (sim_lwm2m_instances[i].obj == ids[0])
                    inst = sim_lwm2m_instances[i].inst;
            if (inner && ok && il + 4 <= SIM_LWM2M_BUF && il <= 0xffff) {
                buf[0] = 0x10; /* object instance, 8-bit id, 16-bit length */
                buf[1] = (uint8_t)inst;
                buf[2] = (uint8_t)(il >> 8);
                buf[3] = (uint8_t)il;
                memcpy(buf + 4, inner, il);
                used = il + 4;
            } else {
                ok = 0;
            }
            free(inner);
        } else {
            for (int i = 0; i < k; i++)
                ok = ok && sim_lwm2m_value_to_tlv(buf, SIM_LWM2M_BUF, &used, &vals[i]) == 0;
        }
        len = ok ? (int)used : -1;
    } else if (accept == SIM_LWM2M_CF_JSON && n >= 2) {
        char bn[32]; /* bn + n = the full path, also for one resource */
        snprintf(bn, sizeof bn, "/%u/%u/", ids[0], ids[1]);
        len = sim_json_put((char *)buf, SIM_LWM2M_BUF, bn, vals, (size_t)k);
    } else {
        free(vals);
        free(buf);
        sim_respond(response, 406);
        return;
    }
    free(vals);
    if (len < 0) {
        free(buf);
        sim_respond(response, 500);
        return;
    }
    sim_respond(response, 205);
    if (accept == SIM_LWM2M_CF_TEXT) /* libcoap leaves Content-Format 0 out: LwM2M wants it */
        coap_add_option(response, COAP_OPTION_CONTENT_FORMAT, 0, NULL);
    if (!coap_add_data_large_response(r, session, request, response, query, (uint16_t)accept, -1, 0,
                                      (size_t)len, buf, sim_release_buf, buf))
        sim_respond(response, 500);
}

/* Write a TLV instance payload: every resource TLV in it. */
static int sim_write_tlv(struct sim *s, const uint16_t ids[3], int n, const uint8_t *data,
                         size_t len)
{
    size_t off = 0;
    struct lwm2m_tlv t;
    int rc, code = 204;
    struct sim_lwm2m_value v;
    while ((rc = lwm2m_tlv_next(data, len, &off, &t)) == 1) {
        if (t.type == LWM2M_TLV_OBJECT_INSTANCE) {
            if (n != 1 && t.id != ids[1])
                return 400;
            uint16_t sub[3] = {ids[0], t.id, 0};
            code = sim_write_tlv(s, sub, 2, t.value, t.len);
            if (code != 204)
                return code;
            continue;
        }
        if (n == 3 && t.id != ids[2])
            return 400;
        const struct sim_lwm2m_res *res = sim_lwm2m_res_find(ids[0], t.id);
        if (!res)
            return 404;
        memset(&v, 0, sizeof v);
        if (sim_lwm2m_value_from_tlv(&t, res->type, &v) != 0)
            return 400;
        code = sim_lwm2m_write(s, ids[0], ids[1], &v);
        if (code != 204)
            return code;
    }
    return rc < 0 ? 400 : code;
}

struct sim_json_write {
    struct sim *s;
    int code;
    const uint16_t *within; /* a CoAP Write: entries must lie under this path (NULL: any) */
    int within_n;
};

static int sim_write_json_entry(void *user, const struct sim_json_entry *e)
{
    struct sim_json_write *w = user;
    uint16_t ids[3];
    if (sim_lwm2m_path(e->path, strlen(e->path), ids) != 3) {
        w->code = 400;
        return 1;
    }
    for (int i = 0; i < w->within_n; i++) {
        if (ids[i] != w->within[i]) {
            w->code = 400; /* a Write on /1/10 does not reach /5/0/1 through "bn" */
            return 1;
        }
    }
    const struct sim_lwm2m_res *res = sim_lwm2m_res_find(ids[0], ids[2]);
    if (!res) {
        w->code = 404;
        return 1;
    }
    struct sim_lwm2m_value v;
    memset(&v, 0, sizeof v);
    v.id = ids[2];
    v.type = res->type;
    if (e->is_num && res->type == SIM_LV_INT) {
        v.i = e->num;
    } else if (e->is_bool && res->type == SIM_LV_BOOL) {
        v.i = e->b;
    } else if (e->is_str && res->type == SIM_LV_STR) {
        snprintf(v.s, sizeof v.s, "%s", e->str);
        v.slen = strlen(v.s);
    } else {
        w->code = 400;
        return 1;
    }
    w->code = sim_lwm2m_write(w->s, ids[0], ids[1], &v);
    return w->code == 204 ? 0 : 1;
}

/* LwM2M JSON entries, each under the path ids[0..n) (n 0: anywhere). A CoAP code. */
static int sim_write_json_under(struct sim *s, const uint16_t *ids, int n, const char *buf,
                                size_t len)
{
    struct sim_json_write w = {s, 204, ids, n};
    int rc = sim_json_parse(buf, len, sim_write_json_entry, &w);
    if (rc < 0)
        return 400;
    return w.code;
}

int sim_lwm2m_write_json(struct sim *s, const char *buf, size_t len)
{
    return sim_write_json_under(s, NULL, 0, buf, len);
}

/* The payload of a Write (PUT: replace; POST on an instance: partial update, OMA LwM2M 1.0
 * §5.4.3). Returns a CoAP code. */
static int sim_write_request(struct sim *s, const uint16_t ids[3], int n, const coap_pdu_t *request,
                             const coap_string_t *query)
{
    size_t len = 0, off = 0, total = 0;
    const uint8_t *data = NULL;
    (void)coap_get_data_large(request, &len, &data, &off, &total);
    if (!data || len == 0) {
        /* Write-Attributes (?pmin=…) carry no payload: accepted and ignored */
        return query ? 204 : 400;
    }
    unsigned cf = n == 3 ? SIM_LWM2M_CF_TEXT : SIM_LWM2M_CF_TLV;
    (void)sim_opt_uint(request, COAP_OPTION_CONTENT_FORMAT, &cf);
    if (n < 2)
        return 405;
    if (cf == SIM_LWM2M_CF_TLV)
        return sim_write_tlv(s, ids, n, data, len);
    if (cf == SIM_LWM2M_CF_JSON)
        return sim_write_json_under(s, ids, n, (const char *)data, len);
    if ((cf == SIM_LWM2M_CF_TEXT || cf == SIM_LWM2M_CF_OPAQUE) && n == 3) {
        const struct sim_lwm2m_res *res = sim_lwm2m_res_find(ids[0], ids[2]);
        struct sim_lwm2m_value v;
        memset(&v, 0, sizeof v);
        if (!res || !sim_lwm2m_inst_exists(ids[0], ids[1]))
            return 404;
        if (sim_text_value(data, len, res->type, &v) != 0)
            return 400;
        v.id = ids[2];
        return sim_lwm2m_write(s, ids[0], ids[1], &v);
    }
    return 415;
}

static void sim_h_put(coap_resource_t *r, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response)
{
    uint16_t ids[3];
    int n = sim_res_path(r, ids);
    sim_respond(response, sim_write_request(sim_lwm2m_sim(session), ids, n, request, query));
}

/* POST: Execute on a resource, Write (partial update) on an instance (OMA LwM2M 1.0 §5.4.3,
 * §5.4.5); Create on an object is not offered (fixed instances). */
static void sim_h_post(coap_resource_t *r, coap_session_t *session, const coap_pdu_t *request,
                       const coap_string_t *query, coap_pdu_t *response)
{
    uint16_t ids[3];
    int n = sim_res_path(r, ids);
    struct sim *s = sim_lwm2m_sim(session);
    int code = 405;
    if (n == 3)
        code = sim_lwm2m_execute(s, ids[0], ids[1], ids[2]);
    else if (n == 2)
        code = sim_write_request(s, ids, n, request, query);
    sim_respond(response, code);
}

/* Calls fn for every object, instance and resource path a server may reach ("5", "5/0",
 * "5/0/3" …). */
static void sim_lwm2m_each_path(coap_context_t *ctx, void (*fn)(coap_context_t *, const char *))
{
    char path[32];
    uint16_t last_obj = 0xffff;
    for (size_t i = 0; i < sim_lwm2m_ninstances; i++) {
        const struct sim_lwm2m_inst *in = &sim_lwm2m_instances[i];
        if (!in->in_registration)
            continue; /* the security object is not reachable by servers (OMA 1.0 E.1) */
        for (int level = in->obj == last_obj ? 2 : 1; level <= 3; level++) {
            for (size_t k = 0; k < (level == 3 ? sim_lwm2m_nresources : 1); k++) {
                const struct sim_lwm2m_res *res = &sim_lwm2m_resources[k];
                if (level == 1)
                    snprintf(path, sizeof path, "%u", in->obj);
                else if (level == 2)
                    snprintf(path, sizeof path, "%u/%u", in->obj, in->inst);
                else if (res->obj == in->obj)
                    snprintf(path, sizeof path, "%u/%u/%u", in->obj, in->inst, res->res);
                else
                    continue;
                fn(ctx, path);
            }
        }
        last_obj = in->obj;
    }
}

/* One resource with the three handlers. */
static void sim_lwm2m_add_path(coap_context_t *ctx, const char *path)
{
    coap_str_const_t *uri = coap_new_str_const((const uint8_t *)path, strlen(path));
    coap_resource_t *r = coap_resource_init(uri, COAP_RESOURCE_FLAGS_RELEASE_URI);
    if (!r)
        return;
    coap_register_request_handler(r, COAP_REQUEST_GET, sim_h_get);
    coap_register_request_handler(r, COAP_REQUEST_PUT, sim_h_put);
    coap_register_request_handler(r, COAP_REQUEST_POST, sim_h_post);
    coap_resource_set_get_observable(r, 1);
    coap_add_resource(ctx, r);
}

static void sim_lwm2m_quiet_path(coap_context_t *ctx, const char *path)
{
    coap_resource_t *r = coap_get_resource_from_uri_path(ctx, coap_make_str_const(path));
    if (r)
        coap_resource_set_get_observable(r, 0);
}

void sim_lwm2m_add_resources(coap_context_t *ctx)
{
    sim_lwm2m_each_path(ctx, sim_lwm2m_add_path);
}

void sim_lwm2m_quiet_resources(coap_context_t *ctx)
{
    sim_lwm2m_each_path(ctx, sim_lwm2m_quiet_path);
}
