/* uFOTA: object 5 (firmware update) of the LwM2M client and its campaign (§5.1–§5.5, §5.7).
 *
 * One state machine (enum sim_uf_phase, one switch per event). The OMA State /5/0/3 is derived
 * from the phase: IDLE, WAIT_ACK, ACK_DELAY → 0 Idle; DOWNLOADING, RETRY, PAUSED, SUSPENDED →
 * 1 Downloading; DOWNLOADED → 2; UPDATING → 3.
 *
 *   write /5/0/1 ─┬─ mode 3 disabled:  "1,0,0", "2,3,100", Update Result 8        (§5.4.3)
 *                 ├─ mode 2 wait ack:  WAIT_ACK "0,3,0" → +UFOTAACK=s / 1 h → ACK_DELAY (§5.4.2)
 *                 └─ otherwise:        DOWNLOADING "1,0,0", "0,1,<pct>"…
 *   DOWNLOADING ── done ──────────────→ DOWNLOADED "2,2,100", +ULWM2MSTAT "2,100"  (§5.7.3)
 *               ── connection lost ──→ RETRY: 60 s, +120, +180, +240 s, then Idle, Update
 *                                      Result 4 (§5.2.2)
 *               ── AT+UFOTA=1 ───────→ PAUSED "0,2,<pct>" (persists; +UFOTA=2 resumes, §5.3)
 *               ── AT+UFOTA=0 ───────→ IDLE "2,3,100", Update Result 8 (§5.3, §5.7.5)
 *               ── AT+CFUN=0/4 ──────→ SUSPENDED until the next reboot (§5.2.2)
 *   DOWNLOADED ── execute /5/0/2 ───→ UPDATING: sim_install_start(SIM_INSTALL_UFOTA) (§5.5)
 *   UPDATING   ── final code ───────→ IDLE with Update Result from sim_uf_results[] (§5.7.6)
 * A reset or power cut in DOWNLOADING/RETRY/SUSPENDED restarts the download (resumed with an
 * HTTP Range) once the client is up again (§5.2.2). Persisted in DIR/ufota. */
#define _GNU_SOURCE
#include "sim_ufota.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIM_UF_TICK_MS     1000u    /* progress URC period (module time) */
#define SIM_UF_ACK_AUTO_MS 3600000u /* §5.4.2: no answer within 1 h → accepted */
#define SIM_UF_RETRIES     4
static const uint32_t sim_uf_retry_s[SIM_UF_RETRIES] = {60, 120, 180, 240}; /* §5.2.2 */

/* OMA Update Result values (LwM2M 1.0 E.6). */
enum {
    SIM_UR_INITIAL = 0,
    SIM_UR_SUCCESS = 1,
    SIM_UR_FLASH = 2,
    SIM_UR_RAM = 3,
    SIM_UR_CONN_LOST = 4,
    SIM_UR_INTEGRITY = 5,
    SIM_UR_PKG_TYPE = 6,
    SIM_UR_URI = 7,
    SIM_UR_FAILED = 8,
    SIM_UR_PROTOCOL = 9,
};

/* Appendix A final code of the install engine → Update Result. */
static const struct {
    int code;
    int result;
} sim_uf_results[] = {
    {128, SIM_UR_SUCCESS},   {131, SIM_UR_RAM},       {141, SIM_UR_RAM},
    {178, SIM_UR_RAM},       {148, SIM_UR_INTEGRITY}, {173, SIM_UR_INTEGRITY},
    {180, SIM_UR_INTEGRITY}, {227, SIM_UR_INTEGRITY}, {158, SIM_UR_PKG_TYPE},
    {174, SIM_UR_PKG_TYPE},  {247, SIM_UR_PKG_TYPE},
};

static int sim_uf_result_of(int code)
{
    for (size_t i = 0; i < sizeof sim_uf_results / sizeof sim_uf_results[0]; i++)
        if (sim_uf_results[i].code == code)
            return sim_uf_results[i].result;
    return SIM_UR_FAILED; /* 129, 130, 144, 160, 168, 195, 230 …: the update failed */
}

/* Download failure → retry (0) or Update Result. */
static int sim_uf_net_result(enum sim_net_err e)
{
    switch (e) {
    case SIM_NET_E_LOST:
    case SIM_NET_E_CONNECT:
    case SIM_NET_E_TIMEOUT:
    case SIM_NET_E_HOST:
        return 0;
    case SIM_NET_E_MISSING:
    case SIM_NET_E_LOGIN:
        return SIM_UR_URI;
    case SIM_NET_E_STORAGE:
        return SIM_UR_FLASH;
    default:
        return SIM_UR_CONN_LOST;
    }
}

