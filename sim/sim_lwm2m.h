/* The simulated module's LwM2M client and uFOTA (§5, MODULE.md §5).
 *
 * sim_lwm2m.c       CoAP with libcoap3 in sim_main.c's ppoll() loop: registration to the
 *                   server of --lwm2m-server (Register / Update every SRLT / De-register),
 *                   request handlers for every object path, Observe, block-wise (RFC 7959)
 * sim_lwm2m_obj.c   the objects: 0 security, 1 server (/1/10), 3 device, 5 firmware update
 * sim_lwm2m_data.c  payload formats: OMA-TLV, LwM2M JSON, plain text (fuzzed)
 * sim_ufota.c       object 5's state machine, the package download (sim_net.c engine),
 *                   retries, pause/resume/cancel, ack policy, install hand-off and result
 * sim_ufota_cmd.c   AT+UFOTASTAT, +ULWM2MSTAT, +UFOTA, +UFOTACONFIG, +UFOTAACK, +ULWM2MLIST,
 *                   +ULWM2MREAD, +ULWM2MWRITE, +ULWM2MDEREG, +ULWM2MREG
 *
 * Volatile state is file-static (one process = one module); a module reset is noticed by the
 * boot counter, as sim_net.c does. Persistent state is DIR/ufota (key=value, atomic). */
#ifndef LARAFW_SIM_LWM2M_H
#define LARAFW_SIM_LWM2M_H

#include "sim.h"
#include "sim_lwm2m_data.h"

#include <poll.h>

#define SIM_LWM2M_FDS_MAX          1
#define SIM_LWM2M_SSID             721 /* u-blox uFOTA server, instance /1/10 (§5.6) */
#define SIM_LWM2M_SERVER_INST      10
#define SIM_LWM2M_FACTORY_LIFETIME 86400u /* SRLT, §5.6 */

/* ---- sim_main.c ---------------------------------------------------------------------------- */
/* Options: --lwm2m-server URI (coap:// or coaps://), --psk-identity, --psk-key HEX,
 * --lwm2m-port N (the local port peers reach the client's objects on; 0 = any). Each returns
 * 0, or -1 with a message in err. */
int sim_lwm2m_opt_server(const char *uri, char *err, size_t errlen);
int sim_lwm2m_opt_psk_identity(const char *id, char *err, size_t errlen);
int sim_lwm2m_opt_psk_key(const char *hex, char *err, size_t errlen);
int sim_lwm2m_opt_port(const char *port, char *err, size_t errlen);
/* Checks the options together (coaps:// needs both PSK options). 0 or -1 with err. */
int sim_lwm2m_opt_check(char *err, size_t errlen);
/* Main loop hooks, like sim_net_poll_setup / sim_net_service. */
int sim_lwm2m_poll_setup(struct sim *s, struct pollfd *fds, int max, uint64_t *timeout_module_ms);
void sim_lwm2m_service(struct sim *s, const struct pollfd *fds, int n);

/* ---- the client (sim_lwm2m.c) -------------------------------------------------------------- */
enum sim_lwm2m_reg {
    SIM_REG_OFF = 0, /* no server configured, or the client has not started yet */
    SIM_REG_PENDING, /* Register sent */
    SIM_REG_DONE,    /* registered */
    SIM_REG_DEREG,   /* deregistered by AT+ULWM2MDEREG (until reboot or AT+ULWM2MREG) */
};
enum sim_lwm2m_reg sim_lwm2m_reg_state(void);
/* Registration update now (lifetime changed, /1/10/8 executed). */
void sim_lwm2m_update(struct sim *s);
/* AT+ULWM2MDEREG / AT+ULWM2MREG. 0, or -1 when not possible (no server, wrong state). */
int sim_lwm2m_deregister(struct sim *s);
int sim_lwm2m_register(struct sim *s);
/* A resource value changed: notifies its observers (and those of its instance/object). */
void sim_lwm2m_changed(struct sim *s, uint16_t obj, uint16_t inst, uint16_t res);
/* Checks whether the module was reset since the last call (drops session, URC settings). */
void sim_lwm2m_check_boot(struct sim *s);

/* ---- URCs (sim_ufota_cmd.c) ---------------------------------------------------------------- */
void sim_ufota_urc_fota(struct sim *s, int a, int b, int pct); /* +UFOTASTAT: a,b,pct */
void sim_ufota_urc_lwm2m(struct sim *s, const char *fmt, ...) SIM_PRINTF(2, 3); /* +ULWM2MSTAT */
void sim_ufota_urc_reset(void); /* both off (every power-up, §5.7.1) */
bool sim_ufota_urcs_on(void);   /* both on */

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
/* Writes one resource of an instance. Returns a CoAP code (204, 400, 404, 405, 503). */
int sim_lwm2m_write(struct sim *s, uint16_t obj, uint16_t inst, const struct sim_lwm2m_value *v);
/* Executes a resource. Returns a CoAP code (204, 404, 405). */
int sim_lwm2m_execute(struct sim *s, uint16_t obj, uint16_t inst, uint16_t res);
/* Writes LwM2M JSON ({"bn": "/1/10/", "e": [{"n": "1", "v": 604800}]}, §5.6): every entry.
 * Returns a CoAP code (204, 400, 404, 405). */
int sim_lwm2m_write_json(struct sim *s, const char *buf, size_t len);
/* Lifetime /1/10/1 (persisted in DIR/ufota). */
uint32_t sim_lwm2m_lifetime(void);

/* ---- object 5 and uFOTA (sim_ufota.c) ------------------------------------------------------ */
/* OMA object 5 State (/5/0/3) and Update Result (/5/0/5). */
enum sim_fw_state { SIM_FWS_IDLE = 0, SIM_FWS_DOWNLOADING, SIM_FWS_DOWNLOADED, SIM_FWS_UPDATING };
int sim_ufota_state(void);
int sim_ufota_result(void);
const char *sim_ufota_uri(void);
const char *sim_ufota_pkg_name(void);
const char *sim_ufota_pkg_version(void);
/* Write /5/0/1: a new campaign (or "" to reset). Returns a CoAP code. */
int sim_ufota_write_uri(struct sim *s, const char *uri);
/* Execute /5/0/2. Returns a CoAP code. */
int sim_ufota_execute(struct sim *s);
/* Loads DIR/ufota (first call after a power-up) and restarts what a reset interrupted. */
void sim_ufota_power_up(struct sim *s);
/* The client is registered (first time after a power-up): resumes downloads (§5.2.2). */
void sim_ufota_client_started(struct sim *s);
/* Persisted lifetime. */
void sim_ufota_set_lifetime(struct sim *s, uint32_t lt);
/* AT side (sim_ufota_cmd.c). Return SIM_RES_* codes. */
int sim_ufota_cancel(struct sim *s);
int sim_ufota_pause(struct sim *s);
int sim_ufota_resume(struct sim *s);
void sim_ufota_status(struct sim *s, int *state, uint64_t *total, uint64_t *done);
int sim_ufota_config(struct sim *s, int mode);
int sim_ufota_config_mode(void);
int sim_ufota_ack(struct sim *s, long seconds);

extern const struct sim_cmd sim_cmds_ufota[];

#endif
