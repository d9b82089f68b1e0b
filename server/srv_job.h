/* Firmware update jobs: one device, one package, driven over LwM2M object 5 (MODULE.md §5,
 * note §5.1 and §5.11):
 *
 *   observing   → Observe /5/0/3 State and /5/0/5 Update Result
 *   resetting   → State is not Idle: Write an empty /5/0/1 first (OMA object 5: resets the
 *                 state machine to Idle), wait for State = 0
 *   writing     → Write /5/0/1 Package URI = <base URL>/<package> (only in State Idle)
 *   downloading → wait for State = 2 Downloaded
 *   executing   → Execute /5/0/2 Update
 *   updating    → wait for the device to register again (it resets and installs)
 *   verifying   → re-observe State / Update Result; /3/0/3 read at registration
 *   done        → /3/0/3 = the package's target version
 *   failed      → Update Result 2..9, a refused request, the wrong version after reboot, an
 *                 IMEI conflict, or a phase that timed out
 *
 * Phases and their timeouts (srv_jobs_config): download = observing … downloading, from the
 * start of the job; install = executing, updating, from the Execute until the device
 * registers again; re-registration = the device left during the download and must come back,
 * and verifying. A job ends only on the device it started on: the same PSK identity, or in
 * NoSec mode a registration from the same IP address ("chain", docs/server.md).
 *
 * Many jobs can run at once (one per device); a campaign engine creates them with
 * srv_job_start() and follows them through the store. */
#ifndef LARAFW_SRV_JOB_H
#define LARAFW_SRV_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "srv_err.h"
#include "srv_lwm2m.h"
#include "srv_store.h"

enum srv_job_state {
    SRV_JOB_OBSERVING = 0,
    SRV_JOB_WRITING = 1,
    SRV_JOB_DOWNLOADING = 2,
    SRV_JOB_EXECUTING = 3,
    SRV_JOB_UPDATING = 4,
    SRV_JOB_VERIFYING = 5,
    SRV_JOB_DONE = 6,
    SRV_JOB_FAILED = 7,
    SRV_JOB_RESETTING = 8, /* after FAILED: the numbers are stored */
};

/* "downloading", "done"…; "unknown" outside the enum. */
const char *srv_job_state_name(int state);
/* True for done and failed. */
bool srv_job_state_final(int state);

struct srv_jobs_config {
    struct srv_store *store;
    struct srv_lwm2m *lwm2m;
    const char *packages_dir;
    const char *package_base_url; /* "http://127.0.0.1:8080/packages/" (trailing slash) */
    long download_timeout;        /* seconds; 0 = SRV_JOB_DOWNLOAD_TIMEOUT */
    long install_timeout;         /* seconds; 0 = SRV_JOB_INSTALL_TIMEOUT */
    long reregister_timeout;      /* seconds; 0 = SRV_JOB_REREGISTER_TIMEOUT */
};

#define SRV_JOB_DOWNLOAD_TIMEOUT   3600 /* a 1 MB delta at a few kB/s, with retries */
#define SRV_JOB_INSTALL_TIMEOUT    1800 /* the note's 20 min FOTA install, plus the reboot */
#define SRV_JOB_REREGISTER_TIMEOUT 600

struct srv_jobs;

/* Creates the engine and takes over the unfinished jobs of the store (an earlier run of the
 * server): each carries on when its device registers again. Returns 0, SRV_E_NOMEM or
 * SRV_E_STORE. */
SRV_WARN_UNUSED int srv_jobs_new(const struct srv_jobs_config *cfg, struct srv_jobs **out);
void srv_jobs_free(struct srv_jobs *jobs);

/* Starts updating the device whose IMEI (or, failing that, endpoint name) is `device` with
 * `package` (a file name in the packages directory). On success *id is the new job.
 * On failure `why` (cap bytes) says what is wrong and what to do.
 * Returns 0, SRV_E_NOTFOUND (no such device or package), SRV_E_ARG (bad package name),
 * SRV_E_PACKAGE (not a larafw package), SRV_E_STATE (device not registered, its IMEI in
 * conflict, its model (/3/0/1) unknown or not the package's product, already on the target
 * version, not on the delta's source version, a job already running), SRV_E_STORE. */
SRV_WARN_UNUSED int srv_job_start(struct srv_jobs *jobs, const char *device, const char *package,
                                  int64_t *id, char *why, size_t cap);

/* Ends the jobs whose phase timed out (call about once a second). */
void srv_jobs_tick(struct srv_jobs *jobs, time_t now);

/* Hooks from the LwM2M side (srv_lwm2m_hooks). */
void srv_jobs_on_registered(struct srv_jobs *jobs, const char *endpoint, bool fresh);
void srv_jobs_on_deregistered(struct srv_jobs *jobs, const char *endpoint);

#endif
