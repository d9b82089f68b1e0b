/* The LwM2M 1.0 server over CoAP (libcoap3): registration interface (POST /rd, POST and
 * DELETE /rd/<id>) and device management requests (Read, Write, Execute, Observe) sent on
 * the CoAP session that carried the device's registration — LwM2M clients ignore requests
 * from any other source.
 *
 * After each new registration the server reads /3/0/1 (model), /3/0/2 (serial number = IMEI)
 * and /3/0/3 (firmware version), checks the IMEI (valid, unique, the one of a urn:imei:
 * endpoint) and then calls hooks->registered. With DTLS-PSK each identity registers only the
 * endpoint the credentials file gives it (srv_psk.h); ids of registrations are 64 random
 * bits. The device table lives in
 * the store (srv_store.h); the live sessions live here. */
#ifndef LARAFW_SRV_LWM2M_H
#define LARAFW_SRV_LWM2M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "srv_addr.h"
#include "srv_err.h"
#include "srv_psk.h"
#include "srv_store.h"

struct srv_lwm2m;
typedef struct coap_context_t coap_context_t;

struct srv_lwm2m_hooks {
    /* A device finished registering (and its /3/0 info has been read, or tried). `fresh` is
     * true for a registration, false for a registration update. */
    void (*registered)(void *user, const char *endpoint, bool fresh);
    /* A device de-registered or its lifetime ran out. */
    void (*deregistered)(void *user, const char *endpoint);
};

enum srv_write_format { SRV_WRITE_TLV, SRV_WRITE_TEXT };

struct srv_lwm2m_config {
    const struct srv_addr *coap;     /* where to listen (UDP; DTLS when psk is set) */
    const struct srv_psk_table *psk; /* NULL: plain CoAP */
    struct srv_store *store;
    enum srv_write_format write_format; /* payload of a Write on one resource */
    const struct srv_lwm2m_hooks *hooks;
    void *hooks_user;
    /* Limits (docs/server.md "Security model"); 0 takes the default in brackets. */
    size_t max_devices; /* live registrations [SRV_DEFAULT_MAX_DEVICES]; more get 5.03 */
    long max_lifetime;  /* seconds; a longer lt is cut to it [SRV_DEFAULT_MAX_LIFETIME] */
    double reg_rate;    /* NoSec registrations per second per source address
                         * [SRV_DEFAULT_REG_RATE]; negative: no limit */
    size_t max_body;    /* bytes of a Block1 request body [SRV_DEFAULT_MAX_BODY]; 4.13 */
};

#define SRV_DEFAULT_MAX_DEVICES  100000
#define SRV_DEFAULT_MAX_LIFETIME 86400 /* the factory SRLT (§5.6) */
#define SRV_DEFAULT_REG_RATE     1000.0
#define SRV_DEFAULT_MAX_BODY     16384
#define SRV_BLOCK1_SLOTS         1024 /* bodies assembled at once */

/* The answer to one request, or one notification of an observation. */
struct srv_lwm2m_response {
    int code;           /* CoAP code as 205, 204, 404…; 0 = no answer (timeout, reset, gone) */
    int content_format; /* -1 when absent */
    const uint8_t *payload;
    size_t len;
    bool notification; /* true for a notification after the first answer to an Observe */
};

/* Answers go to cb(user, tag, response); `tag` lets one callback tell requests apart. The
 * callback may start new requests. For an Observe it is called for every notification
 * until srv_lwm2m_forget() or the registration ends. */
typedef void (*srv_lwm2m_cb)(void *user, uint64_t tag, const struct srv_lwm2m_response *r);

/* Creates the CoAP context and endpoint. Returns 0, SRV_E_IO (cannot bind: address in use or
 * not local), SRV_E_ARG or SRV_E_NOMEM. */
SRV_WARN_UNUSED int srv_lwm2m_new(const struct srv_lwm2m_config *cfg, struct srv_lwm2m **out);
void srv_lwm2m_free(struct srv_lwm2m *l);
/* The libcoap context, for the event loop (coap_io_process_with_fds). */
coap_context_t *srv_lwm2m_context(struct srv_lwm2m *l);
/* Deferred work after I/O: device info reads after a registration, lifetime expiry. */
void srv_lwm2m_tick(struct srv_lwm2m *l, time_t now);
/* True when `endpoint` has a live registration. */
bool srv_lwm2m_is_registered(struct srv_lwm2m *l, const char *endpoint);
/* Live registrations, and Block1 bodies being assembled (with the bytes they hold). */
size_t srv_lwm2m_count(struct srv_lwm2m *l, size_t *block1_bodies, size_t *block1_bytes);

/* Requests to the device registered as `endpoint`; `path` is "/5/0/1" style.
 * Return 0, SRV_E_NOTFOUND (not registered), SRV_E_ARG (bad path) or SRV_E_NOMEM/SRV_E_IO. */
SRV_WARN_UNUSED int srv_lwm2m_read(struct srv_lwm2m *l, const char *endpoint, const char *path,
                                   srv_lwm2m_cb cb, void *user, uint64_t tag);
SRV_WARN_UNUSED int srv_lwm2m_observe(struct srv_lwm2m *l, const char *endpoint, const char *path,
                                      srv_lwm2m_cb cb, void *user, uint64_t tag);
/* Write of one string resource (TLV or text/plain per the config). */
SRV_WARN_UNUSED int srv_lwm2m_write_str(struct srv_lwm2m *l, const char *endpoint, const char *path,
                                        const char *value, srv_lwm2m_cb cb, void *user,
                                        uint64_t tag);
SRV_WARN_UNUSED int srv_lwm2m_execute(struct srv_lwm2m *l, const char *endpoint, const char *path,
                                      srv_lwm2m_cb cb, void *user, uint64_t tag);
/* Drops every request and observation of (user, tag): later notifications are answered
 * with a reset, which cancels the observation on the device (RFC 7641 §3.6). */
void srv_lwm2m_forget(struct srv_lwm2m *l, void *user, uint64_t tag);

/* Value of resource `res_id` in a response, whatever its format (text/plain, opaque, TLV).
 * Return 0, SRV_E_PARSE or SRV_E_NOSPACE. */
SRV_WARN_UNUSED int srv_lwm2m_value_str(const struct srv_lwm2m_response *r, uint16_t res_id,
                                        char *out, size_t cap);
SRV_WARN_UNUSED int srv_lwm2m_value_int(const struct srv_lwm2m_response *r, uint16_t res_id,
                                        int64_t *out);

#endif
