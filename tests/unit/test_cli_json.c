/* JSON escaping and object building of `--json` (src/cli/json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli_util.h"

static void esc(const char *in, const char *want)
{
    char out[128];
    size_t n = lfw_json_escape(in, out, sizeof out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void test_escape(void **state)
{
    (void)state;
    esc("plain", "plain");
    esc("a\"b", "a\\\"b");
    esc("back\\slash", "back\\\\slash");
    esc("\r\n\t", "\\r\\n\\t");
    esc("\x01\x1f", "\\u0001\\u001f");
    esc("\b\f", "\\b\\f");
    esc("", "");
    esc(NULL, "");
    esc("/", "/");
    esc("\x7f", "\x7f");
}

static void test_utf8(void **state)
{
    (void)state;
    esc("caf\xc3\xa9", "caf\xc3\xa9");           /* valid 2-byte */
    esc("\xe2\x86\x92", "\xe2\x86\x92");         /* → */
    esc("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"); /* 4-byte */
    esc("\xff", "\\ufffd");
    esc("\xc3", "\\ufffd");                       /* truncated */
    esc("\xc0\xaf", "\\ufffd\\ufffd");            /* overlong */
    esc("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"); /* surrogate */
}

static void test_escape_truncates(void **state)
{
    (void)state;
    char out[4];
    size_t n = lfw_json_escape("\"\"\"", out, sizeof out);
    assert_int_equal(n, 6);
    assert_int_equal(strlen(out), 3);
}

static void test_object(void **state)
{
    (void)state;
    char buf[256];
    struct lfw_json j;
    lfw_json_begin(&j, buf, sizeof buf);
    lfw_json_str(&j, "firmware", "LARA \"R6\"");
    lfw_json_int(&j, "percent", -1);
    lfw_json_bool(&j, "ok", true);
    lfw_json_str(&j, "none", NULL);
    const char *s = lfw_json_end(&j);
    assert_non_null(s);
    assert_string_equal(s, "{\"firmware\":\"LARA \\\"R6\\\"\",\"percent\":-1,\"ok\":true,"
                           "\"none\":null}");
    lfw_json_begin(&j, buf, sizeof buf);
    assert_string_equal(lfw_json_end(&j), "{}");
}

static void test_object_overflow(void **state)
{
    (void)state;
    char buf[10];
    struct lfw_json j;
    lfw_json_begin(&j, buf, sizeof buf);
    lfw_json_str(&j, "key", "a long value");
    assert_null(lfw_json_end(&j));
    /* exactly fitting */
    char b2[8];
    lfw_json_begin(&j, b2, sizeof b2);
    lfw_json_int(&j, "a", 1);
    assert_string_equal(lfw_json_end(&j), "{\"a\":1}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),           cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_escape_truncates), cmocka_unit_test(test_object),
        cmocka_unit_test(test_object_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
