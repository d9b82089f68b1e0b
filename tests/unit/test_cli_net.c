/* `larafw fota` / `ufota` parts without a module: URL parsing (passwords kept out of the public
 * form), the approval window, the resume state file, the command-line checks, and the AT log's
 * redaction of the FTP/HTTP profile commands and of the AT+UFTP? listing (src/cli). */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_net.h"
#include "cli_util.h"

static void test_url_ftp(void **state)
{
    (void)state;
    struct lfw_net_url u;
    char err[160], pub[512];
    assert_int_equal(lfw_net_url_parse("ftp://bob:p%40ss%3Aw@ftp.example.com:2121/fw/d.upd", "ftp",
                                       &u, err, sizeof err),
                     0);
    assert_true(u.ftp);
    assert_string_equal(u.user, "bob");
    assert_string_equal(u.password, "p@ss:w");
    assert_string_equal(u.host, "ftp.example.com");
    assert_false(u.host_is_ip);
    assert_int_equal(u.port, 2121);
    assert_string_equal(u.path, "fw/d.upd"); /* relative to the login directory */
    lfw_net_url_public(&u, pub, sizeof pub);
    assert_string_equal(pub, "ftp://bob@ftp.example.com:2121/fw/d.upd");
    assert_int_equal(lfw_net_url_parse("ftp://10.0.0.7/x", "ftp", &u, err, sizeof err), 0);
    assert_true(u.host_is_ip);
    assert_int_equal(u.port, 0);
    assert_false(u.has_user);
}

static void test_url_http(void **state)
{
    (void)state;
    struct lfw_net_url u;
    char err[160], pub[512];
    assert_int_equal(lfw_net_url_parse("https://u:pw@h/a/b.upd?x=1", "http", &u, err, sizeof err),
                     0);
    assert_true(u.https);
    assert_string_equal(u.path, "/a/b.upd?x=1");
    lfw_net_url_public(&u, pub, sizeof pub);
    assert_string_equal(pub, "https://u@h/a/b.upd?x=1");
    assert_int_equal(lfw_net_url_parse("http://h:8080/p", "http", &u, err, sizeof err), 0);
    assert_int_equal(u.port, 8080);
    assert_false(u.has_password);
}

static void test_url_errors_never_show_the_password(void **state)
{
    (void)state;
    struct lfw_net_url u;
    char err[160];
    const char *bad[] = {
        "http://u:secretpw@h/p", /* wrong scheme for ftp */
        "ftp://u:secretpw@h",    /* no file */
        "ftp://u:secretpw@h:0/x",  "ftp://u:secretpw@h:99999/x",
        "ftp://u:secretpw@/x",     "ftp://u:secret%4@h/x", /* bad escape */
        "ftp://u:secret%22pw@h/x",                         /* '"' */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(lfw_net_url_parse(bad[i], "ftp", &u, err, sizeof err), -1);
        assert_null(strstr(err, "secret"));
    }
    assert_int_equal(lfw_net_url_parse("gopher://h/x", "http", &u, err, sizeof err), -1);
}

static void test_window(void **state)
{
    (void)state;
    struct lfw_window w;
    assert_int_equal(lfw_window_parse("01:00-04:30", &w), 0);
    assert_int_equal(lfw_window_wait_s(&w, 2 * 3600), 0);
    assert_int_equal(lfw_window_wait_s(&w, 0), 3600);
    assert_int_equal(lfw_window_wait_s(&w, 5 * 3600), 20 * 3600);
    assert_int_equal(lfw_window_wait_s(&w, 4 * 3600 + 30 * 60), 20 * 3600 + 30 * 60);
    /* past midnight */
    assert_int_equal(lfw_window_parse("22:00-02:00", &w), 0);
    assert_int_equal(lfw_window_wait_s(&w, 23 * 3600), 0);
    assert_int_equal(lfw_window_wait_s(&w, 3600), 0);
    assert_int_equal(lfw_window_wait_s(&w, 21 * 3600 + 59 * 60 + 30), 30);
    assert_int_equal(lfw_window_parse("1:00-2:00", &w), -1);
    assert_int_equal(lfw_window_parse("24:00-02:00", &w), -1);
    assert_int_equal(lfw_window_parse("02:00-02:00", &w), -1);
    assert_int_equal(lfw_window_parse("02:00", &w), -1);
}

