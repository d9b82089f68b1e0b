/* The simulated module's LwM2M 1.0 client (§5.1, §5.6): CoAP (libcoap3), registration, the
 * objects and their data formats. It knows nothing of AT commands or of the uFOTA campaign:
 * object 5's values and operations, and the client's events, go to the application that
 * registered with sim_lwm2m_set_app() (uFOTA, sim/ufota).
 *
 * sim_lwm2m.c       CoAP with libcoap3 in sim_main.c's ppoll() loop: registration to the
 *                   server of --lwm2m-server (Register / Update every SRLT / De-register),
 *                   request handlers for every object path, Observe, block-wise (RFC 7959)
 * sim_lwm2m_req.c   the CoAP request handlers (Read, Write, Execute)
 * sim_lwm2m_obj.c   the objects: 0 security, 1 server (/1/10), 3 device, 5 firmware update
 * sim_lwm2m_data.c  payload formats: OMA-TLV, LwM2M JSON, plain text (fuzzed)
 *
 * The client's state is s->lwm2m (struct sim_lwm2m, sim_lwm2m_coap.h); its power-up hook drops
 * the session of the last power cycle and starts the client again. */
#ifndef LARAFW_SIM_LWM2M_H
#define LARAFW_SIM_LWM2M_H

#include "sim.h"
#include "sim_lwm2m_data.h"

#define SIM_LWM2M_FDS_MAX          1
#define SIM_LWM2M_SSID             721 /* u-blox uFOTA server, instance /1/10 (§5.6) */
#define SIM_LWM2M_SERVER_INST      10
#define SIM_LWM2M_FACTORY_LIFETIME 86400u /* SRLT, §5.6 */

/* The part (sim_parts.c lists it): no AT commands; the main loop hooks and the power-up. */
extern const struct sim_part sim_part_lwm2m;

/* ---- options (sim_main.c) ------------------------------------------------------------------
 * --lwm2m-server URI (coap:// or coaps://), --psk-identity, --psk-key HEX, --lwm2m-port N (the
 * local port peers reach the client's objects on; 0 = any). Each returns 0, or -1 with a
 * message in err. */
int sim_lwm2m_opt_server(struct sim *s, const char *uri, char *err, size_t errlen);
int sim_lwm2m_opt_psk_identity(struct sim *s, const char *id, char *err, size_t errlen);
int sim_lwm2m_opt_psk_key(struct sim *s, const char *hex, char *err, size_t errlen);
/* --psk-key-file FILE: the hex key alone in a 0600 file (blanks around ignored), read whole;
 * a file others may read is refused (chmod 600). Errors never show the key. */
int sim_lwm2m_opt_psk_key_file(struct sim *s, const char *path, char *err, size_t errlen);
int sim_lwm2m_opt_port(struct sim *s, const char *port, char *err, size_t errlen);
/* Checks the options together (coaps:// needs both PSK options). 0 or -1 with err. */
int sim_lwm2m_opt_check(struct sim *s, char *err, size_t errlen);

/* ---- the application above the client ------------------------------------------------------ */
/* OMA object 5 State (/5/0/3). */
enum sim_fw_state { SIM_FWS_IDLE = 0, SIM_FWS_DOWNLOADING, SIM_FWS_DOWNLOADED, SIM_FWS_UPDATING };
/* Object 5's readable values, as the application holds them. */
struct sim_lwm2m_fw {
    int state;  /* enum sim_fw_state */
    int result; /* /5/0/5 Update Result */
    const char *uri, *pkg_name, *pkg_version;
};
enum sim_lwm2m_event {
    SIM_LWM2M_EV_ATTACHED,   /* network attached: the client starts (§5.1) */
    SIM_LWM2M_EV_REGISTERED, /* a Register was accepted */
    SIM_LWM2M_EV_UP,         /* the client is up, first time after a power-up */
};
struct sim_lwm2m_app {
    /* false while the module may not start the client (update mode) */
    bool (*may_start)(struct sim *s);
    void (*fw_get)(struct sim *s, struct sim_lwm2m_fw *out);
    /* Write /5/0/1 ("" resets), Execute /5/0/2: a CoAP code (204, 400, 405, 503) */
    int (*fw_write_uri)(struct sim *s, const char *uri);
    int (*fw_execute)(struct sim *s);
    /* a server changed the lifetime /1/10/1 (the application persists it) */
    void (*lifetime_changed)(struct sim *s, uint32_t lifetime);
    void (*event)(struct sim *s, enum sim_lwm2m_event ev);
};
/* Registers the application (its part's init hook). */
void sim_lwm2m_set_app(struct sim *s, const struct sim_lwm2m_app *app);

