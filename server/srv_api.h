/* The REST API (JSON through jansson) of larafw-server, docs/server.md:
 *   GET  /api/devices                  all devices                        viewer
 *   GET  /api/devices/<imei>           one device (IMEI, or endpoint name) viewer
 *   POST /api/devices/<imei>/update    {"package":"<file>"} → 201 job     operator
 *   GET  /api/jobs                     all jobs                           viewer
 *   GET  /api/jobs/<id>                one job                            viewer
 *   GET  /api/tokens                   token names and roles              admin
 * Admission (Host, Origin, token, role, Content-Type, body) is srv_api_req.h. */
#ifndef LARAFW_SRV_API_H
#define LARAFW_SRV_API_H

#include <jansson.h>
#include <stdbool.h>

#include "srv_api_req.h"
#include "srv_buf.h"
#include "srv_job.h"
#include "srv_lwm2m.h"
#include "srv_store.h"

/* What the handlers work on. */
struct srv_api_env {
    struct srv_store *store;
    struct srv_jobs *jobs;
    struct srv_lwm2m *lwm2m;
    const struct srv_tokens *tokens;
};

/* Runs an admitted call (srv_api_admit). Fills `out` with the JSON body (no newline) and
 * returns the HTTP status. */
unsigned srv_api_run(const struct srv_api_env *env, const struct srv_api_call *call,
                     struct srv_buf *out);

/* {"error":"<why>"} into out; returns status. */
unsigned srv_api_error(struct srv_buf *out, unsigned status, const char *why);

/* JSON of one device / one job (new references; NULL when out of memory). */
json_t *srv_api_device_json(const struct srv_device *d, bool registered_now);
json_t *srv_api_job_json(const struct srv_job_record *j);

#endif
