/* LwM2M registration interface over libcoap3 (srv_lwm2m.h): POST /rd registers and answers
 * 2.01 Created with Location-Path rd/<id>; POST /rd/<id> updates; DELETE /rd/<id>
 * de-registers. The session of the registration is kept (referenced) so that every request
 * to the device leaves from the socket the device talks to. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_link.h"
#include "srv_lwm2m_internal.h"
#include "srv_regq.h"

/* Tags of the reads made after a registration: reg id in the high bits, resource below. */
#define INFO_TAG(reg_id, res) (((uint64_t)(reg_id) << 8) | (uint64_t)(res))

static struct srv_lwm2m *lwm2m_of(const coap_session_t *session)
{
    return coap_get_app_data(coap_session_get_context(session));
}

struct srv_reg *srv_lwm2m_find_reg(struct srv_lwm2m *l, const char *endpoint)
{
    for (struct srv_reg *r = l->regs; r; r = r->next)
        if (!r->dead && strcmp(r->endpoint, endpoint) == 0)
            return r;
    return NULL;
}

bool srv_lwm2m_is_registered(struct srv_lwm2m *l, const char *endpoint)
{
    return srv_lwm2m_find_reg(l, endpoint) != NULL;
}

coap_context_t *srv_lwm2m_context(struct srv_lwm2m *l)
{
    return l->ctx;
}

static struct srv_reg *reg_by_id(struct srv_lwm2m *l, unsigned id)
{
    for (struct srv_reg *r = l->regs; r; r = r->next)
        if (!r->dead && r->id == id)
            return r;
    return NULL;
}

/* The stored device of `endpoint`, or a fresh record. */
static void load_device(struct srv_lwm2m *l, const char *endpoint, struct srv_device *d)
{
    if (srv_store_device_get(l->cfg.store, SRV_KEY_ENDPOINT, endpoint, d) == 0)
        return;
    memset(d, 0, sizeof *d);
    snprintf(d->endpoint, sizeof d->endpoint, "%s", endpoint);
    d->fw_state = -1;
    d->fw_result = -1;
}

static void save_device(struct srv_lwm2m *l, const struct srv_device *d)
{
    if (srv_store_device_put(l->cfg.store, d) != 0)
        fprintf(stderr, "larafw-server: could not store device %s\n", d->endpoint);
}

/* The registration payload as text, or "" when it is not valid link format. */
static void payload_objects(const coap_pdu_t *request, char *out, size_t cap, bool *valid)
{
    size_t len = 0, offset = 0, total = 0;
    const uint8_t *data = NULL;
    out[0] = '\0';
    *valid = true;
    if (!coap_get_data_large(request, &len, &data, &offset, &total) || len == 0)
        return;
    struct srv_link links[1];
    size_t count;
    if (srv_link_parse((const char *)data, len, links, 0, &count) != 0) {
        *valid = false;
        return;
    }
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(out, data, n);
    out[n] = '\0';
}

static void remote_address(const coap_session_t *session, char *out, size_t cap)
{
    const coap_address_t *a = coap_session_get_addr_remote(session);
    if (a)
        srv_addr_format(&a->addr.sa, out, cap);
    else
        snprintf(out, cap, "?");
}

static void on_update(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response);
static void on_delete(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response);

