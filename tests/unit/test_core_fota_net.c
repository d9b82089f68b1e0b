/* Unit tests of the module-side FTP/HTTP FOTA downloads (§4.2.1.4, §4.2.2.4) against
 * scripted module dialogues, including the error classes of §4.2.1.5 / §4.2.2.5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_port.h"
#include "larafw/fota_net.h"

struct fixture {
    struct fake_port *fp;
    struct lfw_at at;
    uint8_t line[LFW_AT_BUF_DEFAULT];
    struct lfw_proc_config proc;
    struct lfw_error err;
    char md5[LFW_MD5_HEX_SIZE];
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.fp = fake_port_new();
    fake_port_set_now(f.fp, 0xfff00000u);
    struct lfw_at_config ac = {
        .port = fake_port_port(f.fp), .buf = f.line, .buf_size = sizeof f.line};
    assert_int_equal(lfw_at_init(&f.at, &ac), 0);
    f.proc.at = &f.at;
    f.proc.product = lfw_product_get(LFW_PRODUCT_R6_00B);
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

static const struct lfw_ftp_server ftp = {
    .host = "ftp.firmware.com",
    .user = "username",
    .password = "password",
    .passive = true,
    .path = "/ublox-ftp/fota/FWupdate_4489_HSFf.pkg",
};

static void script_ftp_login(struct fixture *f)
{
    ok_after(f, "AT+UFTP=1,\"ftp.firmware.com\"\r");
    ok_after(f, "AT+UFTP=2,\"username\"\r");
    ok_after(f, "AT+UFTP=3,\"password\"\r");
    ok_after(f, "AT+UFTP=6,1\r");
    fake_port_expect_str(f->fp, "AT+UFTPC=1\r");
}

static void test_ftp_success(void **state)
{
    struct fixture *f = *state;
    fake_port_set_read_cap(f->fp, 5);
    script_ftp_login(f);
    fake_port_read_str(f->fp, "\r\n+UUFTPCR: 1,1\r\n\r\nOK\r\n"); /* URC before OK: fine */
    ok_after(f, "AT+UFTPC=100,\"/ublox-ftp/fota/FWupdate_4489_HSFf.pkg\"\r");
    fake_port_read_str(f->fp, "\r\n+CEREG: 1\r\n");
    fake_port_jump(f->fp, 60000);
    fake_port_read_str(f->fp, "\r\n+UUFTPCR: 100,1,\"960d9502ed3d71505b681e8aa19f03c8\"\r\n");
    assert_int_equal(lfw_fota_ftp_download(&f->proc, &ftp, f->md5, &f->err), 0);
    assert_string_equal(f->md5, "960d9502ed3d71505b681e8aa19f03c8");
    assert_int_equal(f->err.net_class, -1);
}

static void test_ftp_login_fails(void **state)
{
    struct fixture *f = *state;
    script_ftp_login(f);
    fake_port_read_str(f->fp, "\r\nOK\r\n\r\n+UUFTPCR: 1,0\r\n");
    fake_port_expect_str(f->fp, "AT+UFTPER\r");
    fake_port_read_str(f->fp, "\r\n+UFTPER: 1,530\r\n\r\nOK\r\n");
    assert_int_equal(lfw_fota_ftp_download(&f->proc, &ftp, f->md5, &f->err), LFW_EDOWNLOAD);
    assert_int_equal(f->err.net_class, 1);
    assert_int_equal(f->err.net_code, 530);
}

static void test_ftp_download_fails_resume(void **state)
{
    struct fixture *f = *state;
    struct lfw_ftp_server s = ftp;
    s.resume = true;
    s.user = NULL;
    s.password = NULL;
    s.passive = false;
    s.port = 2121;
    s.host = "192.168.1.2";
    s.host_is_ip = true;
    ok_after(f, "AT+UFTP=0,\"192.168.1.2\"\r");
    ok_after(f, "AT+UFTP=7,2121\r");
    ok_after(f, "AT+UFTP=6,0\r");
    fake_port_expect_str(f->fp, "AT+UFTPC=1\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n+UUFTPCR: 1,1\r\n");
    ok_after(f, "AT+UFTPC=100,\"/ublox-ftp/fota/FWupdate_4489_HSFf.pkg\",1\r");
    fake_port_read_str(f->fp, "\r\n+UUFTPCR: 100,0\r\n");
    fake_port_expect_str(f->fp, "AT+UFTPER\r");
    fake_port_read_str(f->fp, "\r\n+UFTPER: 8,40\r\n\r\nOK\r\n");
    assert_int_equal(lfw_fota_ftp_download(&f->proc, &s, NULL, &f->err), LFW_EDOWNLOAD);
    assert_int_equal(f->err.net_class, 8);
    assert_int_equal(f->err.net_code, 40);
}

