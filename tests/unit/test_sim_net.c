/* Unit tests of the simulator's FTP/HTTP FOTA side without a network: password redaction in
 * the report, URL building, error class/code mapping (docs/simulator.md), MD5 (RFC 1321 test
 * suite, any update sizes), the resume record, and the +UFTP / +UHTTP / +UFTPC / +UHTTPC / +UFTPER
 * / +UHTTPER commands in process (output captured, state in a temporary directory). Transfers
 * themselves are tested end to end against vsftpd and nginx (tests/e2e/test_fota_net.py). */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim_net.h"
#include "sim_platform.h"
#include "sim_fixture.h"

static int setup_product(const char *product)
{
    return sim_fixture_setup(product, "simnet"); /* a new module in the same process */
}

static int setup(void **state)
{
    (void)state;
    return setup_product(NULL);
}

static int setup_l6(void **state)
{
    (void)state;
    return setup_product("LARA-L6004D-01B");
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

static void redacted(const char *in, const char *want)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", in);
    sim_net_redact(buf);
    assert_string_equal(buf, want);
}

static void test_redact(void **state)
{
    (void)state;
    redacted("uart AT+UFTP=3,\"pw\"", "uart AT+UFTP=3,***");
    redacted("uart at+uftp=3,\"secret password\"", "uart at+uftp=3,***");
    redacted("uart AT+UHTTP=2,3,\"pw\"", "uart AT+UHTTP=2,3,***");
    redacted("uart AT+UFTP=3,x", "uart AT+UFTP=3,*");
    redacted("uart AT+UFTP=2,\"user\"", "uart AT+UFTP=2,\"user\"");
    redacted("uart AT+UHTTP=0,1,\"server.com\"", "uart AT+UHTTP=0,1,\"server.com\"");
    redacted("uart AT+UFTP=3", "uart AT+UFTP=3"); /* the reset carries no password */
    redacted("uart AT+UFTPC=1", "uart AT+UFTPC=1");
}

/* Near misses: the report records a line before it is parsed, so a command the module refuses
 * (or accepts with a syntax the first rule did not expect) still must not show its password. */
static void test_redact_near_miss(void **state)
{
    (void)state;
    /* blank or junk between the name and '=' (the parser refuses it: ERROR, still recorded) */
    redacted("AT+UFTP =3,\"pw\"", "AT+UFTP =3,***");
    redacted("AT+UFTP  = 3 , \"pw\"", "AT+UFTP  = 3 ,***");
    redacted("AT+UFTP.=3,\"pw\"", "AT+UFTP.=3,***"); /* a control character, shown as '.' */
    /* the password after another op code in one command */
    redacted("AT+UFTP=2,\"u\",3,\"pw\"", "AT+UFTP=2,\"u\",3,***");
    redacted("AT+UHTTP=0,2,\"u\",3,\"pw\"", "AT+UHTTP=0,2,\"u\",3,***");
    /* case, blanks, numbers the parser reads as 3 */
    redacted("at+Uftp=3,\"pw\"", "at+Uftp=3,***");
    redacted("AT+UFTP= 3,\"pw\"", "AT+UFTP= 3,***");
    redacted("AT+UFTP=03,\"pw\"", "AT+UFTP=03,***");
    redacted("AT+UFTP=+3,\"pw\"", "AT+UFTP=+3,***");
    redacted("AT+UFTP=\"3\",\"pw\"", "AT+UFTP=\"3\",***");
    redacted("AT+UFTP=3,\"p,w\"", "AT+UFTP=3,***"); /* a comma inside the password */
    redacted("AT+UFTP=3,\"pw", "AT+UFTP=3,***");    /* unterminated */
    redacted("AT+UFTP:3,\"pw\"", "AT+UFTP:3,***");  /* ':' for '=' */
    redacted("ATUFTP=3,\"pw\"", "ATUFTP=3,***");    /* no '+' */
    redacted("AT+UHTTP =1,3,\"pw\"", "AT+UHTTP =1,3,***");
    redacted("at+uhttp=1, 3 ,\"pw\"", "at+uhttp=1, 3 ,***");
    redacted("AT+UHTTP=1,03,\"pw\"", "AT+UHTTP=1,03,***");
    redacted("AT+UHTTP=,3,\"pw\"", "AT+UHTTP=,3,***");   /* empty profile */
    redacted("AT+UHTTP=3,\"pw\"", "AT+UHTTP=3,***");     /* profile forgotten */
    redacted("AT+UHTTP=3,3,\"pw\"", "AT+UHTTP=3,3,***"); /* profile 3, op code 3 */
    /* a second command on the line (concatenation, refused) */
    redacted("AT+UFTP=2,\"u\";+UFTP=3,\"pw\"", "AT+UFTP=2,\"u\";+UFTP=3,***");
    redacted("AT+UHTTP=0,1,\"h\";+UHTTP=0,3,\"pw\"", "AT+UHTTP=0,1,\"h\";+UHTTP=0,3,***");
    /* no password: left as it is */
    redacted("AT+UHTTP=3,1,\"server.com\"", "AT+UHTTP=3,1,\"server.com\""); /* profile 3 */
    redacted("AT+UFTP=7,3", "AT+UFTP=7,3");                                 /* port 3 */
    redacted("AT+UFTP=1,\"3com.example\"", "AT+UFTP=1,\"3com.example\"");
    redacted("AT+UFTPC=3,\"old\",\"new\"", "AT+UFTPC=3,\"old\",\"new\""); /* rename */
    redacted("AT+UHTTPC=0,1,\"/x\",\"f\"", "AT+UHTTPC=0,1,\"/x\",\"f\"");
    redacted("AT+UFTPER", "AT+UFTPER");
    redacted("AT+UFTP=3,", "AT+UFTP=3,");
}

