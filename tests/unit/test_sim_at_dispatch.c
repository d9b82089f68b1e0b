/* Unit tests of the simulator's AT interpreter in process: line assembly (echo, backspace,
 * over-long lines), dispatch and final result codes, +CMEE formats, NVM commands, file
 * commands and +UDWNFILE's raw mode, on a module whose output is captured (no pty) and whose
 * state lives in a temporary directory. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim_fixture.h"

static int setup(void **state)
{
    (void)state;
    return sim_fixture_setup(NULL, "sim");
}

static int teardown(void **state)
{
    (void)state;
    return sim_fixture_teardown();
}

static void expect(const char *line, const char *response)
{
    sim_fixture_expect(line, response);
}

static void test_basics(void **state)
{
    (void)state;
    expect("AT\r", "\r\nOK\r\n");
    expect("AT+CGMR\r", "\r\nLARA-R6.01.00\r\n\r\nOK\r\n");
    expect("AT+CGMM\r", "\r\nLARA-R6001D\r\n\r\nOK\r\n");
    expect("AT+CGMI\r", "\r\nu-blox\r\n\r\nOK\r\n");
    expect("ATI9\r", "\r\nLARA-R6.01.00,LARA-R6001D-01B\r\n\r\nOK\r\n");
    expect("ATI5\r", "\r\nERROR\r\n");
    expect("AT+NOPE\r", "\r\nERROR\r\n");
    expect("garbage\r", "");                                   /* no AT: ignored */
    expect("xxAT\r", "\r\nOK\r\n");                            /* the command starts at "AT" */
    expect("\r\n\r\n", "");                                    /* empty lines */
    expect("AT+CGMZ\bR\r", "\r\nLARA-R6.01.00\r\n\r\nOK\r\n"); /* backspace edits */
}

static void test_echo(void **state)
{
    (void)state;
    expect("ATE1\r", "\r\nOK\r\n");
    expect("AT\r", "AT\r\r\nOK\r\n");
    expect("ATE0\r", "ATE0\r\r\nOK\r\n");
    expect("AT\r", "\r\nOK\r\n");
    expect("ATE2\r", "\r\nERROR\r\n");
    expect("AT+CMEE=0\r", "\r\nOK\r\n");
    expect("AT&F\r", "\r\nOK\r\n"); /* factory profile: echo on, +CMEE 2 */
    expect("AT+CMEE?\r", "AT+CMEE?\r\r\n+CMEE: 2\r\n\r\nOK\r\n");
    expect("ATE0\r", "ATE0\r\r\nOK\r\n");
    expect("ATZ\r", "\r\nOK\r\n");
    expect("ATV0\r", "ATV0\r\r\nERROR\r\n");
    expect("ATV1\r", "ATV1\r\r\nOK\r\n");
    expect("ATQ0\r", "ATQ0\r\r\nOK\r\n");
    expect("ATQ1\r", "ATQ1\r\r\nERROR\r\n");
}

static void test_long_line(void **state)
{
    (void)state;
    char *line = malloc(3000);
    assert_non_null(line);
    memset(line, 'A', 2998);
    line[0] = 'A';
    line[1] = 'T';
    line[2998] = '\r';
    line[2999] = '\0';
    expect(line, "\r\nERROR\r\n");
    free(line);
    expect("AT\r", "\r\nOK\r\n"); /* the next line is fine */
}

static void test_cmee(void **state)
{
    (void)state;
    expect("AT+CMEE=0\r", "\r\nOK\r\n");
    expect("AT+IPR=1\r", "\r\nERROR\r\n");
    expect("AT+CMEE=1\r", "\r\nOK\r\n");
    expect("AT+IPR=1\r", "\r\n+CME ERROR: 50\r\n");
    expect("AT+CMEE=2\r", "\r\nOK\r\n");
    expect("AT+IPR=1\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+CMEE?\r", "\r\n+CMEE: 2\r\n\r\nOK\r\n");
    assert_string_equal(sim_cme_text(SIM_CME_NOT_ALLOWED), "operation not allowed");
    assert_string_equal(sim_cme_text(12345), "unknown");
}