static void test_state_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/larafw-unit-state-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    setenv("XDG_STATE_HOME", dir, 1);
    assert_int_equal(lfw_fota_state_path("/dev/ttyUSB0", NULL, path, sizeof path), 0);
    assert_non_null(strstr(path, "/larafw/fota-"));
    char other[512];
    assert_int_equal(lfw_fota_state_path("/dev/ttyUSB1", NULL, other, sizeof other), 0);
    assert_string_not_equal(path, other);
    assert_int_equal(lfw_fota_state_path("x", "/my/file", other, sizeof other), 0);
    assert_string_equal(other, "/my/file");

    struct lfw_fota_state st, back;
    assert_int_equal(lfw_fota_state_load(path, &back), 0); /* absent */
    memset(&st, 0, sizeof st);
    snprintf(st.kind, sizeof st.kind, "ftp");
    snprintf(st.url, sizeof st.url, "ftp://bob@h/x");
    st.started = 1795608001;
    assert_int_equal(lfw_fota_state_save(path, &st), 0); /* creates larafw/ */
    assert_int_equal(lfw_fota_state_load(path, &back), 1);
    assert_string_equal(back.kind, "ftp");
    assert_string_equal(back.url, "ftp://bob@h/x");
    assert_int_equal(back.started, 1795608001);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_not_equal(access(tmp, F_OK), 0); /* renamed into place */
    assert_int_equal(lfw_fota_state_remove(path), 0);
    assert_int_equal(lfw_fota_state_load(path, &back), 0);
    assert_int_equal(lfw_fota_state_remove(path), 0); /* absent is fine */
    /* a torn or foreign file is not taken for a record */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("kind=ftp\n", f);
    fclose(f);
    assert_int_equal(lfw_fota_state_load(path, &back), -1);
    /* a kind longer than its field is garbled, not cut to fit (was silently truncated) */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("kind=ftpftpftp\nurl=ftp://h/x\n", f);
    fclose(f);
    assert_int_equal(lfw_fota_state_load(path, &back), -1);
    assert_string_equal(back.url, "");
    unlink(path);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/larafw", dir);
    rmdir(sub);
    rmdir(dir);
}

#define ARGV(...) ((char *const[]){"larafw", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"larafw", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, err, ...)                                                                         \
    lfw_cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), "/dev/x", o, err, sizeof err)

static void test_options(void **state)
{
    (void)state;
    struct lfw_cli_opts o;
    char err[300];
    assert_int_equal(PARSE(&o, err, "fota", "http", "http://h/p", "--profile", "2", "--md5",
                           "0123456789abcdef0123456789ABCDEF", "--no-install"),
                     0);
    assert_int_equal(o.cmd, LFW_CMD_FOTA);
    assert_string_equal(o.action, "http");
    assert_int_equal(o.profile, 2);
    assert_true(o.no_install);
    assert_int_equal(PARSE(&o, err, "fota", "ftp", "ftp://u:topsecret@h/p", "--profile", "1"),
                     LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, err, "fota", "ftp", "ftp://u:topsecret@h"), LFW_EXIT_USAGE);
    assert_null(strstr(err, "topsecret"));
    assert_int_equal(PARSE(&o, err, "fota", "ftp", "ftp://h/p", "--md5", "123"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, err, "fota", "http", "http://h/p", "--profile", "4"),
                     LFW_EXIT_USAGE);
    assert_int_equal(
        PARSE(&o, err, "ufota", "watch", "--policy", "window=01:00-03:00", "--defer", "30"), 0);
    assert_int_equal(o.defer_s, 30);
    assert_int_equal(PARSE(&o, err, "ufota", "watch", "--policy", "sometimes"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, err, "ufota", "watch", "--policy", "ack", "--no-install"),
                     LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, err, "ufota", "pause", "--policy", "ack"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, err, "ufota", "halt"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, err, "lwm2m", "srlt", "604800"), 0);
    assert_string_equal(o.target, "604800");
    assert_int_equal(PARSE(&o, err, "lwm2m", "srlt"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, err, "lwm2m", "srlt", "-5"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, err, "lwm2m", "register", "x"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, err, "info", "--md5", "x"), LFW_EXIT_USAGE);
}

