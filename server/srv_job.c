/* Update job state machine (srv_job.h). Every change is written to the store, which is what
 * the REST API and a campaign engine read. */
#define _GNU_SOURCE
#include "srv_job.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv_oma.h"
#include "srv_package.h"

/* What an answer belongs to: tag = job id << 4 | kind. */
enum answer_kind {
    ANS_STATE = 1,   /* Observe /5/0/3 */
    ANS_RESULT = 2,  /* Observe /5/0/5 */
    ANS_WRITE = 3,   /* Write /5/0/1 */
    ANS_EXECUTE = 4, /* Execute /5/0/2 */
    ANS_RESET = 5,   /* Write /5/0/1 = "" (back to State Idle) */
};
#define TAG(id, kind) (((uint64_t)(id) << 4) | (uint64_t)(kind))

struct srv_job {
    struct srv_job *next;
    struct srv_job_record rec;
    bool uri_written; /* the device accepted the Package URI */
    bool state_seen;  /* first answer to the State observation arrived */
    bool result_seen; /* first answer to the Update Result observation arrived */
    bool away;        /* the device left during the download phase */
    int64_t saved_deadline;
};

struct srv_jobs {
    struct srv_jobs_config cfg; /* timeouts filled in */
    struct srv_job *active;     /* jobs not yet done or failed */
    bool resume_failed;         /* out of memory while loading the jobs of an earlier run */
};

static const char *const state_names[] = {"observing", "writing",  "downloading",
                                          "executing", "updating", "verifying",
                                          "done",      "failed",   "resetting"};

const char *srv_job_state_name(int state)
{
    if (state < 0 || (size_t)state >= sizeof state_names / sizeof state_names[0])
        return "unknown";
    return state_names[state];
}

bool srv_job_state_final(int state)
{
    return state == SRV_JOB_DONE || state == SRV_JOB_FAILED;
}

enum phase { PHASE_DOWNLOAD, PHASE_INSTALL, PHASE_REREGISTER };

static const char *const phase_names[] = {"download", "install", "re-registration"};
static const char *const phase_options[] = {"--download-timeout", "--install-timeout",
                                            "--reregister-timeout"};

static long phase_timeout(const struct srv_jobs *jobs, enum phase p)
{
    return p == PHASE_DOWNLOAD  ? jobs->cfg.download_timeout
           : p == PHASE_INSTALL ? jobs->cfg.install_timeout
                                : jobs->cfg.reregister_timeout;
}

static enum phase phase_of(int state)
{
    switch (state) {
    case SRV_JOB_EXECUTING:
    case SRV_JOB_UPDATING:
        return PHASE_INSTALL;
    case SRV_JOB_VERIFYING:
        return PHASE_REREGISTER;
    default:
        return PHASE_DOWNLOAD;
    }
}

/* The phase starts now: the job times out after its timeout. */
static void arm(struct srv_jobs *jobs, struct srv_job *j, enum phase p)
{
    j->rec.deadline = (int64_t)time(NULL) + phase_timeout(jobs, p);
}

/* "psk:<identity>" or, in NoSec mode, "ip:<address without the port>": what must stay the
 * same from the start of a job to its end. */
static void chain_of(const struct srv_device *d, char *out, size_t cap)
{
    if (d->identity[0]) {
        snprintf(out, cap, "psk:%s", d->identity);
        return;
    }
    const char *colon = strrchr(d->address, ':');
    int n = colon ? (int)(colon - d->address) : (int)strlen(d->address);
    snprintf(out, cap, "ip:%.*s", n, d->address);
}

/* A job of an earlier run of the server that had not ended: it carries on when its device
 * registers again (after a server restart the device's next Update gets 4.04 and it
 * registers anew, OMA LwM2M 1.0 §5.3.2). */
static void resume_job(void *user, const struct srv_job_record *rec)
{
    struct srv_jobs *jobs = user;
    if (srv_job_state_final(rec->state))
        return;
    struct srv_job *j = calloc(1, sizeof *j);
    if (!j) {
        jobs->resume_failed = true;
        return;
    }
    j->rec = *rec;
    j->uri_written = rec->state >= SRV_JOB_DOWNLOADING && rec->state != SRV_JOB_RESETTING;
    if (!j->rec.deadline)
        arm(jobs, j, phase_of(rec->state));
    j->next = jobs->active;
    jobs->active = j;
    fprintf(stderr, "larafw-server: job %lld (%s) resumes in state %s once the device registers\n",
            (long long)rec->id, rec->endpoint, srv_job_state_name(rec->state));
}

