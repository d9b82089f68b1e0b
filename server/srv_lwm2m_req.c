/* Device management requests (Read, Write, Execute, Observe) to registered devices, and the
 * answers coming back (srv_lwm2m.h). Answers are copied and delivered from the tick, never
 * from inside libcoap's handlers. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m_tlv.h"
#include "srv_lwm2m_internal.h"

/* An LWM2M_TLV_E… code as the SRV_E… code of the same meaning. */
static int srv_from_tlv(long rc)
{
    switch (rc) {
    case LWM2M_TLV_OK:
        return SRV_OK;
    case LWM2M_TLV_E_NOSPACE:
        return SRV_E_NOSPACE;
    case LWM2M_TLV_E_NOTFOUND:
        return SRV_E_NOTFOUND;
    case LWM2M_TLV_E_ARG:
        return SRV_E_ARG;
    default:
        return SRV_E_PARSE;
    }
}

static struct srv_lwm2m *lwm2m_of(const coap_session_t *session)
{
    return coap_get_app_data(coap_session_get_context(session));
}

static struct srv_pending *find_pending(struct srv_lwm2m *l, const coap_session_t *session,
                                        coap_bin_const_t token, struct srv_pending ***link)
{
    for (struct srv_pending **pp = &l->pending; *pp; pp = &(*pp)->next) {
        struct srv_pending *p = *pp;
        if (p->session == session && p->toklen == token.length &&
            memcmp(p->token, token.s, token.length) == 0) {
            if (link)
                *link = pp;
            return p;
        }
    }
    return NULL;
}

static void queue_event(struct srv_lwm2m *l, const struct srv_pending *p,
                        const struct srv_lwm2m_response *r)
{
    struct srv_event *e = calloc(1, sizeof *e + r->len + 1);
    if (!e) {
        fprintf(stderr, "larafw-server: out of memory: an answer from a device is lost\n");
        return;
    }
    e->cb = p->cb;
    e->user = p->user;
    e->tag = p->tag;
    e->r = *r;
    if (r->len)
        memcpy(e->payload, r->payload, r->len);
    e->r.payload = e->payload;
    *l->events_tail = e;
    l->events_tail = &e->next;
}

coap_response_t srv_lwm2m_on_response(coap_session_t *session, const coap_pdu_t *sent,
                                      const coap_pdu_t *received, const coap_mid_t mid)
{
    struct srv_lwm2m *l = lwm2m_of(session);
    coap_opt_iterator_t it;
    bool has_observe = coap_check_option(received, COAP_OPTION_OBSERVE, &it) != NULL;
    struct srv_pending **link = NULL;
    struct srv_pending *p = find_pending(l, session, coap_pdu_get_token(received), &link);
    if (!p)
        return has_observe ? COAP_RESPONSE_FAIL : COAP_RESPONSE_OK; /* RST ends it */

    coap_pdu_code_t code = coap_pdu_get_code(received);
    struct srv_lwm2m_response r = {
        .code = (int)(COAP_RESPONSE_CLASS(code) * 100 + (code & 0x1f)),
        .content_format = -1,
        .notification = p->observe && p->answered,
    };
    coap_opt_t *cf = coap_check_option(received, COAP_OPTION_CONTENT_FORMAT, &it);
    if (cf)
        r.content_format = (int)coap_decode_var_bytes(coap_opt_value(cf), coap_opt_length(cf));
    size_t len = 0, offset = 0, total = 0;
    const uint8_t *data = NULL;
    if (coap_get_data_large(received, &len, &data, &offset, &total)) {
        r.payload = data;
        r.len = len;
    }
    coap_opt_t *b2 = coap_check_option(received, COAP_OPTION_BLOCK2, &it);
    if (b2 && (coap_decode_var_bytes(coap_opt_value(b2), coap_opt_length(b2)) & 8)) {
        /* a value that needs more than one block: the server reads single resources and
         * reassembles nothing a device sends (docs/server.md "Security model") */
        fprintf(stderr, "larafw-server: an answer from a device needs Block2; not taken\n");
        r.code = 0;
        r.payload = NULL;
        r.len = 0;
    }
    queue_event(l, p, &r);
    p->answered = true;
    bool keep = p->observe && has_observe && r.code / 100 == 2;
    if (!keep) {
        *link = p->next;
        free(p);
    }
    return COAP_RESPONSE_OK;
}

