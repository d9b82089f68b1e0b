/* Private to uFOTA's files (sim/ufota): the AT-facing firmware update over LwM2M (§5) on top of
 * the LwM2M client (sim/lwm2m), the download engine (sim/net) and the install (sim/update).
 *
 * sim_ufota.c       object 5's state machine, the package download, retries, pause/resume/
 *                   cancel, ack policy, install hand-off and result; persisted in DIR/ufota
 * sim_ufota_cmd.c   AT+UFOTASTAT, +ULWM2MSTAT, +UFOTA, +UFOTACONFIG, +UFOTAACK, +ULWM2MLIST,
 *                   +ULWM2MREAD, +ULWM2MWRITE, +ULWM2MDEREG, +ULWM2MREG and their URCs */
#ifndef LARAFW_SIM_UFOTA_H
#define LARAFW_SIM_UFOTA_H

#include "sim_lwm2m.h"
#include "sim_net.h"
#include "sim_update.h"

/* The part (sim_parts.c lists it). */
extern const struct sim_part sim_part_ufota;

enum sim_uf_phase {
    SIM_UF_IDLE = 0,
    SIM_UF_WAIT_ACK,
    SIM_UF_ACK_DELAY,
    SIM_UF_DOWNLOADING,
    SIM_UF_RETRY,
    SIM_UF_PAUSED,
    SIM_UF_SUSPENDED,
    SIM_UF_DOWNLOADED,
    SIM_UF_UPDATING,
};

/* uFOTA of one module: s->ufota. */
struct sim_ufota {
    bool loaded;
    enum sim_uf_phase phase;
    int result;
    char uri[SIM_NET_URL_MAX];
    char pkg_name[SIM_NAME_MAX];
    char pkg_version[64];
    int mode; /* +UFOTACONFIG: 0 default, 1 download only, 2 wait for ack, 3 disabled */
    int mno_before;
    /* volatile */
    unsigned tick_timer, retry_timer, ack_timer;
    int retries;
    int last_pct;
    /* set by an install's result, read when the client is up after the reset that follows:
     * §5.7.1 asks the host to enable the URCs again then (a power cut forgets it) */
    bool after_update;
    /* URC settings (AT+UFOTASTAT, AT+ULWM2MSTAT): off at every power-up (§5.7.1) */
    bool urc_fota_on, urc_lwm2m_on;
    enum sim_if urc_fota_if, urc_lwm2m_if;
    long urc_lwm2m_mask;
};

/* ---- URCs (sim_ufota_cmd.c), to the interface that enabled them ---- */
void sim_ufota_urc_fota(struct sim *s, int a, int b, int pct); /* +UFOTASTAT: a,b,pct */
void sim_ufota_urc_lwm2m(struct sim *s, const char *fmt, ...) SIM_PRINTF(2, 3); /* +ULWM2MSTAT */
void sim_ufota_urc_reset(struct sim *s);     /* both off (every power-up, §5.7.1) */
bool sim_ufota_urcs_on(const struct sim *s); /* both on */

/* ---- host controls (sim_ufota.c, §5.3, §5.4). Return SIM_RES_* codes. ---- */
int sim_ufota_cancel(struct sim *s);
int sim_ufota_pause(struct sim *s);
int sim_ufota_resume(struct sim *s);
/* AT+UFOTA? state (0 idle, 1 paused, 2 downloading, 3 downloaded), total and done bytes. */
void sim_ufota_status(struct sim *s, int *state, uint64_t *total, uint64_t *done);
int sim_ufota_config(struct sim *s, int mode);
int sim_ufota_ack(struct sim *s, long seconds);

/* The commands (sim_ufota_cmd.c). */
extern const struct sim_cmd sim_ufota_cmds[];

#endif
