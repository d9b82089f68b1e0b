/* Unit tests of the AT channel (src/core/at.c) against the scripted fake port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake_port.h"
#include "larafw/at.h"

struct urc_log {
    int count;
    char last[128];
    struct lfw_at *at; /* to try a re-entrant call */
    int reentry_rc;
};

static void on_urc(void *user, const char *line)
{
    struct urc_log *log = user;
    log->count++;
    snprintf(log->last, sizeof log->last, "%s", line);
    if (log->at != NULL) {
        log->reentry_rc = lfw_at_send(log->at, "AT");
    }
}

static const struct lfw_at_urc urcs[] = {
    {"+CEREG:", on_urc},
    {"+UUFTPCR:", on_urc},
};

struct fixture {
    struct fake_port *fp;
    struct lfw_at at;
    uint8_t buf[LFW_AT_BUF_MIN];
    struct urc_log log;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.fp = fake_port_new();
    fake_port_set_now(f.fp, UINT32_MAX - 1000u); /* every test crosses the clock wrap */
    struct lfw_at_config cfg = {
        .port = fake_port_port(f.fp),
        .buf = f.buf,
        .buf_size = sizeof f.buf,
        .urcs = urcs,
        .urc_count = 2,
        .urc_user = &f.log,
    };
    assert_int_equal(lfw_at_init(&f.at, &cfg), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    assert_true(fake_port_finish(f->fp));
    return 0;
}

static void test_init_rejects_bad_config(void **state)
{
    struct fixture *f = *state;
    struct lfw_at at;
    uint8_t small[8];
    struct lfw_at_config cfg = {.port = fake_port_port(f->fp), .buf = small, .buf_size = 8};
    assert_int_equal(lfw_at_init(&at, &cfg), LFW_EINVAL);
    assert_int_equal(lfw_at_init(&at, NULL), LFW_EINVAL);
    cfg.buf = NULL;
    cfg.buf_size = 64;
    assert_int_equal(lfw_at_init(&at, &cfg), LFW_EINVAL);
}

static void test_ok_fragmented(void **state)
{
    struct fixture *f = *state;
    fake_port_set_read_cap(f->fp, 1);
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_read_str(f->fp, "\r\nL0.0.00.00.05.06 [Mar 10 2023 12:00:00]\r\n\r\nOK\r\n");
    char info[64];
    assert_int_equal(lfw_at_cmd(&f->at, "AT+CGMR", "", info, sizeof info, 1000), 0);
    assert_string_equal(info, "L0.0.00.00.05.06 [Mar 10 2023 12:00:00]");
    assert_int_equal(lfw_at_poll(&f->at, 0), 0); /* the LF after OK's CR */
    assert_true(fake_port_done(f->fp));
}

static void test_merged_reads_and_echo(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+CGSN\r");
    /* echo, answer and OK in one read, then the next command's answer */
    fake_port_read_str(f->fp, "AT+CGSN\r\r\n351234567890123\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_read_str(f->fp, "AT\r\r\nOK\r\n");
    char info[32];
    assert_int_equal(lfw_at_cmd(&f->at, "AT+CGSN", "", info, sizeof info, 1000), 0);
    assert_string_equal(info, "351234567890123");
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 1000), 0);
    assert_true(fake_port_done(f->fp));
}

static void test_urc_inside_response(void **state)
{
    struct fixture *f = *state;
    fake_port_set_read_cap(f->fp, 5);
    fake_port_expect_str(f->fp, "AT+UHTTP=0,0\r");
    fake_port_read_str(f->fp, "\r\n+UHTTP: 0,0,\"192.168.1.0\"\r\n+CEREG: 5\r\n+UUFTPCR: 1,1\r\n"
                              "\r\nOK\r\n");
    char info[64];
    assert_int_equal(lfw_at_cmd(&f->at, "AT+UHTTP=0,0", "+UHTTP:", info, sizeof info, 1000), 0);
    assert_string_equal(info, "0,0,\"192.168.1.0\"");
    assert_int_equal(f->log.count, 2);
    assert_string_equal(f->log.last, "+UUFTPCR: 1,1");
}

static void test_urc_not_taken_as_info(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_read_str(f->fp, "\r\n+CEREG: 1\r\nVERSION-2\r\nOK\r\n");
    char info[64];
    assert_int_equal(lfw_at_cmd(&f->at, "AT+CGMR", "", info, sizeof info, 1000), 0);
    assert_string_equal(info, "VERSION-2");
    assert_int_equal(f->log.count, 1);
}