void srv_lwm2m_on_nack(coap_session_t *session, const coap_pdu_t *sent,
                       const coap_nack_reason_t reason, const coap_mid_t mid)
{
    if (!sent)
        return;
    struct srv_lwm2m *l = lwm2m_of(session);
    struct srv_pending **link = NULL;
    struct srv_pending *p = find_pending(l, session, coap_pdu_get_token(sent), &link);
    if (!p)
        return;
    struct srv_lwm2m_response r = {.code = 0, .content_format = -1};
    queue_event(l, p, &r);
    *link = p->next;
    free(p);
}

void srv_lwm2m_drop_session(struct srv_lwm2m *l, coap_session_t *session)
{
    for (struct srv_pending **pp = &l->pending; *pp;) {
        struct srv_pending *p = *pp;
        if (p->session == session) {
            *pp = p->next;
            free(p);
        } else {
            pp = &p->next;
        }
    }
}

void srv_lwm2m_forget(struct srv_lwm2m *l, void *user, uint64_t tag)
{
    for (struct srv_pending **pp = &l->pending; *pp;) {
        struct srv_pending *p = *pp;
        if (p->user == user && p->tag == tag) {
            *pp = p->next;
            free(p);
        } else {
            pp = &p->next;
        }
    }
    for (struct srv_event *e = l->events; e; e = e->next)
        if (e->user == user && e->tag == tag)
            e->cb = NULL;
}

void srv_lwm2m_deliver(struct srv_lwm2m *l)
{
    while (l->events) {
        struct srv_event *e = l->events;
        l->events = e->next;
        if (!l->events)
            l->events_tail = &l->events;
        if (e->cb)
            e->cb(e->user, e->tag, &e->r);
        free(e);
    }
}

void srv_lwm2m_req_free(struct srv_lwm2m *l)
{
    while (l->pending) {
        struct srv_pending *p = l->pending;
        l->pending = p->next;
        free(p);
    }
    while (l->events) {
        struct srv_event *e = l->events;
        l->events = e->next;
        free(e);
    }
    l->events_tail = &l->events;
}

/* Builds and sends one CON request; registers the pending answer. */
static int send_request(struct srv_lwm2m *l, const char *endpoint, coap_pdu_code_t method,
                        const char *path, bool observe, int content_format, const uint8_t *body,
                        size_t body_len, srv_lwm2m_cb cb, void *user, uint64_t tag)
{
    struct srv_reg *reg = srv_lwm2m_find_reg(l, endpoint);
    if (!reg)
        return SRV_E_NOTFOUND;
    if (!path || path[0] != '/' || strlen(path) > 64)
        return SRV_E_ARG;
    coap_session_t *s = reg->session;
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, method, coap_new_message_id(s),
                                    coap_session_max_pdu_size(s));
    if (!pdu)
        return SRV_E_NOMEM;
    struct srv_pending *p = calloc(1, sizeof *p);
    if (!p) {
        coap_delete_pdu(pdu);
        return SRV_E_NOMEM;
    }
    coap_session_new_token(s, &p->toklen, p->token);
    coap_add_token(pdu, p->toklen, p->token);

    coap_optlist_t *opts = NULL;
    uint8_t buf[4];
    if (observe)
        coap_insert_optlist(
            &opts,
            coap_new_optlist(COAP_OPTION_OBSERVE,
                             coap_encode_var_safe(buf, sizeof buf, COAP_OBSERVE_ESTABLISH), buf));
    const char *seg = path + 1;
    while (*seg) {
        const char *slash = strchr(seg, '/');
        size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
        if (n == 0)
            break;
        coap_insert_optlist(&opts, coap_new_optlist(COAP_OPTION_URI_PATH, n, (const uint8_t *)seg));
        seg += n + (slash ? 1 : 0);
    }
    if (content_format >= 0)
        coap_insert_optlist(
            &opts,
            coap_new_optlist(COAP_OPTION_CONTENT_FORMAT,
                             coap_encode_var_safe(buf, sizeof buf, (unsigned)content_format), buf));
    int ok = coap_add_optlist_pdu(pdu, &opts);
    coap_delete_optlist(opts);
    if (ok && body_len)
        ok = coap_add_data(pdu, body_len, body); /* one datagram: no Block1 to devices */
    if (!ok) {
        coap_delete_pdu(pdu);
        free(p);
        return SRV_E_NOMEM;
    }
    p->session = s;
    p->observe = observe;
    p->cb = cb;
    p->user = user;
    p->tag = tag;
    p->next = l->pending;
    l->pending = p;
    if (coap_send(s, pdu) == COAP_INVALID_MID) {
        l->pending = p->next;
        free(p);
        return SRV_E_IO;
    }
    return 0;
}