static const char sim_uf_rel[] = "ufota";

/* ---- persistence ------------------------------------------------------------------------- */

static void sim_uf_save(struct sim *s)
{
    struct sim_ufota *u = s->ufota;
    char buf[1024];
    int n = snprintf(buf, sizeof buf,
                     "phase=%d\nresult=%d\nlifetime=%u\nmode=%d\nmno_before=%d\nuri=%s\nname=%s\n"
                     "version=%s\n",
                     (int)u->phase, u->result, (unsigned)sim_lwm2m_lifetime(s), u->mode,
                     u->mno_before, u->uri, u->pkg_name, u->pkg_version);
    if (n < 0 || (size_t)n >= sizeof buf || sim_atomic_write(s, sim_uf_rel, buf, (size_t)n) != 0)
        fprintf(stderr, "larafw-sim: uFOTA state not saved\n");
}

static int sim_uf_line(void *ud, const char *k, const char *v, unsigned lineno)
{
    (void)lineno;
    struct sim *s = ud;
    struct sim_ufota *u = s->ufota;
    if (!v)
        return 0;
    if (strcmp(k, "phase") == 0 && atoi(v) >= 0 && atoi(v) <= SIM_UF_UPDATING)
        u->phase = (enum sim_uf_phase)atoi(v);
    else if (strcmp(k, "result") == 0)
        u->result = atoi(v);
    else if (strcmp(k, "lifetime") == 0 && strtoul(v, NULL, 10) > 0)
        sim_lwm2m_set_lifetime(s, (uint32_t)strtoul(v, NULL, 10));
    else if (strcmp(k, "mode") == 0)
        u->mode = atoi(v);
    else if (strcmp(k, "mno_before") == 0)
        u->mno_before = atoi(v);
    else if (strcmp(k, "uri") == 0)
        snprintf(u->uri, sizeof u->uri, "%s", v);
    else if (strcmp(k, "name") == 0)
        snprintf(u->pkg_name, sizeof u->pkg_name, "%s", v);
    else if (strcmp(k, "version") == 0)
        snprintf(u->pkg_version, sizeof u->pkg_version, "%s", v);
    return 0;
}

static void sim_uf_load(struct sim *s)
{
    (void)sim_record_read(s, sim_uf_rel, sim_uf_line, s);
}

/* ---- object 5 ------------------------------------------------------------------------------ */

static int sim_uf_oma_state(enum sim_uf_phase p)
{
    switch (p) {
    case SIM_UF_DOWNLOADING:
    case SIM_UF_RETRY:
    case SIM_UF_PAUSED:
    case SIM_UF_SUSPENDED:
        return SIM_FWS_DOWNLOADING;
    case SIM_UF_DOWNLOADED:
        return SIM_FWS_DOWNLOADED;
    case SIM_UF_UPDATING:
        return SIM_FWS_UPDATING;
    default:
        return SIM_FWS_IDLE;
    }
}

static void sim_uf_fw_get(struct sim *s, struct sim_lwm2m_fw *out)
{
    const struct sim_ufota *u = s->ufota;
    out->state = sim_uf_oma_state(u->phase);
    out->result = u->result;
    out->uri = u->uri;
    out->pkg_name = u->pkg_name;
    out->pkg_version = u->pkg_version;
}

/* A server wrote /1/10/1: DIR/ufota keeps the lifetime. */
static void sim_uf_lifetime_changed(struct sim *s, uint32_t lifetime)
{
    (void)lifetime;
    sim_uf_save(s);
}

/* The one place the phase and result change: persisted, observers notified. */
static void sim_uf_set(struct sim *s, enum sim_uf_phase p, int result)
{
    struct sim_ufota *u = s->ufota;
    int old_state = sim_uf_oma_state(u->phase), old_result = u->result;
    u->phase = p;
    if (result >= 0)
        u->result = result;
    sim_uf_save(s);
    sim_report(s, "ufota", "phase %d, state %d, update result %d", (int)p, sim_uf_oma_state(p),
               u->result);
    if (old_state != sim_uf_oma_state(p)) {
        sim_lwm2m_changed(s, 5, 0, 3);
        if (sim_lwm2m_reg_state(s) == SIM_REG_DONE)
            sim_ufota_urc_lwm2m(s, "3,%d,/5/0/3", SIM_LWM2M_SSID);
    }
    if (old_result != u->result)
        sim_lwm2m_changed(s, 5, 0, 5);
}