/* ---- the client (sim_lwm2m.c) -------------------------------------------------------------- */
enum sim_lwm2m_reg {
    SIM_REG_OFF = 0, /* no server configured, or the client has not started yet */
    SIM_REG_PENDING, /* Register sent */
    SIM_REG_DONE,    /* registered */
    SIM_REG_DEREG,   /* deregistered by sim_lwm2m_deregister (until reboot or a register) */
};
enum sim_lwm2m_reg sim_lwm2m_reg_state(const struct sim *s);
/* Registration update now (lifetime changed, /1/10/8 executed). */
void sim_lwm2m_update(struct sim *s);
/* De-register / register again. 0, or -1 when not possible (no server, wrong state). */
int sim_lwm2m_deregister(struct sim *s);
int sim_lwm2m_register(struct sim *s);
/* A resource value changed: notifies its observers (and those of its instance/object). */
void sim_lwm2m_changed(struct sim *s, uint16_t obj, uint16_t inst, uint16_t res);
/* Lifetime /1/10/1. sim_lwm2m_set_lifetime sets the value the application loaded (no update). */
uint32_t sim_lwm2m_lifetime(const struct sim *s);
void sim_lwm2m_set_lifetime(struct sim *s, uint32_t lifetime);

/* ---- objects (sim_lwm2m_obj.c) ------------------------------------------------------------- */
/* Operations a resource allows. */
#define SIM_OP_R 1
#define SIM_OP_W 2
#define SIM_OP_E 4
struct sim_lwm2m_res {
    uint16_t obj, res;
    enum sim_lwm2m_type type;
    uint8_t ops;
};
/* The instances that exist ("/1/10", "/3/0", …) */
struct sim_lwm2m_inst {
    uint16_t obj, inst;
    bool in_registration; /* object 0 (security) is never announced */
};
extern const struct sim_lwm2m_inst sim_lwm2m_instances[];
extern const size_t sim_lwm2m_ninstances;
extern const struct sim_lwm2m_res sim_lwm2m_resources[];
extern const size_t sim_lwm2m_nresources;
const struct sim_lwm2m_res *sim_lwm2m_res_find(uint16_t obj, uint16_t res);
bool sim_lwm2m_inst_exists(uint16_t obj, uint16_t inst);
/* Reads a path of n ids (1: object, 2: instance, 3: resource). Fills vals (readable resources
 * only) and returns their count, or a negative CoAP code (-404, -405). */
int sim_lwm2m_read(struct sim *s, const uint16_t ids[3], int n, struct sim_lwm2m_value *vals,
                   size_t max);
/* Discover (OMA LwM2M 1.0 §5.4.2) of a path of n ids: CoRE link format into out ("</3>,</3/0/0>,
 * …,</3/0/11>;dim=1"; an instance starts with "</3/0>", a resource is alone). Returns the
 * length, or a negative CoAP code (-404 no such path, -500 does not fit). */
int sim_lwm2m_discover(struct sim *s, const uint16_t ids[3], int n, char *out, size_t cap);
/* Writes one resource of an instance. Returns a CoAP code (204, 400, 404, 405, 503). */
int sim_lwm2m_write(struct sim *s, uint16_t obj, uint16_t inst, const struct sim_lwm2m_value *v);
/* Executes a resource. Returns a CoAP code (204, 404, 405). */
int sim_lwm2m_execute(struct sim *s, uint16_t obj, uint16_t inst, uint16_t res);
/* Writes LwM2M JSON ({"bn": "/1/10/", "e": [{"n": "1", "v": 604800}]}, §5.6): every entry.
 * Returns a CoAP code (204, 400, 404, 405). */
int sim_lwm2m_write_json(struct sim *s, const char *buf, size_t len);

#endif
