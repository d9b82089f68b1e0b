/* LwM2M 1.0 registration interface (OMA-TS-LightweightM2M-V1_0 §5.3, §8.2.3) and what the
 * server refuses there (docs/server.md "Security model"):
 *
 *   POST /rd?ep=…        → 2.01 Location-Path rd/<id>, id = 64 random bits (libsodium)
 *   POST /rd/<id>        → 2.04 (update)          DELETE /rd/<id> → 2.02 (de-register)
 *
 *   - DTLS-PSK: the session's identity must own the endpoint (srv_psk_may_use) to register
 *     it, and must be the identity that registered it to update or de-register → 4.03;
 *   - NoSec: registrations per source address are rate limited → 5.03 + Max-Age;
 *   - more live registrations than --max-devices → 5.03; lifetimes cut to --max-lifetime;
 *   - Block1 bodies (RFC 7959) are reassembled here, capped (srv_block1.h) → 4.13.
 *
 * Registration ids are not libcoap resources: one "unknown resource" handler serves every
 * /rd/<id>, so .well-known/core never lists them. */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_link.h"
#include "srv_lwm2m_internal.h"
#include "srv_regq.h"

static struct srv_lwm2m *lwm2m_of(const coap_session_t *session)
{
    return coap_get_app_data(coap_session_get_context(session));
}

const struct srv_psk_entry *srv_lwm2m_session_psk(const coap_session_t *session)
{
    return coap_session_get_app_data(session);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void remote_text(const coap_session_t *session, char *out, size_t cap)
{
    const coap_address_t *a = coap_session_get_addr_remote(session);
    if (a)
        srv_addr_format(&a->addr.sa, out, cap);
    else
        snprintf(out, cap, "?");
}

static void set_code(coap_pdu_t *response, int code)
{
    coap_pdu_set_code(response, (coap_pdu_code_t)COAP_RESPONSE_CODE(code));
}

static void add_uint_option(coap_pdu_t *pdu, uint16_t number, unsigned value)
{
    uint8_t buf[4];
    coap_add_option(pdu, number, coap_encode_var_safe(buf, sizeof buf, value), buf);
}

/* 5.03 Service Unavailable with Max-Age: come back later (RFC 7252 §5.9.3.4). */
static void unavailable(coap_pdu_t *response, unsigned retry_s)
{
    set_code(response, 503);
    add_uint_option(response, COAP_OPTION_MAXAGE, retry_s);
}

static unsigned option_uint(const coap_pdu_t *pdu, uint16_t number, bool *present)
{
    coap_opt_iterator_t it;
    coap_opt_t *o = coap_check_option(pdu, number, &it);
    if (present)
        *present = o != NULL;
    return o ? coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o)) : 0;
}

/* The request body, whole: either the payload of a request without Block1, or a body
 * reassembled from its blocks. Returns true with *body (free() it) when the body is
 * complete; false when `response` already says what to do (2.31 Continue, 4.13, 4.08…).
 * *block1 is the Block1 option value to echo in the final answer, or -1. */