static void test_garbage_and_overlong_lines(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT\r");
    /* noise bytes, an overlong line (> 64 bytes, dropped), a NUL, then OK */
    fake_port_read_str(f->fp,
                       "\xff\xfe\x01garbage\r\n"
                       "0123456789012345678901234567890123456789012345678901234567890123456789"
                       "0123456789\r\n");
    fake_port_read(f->fp, "x\0y\r\n", 5);
    fake_port_read_str(f->fp, "OK\r\n");
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 1000), 0);
    assert_true(f->at.dropped_lines >= 1);
    assert_true(fake_port_done(f->fp));
}

static void test_overlong_line_then_ok_split(void **state)
{
    struct fixture *f = *state;
    fake_port_set_read_cap(f->fp, 7);
    fake_port_expect_str(f->fp, "AT\r");
    char big[300];
    memset(big, 'A', sizeof big);
    fake_port_read(f->fp, big, sizeof big);
    fake_port_read_str(f->fp, "OK\r\nOK\r\n");
    /* The first "OK" belongs to the overlong line (no terminator before it). */
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 1000), 0);
    assert_int_equal(f->at.dropped_lines, 1);
}

static void test_timeout_with_time_jump(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_read_str(f->fp, "\r\nO");
    fake_port_jump(f->fp, 5000); /* the clock jumps past the deadline mid-line */
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_read_str(f->fp, "K\r\n");
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 1000), LFW_ETIMEDOUT);
    assert_true((uint32_t)(fake_port_now(f->fp) - before) >= 1000u);
    /* Bytes already buffered when the deadline is checked still count: the late "OK"
     * completes the next command. */
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 1000), 0);
}

static void test_timeout_silent(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT\r");
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 2500), LFW_ETIMEDOUT);
    uint32_t waited = fake_port_now(f->fp) - before; /* wraps: UINT32_MAX - 1000 + 2500 */
    assert_int_equal(waited, 2500);
}

static void test_error_codes(void **state)
{
    struct fixture *f = *state;
    const char *text = NULL;
    fake_port_expect_str(f->fp, "AT+X\r");
    fake_port_read_str(f->fp, "\r\nERROR\r\n");
    assert_int_equal(lfw_at_cmd(&f->at, "AT+X", NULL, NULL, 0, 1000), LFW_EAT_ERROR);

    fake_port_expect_str(f->fp, "AT+UFWINSTALL=1,115200\r");
    fake_port_read_str(f->fp, "\r\n+CME ERROR: operation not allowed\r\n");
    assert_int_equal(lfw_at_cmd(&f->at, "AT+UFWINSTALL=1,115200", NULL, NULL, 0, 1000), LFW_ECME);
    assert_int_equal(lfw_at_last_cme(&f->at, &text), -1);
    assert_string_equal(text, "operation not allowed");

    fake_port_expect_str(f->fp, "AT+Y\r");
    fake_port_read_str(f->fp, "\r\n+CME ERROR: 3 \r\n");
    assert_int_equal(lfw_at_cmd(&f->at, "AT+Y", NULL, NULL, 0, 1000), LFW_ECME);
    assert_int_equal(lfw_at_last_cme(&f->at, &text), 3);
    assert_string_equal(text, "");

    fake_port_expect_str(f->fp, "AT+UFWUPD=3\r");
    fake_port_read_str(f->fp, "\r\nTimeout\r\nERROR1\r\n");
    assert_int_equal(lfw_at_cmd(&f->at, "AT+UFWUPD=3", NULL, NULL, 0, 1000), LFW_EERROR1);
}

static void test_classify(void **state)
{
    (void)state;
    int cme = 0;
    assert_int_equal(lfw_at_classify("OK", NULL), LFW_AT_LINE_OK);
    assert_int_equal(lfw_at_classify("OK  ", NULL), LFW_AT_LINE_OK);
    assert_int_equal(lfw_at_classify("OKAY", NULL), LFW_AT_LINE_OTHER);
    assert_int_equal(lfw_at_classify("ERROR", NULL), LFW_AT_LINE_ERROR);
    assert_int_equal(lfw_at_classify("ERROR1", NULL), LFW_AT_LINE_ERROR1);
    assert_int_equal(lfw_at_classify("ERROR2", NULL), LFW_AT_LINE_OTHER);
    assert_int_equal(lfw_at_classify("+CME ERROR: 4294967295", &cme), LFW_AT_LINE_CME);
    assert_int_equal(cme, -1);
    assert_int_equal(lfw_at_classify("+CME ERROR:100", &cme), LFW_AT_LINE_CME);
    assert_int_equal(cme, 100);
    assert_int_equal(lfw_at_classify(NULL, NULL), LFW_AT_LINE_OTHER);
}