static void on_register(coap_resource_t *resource, coap_session_t *session,
                        const coap_pdu_t *request, const coap_string_t *query, coap_pdu_t *response)
{
    struct srv_lwm2m *l = lwm2m_of(session);
    struct srv_reg_query q;
    char objects[SRV_OBJECTS_MAX];
    bool valid;
    payload_objects(request, objects, sizeof objects, &valid);
    if (!query || srv_regq_parse((const char *)query->s, query->length, true, &q) != 0 || !valid ||
        objects[0] == '\0') {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_BAD_REQUEST);
        return;
    }
    struct srv_reg *old = srv_lwm2m_find_reg(l, q.ep);
    if (old) {
        /* a new registration replaces the old one (freed at the tick); the device rebooted,
         * so its observations and answers in flight are gone too */
        old->dead = true;
        srv_lwm2m_drop_session(l, old->session);
    }

    struct srv_reg *reg = calloc(1, sizeof *reg);
    char uri[32];
    if (!reg) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_INTERNAL_ERROR);
        return;
    }
    reg->id = ++l->next_id;
    snprintf(uri, sizeof uri, "rd/%u", reg->id);
    reg->resource = coap_resource_init(coap_new_str_const((const uint8_t *)uri, strlen(uri)),
                                       COAP_RESOURCE_FLAGS_RELEASE_URI);
    if (!reg->resource) {
        free(reg);
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_INTERNAL_ERROR);
        return;
    }
    coap_register_handler(reg->resource, COAP_REQUEST_POST, on_update);
    coap_register_handler(reg->resource, COAP_REQUEST_DELETE, on_delete);
    coap_add_resource(l->ctx, reg->resource);
    reg->session = coap_session_reference(session);
    snprintf(reg->endpoint, sizeof reg->endpoint, "%s", q.ep);
    reg->last_seen = time(NULL);
    reg->lifetime = q.lifetime;
    reg->want_info = true;
    reg->notify_fresh = true;
    reg->next = l->regs;
    l->regs = reg;

    struct srv_device d;
    load_device(l, q.ep, &d);
    snprintf(d.reg_id, sizeof d.reg_id, "%u", reg->id);
    remote_address(session, d.address, sizeof d.address);
    snprintf(d.binding, sizeof d.binding, "%s", q.binding);
    snprintf(d.lwm2m, sizeof d.lwm2m, "%s", q.lwm2m);
    snprintf(d.objects, sizeof d.objects, "%s", objects);
    d.registered = true;
    d.lifetime = q.lifetime;
    d.registered_at = d.last_seen = reg->last_seen;
    save_device(l, &d);
    fprintf(stderr, "larafw-server: registered %s as rd/%u from %s (lifetime %ld s)\n", q.ep,
            reg->id, d.address, q.lifetime);

    char id[16];
    int idlen = snprintf(id, sizeof id, "%u", reg->id);
    coap_add_option(response, COAP_OPTION_LOCATION_PATH, 2, (const uint8_t *)"rd");
    coap_add_option(response, COAP_OPTION_LOCATION_PATH, (size_t)idlen, (const uint8_t *)id);
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CREATED);
}

static struct srv_reg *reg_of_resource(struct srv_lwm2m *l, coap_resource_t *resource)
{
    for (struct srv_reg *r = l->regs; r; r = r->next)
        if (!r->dead && r->resource == resource)
            return r;
    return NULL;
}

static void on_update(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response)
{
    struct srv_lwm2m *l = lwm2m_of(session);
    struct srv_reg *reg = reg_of_resource(l, resource);
    struct srv_reg_query q;
    char objects[SRV_OBJECTS_MAX];
    bool valid;
    if (!reg) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_NOT_FOUND);
        return;
    }
    payload_objects(request, objects, sizeof objects, &valid);
    if (srv_regq_parse(query ? (const char *)query->s : NULL, query ? query->length : 0, false,
                       &q) != 0 ||
        !valid) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_BAD_REQUEST);
        return;
    }
    if (session != reg->session) {
        /* the device now talks from another address (NAT rebinding, new DTLS session) */
        srv_lwm2m_drop_session(l, reg->session);
        coap_session_release(reg->session);
        reg->session = coap_session_reference(session);
    }
    reg->last_seen = time(NULL);
    if (q.has_lt)
        reg->lifetime = q.lifetime;
    reg->notify_update = true;

    struct srv_device d;
    load_device(l, reg->endpoint, &d);
    remote_address(session, d.address, sizeof d.address);
    if (q.has_b)
        snprintf(d.binding, sizeof d.binding, "%s", q.binding);
    if (objects[0])
        snprintf(d.objects, sizeof d.objects, "%s", objects);
    d.registered = true;
    d.lifetime = reg->lifetime;
    d.last_seen = reg->last_seen;
    save_device(l, &d);
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CHANGED);
}