int srv_jobs_new(const struct srv_jobs_config *cfg, struct srv_jobs **out)
{
    struct srv_jobs *jobs = calloc(1, sizeof *jobs);
    if (!jobs)
        return SRV_E_NOMEM;
    jobs->cfg = *cfg;
    if (jobs->cfg.download_timeout <= 0)
        jobs->cfg.download_timeout = SRV_JOB_DOWNLOAD_TIMEOUT;
    if (jobs->cfg.install_timeout <= 0)
        jobs->cfg.install_timeout = SRV_JOB_INSTALL_TIMEOUT;
    if (jobs->cfg.reregister_timeout <= 0)
        jobs->cfg.reregister_timeout = SRV_JOB_REREGISTER_TIMEOUT;
    if (srv_store_job_list(cfg->store, resume_job, jobs) != 0 || jobs->resume_failed) {
        srv_jobs_free(jobs);
        return SRV_E_STORE;
    }
    *out = jobs;
    return 0;
}

static void forget_answers(struct srv_jobs *jobs, struct srv_job *j)
{
    for (int k = ANS_STATE; k <= ANS_RESET; k++)
        srv_lwm2m_forget(jobs->cfg.lwm2m, jobs, TAG(j->rec.id, k));
}

void srv_jobs_free(struct srv_jobs *jobs)
{
    if (!jobs)
        return;
    while (jobs->active) {
        struct srv_job *j = jobs->active;
        jobs->active = j->next;
        free(j);
    }
    free(jobs);
}

static void save(struct srv_jobs *jobs, struct srv_job *j)
{
    j->rec.updated = time(NULL);
    if (srv_store_job_put(jobs->cfg.store, &j->rec) != 0)
        fprintf(stderr, "larafw-server: job %lld: could not store its state\n",
                (long long)j->rec.id);
}

static void set_state(struct srv_jobs *jobs, struct srv_job *j, enum srv_job_state s,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void set_state(struct srv_jobs *jobs, struct srv_job *j, enum srv_job_state s,
                      const char *fmt, ...)
{
    j->rec.state = s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->rec.message, sizeof j->rec.message, fmt, ap);
    va_end(ap);
    fprintf(stderr, "larafw-server: job %lld (%s): %s: %s\n", (long long)j->rec.id, j->rec.endpoint,
            srv_job_state_name(s), j->rec.message);
    save(jobs, j);
    if (srv_job_state_final(s)) {
        forget_answers(jobs, j);
        for (struct srv_job **pp = &jobs->active; *pp; pp = &(*pp)->next) {
            if (*pp == j) {
                *pp = j->next;
                free(j);
                break;
            }
        }
    }
}

static struct srv_job *find_by_id(struct srv_jobs *jobs, int64_t id)
{
    for (struct srv_job *j = jobs->active; j; j = j->next)
        if (j->rec.id == id)
            return j;
    return NULL;
}

static struct srv_job *find_by_endpoint(struct srv_jobs *jobs, const char *endpoint)
{
    for (struct srv_job *j = jobs->active; j; j = j->next)
        if (strcmp(j->rec.endpoint, endpoint) == 0)
            return j;
    return NULL;
}

static void on_answer(void *user, uint64_t tag, const struct srv_lwm2m_response *r);

/* Sends the two observations of §5.1; the answers drive the rest. */
static void observe_fw_object(struct srv_jobs *jobs, struct srv_job *j)
{
    j->state_seen = j->result_seen = false;
    forget_answers(jobs, j);
    int rc = srv_lwm2m_observe(jobs->cfg.lwm2m, j->rec.endpoint, "/5/0/3", on_answer, jobs,
                               TAG(j->rec.id, ANS_STATE));
    if (rc == 0)
        rc = srv_lwm2m_observe(jobs->cfg.lwm2m, j->rec.endpoint, "/5/0/5", on_answer, jobs,
                               TAG(j->rec.id, ANS_RESULT));
    if (rc != 0)
        set_state(jobs, j, SRV_JOB_FAILED, "could not observe /5/0/3 and /5/0/5: %s",
                  srv_strerror(rc));
}