/* ---- the AT log of an FTP/HTTP FOTA run ---------------------------------------------------- */

static char logbuf[16384];

static void at_tx(struct lfw_atlog *l, const char *s)
{
    lfw_atlog_tx(l, (const uint8_t *)s, strlen(s), 1795608001234ull);
}

static void at_rx(struct lfw_atlog *l, const char *s)
{
    lfw_atlog_rx(l, (const uint8_t *)s, strlen(s), 1795608001234ull);
}

static void open_log(struct lfw_atlog *l)
{
    memset(logbuf, 0, sizeof logbuf);
    FILE *f = fmemopen(logbuf, sizeof logbuf - 1, "w");
    assert_non_null(f);
    lfw_atlog_attach(l, f);
}

static void close_log(struct lfw_atlog *l)
{
    FILE *f = l->f;
    lfw_atlog_close(l);
    (void)f;
}

static void test_atlog_profile_and_listing(void **state)
{
    (void)state;
    struct lfw_atlog l;
    open_log(&l);
    /* the command, its echo cut in the middle of the password, the listing of AT+UFTP? */
    at_tx(&l, "AT+UFTP=3,\"hunter2-pw\"");
    at_tx(&l, "\r");
    at_rx(&l, "AT+UFTP=3,\"hun");
    at_rx(&l, "ter2-pw\"\r\r\n\r\nOK\r\n");
    at_tx(&l, "AT+UFTP?\r");
    at_rx(&l, "\r\n+UFTP: 0,\"127.0.0.1\"\r\n\r\n+UFTP: 2,\"anonymous\"\r\n\r\n+UFTP: 3,\"hu");
    at_rx(&l, "nter2-pw\"\r\n\r\n+UFTP: 6,1\r\n\r\nOK\r\n");
    at_tx(&l, "AT+UHTTP=1,3,\"hunter2-pw\"\r");
    at_rx(&l, "\r\nOK\r\n");
    at_tx(&l, "AT+UHTTP=1,3\r");
    at_rx(&l, "\r\n+UHTTP: 1,3,\"hunter2-pw\"\r\n\r\nOK\r\n");
    close_log(&l);
    assert_null(strstr(logbuf, "hunter2"));
    assert_null(strstr(logbuf, "-pw"));
    assert_non_null(strstr(logbuf, "+UFTP: 3,\"***\""));
    assert_non_null(strstr(logbuf, "+UHTTP: 1,3,\"***\""));
    assert_non_null(strstr(logbuf, "+UFTP: 2,\"anonymous\"")); /* the rest stays readable */
}

/* A line cut by host output (a note, the next command) in the middle of a secret: the part
 * logged later is the rest of the secret and must not show either. */
static void test_atlog_secret_cut_by_host_output(void **state)
{
    (void)state;
    struct lfw_atlog l;
    open_log(&l);
    at_rx(&l, "\r\n+UFTP: 3,\"hun");
    lfw_atlog_note(&l, 1795608001235ull, "interrupted");
    at_rx(&l, "ter2-pw\"\r\n\r\nOK\r\n");
    at_tx(&l, "AT+UFTP=3,\"hun");
    at_rx(&l, "\r\n+UUFTPCR: 1,1\r\n");
    at_tx(&l, "ter2-pw\"\r");
    at_rx(&l, "\r\nOK\r\n");
    close_log(&l);
    assert_null(strstr(logbuf, "ter2"));
    assert_non_null(strstr(logbuf, "OK"));
    assert_non_null(strstr(logbuf, "+UUFTPCR: 1,1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_ftp),
        cmocka_unit_test(test_url_http),
        cmocka_unit_test(test_url_errors_never_show_the_password),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_state_file),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_atlog_profile_and_listing),
        cmocka_unit_test(test_atlog_secret_cut_by_host_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