static void url_redacted(const char *in, const char *want)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    sim_redact_url_userinfo(buf);
    assert_string_equal(buf, want);
}

/* Every report event loses the credentials of its URLs (a Package URI written over LwM2M,
 * an AT command with a URL). */
static void test_redact_url(void **state)
{
    (void)state;
    url_redacted("campaign: package URI http://user:secret@h:80/p.upd (mode 0)",
                 "campaign: package URI http://***@h:80/p.upd (mode 0)");
    url_redacted("ftp://a@h/x and https://bob:pw@h2/y", "ftp://*@h/x and https://***@h2/y");
    url_redacted("http://h/p@x", "http://h/p@x"); /* '@' in the path: no user information */
    url_redacted("coaps://127.0.0.1:5684", "coaps://127.0.0.1:5684");
    url_redacted("no url", "no url");
}

static void test_url(void **state)
{
    (void)state;
    char url[SIM_NET_URL_MAX];
    /* the note's example file name (§4.2.1.4) has a space in it */
    assert_int_equal(sim_net_url(url, sizeof url, "ftp", "ftp.firmware.com", 21,
                                 "/ublox-ftp/fota/FWu pdate_4489_HSFf.pkg"),
                     0);
    assert_string_equal(url, "ftp://ftp.firmware.com:21/ublox-ftp/fota/FWu%20pdate_4489_HSFf.pkg");
    assert_int_equal(sim_net_url(url, sizeof url, "https", "10.0.0.1", 443, "a/b?x=1"), 0);
    assert_string_equal(url, "https://10.0.0.1:443/a/b?x=1");
    assert_int_equal(sim_net_url(url, sizeof url, "http", "h", 80, "\"<>\x7f"), 0);
    assert_string_equal(url, "http://h:80/%22%3C%3E%7F");
    char small[24];
    assert_int_equal(sim_net_url(small, sizeof small, "http", "host", 80, "long/path/name"), -1);
}

static void code_of(enum sim_net_err err, long proto, int ic, int pc, int want_class, int want_code)
{
    struct sim_net_result r;
    memset(&r, 0, sizeof r);
    r.err = err;
    r.proto_code = proto;
    int cls = -1, code = -1;
    sim_net_error_code(&r, ic, pc, &cls, &code);
    if (cls != want_class || code != want_code)
        fail_msg("err %d proto %ld -> %d,%d, expected %d,%d", (int)err, proto, cls, code,
                 want_class, want_code);
}

static void test_error_codes(void **state)
{
    (void)state;
    /* FTP: internal class 8, protocol class 1 */
    code_of(SIM_NET_OK, 226, 8, 1, 0, 0);
    code_of(SIM_NET_E_CANCELLED, 0, 8, 1, 8, 40); /* §4.2.1.5 */
    code_of(SIM_NET_E_HOST, 0, 8, 1, 8, 23);
    code_of(SIM_NET_E_CONNECT, 0, 8, 1, 8, 11);
    code_of(SIM_NET_E_LOGIN, 530, 8, 1, 1, 530);
    code_of(SIM_NET_E_MISSING, 550, 8, 1, 1, 550);
    code_of(SIM_NET_E_LOST, 0, 8, 1, 8, 27);
    code_of(SIM_NET_E_TIMEOUT, 0, 8, 1, 8, 26);
    code_of(SIM_NET_E_STORAGE, 0, 8, 1, 8, 10);
    code_of(SIM_NET_E_PROTOCOL, 0, 8, 1, 8, 10); /* no reply to show */
    /* HTTP: internal class 3, protocol class 2 */
    code_of(SIM_NET_E_HOST, 0, 3, 2, 3, 23); /* §4.2.2.5 */
    code_of(SIM_NET_E_LOGIN, 401, 3, 2, 3, 24);
    code_of(SIM_NET_E_MISSING, 404, 3, 2, 2, 404);
    code_of(SIM_NET_E_PROTOCOL, 500, 3, 2, 2, 500);
    code_of(SIM_NET_E_TLS, 0, 3, 2, 3, 73);
}

