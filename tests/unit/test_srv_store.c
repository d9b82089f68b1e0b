/* larafw-server store (srv_store.h, SQLite): devices by endpoint and IMEI, jobs; a file
 * store keeps its content across reopening. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "srv_store.h"

static struct srv_device device(const char *ep, const char *imei, int64_t seen)
{
    struct srv_device d;
    memset(&d, 0, sizeof d);
    snprintf(d.endpoint, sizeof d.endpoint, "%s", ep);
    snprintf(d.imei, sizeof d.imei, "%s", imei);
    snprintf(d.fw_version, sizeof d.fw_version, "LARA-R6.01.00");
    snprintf(d.objects, sizeof d.objects, "</1/10>,</3/0>,</5/0>");
    d.registered = true;
    d.lifetime = 60;
    d.last_seen = seen;
    d.fw_state = -1;
    d.fw_result = -1;
    return d;
}

static void count_device(void *user, const struct srv_device *d)
{
    (void)d;
    ++*(int *)user;
}

static void count_job(void *user, const struct srv_job_record *j)
{
    (void)j;
    ++*(int *)user;
}

static void test_devices(void **state)
{
    (void)state;
    struct srv_store *st;
    assert_int_equal(srv_store_sqlite_open(":memory:", &st), 0);
    struct srv_device out;
    assert_int_equal(srv_store_device_get(st, SRV_KEY_IMEI, "x", &out), SRV_E_NOTFOUND);
    struct srv_device a = device("ep-a", "351234567890123", 100);
    struct srv_device b = device("ep-b", "", 200);
    assert_int_equal(srv_store_device_put(st, &a), 0);
    assert_int_equal(srv_store_device_put(st, &b), 0);
    assert_int_equal(srv_store_device_get(st, SRV_KEY_IMEI, "351234567890123", &out), 0);
    assert_string_equal(out.endpoint, "ep-a");
    assert_string_equal(out.objects, "</1/10>,</3/0>,</5/0>");
    assert_true(out.registered);
    assert_int_equal(out.fw_state, -1);
    /* an empty IMEI never matches */
    assert_int_equal(srv_store_device_get(st, SRV_KEY_IMEI, "", &out), SRV_E_NOTFOUND);
    /* replace by endpoint */
    b.fw_state = 2;
    snprintf(b.imei, sizeof b.imei, "351234567890123");
    assert_int_equal(srv_store_device_put(st, &b), 0);
    assert_int_equal(srv_store_device_get(st, SRV_KEY_ENDPOINT, "ep-b", &out), 0);
    assert_int_equal(out.fw_state, 2);
    /* the same IMEI on two endpoints: the most recently seen wins */
    assert_int_equal(srv_store_device_get(st, SRV_KEY_IMEI, "351234567890123", &out), 0);
    assert_string_equal(out.endpoint, "ep-b");
    int n = 0;
    assert_int_equal(srv_store_device_list(st, count_device, &n), 0);
    assert_int_equal(n, 2);
    /* SQL metacharacters are data */
    struct srv_device q = device("x' OR '1'='1", "", 1);
    assert_int_equal(srv_store_device_put(st, &q), 0);
    assert_int_equal(srv_store_device_get(st, SRV_KEY_ENDPOINT, "x' OR '1'='1", &out), 0);
    assert_int_equal(srv_store_device_get(st, SRV_KEY_ENDPOINT, "x", &out), SRV_E_NOTFOUND);
    srv_store_close(st);
}

static void test_jobs_persist(void **state)
{
    (void)state;
    char path[] = "/tmp/larafw-srv-store-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct srv_store *st;
    assert_int_equal(srv_store_sqlite_open(path, &st), 0);
    struct srv_job_record j;
    memset(&j, 0, sizeof j);
    snprintf(j.endpoint, sizeof j.endpoint, "ep-a");
    snprintf(j.package, sizeof j.package, "v1-v2.upd");
    snprintf(j.target_version, sizeof j.target_version, "LARA-R6.02.00");
    j.fw_result = -1;
    assert_int_equal(srv_store_job_insert(st, &j), 0);
    int64_t first = j.id;
    assert_int_equal(srv_store_job_insert(st, &j), 0);
    assert_true(j.id > first);
    j.state = 7;
    j.fw_result = 5;
    snprintf(j.message, sizeof j.message, "Update Result 5: integrity check failure");
    assert_int_equal(srv_store_job_put(st, &j), 0);
    j.id = 999;
    assert_int_equal(srv_store_job_put(st, &j), SRV_E_NOTFOUND);
    struct srv_device d = device("ep-a", "1", 5);
    assert_int_equal(srv_store_device_put(st, &d), 0);
    srv_store_close(st);

    assert_int_equal(srv_store_sqlite_open(path, &st), 0);
    struct srv_job_record out;
    assert_int_equal(srv_store_job_get(st, first + 1, &out), 0);
    assert_int_equal(out.state, 7);
    assert_int_equal(out.fw_result, 5);
    assert_string_equal(out.target_version, "LARA-R6.02.00");
    assert_string_equal(out.message, "Update Result 5: integrity check failure");
    assert_int_equal(srv_store_job_get(st, 12345, &out), SRV_E_NOTFOUND);
    int n = 0;
    assert_int_equal(srv_store_job_list(st, count_job, &n), 0);
    assert_int_equal(n, 2);
    struct srv_device dd;
    assert_int_equal(srv_store_device_get(st, SRV_KEY_ENDPOINT, "ep-a", &dd), 0);
    srv_store_close(st);
    unlink(path);
}