static void on_delete(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response)
{
    struct srv_lwm2m *l = lwm2m_of(session);
    struct srv_reg *reg = reg_of_resource(l, resource);
    if (!reg) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_NOT_FOUND);
        return;
    }
    reg->dead = true;
    struct srv_device d;
    load_device(l, reg->endpoint, &d);
    d.registered = false;
    d.last_seen = time(NULL);
    save_device(l, &d);
    fprintf(stderr, "larafw-server: %s de-registered\n", reg->endpoint);
    if (l->cfg.hooks && l->cfg.hooks->deregistered)
        l->cfg.hooks->deregistered(l->cfg.hooks_user, reg->endpoint);
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_DELETED);
}

/* Answer to one of the /3/0/1, /3/0/2, /3/0/3 reads after a registration. */
static void on_info(void *user, uint64_t tag, const struct srv_lwm2m_response *r)
{
    struct srv_lwm2m *l = user;
    struct srv_reg *reg = reg_by_id(l, (unsigned)(tag >> 8));
    if (!reg)
        return;
    unsigned res = (unsigned)(tag & 0xff);
    char value[SRV_TEXT_MAX];
    if (r->code == 205 && srv_lwm2m_value_str(r, (uint16_t)res, value, sizeof value) == 0) {
        struct srv_device d;
        load_device(l, reg->endpoint, &d);
        char *field = res == 1 ? d.product : res == 2 ? d.imei : d.fw_version;
        size_t cap = res == 2 ? sizeof d.imei : SRV_TEXT_MAX;
        snprintf(field, cap, "%s", value);
        save_device(l, &d);
    } else {
        fprintf(stderr, "larafw-server: %s: read /3/0/%u failed (%s)\n", reg->endpoint, res,
                r->code ? "error answer" : "no answer");
    }
    if (reg->info_pending > 0)
        reg->info_pending--;
}

static void free_reg(struct srv_lwm2m *l, struct srv_reg *reg)
{
    bool shared = false;
    for (struct srv_reg *r = l->regs; r; r = r->next)
        if (r != reg && !r->dead && r->session == reg->session)
            shared = true;
    if (!shared)
        srv_lwm2m_drop_session(l, reg->session);
    coap_session_release(reg->session);
    if (reg->resource)
        coap_delete_resource(l->ctx, reg->resource);
    free(reg);
}

void srv_lwm2m_tick(struct srv_lwm2m *l, time_t now)
{
    srv_lwm2m_deliver(l);
    const struct srv_lwm2m_hooks *h = l->cfg.hooks;
    for (struct srv_reg *reg = l->regs; reg; reg = reg->next) {
        if (reg->dead)
            continue;
        if (now > reg->last_seen + reg->lifetime) {
            reg->dead = true;
            struct srv_device d;
            load_device(l, reg->endpoint, &d);
            d.registered = false;
            save_device(l, &d);
            fprintf(stderr, "larafw-server: %s: lifetime expired\n", reg->endpoint);
            if (h && h->deregistered)
                h->deregistered(l->cfg.hooks_user, reg->endpoint);
            continue;
        }
        if (reg->want_info) {
            reg->want_info = false;
            for (unsigned res = 1; res <= 3; res++) {
                char path[16];
                snprintf(path, sizeof path, "/3/0/%u", res);
                if (srv_lwm2m_read(l, reg->endpoint, path, on_info, l, INFO_TAG(reg->id, res)) == 0)
                    reg->info_pending++;
            }
        }
        if (reg->notify_fresh && reg->info_pending == 0) {
            reg->notify_fresh = false;
            reg->notify_update = false;
            if (h && h->registered)
                h->registered(l->cfg.hooks_user, reg->endpoint, true);
        } else if (reg->notify_update && !reg->notify_fresh) {
            reg->notify_update = false;
            if (h && h->registered)
                h->registered(l->cfg.hooks_user, reg->endpoint, false);
        }
    }
    for (struct srv_reg **pp = &l->regs; *pp;) {
        struct srv_reg *reg = *pp;
        if (reg->dead) {
            *pp = reg->next;
            free_reg(l, reg);
        } else {
            pp = &reg->next;
        }
    }
    srv_lwm2m_deliver(l);
}

