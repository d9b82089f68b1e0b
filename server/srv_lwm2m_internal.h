/* Private to srv_lwm2m.c (registration interface) and srv_lwm2m_req.c (requests to
 * devices). */
#ifndef LARAFW_SRV_LWM2M_INTERNAL_H
#define LARAFW_SRV_LWM2M_INTERNAL_H

#include <coap3/coap.h>

#include "srv_lwm2m.h"

/* CoAP content formats of LwM2M payloads (OMA-TS-LightweightM2M-V1_0 §6.4). */
#define SRV_CF_TEXT   0     /* text/plain */
#define SRV_CF_OPAQUE 42    /* application/octet-stream */
#define SRV_CF_LINK   40    /* application/link-format */
#define SRV_CF_TLV    11542 /* application/vnd.oma.lwm2m+tlv (src/lwm2m/lwm2m_tlv.h) */
#define SRV_CF_JSON   11543 /* application/vnd.oma.lwm2m+json */

/* One live registration. */
struct srv_reg {
    struct srv_reg *next;
    unsigned id;               /* Location-Path rd/<id> */
    coap_session_t *session;   /* referenced: requests to the device go out on it */
    coap_resource_t *resource; /* "rd/<id>": update and de-registration */
    char endpoint[SRV_EP_MAX];
    time_t last_seen;
    long lifetime;
    int info_pending;   /* /3/0/x reads outstanding */
    bool want_info;     /* send the /3/0/x reads at the next tick */
    bool notify_fresh;  /* call hooks->registered(fresh) once the reads are done */
    bool notify_update; /* call hooks->registered(update) at the next tick */
    bool dead;          /* de-registered, expired or replaced: free at the next tick */
};

/* One request waiting for its answer, or one observation. */
struct srv_pending {
    struct srv_pending *next;
    coap_session_t *session;
    uint8_t token[8];
    size_t toklen;
    bool observe;
    bool answered;
    srv_lwm2m_cb cb;
    void *user;
    uint64_t tag;
};

/* An answer copied out of libcoap's handler, delivered at the next tick. */
struct srv_event {
    struct srv_event *next;
    srv_lwm2m_cb cb;
    void *user;
    uint64_t tag;
    struct srv_lwm2m_response r;
    uint8_t payload[]; /* r.payload points here */
};

struct srv_lwm2m {
    struct srv_lwm2m_config cfg;
    coap_context_t *ctx;
    coap_resource_t *rd;
    struct srv_reg *regs;
    struct srv_pending *pending;
    struct srv_event *events, **events_tail;
    coap_bin_const_t *psk_keys; /* one per cfg.psk entry, for libcoap's callback */
    unsigned next_id;
};

/* The live registration of `endpoint`, NULL when none. */
struct srv_reg *srv_lwm2m_find_reg(struct srv_lwm2m *l, const char *endpoint);
/* libcoap handlers (installed by srv_lwm2m_new). */
coap_response_t srv_lwm2m_on_response(coap_session_t *session, const coap_pdu_t *sent,
                                      const coap_pdu_t *received, const coap_mid_t mid);
void srv_lwm2m_on_nack(coap_session_t *session, const coap_pdu_t *sent,
                       const coap_nack_reason_t reason, const coap_mid_t mid);
/* Drops every pending request on `session` without calling back. */
void srv_lwm2m_drop_session(struct srv_lwm2m *l, coap_session_t *session);
/* Calls back the queued answers. */
void srv_lwm2m_deliver(struct srv_lwm2m *l);
/* Frees pending requests and undelivered answers. */
void srv_lwm2m_req_free(struct srv_lwm2m *l);

#endif