static void test_info_overflow(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "ATI\r");
    fake_port_read_str(f->fp, "\r\nManufacturer: u-blox\r\nModel: LARA-R6001D-01B\r\nOK\r\n");
    char info[16];
    assert_int_equal(lfw_at_cmd(&f->at, "ATI", "", info, sizeof info, 1000), LFW_EOVERFLOW);
    assert_string_equal(info, "Manufacturer: u");
}

static void test_multiline_info(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+UFTP?\r");
    fake_port_read_str(f->fp, "\r\n+UFTP: 1,\"ftp.x\"\r\n+UFTP: 6,1\r\nOK\r\n");
    char info[64];
    assert_int_equal(lfw_at_cmd(&f->at, "AT+UFTP?", "+UFTP:", info, sizeof info, 1000), 0);
    assert_string_equal(info, "1,\"ftp.x\"\n6,1");
}

static void test_prompt(void **state)
{
    struct fixture *f = *state;
    fake_port_set_read_cap(f->fp, 1);
    fake_port_expect_str(f->fp, "AT+UDWNFILE=\"f\",3,\"FOAT\"\r");
    fake_port_read_str(f->fp, "AT+UDWNFILE=\"f\",3,\"FOAT\"\r\r\n+CEREG: 1\r\n>");
    fake_port_expect_str(f->fp, "abc");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    assert_int_equal(lfw_at_send(&f->at, "AT+UDWNFILE=\"f\",3,\"FOAT\""), 0);
    assert_int_equal(lfw_at_wait_prompt(&f->at, 1000), 0);
    assert_int_equal(f->log.count, 1);
    assert_int_equal(lfw_at_write_raw(&f->at, (const uint8_t *)"abc", 3), 0);
    assert_int_equal(lfw_at_wait_final(&f->at, NULL, NULL, NULL, 0, 1000), 0);
    assert_int_equal(lfw_at_poll(&f->at, 0), 0);
    assert_true(fake_port_done(f->fp));
}

static void test_prompt_refused(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+UDWNFILE=\"f\",3,\"FOAT\"\r");
    fake_port_read_str(f->fp, "\r\n+CME ERROR: 4\r\n");
    assert_int_equal(lfw_at_send(&f->at, "AT+UDWNFILE=\"f\",3,\"FOAT\""), 0);
    assert_int_equal(lfw_at_wait_prompt(&f->at, 1000), LFW_ECME);
    fake_port_read_str(f->fp, "\r\n>\r\n");
    assert_int_equal(lfw_at_wait_prompt(&f->at, 1000), 0);
    assert_int_equal(lfw_at_wait_prompt(&f->at, 500), LFW_ETIMEDOUT);
}

static void test_raw_after_line(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+UFWUPD=3\r");
    /* the 'C' comes in the same read as the line that announces it */
    fake_port_read_str(f->fp, "\r\n+UFWUPD: ONGOING\r\nCC");
    fake_port_read_str(f->fp, "C");
    assert_int_equal(lfw_at_send(&f->at, "AT+UFWUPD=3"), 0);
    const char *line = NULL;
    assert_int_equal(lfw_at_read_line(&f->at, 1000, &line), 16);
    assert_string_equal(line, "+UFWUPD: ONGOING");
    const struct lfw_port *raw = lfw_at_raw_port(&f->at);
    uint8_t b[8];
    int n = raw->read(raw->user, b, sizeof b, 100);
    assert_int_equal(n, 3); /* "\nCC" still buffered */
    assert_memory_equal(b, "\nCC", 3);
    n = raw->read(raw->user, b, sizeof b, 100);
    assert_int_equal(n, 1);
    assert_int_equal(b[0], 'C');
    assert_int_equal(raw->read(raw->user, b, sizeof b, 100), 0);
}

static void test_poll_and_reentry(void **state)
{
    struct fixture *f = *state;
    f->log.at = &f->at;
    f->log.reentry_rc = 1;
    fake_port_read_str(f->fp, "+CEREG: 2\r\nnoise\r\n+UUFTPCR: 100,0\r\n");
    assert_int_equal(lfw_at_poll(&f->at, 100), 3);
    assert_int_equal(f->log.count, 2);
    assert_int_equal(f->log.reentry_rc, LFW_EBUSY);
}

static void test_read_failure(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_fail_reads(f->fp, 1);
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 1000), LFW_EIO);
}

/* A sender that never stops: the deadline is checked after every read whatever arrives. */
static void test_deadline_with_flood_without_line_end(void **state)
{
    struct fixture *f = *state;
    fake_port_set_read_cap(f->fp, 16);
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_flood(f->fp, "A", 1, 1); /* printable, no line end: 1 ms a read */
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 1000), LFW_ETIMEDOUT);
    uint32_t waited = fake_port_now(f->fp) - before;
    assert_true(waited >= 1000u && waited <= 1002u);
    assert_true(fake_port_flood_reads(f->fp) <= 1002u);
}