int srv_lwm2m_read(struct srv_lwm2m *l, const char *endpoint, const char *path, srv_lwm2m_cb cb,
                   void *user, uint64_t tag)
{
    return send_request(l, endpoint, COAP_REQUEST_CODE_GET, path, false, -1, NULL, 0, cb, user,
                        tag);
}

int srv_lwm2m_observe(struct srv_lwm2m *l, const char *endpoint, const char *path, srv_lwm2m_cb cb,
                      void *user, uint64_t tag)
{
    return send_request(l, endpoint, COAP_REQUEST_CODE_GET, path, true, -1, NULL, 0, cb, user, tag);
}

int srv_lwm2m_write_str(struct srv_lwm2m *l, const char *endpoint, const char *path,
                        const char *value, srv_lwm2m_cb cb, void *user, uint64_t tag)
{
    size_t vlen = strlen(value);
    if (l->cfg.write_format == SRV_WRITE_TEXT)
        return send_request(l, endpoint, COAP_REQUEST_CODE_PUT, path, false, SRV_CF_TEXT,
                            (const uint8_t *)value, vlen, cb, user, tag);
    const char *last = strrchr(path, '/');
    char *end;
    long res = last ? strtol(last + 1, &end, 10) : -1;
    if (!last || *end != '\0' || res < 0 || res > 65535)
        return SRV_E_ARG;
    uint8_t *tlv = malloc(vlen + 8);
    if (!tlv)
        return SRV_E_NOMEM;
    long n = lwm2m_tlv_put(tlv, vlen + 8, LWM2M_TLV_RESOURCE, (uint16_t)res, value, vlen);
    int rc = n < 0 ? srv_from_tlv(n)
                   : send_request(l, endpoint, COAP_REQUEST_CODE_PUT, path, false, SRV_CF_TLV, tlv,
                                  (size_t)n, cb, user, tag);
    free(tlv);
    return rc;
}

int srv_lwm2m_execute(struct srv_lwm2m *l, const char *endpoint, const char *path, srv_lwm2m_cb cb,
                      void *user, uint64_t tag)
{
    return send_request(l, endpoint, COAP_REQUEST_CODE_POST, path, false, -1, NULL, 0, cb, user,
                        tag);
}

int srv_lwm2m_value_str(const struct srv_lwm2m_response *r, uint16_t res_id, char *out, size_t cap)
{
    if (r->content_format == SRV_CF_TLV) {
        struct lwm2m_tlv t;
        int rc = lwm2m_tlv_find(r->payload, r->len, res_id, &t);
        if (rc == 0)
            rc = lwm2m_tlv_str(&t, out, cap);
        return rc == LWM2M_TLV_E_NOTFOUND ? SRV_E_PARSE : srv_from_tlv(rc);
    }
    if (r->content_format != -1 && r->content_format != SRV_CF_TEXT &&
        r->content_format != SRV_CF_OPAQUE)
        return SRV_E_PARSE;
    if (r->len + 1 > cap)
        return SRV_E_NOSPACE;
    if (r->len && memchr(r->payload, '\0', r->len))
        return SRV_E_PARSE;
    if (r->len)
        memcpy(out, r->payload, r->len);
    out[r->len] = '\0';
    return 0;
}

int srv_lwm2m_value_int(const struct srv_lwm2m_response *r, uint16_t res_id, int64_t *out)
{
    if (r->content_format == SRV_CF_TLV) {
        struct lwm2m_tlv t;
        int rc = lwm2m_tlv_find(r->payload, r->len, res_id, &t);
        return rc != 0 ? SRV_E_PARSE : srv_from_tlv(lwm2m_tlv_int(&t, out));
    }
    char text[24];
    if (srv_lwm2m_value_str(r, res_id, text, sizeof text) != 0 || text[0] == '\0')
        return SRV_E_PARSE;
    char *end;
    long long v = strtoll(text, &end, 10);
    if (*end != '\0')
        return SRV_E_PARSE;
    *out = v;
    return 0;
}
