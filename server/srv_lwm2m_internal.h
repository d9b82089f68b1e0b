/* Private to srv_lwm2m.c (registration interface) and srv_lwm2m_req.c (requests to
 * devices). */
#ifndef LARAFW_SRV_LWM2M_INTERNAL_H
#define LARAFW_SRV_LWM2M_INTERNAL_H

#include <coap3/coap.h>

#include "srv_block1.h"
#include "srv_lwm2m.h"
#include "srv_ratelimit.h"

/* CoAP content formats of LwM2M payloads (OMA-TS-LightweightM2M-V1_0 §6.4). */
#define SRV_CF_TEXT   0     /* text/plain */
#define SRV_CF_OPAQUE 42    /* application/octet-stream */
#define SRV_CF_LINK   40    /* application/link-format */
#define SRV_CF_TLV    11542 /* application/vnd.oma.lwm2m+tlv (src/lwm2m/lwm2m_tlv.h) */
#define SRV_CF_JSON   11543 /* application/vnd.oma.lwm2m+json */

#define SRV_REG_ID_LEN 16 /* hex digits of a registration id: 64 random bits */

/* One live registration. */
struct srv_reg {
    struct srv_reg *next;
    struct srv_reg *ep_next, *id_next; /* chains of the two hash indexes */
    uint32_t serial;                   /* tags of the /3/0 reads after the registration */
    char id[SRV_REG_ID_LEN + 1];       /* Location-Path rd/<id>, unguessable, never listed */
    coap_session_t *session;           /* referenced: requests to the device go out on it */
    char endpoint[SRV_EP_MAX];
    char identity[SRV_IDENTITY_MAX]; /* DTLS-PSK identity that registered it; "" NoSec */
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
    coap_resource_t *rd;      /* POST /rd */
    coap_resource_t *unknown; /* POST, DELETE /rd/<id>: ids are never resources of their own */
    struct srv_reg *regs;
    size_t reg_count; /* live registrations (not dead) */
    /* indexes of the registrations (live and dead until freed) by endpoint and by id: a
     * packet costs the same whatever the number of devices */
    struct srv_reg **by_ep, **by_id;
    size_t buckets, indexed;
    struct srv_pending *pending;
    struct srv_event *events, **events_tail;
    coap_bin_const_t *psk_keys; /* one per cfg.psk entry, for libcoap's callback */
    uint32_t next_serial;
    struct srv_block1 *block1;   /* Block1 bodies being reassembled (capped) */
    struct srv_ratelimit *limit; /* NoSec registrations per source address */
    bool full_logged;            /* "--max-devices reached" said once per episode */
};

/* The live registration of `endpoint`, NULL when none. */
struct srv_reg *srv_lwm2m_find_reg(struct srv_lwm2m *l, const char *endpoint);
/* The live registration with location rd/<id>, NULL when none. */
struct srv_reg *srv_lwm2m_find_id(struct srv_lwm2m *l, const char *id);
/* Adds a new registration to the list and the indexes. Returns 0 or SRV_E_NOMEM. */
int srv_lwm2m_add_reg(struct srv_lwm2m *l, struct srv_reg *reg);
/* Registration interface (srv_lwm2m_reg.c): installs the handlers of /rd and /rd/<id>.
 * Returns 0 or SRV_E_NOMEM. */
int srv_lwm2m_reg_setup(struct srv_lwm2m *l);
/* Stores the device's state after a registration or an update, logs it. */
void srv_lwm2m_device_registered(struct srv_lwm2m *l, struct srv_reg *reg,
                                 const coap_session_t *session, const struct srv_reg_query *q,
                                 const char *objects, bool fresh);
/* Flags every registered device claiming `imei` when another endpoint than `endpoint`
 * claims it too (logged). */
void srv_lwm2m_check_imei(struct srv_lwm2m *l, const char *endpoint, const char *imei);
/* Ends a registration: a de-registered device stays in the store, offline; an expired one is
 * removed from it. */
void srv_lwm2m_end_reg(struct srv_lwm2m *l, struct srv_reg *reg, bool expired);
/* The PSK entry of a DTLS session (set by the identity callback), NULL in NoSec. */
const struct srv_psk_entry *srv_lwm2m_session_psk(const coap_session_t *session);
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