static void md5_of(const char *text, const char *want)
{
    char path[PATH_MAX];
    sim_path(&sim, "md5.bin", path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    char hex[33];
    assert_int_equal(sim_net_md5_file(fd, hex), 0);
    close(fd);
    assert_string_equal(hex, want);
}

static void test_md5(void **state)
{
    (void)state;
    /* RFC 1321 A.5 test suite */
    md5_of("", "d41d8cd98f00b204e9800998ecf8427e");
    md5_of("abc", "900150983cd24fb0d6963f7d28e17f72");
    md5_of("message digest", "f96b697d7cb7938d525a2f31aaf161d0");
    md5_of("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b");
    md5_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
           "d174ab98d277d9f5a5611c2c9f419d9f");
    md5_of("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
           "57edf4a22be3c955ac49da2e2107b67a");
}

static void test_md5_large(void **state)
{
    (void)state;
    /* a package larger than the read buffer: the digest covers every chunk (Python's hashlib
     * computed the expected value) */
    static uint8_t big[150000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)((i * 31) % 251);
    char path[PATH_MAX];
    sim_path(&sim, "md5-big.bin", path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, big, sizeof big), (ssize_t)sizeof big);
    char hex[33];
    assert_int_equal(sim_net_md5_file(fd, hex), 0);
    close(fd);
    assert_string_equal(hex, "aae73a9739a83b2d2f625b3df236a9e6");
}

static void test_record(void **state)
{
    (void)state;
    struct sim_net_record r, back;
    sim_net_rec_load(&sim, &back);
    assert_false(back.valid);
    memset(&r, 0, sizeof r);
    r.valid = true;
    r.kind = SIM_DL_HTTP;
    snprintf(r.url, sizeof r.url, "http://127.0.0.1:8080/fota/x.upd");
    snprintf(r.name, sizeof r.name, "x.upd");
    r.total = 406111;
    r.stored = 131072;
    snprintf(r.etag, sizeof r.etag, "\"5f-1a2b\"");
    assert_int_equal(sim_net_rec_save(&sim, &r), 0);
    sim_net_rec_load(&sim, &back);
    assert_true(back.valid);
    assert_int_equal(back.kind, SIM_DL_HTTP);
    assert_string_equal(back.url, r.url);
    assert_string_equal(back.name, "x.upd");
    assert_int_equal(back.total, 406111);
    assert_int_equal(back.stored, 131072);
    assert_string_equal(back.etag, r.etag);
    assert_true(sim_net_partial(&sim, r.url));
    assert_false(sim_net_partial(&sim, "http://127.0.0.1:8080/fota/y.upd"));
    snprintf(r.name, sizeof r.name, "../escape");
    assert_int_equal(sim_net_rec_save(&sim, &r), 0);
    sim_net_rec_load(&sim, &back);
    assert_false(back.valid); /* an unsafe name is never used */
    sim_net_rec_drop(&sim);
    sim_net_rec_load(&sim, &back);
    assert_false(back.valid);
}