static void sim_uf_stop_timers(struct sim *s)
{
    struct sim_ufota *u = s->ufota;
    sim_timer_cancel(s, u->tick_timer);
    sim_timer_cancel(s, u->retry_timer);
    sim_timer_cancel(s, u->ack_timer);
    u->tick_timer = u->retry_timer = u->ack_timer = 0;
}

static int sim_uf_percent(struct sim *s, uint64_t *done, uint64_t *total)
{
    uint64_t d = 0, t = 0;
    (void)sim_net_progress(s, SIM_DL_LWM2M, &d, &t);
    if (done)
        *done = d;
    if (total)
        *total = t;
    return t ? (int)(d * 100u / t) : 0;
}

/* ---- download ---------------------------------------------------------------------------- */

static void sim_uf_done(struct sim *s, const struct sim_net_job *job,
                        const struct sim_net_result *r);
static void sim_uf_retry_timer(struct sim *s, void *arg);

static void sim_uf_tick(struct sim *s, void *arg)
{
    (void)arg;
    struct sim_ufota *u = s->ufota;
    u->tick_timer = 0;
    if (u->phase != SIM_UF_DOWNLOADING)
        return;
    int pct = sim_uf_percent(s, NULL, NULL);
    if (s->cfun != 1) {
        /* §5.2.2: after AT+CFUN=0/4 only a reboot resumes the download */
        (void)sim_net_stop(s, SIM_DL_LWM2M);
        s->download = SIM_DL_LWM2M;
        sim_uf_set(s, SIM_UF_SUSPENDED, -1);
        return;
    }
    if (pct != u->last_pct && pct < 100) {
        u->last_pct = pct;
        sim_ufota_urc_fota(s, 0, 1, pct);
    }
    u->tick_timer = sim_timer_add(s, SIM_UF_TICK_MS, sim_uf_tick, NULL);
}

/* Starts (resume: continues) the transfer of the package URI. */
static void sim_uf_download(struct sim *s, bool resume)
{
    struct sim_ufota *u = s->ufota;
    struct sim_net_job job;
    memset(&job, 0, sizeof job);
    job.op = SIM_NET_FOTA;
    job.kind = SIM_DL_LWM2M;
    job.resume = resume;
    _Static_assert(sizeof job.url == sizeof u->uri, "one URL size");
    memcpy(job.url, u->uri, sizeof job.url);
    sim_uf_stop_timers(s);
    if (s->st.edrx_mode != 0)
        sim_report(s, "compliance", "eDRX enabled during a uFOTA download (§5.7, §5.8.3)");
    sim_ufota_urc_fota(s, 1, 0, 0); /* triggered / resuming */
    u->last_pct = -1;
    if (sim_net_start(s, &job, sim_uf_done) != 0) {
        sim_report(s, "ufota", "download could not start");
        s->download = SIM_DL_LWM2M;
        sim_uf_set(s, SIM_UF_RETRY, -1);
        u->retry_timer =
            sim_timer_add(s, (uint64_t)sim_uf_retry_s[0] * 1000u, sim_uf_retry_timer, NULL);
        return;
    }
    sim_uf_set(s, SIM_UF_DOWNLOADING, -1);
    u->tick_timer = sim_timer_add(s, 0, sim_uf_tick, NULL);
}

static void sim_uf_retry_timer(struct sim *s, void *arg)
{
    (void)arg;
    struct sim_ufota *u = s->ufota;
    u->retry_timer = 0;
    if (u->phase != SIM_UF_RETRY)
        return;
    if (s->cfun != 1) {
        sim_uf_set(s, SIM_UF_SUSPENDED, -1);
        return;
    }
    sim_report(s, "ufota", "download retry %d of %d", u->retries, SIM_UF_RETRIES);
    sim_uf_download(s, true);
}

/* The campaign ends without an update: Idle, a result, the URI forgotten (§5.3: a new campaign
 * is needed). */