static void write_uri(struct srv_jobs *jobs, struct srv_job *j)
{
    int rc = srv_lwm2m_write_str(jobs->cfg.lwm2m, j->rec.endpoint, "/5/0/1", j->rec.uri, on_answer,
                                 jobs, TAG(j->rec.id, ANS_WRITE));
    if (rc != 0) {
        set_state(jobs, j, SRV_JOB_FAILED, "could not write /5/0/1: %s", srv_strerror(rc));
        return;
    }
    set_state(jobs, j, SRV_JOB_WRITING, "writing Package URI %s", j->rec.uri);
}

/* OMA object 5: an empty Package URI resets the state machine to Idle; the URI is written
 * only in State Idle. */
static void reset_fw_object(struct srv_jobs *jobs, struct srv_job *j)
{
    int rc = srv_lwm2m_write_str(jobs->cfg.lwm2m, j->rec.endpoint, "/5/0/1", "", on_answer, jobs,
                                 TAG(j->rec.id, ANS_RESET));
    if (rc != 0) {
        set_state(jobs, j, SRV_JOB_FAILED, "could not write an empty /5/0/1: %s", srv_strerror(rc));
        return;
    }
    set_state(jobs, j, SRV_JOB_RESETTING,
              "State is %d (%s), not Idle: writing an empty Package URI first", j->rec.fw_state,
              srv_oma_state_name(j->rec.fw_state));
}

static void execute_update(struct srv_jobs *jobs, struct srv_job *j)
{
    int rc = srv_lwm2m_execute(jobs->cfg.lwm2m, j->rec.endpoint, "/5/0/2", on_answer, jobs,
                               TAG(j->rec.id, ANS_EXECUTE));
    if (rc != 0) {
        set_state(jobs, j, SRV_JOB_FAILED, "could not execute /5/0/2: %s", srv_strerror(rc));
        return;
    }
    arm(jobs, j, PHASE_INSTALL);
    set_state(jobs, j, SRV_JOB_EXECUTING, "package downloaded; executing /5/0/2 Update");
}

/* Both observations answered once: decide the next step. */
static void observed(struct srv_jobs *jobs, struct srv_job *j)
{
    if (j->rec.state == SRV_JOB_VERIFYING) {
        struct srv_device d;
        const char *version = "";
        char chain[SRV_CHAIN_MAX] = "";
        if (srv_store_device_get(jobs->cfg.store, SRV_KEY_ENDPOINT, j->rec.endpoint, &d) == 0) {
            version = d.fw_version;
            chain_of(&d, chain, sizeof chain);
        }
        if (j->rec.chain[0] && strcmp(chain, j->rec.chain) != 0) {
            /* another registration took the endpoint meanwhile: not the job's device (a job
             * stored before chains existed has none) */
            fprintf(stderr,
                    "larafw-server: job %lld: %s is now registered by '%s', not the job's "
                    "device '%s'; still waiting for it\n",
                    (long long)j->rec.id, j->rec.endpoint, chain, j->rec.chain);
            return;
        }
        if (d.imei_conflict)
            set_state(jobs, j, SRV_JOB_FAILED,
                      "IMEI %s is claimed by another registration or contradicted by /3/0/2: "
                      "the result cannot be trusted",
                      j->rec.imei);
        else if (strcmp(version, j->rec.target_version) == 0)
            set_state(jobs, j, SRV_JOB_DONE, "device re-registered on %s", version);
        else if (srv_oma_result_is_error(j->rec.fw_result))
            set_state(jobs, j, SRV_JOB_FAILED, "Update Result %d: %s", j->rec.fw_result,
                      srv_oma_result_text(j->rec.fw_result));
        else
            set_state(jobs, j, SRV_JOB_FAILED,
                      "device re-registered on version '%s', not the target %s (Update Result "
                      "%d: %s)",
                      version, j->rec.target_version, j->rec.fw_result,
                      srv_oma_result_text(j->rec.fw_result));
        return;
    }
    if (j->rec.state != SRV_JOB_OBSERVING)
        return;
    if (!j->uri_written) {
        if (j->rec.fw_state > SRV_FW_STATE_IDLE)
            reset_fw_object(jobs, j);
        else
            write_uri(jobs, j);
        return;
    }
    /* observing again after the device rebooted during the download (§5.1: it resumes) */
    if (j->rec.fw_state == SRV_FW_STATE_DOWNLOADED)
        execute_update(jobs, j);
    else
        set_state(jobs, j, SRV_JOB_DOWNLOADING, "device came back; waiting for the download");
}