static void test_ipr(void **state)
{
    (void)state;
    expect("AT+CMEE=2\r", "\r\nOK\r\n");
    expect("AT+IPR=921600\r", "\r\nOK\r\n");
    assert_int_equal(sim.st.ipr, 921600);
    sim_timers_run(&sim);
    assert_int_equal(sim.port[SIM_IF_UART].baud, 921600);
    expect("AT+IPR?\r", "\r\n+IPR: 921600\r\n\r\nOK\r\n");
    expect("AT+IPR=0\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+IPR=\"115200\"\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    /* persisted: a fresh load sees it */
    sim.st.ipr = 0;
    assert_int_equal(sim_state_load(&sim), 0);
    assert_int_equal(sim.st.ipr, 921600);

    sim.product = sim_product_find("LARA-R6004D-00B");
    assert_non_null(sim.product);
    expect("AT+IPR=3000000\r", "\r\n+CME ERROR: operation not supported\r\n");
    expect("AT+IPR=?\r",
           "\r\n+IPR: (),(9600,19200,38400,57600,115200,230400,460800,921600)\r\n\r\nOK\r\n");
}

static void test_cfun_reboot(void **state)
{
    (void)state;
    uint32_t boots = sim.st.boot_count;
    expect("AT+CFUN=16\r", "\r\nOK\r\n");
    sim_timers_run(&sim);
    assert_int_equal(sim.st.boot_count, boots + 1);
    assert_true(sim.port[SIM_IF_UART].echo); /* factory ATE1 after a reset */
    expect("AT+CFUN?\r", "AT+CFUN?\r\r\n+CFUN: 1,0\r\n\r\nOK\r\n");
}

static void test_nvm_commands(void **state)
{
    (void)state;
    expect("AT+CMEE=2\r", "\r\nOK\r\n");
    expect("AT+CGDCONT=1,\"IP\",\"apn.example\"\r", "\r\nOK\r\n");
    expect("AT+CGDCONT?\r",
           "\r\n+CGDCONT: 1,\"IP\",\"apn.example\",\"0.0.0.0\",0,0,0,0\r\n\r\nOK\r\n");
    expect("AT+CGDCONT=9,\"IP\",\"x\"\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+CGDCONT=1,\"IP\",\"a\\b\"\r",
           "\r\n+CME ERROR: invalid characters in text string\r\n");
    expect("AT+UBANDMASK=0,0\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+UBANDMASK=0,18446744073709551615,1\r", "\r\nOK\r\n");
    expect("AT+UBANDMASK?\r", "\r\n+UBANDMASK: 0,18446744073709551615,1\r\n\r\nOK\r\n");
    expect("AT+CEDRXS=2,4,\"0011\"\r", "\r\nOK\r\n");
    expect("AT+CEDRXS?\r", "\r\n+CEDRXS: 4,\"0011\"\r\n\r\nOK\r\n");
    expect("AT+CEDRXS=0\r", "\r\nOK\r\n");
    expect("AT+CEDRXS?\r", "\r\n+CEDRXS:\r\n\r\nOK\r\n");
    expect("AT+UMNOPROF=100\r", "\r\n+CME ERROR: operation not allowed\r\n");
    expect("AT+CFUN=0\r", "\r\nOK\r\n");
    expect("AT+UMNOPROF=7\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+UMNOPROF=100\r", "\r\nOK\r\n");
    expect("AT+CPMS=\"XX\"\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+CPMS=\"SM\"\r", "\r\n+CPMS: 0,23,0,23,0,23\r\n\r\nOK\r\n");
    expect("AT+UBKUPDATA?\r", "\r\n+UBKUPDATA: 0,0,0,0,0,0,\"\"\r\n\r\nOK\r\n");
    assert_int_equal(sim_state_load(&sim), 0);
    assert_string_equal(sim.st.apn[0], "apn.example");
    assert_int_equal(sim.st.mno_profile, 100);
    assert_string_equal(sim.st.cpms[0], "SM");
    assert_string_equal(sim.st.cpms[1], "ME");
}

static void test_udwnfile(void **state)
{
    (void)state;
    expect("AT+CMEE=2\r", "\r\nOK\r\n");
    expect("AT+UDWNFILE=\"f.txt\",5\r", ">");
    assert_non_null(sim.dwn);
    /* the data may contain CR and arrive in pieces; what follows is AT again */
    expect("ab", "");
    expect("\r\nc", "\r\nOK\r\n");
    assert_null(sim.dwn);
    expect("AT+ULSTFILE\r", "\r\n+ULSTFILE: \"f.txt\"\r\n\r\nOK\r\n");
    expect("AT+ULSTFILE=2,\"f.txt\"\r", "\r\n+ULSTFILE: 5\r\n\r\nOK\r\n");
    expect("AT+URDFILE=\"f.txt\"\r", "\r\n+URDFILE: \"f.txt\",5,\"ab\r\nc\"\r\n\r\nOK\r\n");
    /* bytes after the last one go to the AT parser */
    expect("AT+UDWNFILE=\"g\",2\r", ">");
    expect("xyAT\r", "\r\nOK\r\n\r\nOK\r\n");
    /* one at a time; and §6: a FOAT-tag download excludes another download */
    expect("AT+UDWNFILE=\"p.upd\",4,\"FOAT\"\r", ">");
    assert_int_equal(sim.download, SIM_DL_PUSH);
    sim_part_files.reset(&sim); /* a module reset abandons it */
    assert_int_equal(sim.download, SIM_DL_NONE);
    sim.download = SIM_DL_FOAT;
    expect("AT+UDWNFILE=\"p.upd\",4,\"FOAT\"\r", "\r\n+CME ERROR: operation not allowed\r\n");
    sim.download = SIM_DL_NONE;
    expect("AT+UDWNFILE=\"big\",99999999\r", "\r\n+CME ERROR: memory full\r\n");
    expect("AT+UDWNFILE=\"../x\",1\r", "\r\n+CME ERROR: invalid characters in text string\r\n");
    expect("AT+UDELFILE=\"f.txt\"\r", "\r\nOK\r\n");
    expect("AT+UDELFILE=\"f.txt\"\r", "\r\n+CME ERROR: not found\r\n");
}

static void test_file_names(void **state)
{
    (void)state;
    assert_true(sim_file_name_ok("a"));
    assert_true(sim_file_name_ok("update file.upd"));
    assert_false(sim_file_name_ok(""));
    assert_false(sim_file_name_ok(NULL));
    assert_false(sim_file_name_ok("."));
    assert_false(sim_file_name_ok(".."));
    assert_false(sim_file_name_ok("a/b"));
    assert_false(sim_file_name_ok("a\\b"));
    assert_false(sim_file_name_ok("a..b"));
    assert_false(sim_file_name_ok(".hidden"));
    assert_false(sim_file_name_ok("tab\there"));
    char longname[SIM_NAME_MAX + 1];
    memset(longname, 'n', SIM_NAME_MAX);
    longname[SIM_NAME_MAX] = '\0';
    assert_false(sim_file_name_ok(longname));
    longname[SIM_NAME_MAX - 1] = '\0';
    assert_true(sim_file_name_ok(longname));
}

static void test_faults_parse(void **state)
{
    (void)state;
    struct sim_faults f;
    char err[128];
    sim_faults_init(&f);
    assert_int_equal(sim_fault_parse(&f, "power-cut=install:30", err, sizeof err), 0);
    assert_int_equal(f.power_cut_pct[SIM_PH_INSTALL], 30);
    assert_int_equal(sim_fault_parse(&f, "flash-write=validation:0", err, sizeof err), 0);
    assert_int_equal(f.flash_write_pct[SIM_PH_VALIDATION], 0);
    assert_int_equal(sim_fault_parse(&f, "net-drop=40:2", err, sizeof err), 0);
    assert_int_equal(f.net_drop_pct, 40);
    assert_int_equal(f.net_drop_count, 2);
    assert_int_equal(sim_fault_parse(&f, "noise=0.001", err, sizeof err), 0);
    assert_int_equal(sim_fault_parse(&f, "power-cut=boot:3", err, sizeof err), -1);
    assert_non_null(strstr(err, "boot"));
    assert_int_equal(sim_fault_parse(&f, "drop=1.5", err, sizeof err), -1);
    assert_int_equal(sim_fault_parse(&f, "=1", err, sizeof err), -1);
    assert_int_equal(sim_fault_parse(&f, NULL, err, sizeof err), -1);

    sim.faults.flash_write_pct[SIM_PH_INSTALL] = 50;
    assert_false(sim_fault_flash_write(&sim, SIM_PH_INSTALL, 49.9));
    assert_false(sim_fault_flash_write(&sim, SIM_PH_DOWNLOAD, 90));
    assert_true(sim_fault_flash_write(&sim, SIM_PH_INSTALL, 50));
    assert_false(sim_fault_flash_write(&sim, SIM_PH_INSTALL, 60)); /* once */

    sim.faults.drop_rate = 1.0;
    uint8_t buf[8] = "AT\r";
    assert_int_equal(sim_fault_line(&sim, buf, 3), 0);
}

static void never_runs(struct sim *s, void *arg)
{
    (void)s;
    (void)arg;
    fail_msg("a cancelled timer ran");
}

static int timer_order[4];
static int timer_count;

static void record_timer(struct sim *s, void *arg)
{
    (void)s;
    if (timer_count < 4)
        timer_order[timer_count++] = (int)(intptr_t)arg;
}

static void test_timer_order(void **state)
{
    (void)state;
    uint64_t now = sim_now_ms(&sim);
    timer_count = 0;
    assert_true(sim_timer_add_at(&sim, now, record_timer, (void *)2) > 0);
    assert_true(sim_timer_add_at(&sim, now > 5 ? now - 5 : 0, record_timer, (void *)1) > 0);
    assert_true(sim_timer_add(&sim, 0, record_timer, (void *)3) > 0);
    assert_true(sim_timer_add(&sim, 3600000, record_timer, (void *)4) > 0);
    sim_timers_run(&sim);
    assert_int_equal(timer_count, 3); /* the one an hour away waits */
    assert_int_equal(timer_order[0], 1);
    assert_int_equal(timer_order[1], 2);
    assert_int_equal(timer_order[2], 3);
    uint64_t next = sim_timer_next_ms(&sim);
    assert_true(next > 3590000 && next <= 3600000);
    sim_timers_clear(&sim);
    assert_true(sim_timer_next_ms(&sim) == UINT64_MAX);
}

static void test_timers(void **state)
{
    (void)state;
    unsigned a = sim_timer_add(&sim, 0, never_runs, NULL);
    assert_true(a > 0);
    sim_timer_cancel(&sim, a);
    sim_timer_cancel(&sim, 0);
    sim_timers_run(&sim); /* cancelled: abort() never runs */
    assert_true(sim_timer_next_ms(&sim) == UINT64_MAX);
    unsigned ids[SIM_TIMERS_MAX];
    for (int i = 0; i < SIM_TIMERS_MAX; i++)
        ids[i] = sim_timer_add(&sim, 1000000, never_runs, NULL);
    assert_int_equal(sim_timer_add(&sim, 1, never_runs, NULL), 0);
    assert_int_equal(sim_timer_add_at(&sim, 1, never_runs, NULL), 0);
    assert_true(sim_timer_next_ms(&sim) > 0);
    for (int i = 0; i < SIM_TIMERS_MAX; i++)
        sim_timer_cancel(&sim, ids[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmee, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cfun_reboot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nvm_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udwnfile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
