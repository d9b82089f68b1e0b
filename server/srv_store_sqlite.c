/* SQLite implementation of the store (srv_store.h). Single connection, used from the event
 * loop thread only. */
#define _GNU_SOURCE
#include "srv_store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sqlite_store {
    struct srv_store base; /* first: the generic part */
    sqlite3 *db;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS devices ("
    " endpoint TEXT PRIMARY KEY, imei TEXT NOT NULL DEFAULT '', product TEXT, fw_version TEXT,"
    " reg_id TEXT, address TEXT, binding TEXT, lwm2m TEXT, objects TEXT,"
    " registered INTEGER, lifetime INTEGER, registered_at INTEGER, last_seen INTEGER,"
    " fw_state INTEGER, fw_result INTEGER, identity TEXT NOT NULL DEFAULT '',"
    " imei_conflict INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS devices_imei ON devices(imei);"
    "CREATE TABLE IF NOT EXISTS jobs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT, imei TEXT, package TEXT,"
    " target_version TEXT, uri TEXT, state INTEGER, fw_state INTEGER, fw_result INTEGER,"
    " message TEXT, created INTEGER, updated INTEGER, chain TEXT NOT NULL DEFAULT '',"
    " deadline INTEGER NOT NULL DEFAULT 0);";

/* Columns added after the first release: added to older files at open. */
static const char *const migrations[] = {
    "ALTER TABLE devices ADD COLUMN identity TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE devices ADD COLUMN imei_conflict INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE jobs ADD COLUMN chain TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE jobs ADD COLUMN deadline INTEGER NOT NULL DEFAULT 0",
};

#define DEVICE_COLUMNS                                                                             \
    "endpoint, imei, product, fw_version, reg_id, address, binding, lwm2m, objects,"               \
    " registered, lifetime, registered_at, last_seen, fw_state, fw_result, identity,"              \
    " imei_conflict"
#define JOB_COLUMNS                                                                                \
    "id, endpoint, imei, package, target_version, uri, state, fw_state, fw_result, message,"       \
    " created, updated, chain, deadline"

static sqlite3 *db_of(struct srv_store *st)
{
    return ((struct sqlite_store *)st)->db;
}

static void col_text(sqlite3_stmt *s, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static void row_device(sqlite3_stmt *s, struct srv_device *d)
{
    memset(d, 0, sizeof *d);
    col_text(s, 0, d->endpoint, sizeof d->endpoint);
    col_text(s, 1, d->imei, sizeof d->imei);
    col_text(s, 2, d->product, sizeof d->product);
    col_text(s, 3, d->fw_version, sizeof d->fw_version);
    col_text(s, 4, d->reg_id, sizeof d->reg_id);
    col_text(s, 5, d->address, sizeof d->address);
    col_text(s, 6, d->binding, sizeof d->binding);
    col_text(s, 7, d->lwm2m, sizeof d->lwm2m);
    col_text(s, 8, d->objects, sizeof d->objects);
    d->registered = sqlite3_column_int(s, 9) != 0;
    d->lifetime = (long)sqlite3_column_int64(s, 10);
    d->registered_at = sqlite3_column_int64(s, 11);
    d->last_seen = sqlite3_column_int64(s, 12);
    d->fw_state = sqlite3_column_int(s, 13);
    d->fw_result = sqlite3_column_int(s, 14);
    col_text(s, 15, d->identity, sizeof d->identity);
    d->imei_conflict = sqlite3_column_int(s, 16) != 0;
}

static void row_job(sqlite3_stmt *s, struct srv_job_record *j)
{
    memset(j, 0, sizeof *j);
    j->id = sqlite3_column_int64(s, 0);
    col_text(s, 1, j->endpoint, sizeof j->endpoint);
    col_text(s, 2, j->imei, sizeof j->imei);
    col_text(s, 3, j->package, sizeof j->package);
    col_text(s, 4, j->target_version, sizeof j->target_version);
    col_text(s, 5, j->uri, sizeof j->uri);
    j->state = sqlite3_column_int(s, 6);
    j->fw_state = sqlite3_column_int(s, 7);
    j->fw_result = sqlite3_column_int(s, 8);
    col_text(s, 9, j->message, sizeof j->message);
    j->created = sqlite3_column_int64(s, 10);
    j->updated = sqlite3_column_int64(s, 11);
    col_text(s, 12, j->chain, sizeof j->chain);
    j->deadline = sqlite3_column_int64(s, 13);
}

static int prepare(struct srv_store *st, const char *sql, sqlite3_stmt **s)
{
    if (sqlite3_prepare_v2(db_of(st), sql, -1, s, NULL) != SQLITE_OK) {
        fprintf(stderr, "larafw-server: store: %s\n", sqlite3_errmsg(db_of(st)));
        return SRV_E_STORE;
    }
    return 0;
}

/* Steps a statement that returns no rows and finalizes it. */
static int run(struct srv_store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "larafw-server: store: %s\n", sqlite3_errmsg(db_of(st)));
        return SRV_E_STORE;
    }
    return 0;
}