/* The device table keeps the last object 5 values too (GET /api/devices). */
static void save_device_fw(struct srv_jobs *jobs, const struct srv_job *j)
{
    struct srv_device d;
    if (srv_store_device_get(jobs->cfg.store, SRV_KEY_ENDPOINT, j->rec.endpoint, &d) != 0)
        return;
    d.fw_state = j->rec.fw_state;
    d.fw_result = j->rec.fw_result;
    if (srv_store_device_put(jobs->cfg.store, &d) != 0)
        fprintf(stderr, "larafw-server: could not store device %s\n", d.endpoint);
}

static void on_state(struct srv_jobs *jobs, struct srv_job *j, int64_t v)
{
    j->rec.fw_state = (int)v;
    save(jobs, j);
    save_device_fw(jobs, j);
    if (v == SRV_FW_STATE_IDLE && j->rec.state == SRV_JOB_RESETTING) {
        write_uri(jobs, j);
        return;
    }
    if (v == SRV_FW_STATE_DOWNLOADED &&
        (j->rec.state == SRV_JOB_WRITING || j->rec.state == SRV_JOB_DOWNLOADING) && j->uri_written)
        execute_update(jobs, j);
    else if (v == SRV_FW_STATE_UPDATING && j->rec.state == SRV_JOB_EXECUTING)
        set_state(jobs, j, SRV_JOB_UPDATING, "device is updating");
}

static void on_result(struct srv_jobs *jobs, struct srv_job *j, int64_t v)
{
    j->rec.fw_result = (int)v;
    save(jobs, j);
    save_device_fw(jobs, j);
    /* an error left over from an earlier attempt is not ours until we wrote the URI */
    if (srv_oma_result_is_error((int)v) &&
        (j->uri_written || phase_of(j->rec.state) != PHASE_DOWNLOAD))
        set_state(jobs, j, SRV_JOB_FAILED, "Update Result %d: %s", (int)v,
                  srv_oma_result_text((int)v));
}

static void on_answer(void *user, uint64_t tag, const struct srv_lwm2m_response *r)
{
    struct srv_jobs *jobs = user;
    struct srv_job *j = find_by_id(jobs, (int64_t)(tag >> 4));
    if (!j)
        return;
    int kind = (int)(tag & 0xf);
    int64_t v;
    switch (kind) {
    case ANS_STATE:
    case ANS_RESULT: {
        const char *path = kind == ANS_STATE ? "/5/0/3" : "/5/0/5";
        if (r->code != 205) {
            if (r->notification)
                return; /* the observation ended; the device will register again */
            if (j->rec.state == SRV_JOB_VERIFYING) {
                /* no object 5 answer after reboot: the version alone decides */
                j->state_seen = j->result_seen = true;
                observed(jobs, j);
            } else {
                set_state(jobs, j, SRV_JOB_FAILED, "Observe %s: %s", path,
                          r->code ? "refused by the device" : "no answer from the device");
            }
            return;
        }
        if (srv_lwm2m_value_int(r, (uint16_t)(kind == ANS_STATE ? 3 : 5), &v) != 0) {
            fprintf(stderr, "larafw-server: job %lld: unreadable %s value\n", (long long)j->rec.id,
                    path);
            return;
        }
        bool first = kind == ANS_STATE ? !j->state_seen : !j->result_seen;
        if (kind == ANS_STATE) {
            j->state_seen = true;
            on_state(jobs, j, v);
        } else {
            j->result_seen = true;
            on_result(jobs, j, v);
        }
        /* on_state/on_result may have ended the job */
        j = find_by_id(jobs, (int64_t)(tag >> 4));
        if (j && first && j->state_seen && j->result_seen)
            observed(jobs, j);
        return;
    }
    case ANS_WRITE:
        if (r->code == 204) {
            j->uri_written = true;
            if (j->rec.state == SRV_JOB_WRITING)
                set_state(jobs, j, SRV_JOB_DOWNLOADING, "device is downloading %s", j->rec.package);
        } else {
            set_state(jobs, j, SRV_JOB_FAILED, "Write /5/0/1: %s (CoAP %d.%02d)",
                      r->code ? "refused by the device" : "no answer from the device",
                      r->code / 100, r->code % 100);
        }
        return;
    case ANS_RESET:
        if (r->code != 204)
            set_state(jobs, j, SRV_JOB_FAILED,
                      "Write of an empty /5/0/1 (reset to Idle): %s (CoAP %d.%02d)",
                      r->code ? "refused by the device" : "no answer from the device",
                      r->code / 100, r->code % 100);
        /* else State = Idle comes as a notification */
        return;
    case ANS_EXECUTE:
        /* no answer is fine: the module may reset before it acknowledges (§5.1) */
        if (r->code == 204 || r->code == 0) {
            if (j->rec.state == SRV_JOB_EXECUTING)
                set_state(jobs, j, SRV_JOB_UPDATING,
                          "update started; waiting for the device to register again");
        } else {
            set_state(jobs, j, SRV_JOB_FAILED, "Execute /5/0/2 refused (CoAP %d.%02d)",
                      r->code / 100, r->code % 100);
        }
        return;
    }
}