static bool request_body(struct srv_lwm2m *l, const coap_session_t *session,
                         const coap_pdu_t *request, const char *path, coap_pdu_t *response,
                         uint8_t **body, size_t *len, long *block1)
{
    size_t dlen = 0, offset = 0, total = 0;
    const uint8_t *data = NULL;
    if (!coap_get_data_large(request, &dlen, &data, &offset, &total))
        dlen = 0;
    bool has_block;
    unsigned opt = option_uint(request, COAP_OPTION_BLOCK1, &has_block);
    struct srv_block1_in in = {.data = data, .len = dlen};
    if (has_block) {
        in.num = opt >> 4;
        in.more = (opt >> 3) & 1;
        in.szx = opt & 7;
        in.size1 = option_uint(request, COAP_OPTION_SIZE1, NULL);
    }
    *block1 = has_block ? (long)(opt & ~(unsigned)8) : -1;
    if (!has_block && dlen > l->cfg.max_body) {
        set_code(response, 413);
        add_uint_option(response, COAP_OPTION_SIZE1, (unsigned)l->cfg.max_body);
        return false;
    }
    if (!has_block) {
        *body = malloc(dlen + 1);
        if (!*body) {
            set_code(response, 500);
            return false;
        }
        if (dlen)
            memcpy(*body, data, dlen);
        (*body)[dlen] = '\0';
        *len = dlen;
        return true;
    }
    /* the body's key: who sends it, to which resource, with which Request-Tag (RFC 9175) */
    uint8_t key[SRV_BLOCK1_KEY_MAX];
    size_t klen = 0;
    const coap_address_t *a = coap_session_get_addr_remote(session);
    if (a && a->size <= 64) {
        memcpy(key, &a->addr, a->size);
        klen = a->size;
    }
    size_t plen = strlen(path);
    memcpy(key + klen, path, plen);
    klen += plen;
    coap_opt_iterator_t it;
    coap_opt_t *rtag = coap_check_option(request, COAP_OPTION_RTAG, &it);
    if (rtag && coap_opt_length(rtag) <= 8) {
        key[klen++] = '#';
        memcpy(key + klen, coap_opt_value(rtag), coap_opt_length(rtag));
        klen += coap_opt_length(rtag);
    }
    int rc = srv_block1_feed(l->block1, key, klen, &in, time(NULL), body, len);
    switch (rc) {
    case SRV_BLOCK1_DONE:
        return true;
    case SRV_BLOCK1_CONTINUE:
        set_code(response, 231);
        add_uint_option(response, COAP_OPTION_BLOCK1, opt); /* num, M=1, szx echoed */
        return false;
    case SRV_BLOCK1_TOO_LARGE: {
        char who[80];
        remote_text(session, who, sizeof who);
        fprintf(stderr, "larafw-server: %s: request body to /%s over %zu bytes refused (4.13)\n",
                who, path, l->cfg.max_body);
        set_code(response, 413);
        add_uint_option(response, COAP_OPTION_SIZE1, (unsigned)l->cfg.max_body);
        return false;
    }
    case SRV_BLOCK1_INCOMPLETE:
        set_code(response, 408);
        return false;
    case SRV_BLOCK1_BAD:
        set_code(response, 400);
        return false;
    default:
        set_code(response, 500);
        return false;
    }
}

static void add_final_block1(coap_pdu_t *response, long block1)
{
    if (block1 >= 0)
        add_uint_option(response, COAP_OPTION_BLOCK1, (unsigned)block1);
}

/* True when the payload is empty or link format. */
static bool objects_ok(const uint8_t *body, size_t len)
{
    struct srv_link links[1];
    size_t count;
    return len == 0 || srv_link_parse((const char *)body, len, links, 0, &count) == 0;
}

static void query_of(const coap_string_t *query, const char **q, size_t *len)
{
    *q = query ? (const char *)query->s : NULL;
    *len = query ? query->length : 0;
}

/* DTLS: may this session's identity register `endpoint`? Logs the refusal. */
static bool identity_may_register(struct srv_lwm2m *l, const coap_session_t *session,
                                  const char *endpoint)
{
    if (!l->cfg.psk)
        return true;
    const struct srv_psk_entry *e = srv_lwm2m_session_psk(session);
    if (e && srv_psk_may_use(e, endpoint))
        return true;
    fprintf(stderr,
            "larafw-server: PSK identity '%s' may not register endpoint '%s' (4.03); the "
            "credentials file binds it to '%s'\n",
            e ? e->identity : "?", endpoint, e ? e->endpoint : "?");
    return false;
}

/* DTLS: is this session's identity the one that registered `reg`? */
static bool identity_owns(struct srv_lwm2m *l, const coap_session_t *session,
                          const struct srv_reg *reg, const char *what)
{
    if (!l->cfg.psk)
        return true;
    const struct srv_psk_entry *e = srv_lwm2m_session_psk(session);
    if (e && strcmp(e->identity, reg->identity) == 0)
        return true;
    fprintf(stderr, "larafw-server: PSK identity '%s' tried to %s the registration of %s (4.03)\n",
            e ? e->identity : "?", what, reg->endpoint);
    return false;
}

/* A rate-limit token for a NoSec registration from this address (the port is not part of
 * it: a NAT gives every module its own port). */
static bool rate_allows(struct srv_lwm2m *l, const coap_session_t *session)
{
    if (l->cfg.psk || !l->limit)
        return true;
    const coap_address_t *a = coap_session_get_addr_remote(session);
    if (!a)
        return true;
    const void *ip = &a->addr.sin.sin_addr;
    size_t len = sizeof a->addr.sin.sin_addr;
    if (a->addr.sa.sa_family == AF_INET6) {
        ip = &a->addr.sin6.sin6_addr;
        len = sizeof a->addr.sin6.sin6_addr;
    }
    return srv_ratelimit_take(l->limit, ip, len, now_ms());
}

