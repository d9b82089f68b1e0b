/* The REST API (JSON) of larafw-server, docs/server.md:
 *   GET  /api/devices                  all devices
 *   GET  /api/devices/<imei>           one device (IMEI, or endpoint name)
 *   POST /api/devices/<imei>/update    {"package":"<file>"} → 201 {"job":<id>,…}
 *   GET  /api/jobs                     all jobs
 *   GET  /api/jobs/<id>                one job */
#ifndef LARAFW_SRV_API_H
#define LARAFW_SRV_API_H

#include <stddef.h>

#include "srv_http.h"
#include "srv_json.h"

/* Handles one API request; `path` is the URL path (starting with "/api/"). Fills `out` with
 * the JSON body and returns the HTTP status. */
unsigned srv_api_handle(const struct srv_http_config *cfg, const char *method, const char *path,
                        const char *body, size_t body_len, struct srv_buf *out);

/* JSON of one device / one job (also used by tests). */
void srv_api_device_json(struct srv_buf *b, const struct srv_device *d, bool registered_now);
void srv_api_job_json(struct srv_buf *b, const struct srv_job_record *j);

#endif
