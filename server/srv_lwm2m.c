/* LwM2M server over libcoap3 (srv_lwm2m.h): the live registrations (the handlers of the
 * registration interface are in srv_lwm2m_reg.c), the device's identity read after each
 * registration (/3/0/1, /3/0/2 = IMEI, /3/0/3), lifetimes. The session of a registration is
 * kept (referenced) so that every request to the device leaves from the socket the device
 * talks to. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_imei.h"
#include "srv_lwm2m_internal.h"

/* Tags of the reads made after a registration: reg id in the high bits, resource below. */
#define INFO_TAG(reg_id, res) (((uint64_t)(reg_id) << 8) | (uint64_t)(res))

/* FNV-1a of a NUL-terminated string. */
static size_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 16777619u;
    }
    return h;
}

struct srv_reg *srv_lwm2m_find_reg(struct srv_lwm2m *l, const char *endpoint)
{
    if (!l->buckets)
        return NULL;
    for (struct srv_reg *r = l->by_ep[str_hash(endpoint) % l->buckets]; r; r = r->ep_next)
        if (!r->dead && strcmp(r->endpoint, endpoint) == 0)
            return r;
    return NULL;
}

struct srv_reg *srv_lwm2m_find_id(struct srv_lwm2m *l, const char *id)
{
    if (!l->buckets)
        return NULL;
    for (struct srv_reg *r = l->by_id[str_hash(id) % l->buckets]; r; r = r->id_next)
        if (!r->dead && strcmp(r->id, id) == 0)
            return r;
    return NULL;
}

static void index_reg(struct srv_lwm2m *l, struct srv_reg *reg)
{
    size_t e = str_hash(reg->endpoint) % l->buckets, i = str_hash(reg->id) % l->buckets;
    reg->ep_next = l->by_ep[e];
    l->by_ep[e] = reg;
    reg->id_next = l->by_id[i];
    l->by_id[i] = reg;
}

int srv_lwm2m_add_reg(struct srv_lwm2m *l, struct srv_reg *reg)
{
    if (l->indexed + 1 > l->buckets) { /* grow: twice the buckets, everything re-indexed */
        size_t n = l->buckets ? l->buckets * 2 : 256;
        struct srv_reg **ep = calloc(n, sizeof *ep), **id = calloc(n, sizeof *id);
        if (!ep || !id) {
            free(ep);
            free(id);
            return SRV_E_NOMEM;
        }
        free(l->by_ep);
        free(l->by_id);
        l->by_ep = ep;
        l->by_id = id;
        l->buckets = n;
        for (struct srv_reg *r = l->regs; r; r = r->next)
            index_reg(l, r);
    }
    reg->next = l->regs;
    l->regs = reg;
    index_reg(l, reg);
    l->indexed++;
    return 0;
}

static void unindex_reg(struct srv_lwm2m *l, struct srv_reg *reg)
{
    struct srv_reg **pp = &l->by_ep[str_hash(reg->endpoint) % l->buckets];
    while (*pp && *pp != reg)
        pp = &(*pp)->ep_next;
    if (*pp)
        *pp = reg->ep_next;
    pp = &l->by_id[str_hash(reg->id) % l->buckets];
    while (*pp && *pp != reg)
        pp = &(*pp)->id_next;
    if (*pp)
        *pp = reg->id_next;
    l->indexed--;
}

bool srv_lwm2m_is_registered(struct srv_lwm2m *l, const char *endpoint)
{
    return srv_lwm2m_find_reg(l, endpoint) != NULL;
}

coap_context_t *srv_lwm2m_context(struct srv_lwm2m *l)
{
    return l->ctx;
}

