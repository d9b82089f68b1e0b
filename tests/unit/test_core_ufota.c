/* Unit tests of the host side of uFOTA (§5.2–§5.5, §5.7.1) against scripted module dialogues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_port.h"
#include "larafw/ufota.h"

struct fixture {
    struct fake_port *fp;
    struct lfw_at at;
    uint8_t line[LFW_AT_BUF_DEFAULT];
    struct lfw_proc_config proc;
    struct lfw_error err;
    int downloads;
    int last_percent;
    char version[32];
};

static int on_event(void *user, const struct lfw_event *ev)
{
    struct fixture *f = user;
    if (ev->phase == LFW_PHASE_DOWNLOAD) {
        f->downloads++;
        f->last_percent = ev->percent;
    }
    return 0;
}

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.fp = fake_port_new();
    fake_port_set_now(f.fp, 0xfffff000u);
    struct lfw_at_config ac = {
        .port = fake_port_port(f.fp), .buf = f.line, .buf_size = sizeof f.line};
    assert_int_equal(lfw_at_init(&f.at, &ac), 0);
    f.proc.at = &f.at;
    f.proc.product = lfw_product_get(LFW_PRODUCT_R6_01B);
    f.proc.on_event = on_event;
    f.proc.user = &f;
    f.proc.version_out = f.version;
    f.proc.version_out_size = sizeof f.version;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    assert_true(fake_port_finish(f->fp));
    return 0;
}

static void ok_after(struct fixture *f, const char *cmd)
{
    fake_port_expect_str(f->fp, cmd);
    fake_port_read_str(f->fp, "\r\nOK\r\n");
}

static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        enum lfw_ufota_state st;
        int pct;
    } cases[] = {
        {"+UFOTASTAT: 3,1,0", LFW_UFOTA_CLIENT_STARTED, 0},
        {"+UFOTASTAT: 1,0,0", LFW_UFOTA_DOWNLOAD_START, 0},
        {"+UFOTASTAT: 0,1,42", LFW_UFOTA_DOWNLOADING, 42},
        {"+UFOTASTAT: 0,2,43", LFW_UFOTA_PAUSED, 43},
        {"+UFOTASTAT: 0,3,0", LFW_UFOTA_WAIT_ACK, 0},
        {"+UFOTASTAT: 2,2,100", LFW_UFOTA_DOWNLOADED, 100},
        {"+UFOTASTAT: 2,3,100", LFW_UFOTA_CANCELLED, 100},
        {"+UFOTASTAT: 2,1,17", LFW_UFOTA_FAILED, 17},
        {"+UFOTASTAT: 9,9,250", LFW_UFOTA_UNKNOWN, 100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct lfw_ufota_status st;
        assert_true(lfw_ufota_parse(cases[i].line, &st));
        assert_int_equal(st.state, cases[i].st);
        assert_int_equal(st.percent, cases[i].pct);
    }
    struct lfw_ufota_status st;
    assert_false(lfw_ufota_parse("+UFOTASTAT: 1", &st)); /* read answer */
    assert_false(lfw_ufota_parse("+UFOTASTAT: 0,1", &st));
    assert_false(lfw_ufota_parse("+ULWM2MSTAT: 2,100", &st));
    assert_false(lfw_ufota_parse(NULL, &st));
}

static void test_enable_urcs(void **state)
{
    struct fixture *f = *state;
    ok_after(f, "AT+UFOTASTAT=1\r");
    ok_after(f, "AT+ULWM2MSTAT=1,7\r");
    ok_after(f, "AT+UFWINSTALL=1,115200,,1\r");
    assert_int_equal(lfw_ufota_enable_urcs(&f->proc, 0, &f->err), 0);
    assert_true(fake_port_done(f->fp));
}

static void test_product_gating(void **state)
{
    struct fixture *f = *state;
    ok_after(f, "AT+UFOTACONFIG=721,2,255\r");
    assert_int_equal(lfw_ufota_configure(&f->proc, LFW_UFOTA_MODE_WAIT_ACK, &f->err), 0);
    ok_after(f, "AT+UFOTA=1\r");
    assert_int_equal(lfw_ufota_control(&f->proc, LFW_UFOTA_PAUSE, &f->err), 0);
    ok_after(f, "AT+UFOTAACK=30\r");
    assert_int_equal(lfw_ufota_ack(&f->proc, 30, &f->err), 0);
    /* MODULE.md §1: only R6 "01B" has +UFOTACONFIG and pause/resume; cancel everywhere */
    f->proc.product = lfw_product_get(LFW_PRODUCT_R6_00B);
    assert_int_equal(lfw_ufota_configure(&f->proc, LFW_UFOTA_MODE_DEFAULT, &f->err), LFW_ENOTSUP);
    assert_int_equal(lfw_ufota_control(&f->proc, LFW_UFOTA_RESUME, &f->err), LFW_ENOTSUP);
    assert_int_equal(lfw_ufota_ack(&f->proc, 0, &f->err), LFW_ENOTSUP);
    fake_port_expect_str(f->fp, "AT+UFOTA=0\r");
    fake_port_read_str(f->fp, "\r\n+CME ERROR: operation not allowed\r\n");
    assert_int_equal(lfw_ufota_control(&f->proc, LFW_UFOTA_CANCEL, &f->err), LFW_ECME);
    assert_string_equal(f->err.cme_text, "operation not allowed");
    assert_true(fake_port_done(f->fp));
}

