/* The server's store: devices and update jobs. One small interface (a vtable) so that the
 * embedded SQLite store (srv_store_sqlite.c) can later be joined by a shared database for
 * several server instances, and so that a campaign engine can sit on top (campaigns will add
 * their own table and create jobs through srv_job_start()).
 *
 * Every function returns 0 or a negative SRV_E… code (srv_err.h). */
#ifndef LARAFW_SRV_STORE_H
#define LARAFW_SRV_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "srv_err.h"
#include "srv_regq.h"

#define SRV_IMEI_MAX     32
#define SRV_TEXT_MAX     64
#define SRV_OBJECTS_MAX  2048 /* registrations are about 1.1–1.4 kB (§5.1) */
#define SRV_MSG_MAX      256
#define SRV_IDENTITY_MAX 128 /* DTLS-PSK identity, NUL included (srv_psk.h) */
#define SRV_CHAIN_MAX    160 /* "psk:<identity>" or "ip:<address>" */

/* A device as the LwM2M server knows it. The key is the endpoint name. The IMEI comes from a
 * "urn:imei:<IMEI>" endpoint or from /3/0/2 (serial number), only when it is a valid IMEI
 * (15 digits, Luhn); empty until then. imei_conflict is set while two registered devices
 * claim one IMEI, or when /3/0/2 contradicts the urn:imei: endpoint: such a device is not
 * trusted for update jobs (docs/server.md "Security model"). */
struct srv_device {
    char endpoint[SRV_EP_MAX];
    char imei[SRV_IMEI_MAX];
    char product[SRV_TEXT_MAX];    /* /3/0/1 model number */
    char fw_version[SRV_TEXT_MAX]; /* /3/0/3 firmware version */
    char reg_id[24];               /* Location-Path "rd/<reg_id>": 16 hex digits */
    char address[SRV_TEXT_MAX];    /* where the registration came from */
    char binding[8];
    char lwm2m[8];
    char objects[SRV_OBJECTS_MAX]; /* "</1/10>,</3/0>,…" as registered (cut when longer) */
    bool registered;
    long lifetime;                   /* seconds */
    int64_t registered_at;           /* Unix seconds */
    int64_t last_seen;               /* Unix seconds: last registration or update */
    int fw_state;                    /* /5/0/3, -1 unknown */
    int fw_result;                   /* /5/0/5, -1 unknown */
    char identity[SRV_IDENTITY_MAX]; /* DTLS-PSK identity of the registration, "" in NoSec */
    bool imei_conflict;              /* IMEI claimed twice or contradicted: no jobs */
};

/* One update job (srv_job.h drives it). */
struct srv_job_record {
    int64_t id; /* assigned by job_insert */
    char endpoint[SRV_EP_MAX];
    char imei[SRV_IMEI_MAX];
    char package[SRV_TEXT_MAX]; /* file name inside the packages directory */
    char target_version[SRV_TEXT_MAX];
    char uri[256]; /* Package URI written to /5/0/1 */
    int state;     /* enum srv_job_state */
    int fw_state;  /* last /5/0/3 seen, -1 unknown */
    int fw_result; /* last /5/0/5 seen, -1 unknown */
    char message[SRV_MSG_MAX];
    int64_t created; /* Unix seconds */
    int64_t updated;
    char chain[SRV_CHAIN_MAX]; /* who the device is: "psk:<identity>" or, NoSec, "ip:<addr>" */
    int64_t deadline;          /* Unix seconds: the current phase times out then; 0 none */
};

enum srv_device_key { SRV_KEY_ENDPOINT, SRV_KEY_IMEI };

typedef void (*srv_device_fn)(void *user, const struct srv_device *d);
typedef void (*srv_job_fn)(void *user, const struct srv_job_record *j);