static void test_ftp_profile(void **state)
{
    (void)state;
    expect("AT+UFTPER\r", "\r\n+UFTPER: 0,0\r\n\r\nOK\r\n");
    expect("AT+UFTP=1,\"ftp.firmware.com\"\r", "\r\nOK\r\n");
    expect("AT+UFTP=2,\"username\"\r", "\r\nOK\r\n");
    expect("AT+UFTP=3,\"password\"\r", "\r\nOK\r\n");
    expect("AT+UFTP=6,1\r", "\r\nOK\r\n");
    expect("AT+UFTP=7,2121\r", "\r\nOK\r\n");
    expect("AT+UFTP?\r", "\r\n+UFTP: 0,\"\"\r\n\r\n+UFTP: 1,\"ftp.firmware.com\"\r\n"
                         "\r\n+UFTP: 2,\"username\"\r\n\r\n+UFTP: 3,\"password\"\r\n"
                         "\r\n+UFTP: 5,30\r\n\r\n+UFTP: 6,1\r\n\r\n+UFTP: 7,2121\r\n\r\nOK\r\n");
    expect("AT+UFTP=7\r", "\r\nOK\r\n"); /* reset to the factory value */
    expect("AT+UFTP=6\r", "\r\nOK\r\n");
    expect("AT+UFTP?\r", "\r\n+UFTP: 0,\"\"\r\n\r\n+UFTP: 1,\"ftp.firmware.com\"\r\n"
                         "\r\n+UFTP: 2,\"username\"\r\n\r\n+UFTP: 3,\"password\"\r\n"
                         "\r\n+UFTP: 5,30\r\n\r\n+UFTP: 6,0\r\n\r\n+UFTP: 7,21\r\n\r\nOK\r\n");
    expect("AT+CMEE=2\r", "\r\nOK\r\n");
    expect("AT+UFTP=7,0\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+UFTP=6,2\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+UFTP=1,unquoted\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+UFTP=9,\"x\"\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    /* no login yet: no download (§4.2.1.2); nothing to cancel */
    expect("AT+UFTPC=100,\"f.upd\"\r", "\r\n+CME ERROR: operation not allowed\r\n");
    expect("AT+UFTPC=100,\"f.upd\",0\r", "\r\n+CME ERROR: operation not allowed\r\n");
    expect("AT+UFTPC=100,\"f.upd\",7\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+UFTPC=4,\"f\"\r", "\r\n+CME ERROR: operation not supported\r\n");
    /* a reset forgets the volatile profile (§4.2.1.1) */
    sim_reboot(&sim);
    sim.port[SIM_IF_UART].echo = false;
    expect("AT+UFTP?\r", "\r\n+UFTP: 0,\"\"\r\n\r\n+UFTP: 1,\"\"\r\n\r\n+UFTP: 2,\"\"\r\n"
                         "\r\n+UFTP: 3,\"\"\r\n\r\n+UFTP: 5,30\r\n\r\n+UFTP: 6,0\r\n"
                         "\r\n+UFTP: 7,21\r\n\r\nOK\r\n");
    /* no server; +CMEE is back to its power-up value (2) after the reset */
    expect("AT+UFTPC=1\r", "\r\n+CME ERROR: operation not allowed\r\n");
}

static void test_http_profile(void **state)
{
    (void)state;
    expect("AT+CMEE=2\r", "\r\nOK\r\n");
    expect("AT+UHTTP=0,0,\"192.168.1.0\"\r", "\r\nOK\r\n"); /* §4.2.2.2 */
    expect("AT+UHTTP=0,0\r", "\r\n+UHTTP: 0,0,\"192.168.1.0\"\r\n\r\nOK\r\n");
    expect("AT+UHTTP=0,5\r", "\r\n+UHTTP: 0,5,80\r\n\r\nOK\r\n");
    expect("AT+UHTTP=0,6,1\r", "\r\nOK\r\n");
    expect("AT+UHTTP=0,5\r", "\r\n+UHTTP: 0,5,443\r\n\r\nOK\r\n");
    expect("AT+UHTTP=0,6,1,2\r", "\r\nOK\r\n");
    expect("AT+UHTTP=0,6\r", "\r\n+UHTTP: 0,6,1,2\r\n\r\nOK\r\n");
    expect("AT+UHTTP=3,4,1\r", "\r\nOK\r\n");
    expect("AT+UHTTP=3,4\r", "\r\n+UHTTP: 3,4,1\r\n\r\nOK\r\n");
    expect("AT+UHTTP=0\r", "\r\nOK\r\n"); /* reset the profile */
    expect("AT+UHTTP=0,0\r", "\r\n+UHTTP: 0,0,\"\"\r\n\r\nOK\r\n");
    expect("AT+UHTTP=3,4\r", "\r\n+UHTTP: 3,4,1\r\n\r\nOK\r\n"); /* other profiles keep theirs */
    expect("AT+UHTTP=4,0,\"x\"\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+UHTTP?\r", "\r\n+CME ERROR: incorrect parameters\r\n"); /* §4.2.2.1 */
    expect("AT+UHTTP=0,5,70000\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+UHTTPER=1\r", "\r\n+UHTTPER: 1,0,0\r\n\r\nOK\r\n");
    expect("AT+UHTTPER=4\r", "\r\n+CME ERROR: incorrect parameters\r\n");
    expect("AT+UHTTPC=1,100,\"/f.upd\"\r", "\r\n+CME ERROR: operation not allowed\r\n");
    expect("AT+UHTTPC=0,1,\"/f\",\"x\"\r", "\r\n+CME ERROR: operation not supported\r\n");
}

static void test_l6(void **state)
{
    (void)state;
    expect("AT+CMEE=2\r", "\r\nOK\r\n");
    expect("AT+UFTPC=100,\"f.upd\"\r", "\r\n+CME ERROR: operation not supported\r\n");
    expect("AT+UHTTP=0,0,\"127.0.0.1\"\r", "\r\nOK\r\n");
    expect("AT+UHTTPC=0,100,\"/f.upd\"\r", "\r\n+CME ERROR: operation not supported\r\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_redact_near_miss),
        cmocka_unit_test(test_redact_url),
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_error_codes),
        cmocka_unit_test_setup_teardown(test_md5, setup, teardown),
        cmocka_unit_test_setup_teardown(test_md5_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ftp_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_l6, setup_l6, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