static void sim_uf_abandon(struct sim *s, int result)
{
    sim_uf_stop_timers(s);
    if (s->download == SIM_DL_LWM2M)
        s->download = SIM_DL_NONE;
    s->ufota->uri[0] = '\0';
    sim_uf_set(s, SIM_UF_IDLE, result);
    sim_lwm2m_changed(s, 5, 0, 1);
}

static void sim_uf_downloaded(struct sim *s)
{
    struct sim_ufota *u = s->ufota;
    snprintf(u->pkg_name, sizeof u->pkg_name, "%s", s->st.fota_pkg_name);
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "fota/%s", s->st.fota_pkg_name);
    struct pkg_header h;
    if (sim_install_read_header(s, rel, &h) == 0)
        snprintf(u->pkg_version, sizeof u->pkg_version, "%s", h.dst_version);
    else
        u->pkg_version[0] = '\0';
    sim_ufota_urc_fota(s, 2, 2, 100);
    sim_ufota_urc_lwm2m(s, "2,100");
    sim_uf_set(s, SIM_UF_DOWNLOADED, -1);
    sim_lwm2m_changed(s, 5, 0, 6);
    sim_lwm2m_changed(s, 5, 0, 7);
}

static void sim_uf_done(struct sim *s, const struct sim_net_job *job,
                        const struct sim_net_result *r)
{
    (void)job;
    struct sim_ufota *u = s->ufota;
    sim_timer_cancel(s, u->tick_timer);
    u->tick_timer = 0;
    if (r->err == SIM_NET_E_CANCELLED) {
        sim_ufota_urc_fota(s, 2, 3, 100); /* §5.3 */
        sim_uf_abandon(s, SIM_UR_FAILED);
        return;
    }
    if (u->phase != SIM_UF_DOWNLOADING)
        return;
    if (r->err == SIM_NET_OK) {
        sim_uf_downloaded(s);
        return;
    }
    int result = sim_uf_net_result(r->err);
    /* §5.2.2: four retries in all (10 min) for the session; resume or reboot starts anew */
    if (result == 0 && u->retries < SIM_UF_RETRIES && s->cfun == 1) {
        uint32_t delay = sim_uf_retry_s[u->retries++];
        s->download = SIM_DL_LWM2M; /* still this campaign's download (§6) */
        sim_report(s, "ufota", "download interrupted: retry %d in %u s", u->retries,
                   (unsigned)delay);
        sim_uf_set(s, SIM_UF_RETRY, -1);
        u->retry_timer = sim_timer_add(s, (uint64_t)delay * 1000u, sim_uf_retry_timer, NULL);
        return;
    }
    if (result == 0 && s->cfun != 1) {
        s->download = SIM_DL_LWM2M;
        sim_uf_set(s, SIM_UF_SUSPENDED, -1);
        return;
    }
    /* assumption (docs/simulator.md): the host learns of the failure by "+UFOTASTAT: 2,1,<pct>" */
    sim_ufota_urc_fota(s, 2, 1, sim_uf_percent(s, NULL, NULL));
    u->retries = 0;
    sim_uf_abandon(s, result ? result : SIM_UR_CONN_LOST);
}

/* ---- server operations --------------------------------------------------------------------- */

static void sim_uf_ack_timer(struct sim *s, void *arg)
{
    (void)arg;
    struct sim_ufota *u = s->ufota;
    u->ack_timer = 0;
    if (u->phase == SIM_UF_WAIT_ACK || u->phase == SIM_UF_ACK_DELAY) {
        u->retries = 0;
        sim_uf_download(s, false);
    }
}