void srv_jobs_on_registered(struct srv_jobs *jobs, const char *endpoint, bool fresh)
{
    struct srv_job *j = find_by_endpoint(jobs, endpoint);
    if (!j || !fresh)
        return;
    struct srv_device d;
    char chain[SRV_CHAIN_MAX] = "?";
    if (srv_store_device_get(jobs->cfg.store, SRV_KEY_ENDPOINT, endpoint, &d) == 0)
        chain_of(&d, chain, sizeof chain);
    if (j->rec.chain[0] && strcmp(chain, j->rec.chain) != 0) {
        /* an impostor (or the module from another network: NoSec cannot tell) */
        fprintf(stderr,
                "larafw-server: job %lld: %s registered as '%s', but the job's device is "
                "'%s'; not counted, still waiting\n",
                (long long)j->rec.id, endpoint, chain, j->rec.chain);
        return;
    }
    if (j->away) { /* back in time: the download phase's own deadline again */
        j->away = false;
        if (j->saved_deadline)
            j->rec.deadline = j->saved_deadline;
        j->saved_deadline = 0;
    }
    if (j->rec.state == SRV_JOB_EXECUTING || j->rec.state == SRV_JOB_UPDATING ||
        j->rec.state == SRV_JOB_VERIFYING) {
        arm(jobs, j, PHASE_REREGISTER);
        set_state(jobs, j, SRV_JOB_VERIFYING, "device registered again; checking its version");
        observe_fw_object(jobs, j);
    } else {
        j->rec.state = SRV_JOB_OBSERVING;
        observe_fw_object(jobs, j);
    }
}

void srv_jobs_on_deregistered(struct srv_jobs *jobs, const char *endpoint)
{
    struct srv_job *j = find_by_endpoint(jobs, endpoint);
    if (!j)
        return;
    fprintf(stderr, "larafw-server: job %lld: %s left; waiting for it to register again\n",
            (long long)j->rec.id, endpoint);
    if (phase_of(j->rec.state) == PHASE_DOWNLOAD) {
        /* it must come back within the re-registration timeout (or the download one) */
        int64_t back = (int64_t)time(NULL) + jobs->cfg.reregister_timeout;
        if (back < j->rec.deadline) {
            j->saved_deadline = j->rec.deadline;
            j->rec.deadline = back;
        }
        j->away = true;
    }
}

void srv_jobs_tick(struct srv_jobs *jobs, time_t now)
{
    for (struct srv_job *j = jobs->active, *next; j; j = next) {
        next = j->next; /* set_state frees a job that ends */
        if (!j->rec.deadline || now < j->rec.deadline)
            continue;
        /* away: the re-registration deadline if it came before the download one */
        enum phase p = j->away && j->saved_deadline ? PHASE_REREGISTER : phase_of(j->rec.state);
        if (p == PHASE_DOWNLOAD && srv_lwm2m_is_registered(jobs->cfg.lwm2m, j->rec.endpoint) &&
            srv_lwm2m_write_str(jobs->cfg.lwm2m, j->rec.endpoint, "/5/0/1", "", NULL, NULL, 0) != 0)
            fprintf(stderr, "larafw-server: job %lld: could not cancel the download\n",
                    (long long)j->rec.id);
        set_state(jobs, j, SRV_JOB_FAILED,
                  "timed out in the %s phase (%s %ld s) while %s; last State %d (%s), Update "
                  "Result %d (%s)",
                  phase_names[p], phase_options[p], phase_timeout(jobs, p),
                  srv_job_state_name(j->rec.state), j->rec.fw_state,
                  srv_oma_state_name(j->rec.fw_state), j->rec.fw_result,
                  srv_oma_result_text(j->rec.fw_result));
    }
}

/* The device's model (/3/0/1, "LARA-R6001D") is the package's product ("LARA-R6001D-01B")
 * without its type-number suffix, or the whole of it. */