static void test_ftp_not_on_l6(void **state)
{
    struct fixture *f = *state;
    f->proc.product = lfw_product_get(LFW_PRODUCT_L6);
    assert_int_equal(lfw_fota_ftp_download(&f->proc, &ftp, f->md5, &f->err), LFW_ENOTSUP);
    size_t n = 1;
    (void)fake_port_written(f->fp, &n);
    assert_int_equal(n, 0);
}

static void test_ftp_timeout(void **state)
{
    struct fixture *f = *state;
    f->proc.timeouts.download_ms = 120000;
    script_ftp_login(f);
    fake_port_read_str(f->fp, "\r\nOK\r\n+UUFTPCR: 1,1\r\n");
    ok_after(f, "AT+UFTPC=100,\"/ublox-ftp/fota/FWupdate_4489_HSFf.pkg\"\r");
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_fota_ftp_download(&f->proc, &ftp, f->md5, &f->err), LFW_ETIMEDOUT);
    assert_true((uint32_t)(fake_port_now(f->fp) - before) >= 120000u);
}

static void test_http_success(void **state)
{
    struct fixture *f = *state;
    const struct lfw_http_server s = {
        .profile = 0,
        .host = "server.com",
        .port = 8080,
        .https = true,
        .user = "username",
        .password = "password",
        .path = "/test/plain/uploads/update_file.zip",
    };
    ok_after(f, "AT+UHTTP=0,1,\"server.com\"\r");
    ok_after(f, "AT+UHTTP=0,2,\"username\"\r");
    ok_after(f, "AT+UHTTP=0,3,\"password\"\r");
    ok_after(f, "AT+UHTTP=0,5,8080\r");
    ok_after(f, "AT+UHTTP=0,6,1\r");
    ok_after(f, "AT+UHTTPC=0,100,\"/test/plain/uploads/update_file.zip\"\r");
    fake_port_read_str(f->fp, "\r\n+UUHTTPCR: 1,100,0,0\r\n"); /* another profile: not ours */
    fake_port_read_str(f->fp,
                       "\r\n+UUHTTPCR: 0,100,1,200,\"960d9502ed3d71505b681e8aa19f03c8\"\r\n");
    assert_int_equal(lfw_fota_http_download(&f->proc, &s, f->md5, &f->err), 0);
    assert_string_equal(f->md5, "960d9502ed3d71505b681e8aa19f03c8");
}

static void test_http_fails(void **state)
{
    struct fixture *f = *state;
    const struct lfw_http_server s = {
        .profile = 2, .host = "192.168.1.0", .host_is_ip = true, .path = "/f"};
    ok_after(f, "AT+UHTTP=2,0,\"192.168.1.0\"\r");
    ok_after(f, "AT+UHTTPC=2,100,\"/f\"\r");
    fake_port_read_str(f->fp, "\r\n+UUHTTPCR: 2,100,0,0\r\n");
    fake_port_expect_str(f->fp, "AT+UHTTPER=2\r");
    fake_port_read_str(f->fp, "\r\n+UHTTPER: 2,3,23\r\n\r\nOK\r\n");
    assert_int_equal(lfw_fota_http_download(&f->proc, &s, f->md5, &f->err), LFW_EDOWNLOAD);
    assert_int_equal(f->err.net_class, 3);
    assert_int_equal(f->err.net_code, 23);
}

static void test_http_busy(void **state)
{
    struct fixture *f = *state;
    const struct lfw_http_server s = {.profile = 0, .host = "h", .path = "/f"};
    ok_after(f, "AT+UHTTP=0,1,\"h\"\r");
    fake_port_expect_str(f->fp, "AT+UHTTPC=0,100,\"/f\"\r");
    fake_port_read_str(f->fp, "\r\n+CME ERROR: operation not allowed\r\n"); /* §6 */
    assert_int_equal(lfw_fota_http_download(&f->proc, &s, f->md5, &f->err), LFW_ECME);
    assert_string_equal(f->err.cme_text, "operation not allowed");
}

static void test_bad_arguments(void **state)
{
    struct fixture *f = *state;
    struct lfw_http_server s = {.profile = 4, .host = "h", .path = "/f"};
    assert_int_equal(lfw_fota_http_download(&f->proc, &s, NULL, &f->err), LFW_EINVAL);
    s.profile = 0;
    s.path = "/a\"b";
    assert_int_equal(lfw_fota_http_download(&f->proc, &s, NULL, &f->err), LFW_EINVAL);
    struct lfw_ftp_server fs = ftp;
    fs.host = "";
    assert_int_equal(lfw_fota_ftp_download(&f->proc, &fs, NULL, &f->err), LFW_EINVAL);
    assert_int_equal(lfw_fota_ftp_download(&f->proc, NULL, NULL, &f->err), LFW_EINVAL);
    assert_int_equal(lfw_fota_ftp_download(NULL, &ftp, NULL, &f->err), LFW_EINVAL);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_ftp_success),   T(test_ftp_login_fails), T(test_ftp_download_fails_resume),
        T(test_ftp_not_on_l6), T(test_ftp_timeout),     T(test_http_success),
        T(test_http_fails),    T(test_http_busy),       T(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