/* A store written before identities, IMEI conflicts, job chains and deadlines existed opens
 * (the columns are added), keeps its rows, and takes the new fields. */
static void test_old_file_migrated(void **state)
{
    (void)state;
    char path[] = "/tmp/larafw-srv-store-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TABLE devices (endpoint TEXT PRIMARY KEY, imei TEXT NOT NULL DEFAULT "
                     "'', product TEXT, fw_version TEXT, reg_id TEXT, address TEXT, binding TEXT,"
                     " lwm2m TEXT, objects TEXT, registered INTEGER, lifetime INTEGER,"
                     " registered_at INTEGER, last_seen INTEGER, fw_state INTEGER, fw_result "
                     "INTEGER);"
                     "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT,"
                     " imei TEXT, package TEXT, target_version TEXT, uri TEXT, state INTEGER,"
                     " fw_state INTEGER, fw_result INTEGER, message TEXT, created INTEGER,"
                     " updated INTEGER);"
                     "INSERT INTO devices (endpoint, imei, registered) VALUES ('old', "
                     "'354521091714367', 1);"
                     "INSERT INTO jobs (endpoint, state) VALUES ('old', 2);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    struct srv_store *st;
    assert_int_equal(srv_store_sqlite_open(path, &st), 0);
    struct srv_device d;
    assert_int_equal(srv_store_device_get(st, SRV_KEY_ENDPOINT, "old", &d), 0);
    assert_string_equal(d.imei, "354521091714367");
    assert_string_equal(d.identity, "");
    assert_false(d.imei_conflict);
    d.imei_conflict = true;
    snprintf(d.identity, sizeof d.identity, "lara-1");
    assert_int_equal(srv_store_device_put(st, &d), 0);
    int n = 0;
    assert_int_equal(srv_store_device_imei_list(st, "354521091714367", count_device, &n), 0);
    assert_int_equal(n, 1);
    struct srv_job_record j;
    assert_int_equal(srv_store_job_get(st, 1, &j), 0);
    assert_int_equal(j.state, 2);
    assert_int_equal(j.deadline, 0);
    j.deadline = 1234;
    snprintf(j.chain, sizeof j.chain, "psk:lara-1");
    assert_int_equal(srv_store_job_put(st, &j), 0);
    assert_int_equal(srv_store_devices_offline(st), 0);
    srv_store_close(st);
    assert_int_equal(srv_store_sqlite_open(path, &st), 0); /* twice: nothing to add */
    assert_int_equal(srv_store_device_get(st, SRV_KEY_ENDPOINT, "old", &d), 0);
    assert_true(d.imei_conflict);
    assert_false(d.registered);
    assert_string_equal(d.identity, "lara-1");
    assert_int_equal(srv_store_job_get(st, 1, &j), 0);
    assert_int_equal(j.deadline, 1234);
    assert_string_equal(j.chain, "psk:lara-1");
    assert_int_equal(srv_store_device_delete(st, "old"), 0);
    assert_int_equal(srv_store_device_delete(st, "old"), SRV_E_NOTFOUND);
    srv_store_close(st);
    unlink(path);
}

static void test_open_failure(void **state)
{
    (void)state;
    struct srv_store *st = NULL;
    assert_int_equal(srv_store_sqlite_open("/nonexistent-dir/x/y.db", &st), SRV_E_STORE);
    assert_null(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_jobs_persist),
        cmocka_unit_test(test_old_file_migrated),
        cmocka_unit_test(test_open_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
