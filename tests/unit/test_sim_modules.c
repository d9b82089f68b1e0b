/* Two simulated modules side by side in one process (the fleet simulator's premise): each has
 * its own state directory, NVM, volatile profiles, URC settings and timers, and a reset of one
 * leaves the other as it was. A file-level variable anywhere in sim/ would make one module see
 * the other's settings here. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim_fixture.h"

static struct sim sim_a, sim_b;
static struct sim_module mod_a, mod_b;

static int setup(void **state)
{
    (void)state;
    if (sim_module_setup(&mod_a, &sim_a, NULL, "sim-a") != 0)
        return -1;
    return sim_module_setup(&mod_b, &sim_b, "LARA-L6004D-01B", "sim-b");
}

static int teardown(void **state)
{
    (void)state;
    int a = sim_module_teardown(&mod_a);
    int b = sim_module_teardown(&mod_b);
    return a == 0 && b == 0 ? 0 : -1;
}

static const char ftp_factory[] = "\r\n+UFTP: 0,\"\"\r\n\r\n+UFTP: 1,\"\"\r\n\r\n+UFTP: 2,\"\"\r\n"
                                  "\r\n+UFTP: 3,\"\"\r\n\r\n+UFTP: 5,30\r\n\r\n+UFTP: 6,0\r\n"
                                  "\r\n+UFTP: 7,21\r\n\r\nOK\r\n";
static const char ftp_a[] = "\r\n+UFTP: 0,\"\"\r\n\r\n+UFTP: 1,\"ftp.a.example\"\r\n"
                            "\r\n+UFTP: 2,\"\"\r\n\r\n+UFTP: 3,\"\"\r\n\r\n+UFTP: 5,30\r\n"
                            "\r\n+UFTP: 6,1\r\n\r\n+UFTP: 7,21\r\n\r\nOK\r\n";

static void test_products_and_storage(void **state)
{
    (void)state;
    assert_string_not_equal(sim_a.dir, sim_b.dir);
    sim_module_expect(&mod_a, "AT+CGMM\r", "\r\nLARA-R6001D\r\n\r\nOK\r\n");
    sim_module_expect(&mod_b, "AT+CGMM\r", "\r\nLARA-L6004D\r\n\r\nOK\r\n");
    /* NVM: each module's own DIR/state */
    sim_module_expect(&mod_a, "AT+CGDCONT=1,\"IP\",\"apn.a\"\r", "\r\nOK\r\n");
    assert_string_equal(sim_a.st.apn[0], "apn.a");
    assert_string_equal(sim_b.st.apn[0], "");
}

static void test_volatile_settings(void **state)
{
    (void)state;
    /* +CMEE, FTP profile, uFOTA URCs: set on A only */
    sim_module_expect(&mod_a, "AT+CMEE=0\r", "\r\nOK\r\n");
    sim_module_expect(&mod_a, "AT+UFTP=1,\"ftp.a.example\"\r", "\r\nOK\r\n");
    sim_module_expect(&mod_a, "AT+UFTP=6,1\r", "\r\nOK\r\n");
    sim_module_expect(&mod_a, "AT+UFOTASTAT=1\r", "\r\nOK\r\n");
    sim_module_expect(&mod_a, "AT+UFTP?\r", ftp_a);
    sim_module_expect(&mod_b, "AT+UFTP?\r", ftp_factory);
    sim_module_expect(&mod_a, "AT+UFOTASTAT?\r", "\r\n+UFOTASTAT: 1\r\n\r\nOK\r\n");
    sim_module_expect(&mod_b, "AT+UFOTASTAT?\r", "\r\n+UFOTASTAT: 0\r\n\r\nOK\r\n");
    sim_module_expect(&mod_a, "AT+FOO\r", "\r\nERROR\r\n");
    sim_module_expect(&mod_b, "AT+UFTP=9,\"x\"\r", "\r\n+CME ERROR: incorrect parameters\r\n");

    /* a reset of B leaves A as it was; A's reset brings A back to factory values */
    uint32_t boots_a = sim_a.st.boot_count, boots_b = sim_b.st.boot_count;
    sim_reboot(&sim_b);
    sim_b.port[SIM_IF_UART].echo = false;
    assert_int_equal(sim_b.st.boot_count, boots_b + 1);
    assert_int_equal(sim_a.st.boot_count, boots_a);
    sim_module_expect(&mod_a, "AT+UFTP?\r", ftp_a);
    sim_module_expect(&mod_a, "AT+UFOTASTAT?\r", "\r\n+UFOTASTAT: 1\r\n\r\nOK\r\n");
    sim_reboot(&sim_a);
    sim_a.port[SIM_IF_UART].echo = false;
    sim_module_expect(&mod_a, "AT+UFTP?\r", ftp_factory);
    sim_module_expect(&mod_a, "AT+UFOTASTAT?\r", "\r\n+UFOTASTAT: 0\r\n\r\nOK\r\n");
}

static void tick_a(struct sim *s, void *arg)
{
    (void)s;
    ++*(int *)arg;
}

static void test_timers_and_downloads(void **state)
{
    (void)state;
    /* timers belong to their module: running B's does not fire A's */
    int fired = 0;
    assert_true(sim_timer_add(&sim_a, 0, tick_a, &fired) > 0);
    sim_timers_run(&sim_b);
    assert_int_equal(fired, 0);
    sim_timers_run(&sim_a);
    assert_int_equal(fired, 1);
    /* §6: one download at a time per module, not per process */
    sim_module_expect(&mod_a, "AT+UDWNFILE=\"p.upd\",4,\"FOAT\"\r", ">");
    assert_int_equal(sim_a.download, SIM_DL_PUSH);
    sim_module_expect(&mod_b, "AT+UDWNFILE=\"q.upd\",4,\"FOAT\"\r", ">");
    assert_int_equal(sim_b.download, SIM_DL_PUSH);
    sim_module_expect(&mod_a, "abcd", "\r\nOK\r\n");
    assert_int_equal(sim_a.download, SIM_DL_NONE);
    assert_int_equal(sim_b.download, SIM_DL_PUSH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_products_and_storage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_volatile_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timers_and_downloads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
