/* Progress formatting and event output (src/cli/progress.c). */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"

static void test_rate(void **state)
{
    (void)state;
    char b[32];
    lfw_fmt_rate(b, sizeof b, 950);
    assert_string_equal(b, "950 B/s");
    lfw_fmt_rate(b, sizeof b, 11234);
    assert_string_equal(b, "11.2 kB/s");
    lfw_fmt_rate(b, sizeof b, 92160);
    assert_string_equal(b, "92.2 kB/s");
    lfw_fmt_rate(b, sizeof b, 291000);
    assert_string_equal(b, "291 kB/s");
    lfw_fmt_rate(b, sizeof b, 1050000);
    assert_string_equal(b, "1.05 MB/s");
    lfw_fmt_rate(b, sizeof b, -3);
    assert_string_equal(b, "0 B/s");
}

static void test_duration(void **state)
{
    (void)state;
    char b[32];
    lfw_fmt_duration(b, sizeof b, 7);
    assert_string_equal(b, "0:07");
    lfw_fmt_duration(b, sizeof b, 754);
    assert_string_equal(b, "12:34");
    lfw_fmt_duration(b, sizeof b, 3723);
    assert_string_equal(b, "1:02:03");
    lfw_fmt_duration(b, sizeof b, -1);
    assert_string_equal(b, "--:--");
}

static void test_format_line(void **state)
{
    (void)state;
    char b[256];
    lfw_progress_format(b, sizeof b, "download", 42, 12, 11234, 31);
    assert_string_equal(b, "download    42% [####......]  11.2 kB/s  ETA 0:31");
    lfw_progress_format(b, sizeof b, "install", 100, 6, -1, -1);
    assert_string_equal(b, "install    100% [####]");
    lfw_progress_format(b, sizeof b, "reboot", -1, 0, -1, -1);
    assert_string_equal(b, "reboot        ?");
    lfw_progress_format(b, sizeof b, "download", 250, 4, -1, -1);
    assert_string_equal(b, "download   100% [##]");
    /* truncation is safe */
    char small[8];
    size_t n = lfw_progress_format(small, sizeof small, "download", 1, 40, 1, 1);
    assert_true(n > 7);
    assert_int_equal(strlen(small), 7);
    /* a phase longer than the line stays inside it (the running length used to run past it) */
    char phase[700];
    memset(phase, 'p', sizeof phase - 1);
    phase[sizeof phase - 1] = '\0';
    n = lfw_progress_format(b, sizeof b, phase, 50, 40, 1000, 5);
    assert_int_equal(strlen(b), sizeof b - 1);
    assert_true(n < 512);
}

static char out_buf[8192];

static FILE *open_out(void)
{
    memset(out_buf, 0, sizeof out_buf);
    FILE *f = fmemopen(out_buf, sizeof out_buf - 1, "w");
    assert_non_null(f);
    return f;
}

static void test_json_events(void **state)
{
    (void)state;
    FILE *f = open_out();
    struct lfw_progress p;
    lfw_progress_init(&p, LFW_PROGRESS_JSON, f, 80);
    lfw_progress_event(&p, "download", 0, 0, 2048, -1, 1000);
    lfw_progress_event(&p, "download", 0, 10, 2048, -1, 1001); /* same percent: no line */
    lfw_progress_event(&p, "download", 50, 1024, 2048, -1, 2000);
    lfw_progress_event(&p, "install", 100, 0, 0, 128, 3000);
    fclose(f);
    const char *want = "{\"event\":\"progress\",\"phase\":\"download\",\"percent\":0,\"bytes\":0,"
                       "\"total\":2048,\"result_code\":null}\n"
                       "{\"event\":\"progress\",\"phase\":\"download\",\"percent\":50,"
                       "\"bytes\":1024,\"total\":2048,\"bytes_per_s\":1024,\"result_code\":null}\n"
                       "{\"event\":\"progress\",\"phase\":\"install\",\"percent\":100,\"bytes\":0,"
                       "\"total\":0,\"result_code\":128}\n";
    assert_string_equal(out_buf, want);
}

static void test_plain_lines(void **state)
{
    (void)state;
    FILE *f = open_out();
    struct lfw_progress p;
    lfw_progress_init(&p, LFW_PROGRESS_LINES, f, 80);
    for (int i = 0; i <= 100; i++)
        lfw_progress_event(&p, "validation", i, 0, 0, -1, (uint64_t)(1000 + i));
    fclose(f);
    /* 0,10,…,100: eleven lines, no terminal control */
    int lines = 0;
    for (const char *c = out_buf; *c; c++) {
        lines += *c == '\n';
        assert_true(*c != '\r' && *c != '\033');
    }
    assert_int_equal(lines, 11);
    assert_non_null(strstr(out_buf, "validation  50%\n"));
}

static void test_tty_redraw(void **state)
{
    (void)state;
    FILE *f = open_out();
    struct lfw_progress p;
    lfw_progress_init(&p, LFW_PROGRESS_TTY, f, 80);
    lfw_progress_event(&p, "download", 10, 100, 1000, -1, 0);
    lfw_progress_event(&p, "download", 10, 110, 1000, -1, 10); /* throttled */
    lfw_progress_event(&p, "download", 20, 200, 1000, -1, 1000);
    lfw_progress_finish(&p);
    fclose(f);
    assert_int_equal(out_buf[0], '\r');
    assert_non_null(strstr(out_buf, "\033[K"));
    assert_non_null(strstr(out_buf, " 20% ["));
    assert_non_null(strstr(out_buf, "ETA "));
    size_t n = strlen(out_buf);
    assert_int_equal(out_buf[n - 1], '\n');
    int redraws = 0;
    for (const char *c = out_buf; *c; c++)
        redraws += *c == '\r';
    assert_int_equal(redraws, 2);
}

static void test_quiet(void **state)
{
    (void)state;
    FILE *f = open_out();
    struct lfw_progress p;
    lfw_progress_init(&p, LFW_PROGRESS_QUIET, f, 80);
    lfw_progress_event(&p, "download", 10, 100, 1000, -1, 0);
    lfw_progress_finish(&p);
    fclose(f);
    assert_string_equal(out_buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate),        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_format_line), cmocka_unit_test(test_json_events),
        cmocka_unit_test(test_plain_lines), cmocka_unit_test(test_tty_redraw),
        cmocka_unit_test(test_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