/* Write /5/0/1: a new campaign (or "" to reset). Returns a CoAP code. */
static int sim_uf_write_uri(struct sim *s, const char *uri)
{
    struct sim_ufota *u = s->ufota;
    if (!uri[0]) {
        /* OMA: an empty Package URI returns the state machine to Idle */
        if (u->phase == SIM_UF_UPDATING)
            return 400;
        (void)sim_net_stop(s, SIM_DL_LWM2M);
        sim_uf_abandon(s, SIM_UR_INITIAL);
        return 204;
    }
    if (u->phase != SIM_UF_IDLE)
        return 400;
    if ((s->download != SIM_DL_NONE && s->download != SIM_DL_LWM2M) || sim_install_busy(s)) {
        sim_report(s, "ufota", "package URI refused: another download runs (§6)");
        return 503;
    }
    bool http = strncmp(uri, "http://", 7) == 0 || strncmp(uri, "https://", 8) == 0;
    if (!http || strlen(uri) >= sizeof u->uri) {
        sim_uf_set(s, SIM_UF_IDLE, http ? SIM_UR_URI : SIM_UR_PROTOCOL);
        return 204;
    }
    snprintf(u->uri, sizeof u->uri, "%s", uri);
    u->pkg_name[0] = u->pkg_version[0] = '\0';
    u->retries = 0;
    sim_report(s, "ufota", "campaign: package URI %s (mode %d)", uri, u->mode);
    switch (s->product->ufota_config ? u->mode : 0) {
    case 3: /* §5.4.3 disabled: triggered, then rejected by the device */
        sim_ufota_urc_fota(s, 1, 0, 0);
        sim_ufota_urc_fota(s, 2, 3, 100);
        sim_uf_abandon(s, SIM_UR_FAILED);
        return 204;
    case 2: /* §5.4.2 wait for the host's ack */
        sim_uf_set(s, SIM_UF_WAIT_ACK, SIM_UR_INITIAL);
        sim_ufota_urc_fota(s, 0, 3, 0);
        u->ack_timer = sim_timer_add(s, SIM_UF_ACK_AUTO_MS, sim_uf_ack_timer, NULL);
        return 204;
    default:
        u->result = SIM_UR_INITIAL;
        sim_uf_download(s, false);
        return 204;
    }
}

static void sim_uf_install_now(struct sim *s, void *arg)
{
    (void)arg;
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "fota/%s", s->st.fota_pkg_name);
    sim_install_start(s, SIM_INSTALL_UFOTA, rel);
}

/* Execute /5/0/2. Returns a CoAP code. */
static int sim_uf_execute(struct sim *s)
{
    struct sim_ufota *u = s->ufota;
    if (u->phase != SIM_UF_DOWNLOADED || !s->st.fota_pkg_present ||
        s->st.fota_pkg_source != SIM_DL_LWM2M)
        return 405;
    if (s->product->ufota_config && u->mode == 1)
        return 405; /* §5.4.1 download only: the host installs with AT+UFWINSTALL */
    if (s->download != SIM_DL_NONE || sim_install_busy(s))
        return 503;
    u->mno_before = s->st.mno_profile;
    sim_uf_set(s, SIM_UF_UPDATING, -1);
    /* after the response has left: reset, +UUFWPREVAL, +UUFWINSTALL … (§5.5) */
    (void)sim_timer_add(s, 100, sim_uf_install_now, NULL);
    return 204;
}

/* AT+UFWINSTALL of a package uFOTA downloaded: only in "download only" mode (§5.4.1). */
static bool sim_uf_host_may_install(const struct sim *s)
{
    return s->product->ufota_config && s->ufota->mode == 1 && s->ufota->phase == SIM_UF_DOWNLOADED;
}

/* The final code of an install of a uFOTA package (ours, or the host's in "download only"
 * mode) becomes object 5's Update Result (§5.5, §5.7.6). */
static void sim_uf_install_result(struct sim *s, enum sim_install_method m, int code)
{
    struct sim_ufota *u = s->ufota;
    bool ours =
        m == SIM_INSTALL_UFOTA || (m == SIM_INSTALL_FOTA && s->st.fota_pkg_source == SIM_DL_LWM2M &&
                                   u->phase == SIM_UF_DOWNLOADED);
    if (!ours)
        return;
    int result = sim_uf_result_of(code);
    if (result == SIM_UR_SUCCESS) {
        /* §5.7.6: the MNO profile set before is restored unless it was 90; NVM and data
         * profiles take the new factory values (custom APNs, eDRX); certificates stay */
        if (u->mno_before != 90 && u->mno_before != 0)
            s->st.mno_profile = u->mno_before;
        for (int i = 0; i < SIM_CONTEXTS; i++)
            s->st.apn[i][0] = '\0';
        s->st.edrx_mode = 0;
        snprintf(s->st.edrx_value, sizeof s->st.edrx_value, "0010");
    } else if (m == SIM_INSTALL_UFOTA && s->st.fota_pkg_present) {
        /* the campaign is over: its package goes */
        char rel[PATH_MAX], path[PATH_MAX];
        snprintf(rel, sizeof rel, "fota/%s", s->st.fota_pkg_name);
        sim_path(s, rel, path, sizeof path);
        if (unlink(path) != 0 && errno != ENOENT)
            fprintf(stderr, "larafw-sim: cannot remove %s\n", path);
        s->st.fota_pkg_present = false;
        s->st.fota_pkg_name[0] = '\0';
    }
    sim_report(s, "ufota", "install final code %d: update result %d", code, result);
    u->after_update = true;
    u->uri[0] = '\0';
    sim_uf_set(s, SIM_UF_IDLE, result);
}