static void new_reg_id(char out[SRV_REG_ID_LEN + 1])
{
    uint8_t raw[SRV_REG_ID_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, SRV_REG_ID_LEN + 1, raw, sizeof raw);
}

static void on_register(coap_resource_t *resource, coap_session_t *session,
                        const coap_pdu_t *request, const coap_string_t *query, coap_pdu_t *response)
{
    (void)resource;
    struct srv_lwm2m *l = lwm2m_of(session);
    struct srv_reg_query q;
    const char *qs;
    size_t qlen;
    query_of(query, &qs, &qlen);
    if (!query || srv_regq_parse(qs, qlen, true, &q) != 0) {
        set_code(response, 400);
        return;
    }
    if (!identity_may_register(l, session, q.ep)) {
        set_code(response, 403);
        return;
    }
    unsigned block_opt = option_uint(request, COAP_OPTION_BLOCK1, NULL);
    if ((block_opt >> 4) == 0 && !rate_allows(l, session)) {
        unavailable(response, 1);
        return;
    }
    uint8_t *body = NULL;
    size_t len = 0;
    long block1;
    if (!request_body(l, session, request, "rd", response, &body, &len, &block1))
        return;
    if (len == 0 || !objects_ok(body, len)) {
        free(body);
        set_code(response, 400);
        return;
    }
    struct srv_reg *old = srv_lwm2m_find_reg(l, q.ep);
    if (!old && l->reg_count >= l->cfg.max_devices) {
        free(body);
        if (!l->full_logged)
            fprintf(stderr,
                    "larafw-server: %zu devices registered (--max-devices): new registrations "
                    "get 5.03 until some leave\n",
                    l->reg_count);
        l->full_logged = true;
        unavailable(response, 60);
        return;
    }
    struct srv_reg *reg = calloc(1, sizeof *reg);
    if (!reg) {
        free(body);
        set_code(response, 500);
        return;
    }
    if (old) {
        /* a new registration replaces the old one (freed at the tick); the device rebooted,
         * so its observations and answers in flight are gone too */
        old->dead = true;
        l->reg_count--;
        srv_lwm2m_drop_session(l, old->session);
    }
    do
        new_reg_id(reg->id);
    while (srv_lwm2m_find_id(l, reg->id));
    reg->serial = ++l->next_serial;
    reg->session = coap_session_reference(session);
    snprintf(reg->endpoint, sizeof reg->endpoint, "%s", q.ep);
    const struct srv_psk_entry *e = l->cfg.psk ? srv_lwm2m_session_psk(session) : NULL;
    snprintf(reg->identity, sizeof reg->identity, "%s", e ? e->identity : "");
    if (q.lifetime > l->cfg.max_lifetime) {
        fprintf(stderr, "larafw-server: %s asked for a lifetime of %ld s; it gets %ld s\n", q.ep,
                q.lifetime, l->cfg.max_lifetime);
        q.lifetime = l->cfg.max_lifetime;
    }
    reg->last_seen = time(NULL);
    reg->lifetime = q.lifetime;
    reg->want_info = true;
    reg->notify_fresh = true;
    if (srv_lwm2m_add_reg(l, reg) != 0) {
        coap_session_release(reg->session);
        free(reg);
        free(body);
        set_code(response, 500);
        return;
    }
    l->reg_count++;
    srv_lwm2m_device_registered(l, reg, session, &q, (const char *)body, true);
    free(body);

    coap_add_option(response, COAP_OPTION_LOCATION_PATH, 2, (const uint8_t *)"rd");
    coap_add_option(response, COAP_OPTION_LOCATION_PATH, SRV_REG_ID_LEN, (const uint8_t *)reg->id);
    add_final_block1(response, block1);
    set_code(response, 201);
}