static const coap_bin_const_t *on_psk_identity(coap_bin_const_t *identity, coap_session_t *session,
                                               void *arg)
{
    struct srv_lwm2m *l = arg;
    const struct srv_psk_entry *e = srv_psk_find(l->cfg.psk, identity->s, identity->length);
    if (!e) {
        fprintf(stderr, "larafw-server: DTLS: unknown PSK identity '%.*s'\n", (int)identity->length,
                (const char *)identity->s);
        return NULL;
    }
    return &l->psk_keys[e - l->cfg.psk->entries];
}

static int setup_psk(struct srv_lwm2m *l)
{
    const struct srv_psk_table *t = l->cfg.psk;
    if (!coap_dtls_is_supported()) {
        fprintf(stderr, "larafw-server: this libcoap has no DTLS support; drop --psk-file\n");
        return SRV_E_ARG;
    }
    l->psk_keys = calloc(t->count ? t->count : 1, sizeof *l->psk_keys);
    if (!l->psk_keys)
        return SRV_E_NOMEM;
    for (size_t i = 0; i < t->count; i++) {
        l->psk_keys[i].s = t->entries[i].key;
        l->psk_keys[i].length = t->entries[i].key_len;
    }
    coap_dtls_spsk_t setup;
    memset(&setup, 0, sizeof setup);
    setup.version = COAP_DTLS_SPSK_SETUP_VERSION;
    setup.validate_id_call_back = on_psk_identity;
    setup.id_call_back_arg = l;
    if (t->count) {
        setup.psk_info.key.s = t->entries[0].key;
        setup.psk_info.key.length = t->entries[0].key_len;
    }
    return coap_context_set_psk2(l->ctx, &setup) ? 0 : SRV_E_ARG;
}

int srv_lwm2m_new(const struct srv_lwm2m_config *cfg, struct srv_lwm2m **out)
{
    struct srv_lwm2m *l = calloc(1, sizeof *l);
    if (!l)
        return SRV_E_NOMEM;
    l->cfg = *cfg;
    l->events_tail = &l->events;
    l->ctx = coap_new_context(NULL);
    if (!l->ctx) {
        free(l);
        return SRV_E_NOMEM;
    }
    coap_set_app_data(l->ctx, l);
    coap_context_set_block_mode(l->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
    coap_register_response_handler(l->ctx, srv_lwm2m_on_response);
    coap_register_nack_handler(l->ctx, srv_lwm2m_on_nack);
    int rc = 0;
    if (cfg->psk)
        rc = setup_psk(l);
    coap_address_t addr;
    coap_address_init(&addr);
    memcpy(&addr.addr, &cfg->coap->ss, cfg->coap->len);
    addr.size = cfg->coap->len;
    if (rc == 0 && !coap_new_endpoint(l->ctx, &addr, cfg->psk ? COAP_PROTO_DTLS : COAP_PROTO_UDP))
        rc = SRV_E_IO;
    if (rc == 0) {
        l->rd = coap_resource_init(coap_make_str_const("rd"), 0);
        if (!l->rd)
            rc = SRV_E_NOMEM;
    }
    if (rc != 0) {
        coap_free_context(l->ctx);
        free(l->psk_keys);
        free(l);
        return rc;
    }
    coap_register_handler(l->rd, COAP_REQUEST_POST, on_register);
    coap_add_resource(l->ctx, l->rd);
    *out = l;
    return 0;
}

void srv_lwm2m_free(struct srv_lwm2m *l)
{
    if (!l)
        return;
    while (l->regs) {
        struct srv_reg *reg = l->regs;
        l->regs = reg->next;
        coap_session_release(reg->session);
        free(reg); /* resources go with the context */
    }
    srv_lwm2m_req_free(l);
    coap_free_context(l->ctx);
    free(l->psk_keys);
    free(l);
}