static void test_deadline_with_flood_of_lines(void **state)
{
    struct fixture *f = *state;
    /* URCs and stray lines without end, never a final code */
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_flood(f->fp, "+CEREG: 5\r\nnoise\r\n", 18, 2);
    char info[64];
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_at_cmd(&f->at, "AT+CGMR", "", info, sizeof info, 500), LFW_ETIMEDOUT);
    assert_true((uint32_t)(fake_port_now(f->fp) - before) <= 502u);
    assert_true(f->log.count > 10);
    /* the same for a wait for a line, for the '>' prompt and for a poll */
    const char *line = NULL;
    int n = 0;
    before = fake_port_now(f->fp);
    for (int i = 0; i < 100000 && n >= 0; i++) {
        n = lfw_at_read_line(&f->at, 0, &line); /* a line at once, every time */
    }
    assert_true(n > 0);
    assert_int_equal(lfw_at_wait_prompt(&f->at, 300), LFW_ETIMEDOUT);
    before = fake_port_now(f->fp);
    assert_true(lfw_at_poll(&f->at, 300) > 10);
    assert_true((uint32_t)(fake_port_now(f->fp) - before) <= 302u);
}

/* /dev/zero and /dev/urandom: bytes no AT answer has end the wait at once, before any of
 * them is taken as information. */
static void test_garbage_flood_is_an_error(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    static const uint8_t zeros[8] = {0};
    fake_port_flood(f->fp, zeros, sizeof zeros, 1);
    char info[64] = "x";
    assert_int_equal(lfw_at_cmd(&f->at, "AT+CGMR", "", info, sizeof info, 10000), LFW_EGARBAGE);
    assert_true(fake_port_flood_reads(f->fp) <= 2u);

    static const uint8_t randomish[] = {0x8f, 'Q',  0x03, '\r', '\n', 0xd1, 'x',  0x7f,
                                        0x00, '\n', 'O',  'K',  0xff, 0x1b, '\r', 0x99};
    fake_port_flood(f->fp, randomish, sizeof randomish, 1);
    /* lines cut out of it may come first (up to LFW_AT_GARBAGE_MAX bad bytes), then the
     * error: soon, long before the deadline */
    const char *line = NULL;
    int n = 0, calls = 0;
    uint32_t before = fake_port_now(f->fp);
    while ((n = lfw_at_read_line(&f->at, 10000, &line)) > 0 && calls < 100) {
        calls++;
    }
    assert_int_equal(n, LFW_EGARBAGE);
    assert_true(calls <= 4);
    assert_true((uint32_t)(fake_port_now(f->fp) - before) <= 5u);
    fake_port_expect_str(f->fp, "AT+UDWNFILE=\"f\",3,\"FOAT\"\r");
    assert_int_equal(lfw_at_send(&f->at, "AT+UDWNFILE=\"f\",3,\"FOAT\""), 0);
    assert_int_equal(lfw_at_wait_prompt(&f->at, 10000), LFW_EGARBAGE);
    /* a poll only drains: noise is dropped, the deadline ends it */
    assert_true(lfw_at_poll(&f->at, 100) >= 0);
}

/* A little noise (a module's power-up) stays below the limit. */
static void test_some_noise_is_not_garbage(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT\r");
    static const uint8_t noise[LFW_AT_GARBAGE_MAX] = {0xff, 0x00, 0xfe};
    fake_port_read(f->fp, noise, sizeof noise);
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 1000), 0);
}

/* A port asked to stop (a signal) ends the call with LFW_ECANCELED, not LFW_EIO. */
static void test_port_cancel(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_fail_reads_with(f->fp, 1, LFW_ECANCELED);
    assert_int_equal(lfw_at_cmd(&f->at, "AT", NULL, NULL, 0, 1000), LFW_ECANCELED);
    fake_port_fail_reads_with(f->fp, 1, LFW_ECANCELED);
    uint8_t b[4];
    assert_int_equal(lfw_at_read_raw(&f->at, b, sizeof b, 100), LFW_ECANCELED);
    fake_port_fail_reads_with(f->fp, 1, LFW_ECANCELED);
    assert_int_equal(lfw_at_poll(&f->at, 100), LFW_ECANCELED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_rejects_bad_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ok_fragmented, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merged_reads_and_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_urc_inside_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_urc_not_taken_as_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_and_overlong_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlong_line_then_ok_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_with_time_jump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_codes, setup, teardown),
        cmocka_unit_test(test_classify),
        cmocka_unit_test_setup_teardown(test_info_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiline_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prompt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prompt_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_after_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_and_reentry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_with_flood_without_line_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_with_flood_of_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_flood_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_some_noise_is_not_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_cancel, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