static struct srv_reg *reg_by_serial(struct srv_lwm2m *l, uint32_t serial)
{
    for (struct srv_reg *r = l->regs; r; r = r->next)
        if (!r->dead && r->serial == serial)
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

static void remote_address(const coap_session_t *session, char *out, size_t cap)
{
    const coap_address_t *a = coap_session_get_addr_remote(session);
    if (a)
        srv_addr_format(&a->addr.sa, out, cap);
    else
        snprintf(out, cap, "?");
}

void srv_lwm2m_device_registered(struct srv_lwm2m *l, struct srv_reg *reg,
                                 const coap_session_t *session, const struct srv_reg_query *q,
                                 const char *objects, bool fresh)
{
    struct srv_device d;
    load_device(l, reg->endpoint, &d);
    if (fresh) {
        /* what an earlier registration of this endpoint claimed is not this one's claim */
        d.imei[0] = '\0';
        d.imei_conflict = false;
        char imei[SRV_IMEI_LEN + 1];
        if (srv_imei_from_endpoint(reg->endpoint, imei) && srv_imei_valid(imei))
            snprintf(d.imei, sizeof d.imei, "%s", imei);
        snprintf(d.reg_id, sizeof d.reg_id, "%s", reg->id);
        snprintf(d.lwm2m, sizeof d.lwm2m, "%s", q->lwm2m);
        snprintf(d.identity, sizeof d.identity, "%s", reg->identity);
        d.registered_at = reg->last_seen;
    }
    remote_address(session, d.address, sizeof d.address);
    if (fresh || q->has_b)
        snprintf(d.binding, sizeof d.binding, "%s", q->binding);
    if (objects[0])
        snprintf(d.objects, sizeof d.objects, "%s", objects);
    d.registered = true;
    d.lifetime = reg->lifetime;
    d.last_seen = reg->last_seen;
    save_device(l, &d);
    if (fresh) {
        fprintf(stderr, "larafw-server: registered %s as rd/%s from %s (lifetime %ld s%s%s)\n",
                reg->endpoint, reg->id, d.address, reg->lifetime,
                reg->identity[0] ? ", PSK identity " : "", reg->identity);
        if (d.imei[0])
            srv_lwm2m_check_imei(l, reg->endpoint, d.imei);
    }
}

void srv_lwm2m_end_reg(struct srv_lwm2m *l, struct srv_reg *reg, bool expired)
{
    reg->dead = true;
    l->reg_count--;
    if (l->reg_count < l->cfg.max_devices)
        l->full_logged = false;
    if (expired) {
        /* registering and vanishing is the cheap flood: the store forgets the device (jobs
         * keep their own record) */
        int rc = srv_store_device_delete(l->cfg.store, reg->endpoint);
        if (rc != 0 && rc != SRV_E_NOTFOUND)
            fprintf(stderr, "larafw-server: could not remove device %s from the store\n",
                    reg->endpoint);
    } else {
        /* a de-registration proves the id: the device stays in the table, offline */
        struct srv_device d;
        load_device(l, reg->endpoint, &d);
        d.registered = false;
        d.last_seen = time(NULL);
        save_device(l, &d);
    }
    fprintf(stderr, "larafw-server: %s: %s\n", reg->endpoint,
            expired ? "lifetime expired" : "de-registered");
    if (l->cfg.hooks && l->cfg.hooks->deregistered)
        l->cfg.hooks->deregistered(l->cfg.hooks_user, reg->endpoint);
}

size_t srv_lwm2m_count(struct srv_lwm2m *l, size_t *block1_bodies, size_t *block1_bytes)
{
    size_t bytes = 0, bodies = srv_block1_count(l->block1, &bytes);
    if (block1_bodies)
        *block1_bodies = bodies;
    if (block1_bytes)
        *block1_bytes = bytes;
    return l->reg_count;
}

struct imei_claims {
    const char *endpoint;
    size_t others;
    char names[160];
};

static void count_claim(void *user, const struct srv_device *d)
{
    struct imei_claims *c = user;
    if (strcmp(d->endpoint, c->endpoint) == 0)
        return;
    size_t n = strlen(c->names);
    snprintf(c->names + n, sizeof c->names - n, "%s%s", n ? ", " : "", d->endpoint);
    c->others++;
}

static void flag_conflict(void *user, const struct srv_device *d)
{
    struct srv_lwm2m *l = user;
    if (d->imei_conflict)
        return;
    struct srv_device copy = *d;
    copy.imei_conflict = true;
    save_device(l, &copy);
}

void srv_lwm2m_check_imei(struct srv_lwm2m *l, const char *endpoint, const char *imei)
{
    struct imei_claims c = {.endpoint = endpoint};
    if (srv_store_device_imei_list(l->cfg.store, imei, count_claim, &c) != 0 || c.others == 0)
        return;
    /* two registrations claim one IMEI: neither is trusted for update jobs */
    fprintf(stderr,
            "larafw-server: IMEI conflict: %s and %s both claim IMEI %s; neither is trusted "
            "for update jobs until one leaves and the other registers again\n",
            endpoint, c.names, imei);
    if (srv_store_device_imei_list(l->cfg.store, imei, flag_conflict, l) != 0)
        fprintf(stderr, "larafw-server: could not mark the IMEI conflict in the store\n");
}

/* /3/0/2 Serial Number = the IMEI: valid, agreeing with a urn:imei: endpoint and with the
 * IMEI the PSK identity is bound to, unique among registered devices. */
static void settle_imei(struct srv_lwm2m *l, struct srv_reg *reg, struct srv_device *d,
                        const char *reported)
{
    char from_ep[SRV_IMEI_LEN + 1];
    bool ep_imei = srv_imei_from_endpoint(reg->endpoint, from_ep) && srv_imei_valid(from_ep);
    if (ep_imei) {
        if (strcmp(reported, from_ep) != 0) {
            fprintf(stderr,
                    "larafw-server: %s reports IMEI '%s' in /3/0/2; not trusted for update "
                    "jobs\n",
                    reg->endpoint, reported);
            d->imei_conflict = true;
        }
    } else if (srv_imei_valid(reported)) {
        _Static_assert(sizeof d->imei > SRV_IMEI_LEN, "an IMEI fits");
        memcpy(d->imei, reported, SRV_IMEI_LEN + 1); /* valid: 15 digits and the NUL */
    } else {
        fprintf(stderr,
                "larafw-server: %s: /3/0/2 '%s' is not an IMEI (15 digits with a Luhn check "
                "digit); the device has no IMEI\n",
                reg->endpoint, reported);
        d->imei[0] = '\0';
    }
    if (reg->identity[0] && l->cfg.psk) {
        const struct srv_psk_entry *e =
            srv_psk_find(l->cfg.psk, (const uint8_t *)reg->identity, strlen(reg->identity));
        if (e && e->imei[0] && strcmp(e->imei, d->imei) != 0) {
            fprintf(stderr,
                    "larafw-server: %s: PSK identity %s is bound to IMEI %s, the device says "
                    "'%s'; not trusted for update jobs\n",
                    reg->endpoint, reg->identity, e->imei, reported);
            d->imei_conflict = true;
        }
    }
}

/* Answer to one of the /3/0/1, /3/0/2, /3/0/3 reads after a registration. */
static void on_info(void *user, uint64_t tag, const struct srv_lwm2m_response *r)
{
    struct srv_lwm2m *l = user;
    struct srv_reg *reg = reg_by_serial(l, (uint32_t)(tag >> 8));
    if (!reg)
        return;
    unsigned res = (unsigned)(tag & 0xff);
    char value[SRV_TEXT_MAX];
    if (r->code == 205 && srv_lwm2m_value_str(r, (uint16_t)res, value, sizeof value) == 0) {
        struct srv_device d;
        load_device(l, reg->endpoint, &d);
        if (res == 2)
            settle_imei(l, reg, &d, value);
        else
            snprintf(res == 1 ? d.product : d.fw_version, SRV_TEXT_MAX, "%s", value);
        save_device(l, &d);
        if (res == 2 && d.imei[0])
            srv_lwm2m_check_imei(l, reg->endpoint, d.imei);
    } else {
        fprintf(stderr, "larafw-server: %s: read /3/0/%u failed (%s)\n", reg->endpoint, res,
                r->code ? "error answer" : "no answer");
    }
    if (reg->info_pending > 0)
        reg->info_pending--;
}

static void free_reg(struct srv_lwm2m *l, struct srv_reg *reg)
{
    unindex_reg(l, reg);
    bool shared = false;
    for (struct srv_reg *r = l->regs; r; r = r->next)
        if (r != reg && !r->dead && r->session == reg->session)
            shared = true;
    if (!shared)
        srv_lwm2m_drop_session(l, reg->session);
    coap_session_release(reg->session);
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
            srv_lwm2m_end_reg(l, reg, true);
            continue;
        }
        if (reg->want_info) {
            reg->want_info = false;
            for (unsigned res = 1; res <= 3; res++) {
                char path[16];
                snprintf(path, sizeof path, "/3/0/%u", res);
                if (srv_lwm2m_read(l, reg->endpoint, path, on_info, l,
                                   INFO_TAG(reg->serial, res)) == 0)
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
    srv_block1_expire(l->block1, now);
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
        char shown[SRV_PSK_ID_MAX];
        size_t n = identity->length < sizeof shown - 1 ? identity->length : sizeof shown - 1;
        for (size_t i = 0; i < n; i++) /* the peer's bytes: printable only in the log */
            shown[i] = identity->s[i] >= 0x20 && identity->s[i] < 0x7f ? (char)identity->s[i] : '?';
        shown[n] = '\0';
        fprintf(stderr, "larafw-server: DTLS: unknown PSK identity '%s'\n", shown);
        return NULL;
    }
    /* the registration handlers check what this identity may do (srv_lwm2m_session_psk) */
    coap_session_set_app_data(session, (void *)(uintptr_t)e);
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
    if (!l->cfg.max_devices)
        l->cfg.max_devices = SRV_DEFAULT_MAX_DEVICES;
    if (l->cfg.max_lifetime <= 0)
        l->cfg.max_lifetime = SRV_DEFAULT_MAX_LIFETIME;
    if (l->cfg.reg_rate == 0)
        l->cfg.reg_rate = SRV_DEFAULT_REG_RATE;
    if (!l->cfg.max_body)
        l->cfg.max_body = SRV_DEFAULT_MAX_BODY;
    l->events_tail = &l->events;
    struct srv_block1_config bc = {l->cfg.max_body, SRV_BLOCK1_SLOTS, 60};
    l->block1 = srv_block1_new(&bc);
    if (l->cfg.reg_rate > 0) {
        l->limit = malloc(sizeof *l->limit);
        if (l->limit)
            srv_ratelimit_init(l->limit, l->cfg.reg_rate, 0);
    }
    l->ctx = coap_new_context(NULL);
    if (!l->ctx || !l->block1 || (l->cfg.reg_rate > 0 && !l->limit)) {
        if (l->ctx)
            coap_free_context(l->ctx);
        srv_block1_free(l->block1);
        free(l->limit);
        free(l);
        return SRV_E_NOMEM;
    }
    coap_set_app_data(l->ctx, l);
    /* No COAP_BLOCK_USE_LIBCOAP: libcoap's reassembly trusts Size1/Size2 and keeps a body per
     * Request-Tag without bound. Block1 requests are reassembled by srv_block1 (capped); an
     * answer from a device that needs Block2 is refused (srv_lwm2m_req.c). */
    coap_context_set_max_idle_sessions(l->ctx, 4096);
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
    if (rc == 0)
        rc = srv_lwm2m_reg_setup(l);
    if (rc == 0 && srv_store_devices_offline(l->cfg.store) != 0)
        rc = SRV_E_STORE;
    if (rc != 0) {
        coap_free_context(l->ctx);
        srv_block1_free(l->block1);
        free(l->limit);
        free(l->psk_keys);
        free(l);
        return rc;
    }
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
        free(reg);
    }
    srv_lwm2m_req_free(l);
    coap_free_context(l->ctx); /* the resources go with the context */
    srv_block1_free(l->block1);
    free(l->limit);
    free(l->by_ep);
    free(l->by_id);
    free(l->psk_keys);
    free(l);
}