struct srv_store;
struct srv_store_ops {
    int (*device_put)(struct srv_store *st, const struct srv_device *d);
    int (*device_get)(struct srv_store *st, enum srv_device_key key, const char *value,
                      struct srv_device *out);
    int (*device_list)(struct srv_store *st, srv_device_fn fn, void *user);
    int (*device_delete)(struct srv_store *st, const char *endpoint);
    int (*device_imei_list)(struct srv_store *st, const char *imei, srv_device_fn fn, void *user);
    int (*devices_offline)(struct srv_store *st);
    int (*job_insert)(struct srv_store *st, struct srv_job_record *j);
    int (*job_put)(struct srv_store *st, const struct srv_job_record *j);
    int (*job_get)(struct srv_store *st, int64_t id, struct srv_job_record *out);
    int (*job_list)(struct srv_store *st, srv_job_fn fn, void *user);
    void (*close)(struct srv_store *st);
};
struct srv_store {
    const struct srv_store_ops *ops;
};

/* Opens (creating tables when needed) the SQLite store at `path`; ":memory:" keeps it in
 * memory. Returns 0, SRV_E_STORE (cannot open, schema error) or SRV_E_NOMEM. */
SRV_WARN_UNUSED int srv_store_sqlite_open(const char *path, struct srv_store **out);

/* Inserts or replaces the device with d->endpoint. */
SRV_WARN_UNUSED static inline int srv_store_device_put(struct srv_store *st,
                                                       const struct srv_device *d)
{
    return st->ops->device_put(st, d);
}
/* The device whose endpoint or IMEI is `value`; SRV_E_NOTFOUND when none. When several
 * endpoints carry the same IMEI, the most recently seen one. */
SRV_WARN_UNUSED static inline int srv_store_device_get(struct srv_store *st,
                                                       enum srv_device_key key, const char *value,
                                                       struct srv_device *out)
{
    return st->ops->device_get(st, key, value, out);
}
/* Calls fn for every device, ordered by endpoint. */
SRV_WARN_UNUSED static inline int srv_store_device_list(struct srv_store *st, srv_device_fn fn,
                                                        void *user)
{
    return st->ops->device_list(st, fn, user);
}
/* Removes the device with `endpoint` (SRV_E_NOTFOUND when there is none). */
SRV_WARN_UNUSED static inline int srv_store_device_delete(struct srv_store *st,
                                                          const char *endpoint)
{
    return st->ops->device_delete(st, endpoint);
}
/* Calls fn for every registered device whose IMEI is `imei`, ordered by endpoint. */
SRV_WARN_UNUSED static inline int srv_store_device_imei_list(struct srv_store *st, const char *imei,
                                                             srv_device_fn fn, void *user)
{
    return st->ops->device_imei_list(st, imei, fn, user);
}
/* Marks every device unregistered (at start: no session survives a restart). */
SRV_WARN_UNUSED static inline int srv_store_devices_offline(struct srv_store *st)
{
    return st->ops->devices_offline(st);
}
/* Stores a new job and sets j->id. */
SRV_WARN_UNUSED static inline int srv_store_job_insert(struct srv_store *st,
                                                       struct srv_job_record *j)
{
    return st->ops->job_insert(st, j);
}
/* Replaces the job with j->id; SRV_E_NOTFOUND when there is none. */
SRV_WARN_UNUSED static inline int srv_store_job_put(struct srv_store *st,
                                                    const struct srv_job_record *j)
{
    return st->ops->job_put(st, j);
}
SRV_WARN_UNUSED static inline int srv_store_job_get(struct srv_store *st, int64_t id,
                                                    struct srv_job_record *out)
{
    return st->ops->job_get(st, id, out);
}
/* Calls fn for every job, oldest first. */
SRV_WARN_UNUSED static inline int srv_store_job_list(struct srv_store *st, srv_job_fn fn,
                                                     void *user)
{
    return st->ops->job_list(st, fn, user);
}
static inline void srv_store_close(struct srv_store *st)
{
    if (st)
        st->ops->close(st);
}

#endif
