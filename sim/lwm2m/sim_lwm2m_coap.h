/* Private to the LwM2M client's files (sim_lwm2m*.c): the client's state and what the libcoap
 * side shares. */
#ifndef LARAFW_SIM_LWM2M_COAP_H
#define LARAFW_SIM_LWM2M_COAP_H

#include "sim_lwm2m.h"

#include <coap3/coap.h>

/* The client of one module: s->lwm2m. */
struct sim_lwm2m {
    /* options */
    bool have_server;
    bool dtls;
    char host[128];
    uint16_t server_port;
    char psk_id[128];
    uint8_t psk_key[64];
    size_t psk_key_len;
    bool have_port;
    uint16_t listen_port;

    /* the module's lifetime (first power-up to the end of the process) */
    bool inited;
    coap_context_t *ctx;
    coap_endpoint_t *ep;
    uint16_t local_port;
    const struct sim_lwm2m_app *app;

    /* object 1: lifetime (the application persists it), the other writable server settings
     * (volatile, kept across resets as they were) */
    uint32_t lifetime;
    int64_t pmin, pmax, disable_to;
    bool storing;

    /* per power-up */
    coap_session_t *session;
    enum sim_lwm2m_reg reg;
    bool started_once; /* SIM_LWM2M_EV_UP sent this power-up */
    char location[64]; /* "rd/xyz" */
    uint8_t token[8];
    size_t token_len;
    enum { SIM_REQ_NONE, SIM_REQ_REGISTER, SIM_REQ_UPDATE, SIM_REQ_DEREGISTER } pending;
    unsigned start_timer, update_timer;
};

/* Adds a resource with the Read/Write/Execute handlers for every object, instance and
 * resource path (sim_lwm2m_req.c). */
void sim_lwm2m_add_resources(coap_context_t *ctx);
/* Makes every resource unobservable, so that freeing the context (a reset) sends observers
 * nothing, not even a last 4.04. */
void sim_lwm2m_quiet_resources(coap_context_t *ctx);
/* The module a CoAP session belongs to (sim_lwm2m.c: the context's app data). */
struct sim *sim_lwm2m_sim(const coap_session_t *session);

#endif