/* ---- power-up ----------------------------------------------------------------------------- */

/* Every power-up: URCs off (§5.7.1), DIR/ufota read at the first, a download a reset
 * interrupted still counts as this campaign's (§6). */
static void sim_uf_power_up(struct sim *s)
{
    struct sim_ufota *u = s->ufota;
    sim_ufota_urc_reset(s);
    if (!u->loaded) {
        u->loaded = true;
        sim_uf_load(s);
    }
    u->tick_timer = u->retry_timer = u->ack_timer = 0; /* the reset dropped them */
    u->retries = 0;
    switch (u->phase) {
    case SIM_UF_DOWNLOADING:
    case SIM_UF_RETRY:
    case SIM_UF_SUSPENDED:
        sim_report(s, "compliance", "module reset during a uFOTA download (§5.7, §5.8.3)");
        s->download = SIM_DL_LWM2M; /* §6: the campaign's download still counts */
        break;
    case SIM_UF_PAUSED:
        s->download = SIM_DL_LWM2M;
        break;
    case SIM_UF_UPDATING:
        if (!sim_install_busy(s) && s->st.fw_phase == SIM_FW_NORMAL) {
            /* reset before the install wrote anything (validation): old firmware */
            sim_report(s, "ufota", "update interrupted before install");
            sim_uf_set(s, s->st.fota_pkg_present ? SIM_UF_DOWNLOADED : SIM_UF_IDLE, SIM_UR_FAILED);
        }
        break;
    default:
        break;
    }
}

/* The client is up (first time after a power-up): resumes downloads (§5.2.2). */
static void sim_uf_client_up(struct sim *s)
{
    struct sim_ufota *u = s->ufota;
    if (u->after_update) {
        u->after_update = false;
        if (!sim_ufota_urcs_on(s))
            sim_report(s, "compliance",
                       "+UFOTASTAT/+ULWM2MSTAT not enabled again after the update (§5.7.1)");
    }
    switch (u->phase) {
    case SIM_UF_DOWNLOADING:
    case SIM_UF_RETRY:
    case SIM_UF_SUSPENDED:
    case SIM_UF_ACK_DELAY:
        sim_report(s, "ufota", "download restarts after a reset (§5.2.2)");
        sim_uf_download(s, u->phase != SIM_UF_ACK_DELAY);
        break;
    case SIM_UF_WAIT_ACK:
        sim_ufota_urc_fota(s, 0, 3, 0);
        u->ack_timer = sim_timer_add(s, SIM_UF_ACK_AUTO_MS, sim_uf_ack_timer, NULL);
        break;
    default:
        break;
    }
}

/* ---- host controls (§5.3, §5.4) -------------------------------------------------------------- */

int sim_ufota_cancel(struct sim *s)
{
    struct sim_ufota *u = s->ufota;
    if (u->phase == SIM_UF_DOWNLOADING) {
        if (sim_net_cancel(s, SIM_DL_LWM2M) == 0)
            return SIM_RES_OK; /* "+UFOTASTAT: 2,3,100" follows from sim_uf_done */
    }
    if (u->phase == SIM_UF_RETRY || u->phase == SIM_UF_DOWNLOADING) {
        sim_ufota_urc_fota(s, 2, 3, 100);
        sim_uf_abandon(s, SIM_UR_FAILED);
        return SIM_RES_OK;
    }
    return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* §5.7.5: only while "0,1,xx" URCs flow */
}

int sim_ufota_pause(struct sim *s)
{
    struct sim_ufota *u = s->ufota;
    if (u->phase != SIM_UF_DOWNLOADING && u->phase != SIM_UF_RETRY)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
    (void)sim_net_stop(s, SIM_DL_LWM2M);
    sim_uf_stop_timers(s);
    s->download = SIM_DL_LWM2M;
    sim_uf_set(s, SIM_UF_PAUSED, -1);
    sim_ufota_urc_fota(s, 0, 2, sim_uf_percent(s, NULL, NULL));
    return SIM_RES_OK;
}

