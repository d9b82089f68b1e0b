/* The --checksum start filter and install URC values (src/cli/line.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli_util.h"

static size_t filter(struct lfw_crc_filter *f, const char *in, char *out)
{
    size_t n = strlen(in);
    memcpy(out, in, n);
    n = lfw_crc_filter_apply(f, (uint8_t *)out, n);
    out[n] = '\0';
    return n;
}

static void test_hides_solicitations(void **state)
{
    (void)state;
    struct lfw_crc_filter f = {0};
    char out[64];
    filter(&f, "\r\n+UFWUPD: ONGOING\r\nC", out);
    assert_string_equal(out, "\r\n+UFWUPD: ONGOING\r\n");
    filter(&f, "C", out); /* next read */
    assert_string_equal(out, "");
    filter(&f, "CC\x15", out);
    assert_string_equal(out, "\x15");
}

static void test_keeps_text(void **state)
{
    (void)state;
    struct lfw_crc_filter f = {0};
    char out[64];
    filter(&f, "\r\n+CME ERROR: operation not allowed\r\n", out);
    assert_string_equal(out, "\r\n+CME ERROR: operation not allowed\r\n");
    filter(&f, "ABC", out);
    assert_string_equal(out, "ABC");
    /* split across reads: "+" then "CME" */
    struct lfw_crc_filter g = {0};
    filter(&g, "\r\n+", out);
    filter(&g, "CME", out);
    assert_string_equal(out, "CME");
}

static void test_urc_value(void **state)
{
    (void)state;
    assert_int_equal(lfw_urc_value("+UFWINSTALL: 42"), 42);
    assert_int_equal(lfw_urc_value("+UFWUPD: 128"), 128);
    assert_int_equal(lfw_urc_value("+UFWPREVAL:7"), 7);
    assert_int_equal(lfw_urc_value("+UFWUPD: ONGOING"), -1);
    assert_int_equal(lfw_urc_value("+UFWUPD:"), -1);
    assert_int_equal(lfw_urc_value("+UFWUPD: 12x"), -1);
    assert_int_equal(lfw_urc_value("no colon"), -1);
    assert_int_equal(lfw_urc_value("+UFWUPD: 99999999999"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hides_solicitations),
        cmocka_unit_test(test_keeps_text),
        cmocka_unit_test(test_urc_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
