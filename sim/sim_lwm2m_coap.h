/* Private to sim_lwm2m.c and sim_lwm2m_req.c: what the libcoap side shares. */
#ifndef LARAFW_SIM_LWM2M_COAP_H
#define LARAFW_SIM_LWM2M_COAP_H

#include "sim_lwm2m.h"

#include <coap3/coap.h>

/* Adds a resource with the Read/Write/Execute handlers for every object, instance and
 * resource path (sim_lwm2m_req.c). */
void sim_lwm2m_add_resources(coap_context_t *ctx);
/* The module the handlers act on (sim_lwm2m.c). */
struct sim *sim_lwm2m_sim(void);

#endif