static void sim_uf_resume_now(struct sim *s, void *arg)
{
    (void)arg;
    if (s->ufota->phase == SIM_UF_PAUSED) {
        s->ufota->retries = 0;
        sim_uf_download(s, true);
    }
}

int sim_ufota_resume(struct sim *s)
{
    if (s->ufota->phase != SIM_UF_PAUSED || s->cfun != 1)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
    (void)sim_timer_add(s, 0, sim_uf_resume_now, NULL); /* URCs after the OK */
    return SIM_RES_OK;
}

void sim_ufota_status(struct sim *s, int *state, uint64_t *total, uint64_t *done)
{
    *total = *done = 0;
    switch (s->ufota->phase) {
    case SIM_UF_PAUSED:
        *state = 1;
        break;
    case SIM_UF_DOWNLOADING:
    case SIM_UF_RETRY:
    case SIM_UF_SUSPENDED:
        *state = 2;
        break;
    case SIM_UF_DOWNLOADED:
        *state = 3;
        break;
    default:
        *state = 0;
        return;
    }
    if (*state == 3) {
        char rel[PATH_MAX];
        snprintf(rel, sizeof rel, "fota/%s", s->st.fota_pkg_name);
        struct pkg_header h;
        if (sim_install_read_header(s, rel, &h) == 0)
            *total = *done = pkg_header_encoded_size() + h.payload_size + PKG_SIG_LEN;
        return;
    }
    (void)sim_uf_percent(s, done, total);
}

int sim_ufota_config(struct sim *s, int mode)
{
    s->ufota->mode = mode;
    sim_uf_save(s);
    return SIM_RES_OK;
}

int sim_ufota_ack(struct sim *s, long seconds)
{
    struct sim_ufota *u = s->ufota;
    if (u->phase != SIM_UF_WAIT_ACK)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
    sim_timer_cancel(s, u->ack_timer);
    u->ack_timer = 0;
    if (seconds == 0) {
        sim_ufota_urc_fota(s, 2, 3, 100); /* §5.4.2.2 rejected by the host */
        sim_uf_abandon(s, SIM_UR_FAILED);
        return SIM_RES_OK;
    }
    sim_uf_set(s, SIM_UF_ACK_DELAY, -1);
    u->ack_timer = sim_timer_add(s, (uint64_t)seconds * 1000u, sim_uf_ack_timer, NULL);
    return SIM_RES_OK;
}

/* ---- the part ------------------------------------------------------------------------------ */

static bool sim_uf_may_start(struct sim *s)
{
    return !sim_install_busy(s); /* the module in update mode has no client */
}

static void sim_uf_event(struct sim *s, enum sim_lwm2m_event ev)
{
    switch (ev) {
    case SIM_LWM2M_EV_ATTACHED:
        sim_ufota_urc_fota(s, 3, 1, 0); /* §5.7.1 */
        break;
    case SIM_LWM2M_EV_REGISTERED:
        sim_ufota_urc_lwm2m(s, "1,%d,3", SIM_LWM2M_SSID);
        break;
    case SIM_LWM2M_EV_UP:
        sim_uf_client_up(s);
        break;
    }
}

static const struct sim_lwm2m_app sim_uf_app = {
    .may_start = sim_uf_may_start,
    .fw_get = sim_uf_fw_get,
    .fw_write_uri = sim_uf_write_uri,
    .fw_execute = sim_uf_execute,
    .lifetime_changed = sim_uf_lifetime_changed,
    .event = sim_uf_event,
};

static int sim_uf_init(struct sim *s)
{
    s->ufota = calloc(1, sizeof *s->ufota);
    if (!s->ufota)
        return -1;
    s->ufota->last_pct = -1;
    sim_lwm2m_set_app(s, &sim_uf_app);
    return 0;
}

static void sim_uf_fini(struct sim *s)
{
    free(s->ufota);
    s->ufota = NULL;
}

/* uFOTA (§5): object 5 of the LwM2M client, the campaign, its AT commands and URCs. */
const struct sim_part sim_part_ufota = {
    .name = "ufota",
    .cmds = sim_ufota_cmds,
    .init = sim_uf_init,
    .fini = sim_uf_fini,
    .power_up = sim_uf_power_up,
    .download = SIM_DL_LWM2M,
    .installs = 1u << SIM_INSTALL_UFOTA,
    .host_may_install = sim_uf_host_may_install,
    .install_result = sim_uf_install_result,
};
