/* Secret redaction of the AT log (src/cli/redact.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli_util.h"

static void check(const char *in, const char *want)
{
    char out[256];
    size_t n = lfw_redact(in, strlen(in), out, sizeof out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void test_ftp_password(void **state)
{
    (void)state;
    check("AT+UFTP=3,\"s3cret\"\r", "AT+UFTP=3,\"***\"\r");
    check("at+uftp=3,\"s3cret\"", "at+uftp=3,\"***\"");
    check("AT+UFTP=3, \"with space\"", "AT+UFTP=3, \"***\"");
    check("AT+UFTP=3,unquoted\r", "AT+UFTP=3,***\r");
    /* read answer lists the profile (§4.2.1.1) */
    check("+UFTP: 3,\"s3cret\"\r\n", "+UFTP: 3,\"***\"\r\n");
    /* unterminated quote: everything to the line end */
    check("AT+UFTP=3,\"abc\r", "AT+UFTP=3,\"***\r");
    /* a quote inside the value does not leak the rest */
    check("AT+UFTP=3,\"a\";+UFTP=2,\"user\"", "AT+UFTP=3,\"***\";+UFTP=2,\"user\"");
}

static void test_ftp_other_params_untouched(void **state)
{
    (void)state;
    check("AT+UFTP=1,\"ftp.firmware.com\"", "AT+UFTP=1,\"ftp.firmware.com\"");
    check("AT+UFTP=2,\"username\"", "AT+UFTP=2,\"username\"");
    check("AT+UFTP=30,\"x\"", "AT+UFTP=30,\"x\"");
    check("AT+UFTP=3", "AT+UFTP=3"); /* reset to default: nothing secret */
    check("AT+UFTPC=3,\"file\"", "AT+UFTPC=3,\"file\"");
}

static void test_http_password(void **state)
{
    (void)state;
    check("AT+UHTTP=0,3,\"password\"\r", "AT+UHTTP=0,3,\"***\"\r");
    check("AT+UHTTP=12,3,\"p\"", "AT+UHTTP=12,3,\"***\"");
    check("+UHTTP: 0,3,\"password\"", "+UHTTP: 0,3,\"***\"");
    check("AT+UHTTP=0,2,\"username\"", "AT+UHTTP=0,2,\"username\"");
    check("AT+UHTTP=0,1,\"server.com\"", "AT+UHTTP=0,1,\"server.com\"");
    check("AT+UHTTP=0,3", "AT+UHTTP=0,3");
    check("AT+UHTTP=3,1,\"x\"", "AT+UHTTP=3,1,\"x\"");
}

static void test_url_credentials(void **state)
{
    (void)state;
    check("AT+UHTTPC=0,100,\"http://bob:pw@host/path\"",
          "AT+UHTTPC=0,100,\"http://***@host/path\"");
    check("ftp://user:p%40ss@ftp.example.com:21/fw.bin", "ftp://***@ftp.example.com:21/fw.bin");
    check("https://host/path?a=b@c", "https://host/path?a=b@c");
    check("https://host", "https://host");
    check("coaps://a@b:5684", "coaps://***@b:5684");
    check("no url here: just text", "no url here: just text");
}

static void test_truncation(void **state)
{
    (void)state;
    char out[8];
    const char *in = "AT+UFTP=3,\"secret-password\"";
    size_t n = lfw_redact(in, strlen(in), out, sizeof out);
    assert_int_equal(n, strlen("AT+UFTP=3,\"***\""));
    assert_string_equal(out, "AT+UFTP");
    /* the secret never appears, whatever the buffer size */
    for (size_t cap = 1; cap < 40; cap++) {
        char b[40];
        lfw_redact(in, strlen(in), b, cap);
        assert_null(strstr(b, "secret"));
    }
}

static void test_not_nul_terminated_input(void **state)
{
    (void)state;
    const char raw[] = {'A', 'T', '+', 'U', 'F', 'T', 'P', '=', '3', ',', '"', 'x', 'y'};
    char out[64];
    lfw_redact(raw, sizeof raw, out, sizeof out);
    assert_string_equal(out, "AT+UFTP=3,\"***");
    lfw_redact(raw, 9, out, sizeof out);
    assert_string_equal(out, "AT+UFTP=3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ftp_password),  cmocka_unit_test(test_ftp_other_params_untouched),
        cmocka_unit_test(test_http_password), cmocka_unit_test(test_url_credentials),
        cmocka_unit_test(test_truncation),    cmocka_unit_test(test_not_nul_terminated_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