/* "rd/<id>" from the Uri-Path options; false for any other path. */
static bool reg_path(const coap_pdu_t *request, char id[SRV_REG_ID_LEN + 1])
{
    coap_opt_iterator_t it;
    coap_opt_filter_t f;
    coap_option_filter_clear(&f);
    coap_option_filter_set(&f, COAP_OPTION_URI_PATH);
    coap_option_iterator_init(request, &it, &f);
    coap_opt_t *o;
    int n = 0;
    bool ok = true;
    while ((o = coap_option_next(&it))) {
        size_t len = coap_opt_length(o);
        const uint8_t *v = coap_opt_value(o);
        if (n == 0)
            ok = ok && len == 2 && memcmp(v, "rd", 2) == 0;
        else if (n == 1 && len == SRV_REG_ID_LEN) {
            memcpy(id, v, len);
            id[len] = '\0';
        } else
            ok = false;
        n++;
    }
    return ok && n == 2;
}

static void on_update(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response)
{
    (void)resource;
    struct srv_lwm2m *l = lwm2m_of(session);
    char id[SRV_REG_ID_LEN + 1];
    struct srv_reg *reg = reg_path(request, id) ? srv_lwm2m_find_id(l, id) : NULL;
    if (!reg) {
        set_code(response, 404);
        return;
    }
    if (!identity_owns(l, session, reg, "update")) {
        set_code(response, 403);
        return;
    }
    struct srv_reg_query q;
    const char *qs;
    size_t qlen;
    query_of(query, &qs, &qlen);
    if (srv_regq_parse(qs, qlen, false, &q) != 0) {
        set_code(response, 400);
        return;
    }
    uint8_t *body = NULL;
    size_t len = 0;
    long block1;
    char path[8 + SRV_REG_ID_LEN];
    snprintf(path, sizeof path, "rd/%s", id);
    if (!request_body(l, session, request, path, response, &body, &len, &block1))
        return;
    if (!objects_ok(body, len)) {
        free(body);
        set_code(response, 400);
        return;
    }
    if (session != reg->session) {
        /* The device talks from another address (NAT rebinding, a new DTLS session). With
         * DTLS its identity was checked above; in NoSec mode knowing the 64-bit id is what
         * proves it is the device (docs/server.md "Security model"). */
        char before[80], after[80];
        remote_text(reg->session, before, sizeof before);
        remote_text(session, after, sizeof after);
        fprintf(stderr, "larafw-server: %s moved from %s to %s (registration update)\n",
                reg->endpoint, before, after);
        srv_lwm2m_drop_session(l, reg->session);
        coap_session_release(reg->session);
        reg->session = coap_session_reference(session);
    }
    reg->last_seen = time(NULL);
    if (q.has_lt)
        reg->lifetime = q.lifetime > l->cfg.max_lifetime ? l->cfg.max_lifetime : q.lifetime;
    reg->notify_update = true;
    srv_lwm2m_device_registered(l, reg, session, &q, (const char *)body, false);
    free(body);
    add_final_block1(response, block1);
    set_code(response, 204);
}

static void on_delete(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response)
{
    (void)resource;
    (void)query;
    struct srv_lwm2m *l = lwm2m_of(session);
    char id[SRV_REG_ID_LEN + 1];
    struct srv_reg *reg = reg_path(request, id) ? srv_lwm2m_find_id(l, id) : NULL;
    if (!reg) {
        set_code(response, 404); /* OMA LwM2M 1.0 §5.3.3 */
        return;
    }
    if (!identity_owns(l, session, reg, "de-register")) {
        set_code(response, 403);
        return;
    }
    srv_lwm2m_end_reg(l, reg, false);
    set_code(response, 202);
}

int srv_lwm2m_reg_setup(struct srv_lwm2m *l)
{
    if (sodium_init() < 0)
        return SRV_E_NOMEM;
    l->rd = coap_resource_init(coap_make_str_const("rd"), 0);
    l->unknown = coap_resource_unknown_init(NULL);
    if (!l->rd || !l->unknown) {
        if (l->rd)
            coap_delete_resource(NULL, l->rd);
        if (l->unknown)
            coap_delete_resource(NULL, l->unknown);
        l->rd = l->unknown = NULL;
        return SRV_E_NOMEM;
    }
    coap_register_handler(l->rd, COAP_REQUEST_POST, on_register);
    coap_add_resource(l->ctx, l->rd);
    coap_register_handler(l->unknown, COAP_REQUEST_POST, on_update);
    coap_register_handler(l->unknown, COAP_REQUEST_DELETE, on_delete);
    coap_add_resource(l->ctx, l->unknown);
    return 0;
}