static void test_download_complete(void **state)
{
    struct fixture *f = *state;
    fake_port_set_read_cap(f->fp, 6);
    fake_port_read_str(f->fp, "\r\n+UFOTASTAT: 3,1,0\r\n\r\n+ULWM2MSTAT: 1,721,3\r\n"
                              "\r\n+UFOTASTAT: 1,0,0\r\n\r\n+UFOTASTAT: 0,1,10\r\n");
    fake_port_jump(f->fp, 30000);
    fake_port_read_str(f->fp, "\r\n+UFOTASTAT: 0,1,55\r\n\r\n+UFOTASTAT: 2,2,100\r\n"
                              "\r\n+ULWM2MSTAT: 2,100\r\n");
    struct lfw_ufota_status last;
    assert_int_equal(lfw_ufota_wait_download(&f->proc, &last, &f->err), 0);
    assert_int_equal(last.state, LFW_UFOTA_DOWNLOADED);
    assert_int_equal(f->downloads, 4);
    assert_int_equal(f->last_percent, 100);
}

static void test_download_wait_ack(void **state)
{
    struct fixture *f = *state;
    fake_port_read_str(f->fp, "\r\n+UFOTASTAT: 0,3,0\r\n");
    struct lfw_ufota_status last;
    assert_int_equal(lfw_ufota_wait_download(&f->proc, &last, &f->err), 0);
    assert_int_equal(last.state, LFW_UFOTA_WAIT_ACK);
    fake_port_expect_str(f->fp, "AT+UFOTAACK=0\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n\r\n+UFOTASTAT: 2,3,100\r\n");
    assert_int_equal(lfw_ufota_ack(&f->proc, 0, &f->err), 0); /* reject (§5.4.2) */
    assert_int_equal(lfw_ufota_wait_download(&f->proc, &last, &f->err), LFW_ECANCELED);
    assert_int_equal(last.state, LFW_UFOTA_CANCELLED);
}

static void test_download_fails_or_times_out(void **state)
{
    struct fixture *f = *state;
    fake_port_read_str(f->fp, "+UFOTASTAT: 0,1,20\r\n+UFOTASTAT: 2,1,20\r\n");
    assert_int_equal(lfw_ufota_wait_download(&f->proc, NULL, &f->err), LFW_EDOWNLOAD);
    f->proc.timeouts.download_ms = 5000;
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_ufota_wait_download(&f->proc, NULL, &f->err), LFW_ETIMEDOUT);
    assert_int_equal((uint32_t)(fake_port_now(f->fp) - before), 5000);
}

/* A module that keeps talking (other URCs, never a +UFOTASTAT end) cannot hold the wait past
 * its deadline: checked after every line. */
static void test_download_wait_ends_in_a_flood(void **state)
{
    struct fixture *f = *state;
    f->proc.timeouts.download_ms = 3000;
    fake_port_flood(f->fp, "+ULWM2MSTAT: 1,721,3\r\n+UFOTASTAT: 0,1,7\r\n", 42, 1);
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_ufota_wait_download(&f->proc, NULL, &f->err), LFW_ETIMEDOUT);
    uint32_t waited = fake_port_now(f->fp) - before;
    assert_true(waited >= 3000u && waited <= 3002u);
    assert_true(f->downloads > 100);
    assert_int_equal(f->last_percent, 7);
}

static void test_install(void **state)
{
    struct fixture *f = *state;
    f->proc.expected_version = "LARA-R6.03.00";
    fake_port_read_str(f->fp, "\r\n+UUFWPREVAL: 0\r\n+UUFWPREVAL: 100\r\n+UUFWINSTALL: 1\r\n"
                              "+UUFWINSTALL: 100\r\n+UUFWINSTALL: 128\r\n");
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_read_str(f->fp, "\r\nLARA-R6.03.00\r\n\r\nOK\r\n");
    ok_after(f, "AT+UFOTASTAT=1\r");
    ok_after(f, "AT+ULWM2MSTAT=1,7\r");
    ok_after(f, "AT+UFWINSTALL=1,115200,,1\r");
    assert_int_equal(lfw_ufota_wait_install(&f->proc, 0, &f->err), 0);
    assert_int_equal(f->err.result_code, 128);
    assert_string_equal(f->version, "LARA-R6.03.00");
    assert_true(fake_port_done(f->fp));
}

static void test_install_fails(void **state)
{
    struct fixture *f = *state;
    fake_port_read_str(f->fp, "\r\n+UUFWPREVAL: 0\r\n+UUFWINSTALL: 227\r\n");
    assert_int_equal(lfw_ufota_wait_install(&f->proc, 0, &f->err), LFW_EMODULE);
    assert_int_equal(f->err.result_code, 227);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        T(test_enable_urcs),
        T(test_product_gating),
        T(test_download_complete),
        T(test_download_wait_ack),
        T(test_download_fails_or_times_out),
        T(test_download_wait_ends_in_a_flood),
        T(test_install),
        T(test_install_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