static bool product_matches(const char *product, const char *model)
{
    size_t n = strlen(model);
    return n && strncmp(product, model, n) == 0 && (product[n] == '\0' || product[n] == '-');
}

int srv_job_start(struct srv_jobs *jobs, const char *device, const char *package, int64_t *id,
                  char *why, size_t cap)
{
    struct srv_device d;
    if (srv_store_device_get(jobs->cfg.store, SRV_KEY_IMEI, device, &d) != 0 &&
        srv_store_device_get(jobs->cfg.store, SRV_KEY_ENDPOINT, device, &d) != 0) {
        snprintf(why, cap, "no device with IMEI or endpoint '%s'; GET /api/devices lists them",
                 device);
        return SRV_E_NOTFOUND;
    }
    if (!srv_lwm2m_is_registered(jobs->cfg.lwm2m, d.endpoint)) {
        snprintf(why, cap, "device %s is not registered now; wait until it registers", device);
        return SRV_E_STATE;
    }
    if (d.imei_conflict) {
        snprintf(why, cap,
                 "the IMEI of %s is claimed by another registration, or its /3/0/2 contradicts "
                 "its endpoint: it is not trusted for update jobs (see the server's log)",
                 device);
        return SRV_E_STATE;
    }
    if (find_by_endpoint(jobs, d.endpoint)) {
        snprintf(why, cap, "an update job is already running for %s; follow it or wait", device);
        return SRV_E_STATE;
    }
    struct pkg_header h;
    int rc = srv_package_header(jobs->cfg.packages_dir, package, &h);
    if (rc != 0) {
        snprintf(why, cap,
                 rc == SRV_E_ARG        ? "'%s' is not a plain file name of the packages directory"
                 : rc == SRV_E_NOTFOUND ? "no package '%s' in the packages directory"
                                        : "'%s' is not a larafw package (larafw-pkg builds them)",
                 package);
        return rc == SRV_E_IO ? SRV_E_NOTFOUND : rc;
    }
    if (!product_matches(h.product, d.product)) {
        snprintf(why, cap,
                 d.product[0] ? "package %s is for %s but device %s is a %s (/3/0/1); pick a "
                                "package built for its product"
                              : "package %s is for %s but the model of device %s is unknown "
                                "(/3/0/1 unread%s); wait until it registers again",
                 package, h.product, device, d.product);
        return SRV_E_STATE;
    }
    if (d.fw_version[0] && strcmp(d.fw_version, h.dst_version) == 0) {
        snprintf(why, cap, "device %s already runs %s", device, h.dst_version);
        return SRV_E_STATE;
    }
    if (h.kind == PKG_KIND_DELTA && d.fw_version[0] && strcmp(d.fw_version, h.src_version) != 0) {
        snprintf(why, cap, "package %s is a delta from %s but device %s runs %s", package,
                 h.src_version, device, d.fw_version);
        return SRV_E_STATE;
    }
    struct srv_job *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(why, cap, "out of memory");
        return SRV_E_NOMEM;
    }
    snprintf(j->rec.endpoint, sizeof j->rec.endpoint, "%s", d.endpoint);
    snprintf(j->rec.imei, sizeof j->rec.imei, "%s", d.imei);
    snprintf(j->rec.package, sizeof j->rec.package, "%s", package);
    snprintf(j->rec.target_version, sizeof j->rec.target_version, "%s", h.dst_version);
    snprintf(j->rec.uri, sizeof j->rec.uri, "%s%s", jobs->cfg.package_base_url, package);
    j->rec.state = SRV_JOB_OBSERVING;
    chain_of(&d, j->rec.chain, sizeof j->rec.chain);
    arm(jobs, j, PHASE_DOWNLOAD);
    j->rec.fw_state = d.fw_state;
    j->rec.fw_result = d.fw_result;
    snprintf(j->rec.message, sizeof j->rec.message, "observing /5/0/3 and /5/0/5");
    j->rec.created = j->rec.updated = time(NULL);
    if (srv_store_job_insert(jobs->cfg.store, &j->rec) != 0) {
        free(j);
        snprintf(why, cap, "the store failed; see the server's log");
        return SRV_E_STORE;
    }
    j->next = jobs->active;
    jobs->active = j;
    *id = j->rec.id;
    fprintf(stderr, "larafw-server: job %lld: update %s (%s) to %s with %s\n", (long long)j->rec.id,
            d.endpoint, d.imei, h.dst_version, package);
    observe_fw_object(jobs, j);
    return 0;
}