static int device_put(struct srv_store *st, const struct srv_device *d)
{
    sqlite3_stmt *s;
    if (prepare(st,
                "INSERT OR REPLACE INTO devices (" DEVICE_COLUMNS ")"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                &s) != 0)
        return SRV_E_STORE;
    const char *texts[] = {d->endpoint, d->imei,    d->product, d->fw_version, d->reg_id,
                           d->address,  d->binding, d->lwm2m,   d->objects};
    for (int i = 0; i < 9; i++)
        sqlite3_bind_text(s, i + 1, texts[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 10, d->registered);
    sqlite3_bind_int64(s, 11, d->lifetime);
    sqlite3_bind_int64(s, 12, d->registered_at);
    sqlite3_bind_int64(s, 13, d->last_seen);
    sqlite3_bind_int(s, 14, d->fw_state);
    sqlite3_bind_int(s, 15, d->fw_result);
    sqlite3_bind_text(s, 16, d->identity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 17, d->imei_conflict);
    return run(st, s);
}

static int device_get(struct srv_store *st, enum srv_device_key key, const char *value,
                      struct srv_device *out)
{
    sqlite3_stmt *s;
    const char *sql = key == SRV_KEY_IMEI
                          ? "SELECT " DEVICE_COLUMNS " FROM devices WHERE imei = ? AND imei <> ''"
                            " ORDER BY last_seen DESC LIMIT 1"
                          : "SELECT " DEVICE_COLUMNS " FROM devices WHERE endpoint = ?";
    if (prepare(st, sql, &s) != 0)
        return SRV_E_STORE;
    sqlite3_bind_text(s, 1, value, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    int ret = 0;
    if (rc == SQLITE_ROW)
        row_device(s, out);
    else
        ret = rc == SQLITE_DONE ? SRV_E_NOTFOUND : SRV_E_STORE;
    sqlite3_finalize(s);
    return ret;
}

static int device_list(struct srv_store *st, srv_device_fn fn, void *user)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT " DEVICE_COLUMNS " FROM devices ORDER BY endpoint", &s) != 0)
        return SRV_E_STORE;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct srv_device d;
        row_device(s, &d);
        fn(user, &d);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : SRV_E_STORE;
}

static int device_delete(struct srv_store *st, const char *endpoint)
{
    sqlite3_stmt *s;
    if (prepare(st, "DELETE FROM devices WHERE endpoint = ?", &s) != 0)
        return SRV_E_STORE;
    sqlite3_bind_text(s, 1, endpoint, -1, SQLITE_TRANSIENT);
    int rc = run(st, s);
    if (rc == 0 && sqlite3_changes(db_of(st)) == 0)
        return SRV_E_NOTFOUND;
    return rc;
}

static int device_imei_list(struct srv_store *st, const char *imei, srv_device_fn fn, void *user)
{
    sqlite3_stmt *s;
    if (prepare(st,
                "SELECT " DEVICE_COLUMNS " FROM devices WHERE imei = ? AND imei <> ''"
                " AND registered <> 0 ORDER BY endpoint",
                &s) != 0)
        return SRV_E_STORE;
    sqlite3_bind_text(s, 1, imei, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct srv_device d;
        row_device(s, &d);
        fn(user, &d);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : SRV_E_STORE;
}

static int devices_offline(struct srv_store *st)
{
    sqlite3_stmt *s;
    if (prepare(st, "UPDATE devices SET registered = 0", &s) != 0)
        return SRV_E_STORE;
    return run(st, s);
}

static void bind_job(sqlite3_stmt *s, const struct srv_job_record *j)
{
    const char *texts[] = {j->endpoint, j->imei, j->package, j->target_version, j->uri};
    for (int i = 0; i < 5; i++)
        sqlite3_bind_text(s, i + 1, texts[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 6, j->state);
    sqlite3_bind_int(s, 7, j->fw_state);
    sqlite3_bind_int(s, 8, j->fw_result);
    sqlite3_bind_text(s, 9, j->message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 10, j->created);
    sqlite3_bind_int64(s, 11, j->updated);
    sqlite3_bind_text(s, 12, j->chain, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 13, j->deadline);
}

static int job_insert(struct srv_store *st, struct srv_job_record *j)
{
    sqlite3_stmt *s;
    if (prepare(st,
                "INSERT INTO jobs (endpoint, imei, package, target_version, uri, state,"
                " fw_state, fw_result, message, created, updated, chain, deadline)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                &s) != 0)
        return SRV_E_STORE;
    bind_job(s, j);
    int rc = run(st, s);
    if (rc == 0)
        j->id = sqlite3_last_insert_rowid(db_of(st));
    return rc;
}

static int job_put(struct srv_store *st, const struct srv_job_record *j)
{
    sqlite3_stmt *s;
    if (prepare(st,
                "UPDATE jobs SET endpoint=?, imei=?, package=?, target_version=?, uri=?,"
                " state=?, fw_state=?, fw_result=?, message=?, created=?, updated=?, chain=?,"
                " deadline=? WHERE id=?",
                &s) != 0)
        return SRV_E_STORE;
    bind_job(s, j);
    sqlite3_bind_int64(s, 14, j->id);
    int rc = run(st, s);
    if (rc == 0 && sqlite3_changes(db_of(st)) == 0)
        return SRV_E_NOTFOUND;
    return rc;
}

static int job_get(struct srv_store *st, int64_t id, struct srv_job_record *out)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", &s) != 0)
        return SRV_E_STORE;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    int ret = 0;
    if (rc == SQLITE_ROW)
        row_job(s, out);
    else
        ret = rc == SQLITE_DONE ? SRV_E_NOTFOUND : SRV_E_STORE;
    sqlite3_finalize(s);
    return ret;
}

static int job_list(struct srv_store *st, srv_job_fn fn, void *user)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT " JOB_COLUMNS " FROM jobs ORDER BY id", &s) != 0)
        return SRV_E_STORE;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct srv_job_record j;
        row_job(s, &j);
        fn(user, &j);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : SRV_E_STORE;
}

static void store_close(struct srv_store *st)
{
    sqlite3_close(db_of(st));
    free(st);
}

static const struct srv_store_ops sqlite_ops = {
    .device_put = device_put,
    .device_get = device_get,
    .device_list = device_list,
    .device_delete = device_delete,
    .device_imei_list = device_imei_list,
    .devices_offline = devices_offline,
    .job_insert = job_insert,
    .job_put = job_put,
    .job_get = job_get,
    .job_list = job_list,
    .close = store_close,
};

int srv_store_sqlite_open(const char *path, struct srv_store **out)
{
    struct sqlite_store *st = calloc(1, sizeof *st);
    if (!st)
        return SRV_E_NOMEM;
    st->base.ops = &sqlite_ops;
    if (sqlite3_open(path, &st->db) != SQLITE_OK) {
        fprintf(stderr, "larafw-server: cannot open the store %s: %s\n", path,
                st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sqlite3_close(st->db);
        free(st);
        return SRV_E_STORE;
    }
    char *err = NULL;
    if (sqlite3_exec(st->db, schema, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "larafw-server: store %s: %s\n", path, err ? err : "schema error");
        sqlite3_free(err);
        sqlite3_close(st->db);
        free(st);
        return SRV_E_STORE;
    }
    for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
        /* "duplicate column name" when the file already has it */
        if (sqlite3_exec(st->db, migrations[i], NULL, NULL, NULL) != SQLITE_OK &&
            !strstr(sqlite3_errmsg(st->db), "duplicate column")) {
            fprintf(stderr, "larafw-server: store %s: %s\n", path, sqlite3_errmsg(st->db));
            sqlite3_close(st->db);
            free(st);
            return SRV_E_STORE;
        }
    }
    sqlite3_busy_timeout(st->db, 2000);
    *out = &st->base;
    return 0;
}
