/* larafw-server parsers and encoders: CoRE link format, registration query, HTTP
 * Range, PSK file, OMA object 5 texts (API admission and JSON: test_srv_api.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "srv_link.h"
#include "srv_oma.h"
#include "srv_psk.h"
#include "srv_range.h"
#include "srv_ratelimit.h"
#include "srv_regq.h"

/* ---- link format ---- */

static void test_link_registration(void **state)
{
    (void)state;
    const char *p = "</>;rt=\"oma.lwm2m\";ct=11543,</1/10>;ssid=721,</3/0>,</5/0>,</3442/0/1>";
    struct srv_link l[8];
    size_t n;
    assert_int_equal(srv_link_parse(p, strlen(p), l, 8, &n), 0);
    assert_int_equal(n, 5);
    assert_string_equal(l[0].path, "/");
    assert_int_equal(l[0].obj, -1);
    assert_int_equal(l[1].obj, 1);
    assert_int_equal(l[1].inst, 10);
    assert_int_equal(l[1].res, -1);
    assert_int_equal(l[3].obj, 5);
    assert_int_equal(l[3].inst, 0);
    assert_int_equal(l[4].obj, 3442);
    assert_int_equal(l[4].res, 1);
    /* more links than room: all counted, the first ones stored */
    assert_int_equal(srv_link_parse(p, strlen(p), l, 2, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(l[1].inst, 10);
}

static void test_link_attributes_and_errors(void **state)
{
    (void)state;
    struct srv_link l[4];
    size_t n;
    const char *quoted = "</a>;title=\"x, y\",</5/0>";
    assert_int_equal(srv_link_parse(quoted, strlen(quoted), l, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(l[0].path, "/a");
    assert_int_equal(l[1].obj, 5);
    const char *ws = " </3/0> ,\n</5/0>";
    assert_int_equal(srv_link_parse(ws, strlen(ws), l, 4, &n), 0);
    assert_int_equal(n, 2);
    const char *bad[] = {"", "3/0", "</3/0", "</3/0>;t=\"unterminated", "</3/0>,x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(srv_link_parse(bad[i], strlen(bad[i]), l, 4, &n), SRV_E_PARSE);
    const char *big = "</99999/0>";
    assert_int_equal(srv_link_parse(big, strlen(big), l, 4, &n), 0);
    assert_int_equal(l[0].obj, -1); /* not an LwM2M object id */
}

/* ---- registration query ---- */

static void test_regq(void **state)
{
    (void)state;
    struct srv_reg_query q;
    const char *full = "ep=test&lt=60&lwm2m=1.0&b=U";
    assert_int_equal(srv_regq_parse(full, strlen(full), true, &q), 0);
    assert_string_equal(q.ep, "test");
    assert_int_equal(q.lifetime, 60);
    assert_string_equal(q.lwm2m, "1.0");
    assert_string_equal(q.binding, "U");
    const char *minimal = "ep=urn:imei:351234567890123";
    assert_int_equal(srv_regq_parse(minimal, strlen(minimal), true, &q), 0);
    assert_int_equal(q.lifetime, SRV_DEFAULT_LIFETIME);
    assert_false(q.has_lt);
    const char *update = "lt=300";
    assert_int_equal(srv_regq_parse(update, strlen(update), false, &q), 0);
    assert_true(q.has_lt);
    assert_int_equal(srv_regq_parse(NULL, 0, false, &q), 0);
    const char *bad[] = {
        "lt=60",          "ep=",      "ep=x&lt=0",         "ep=x&lt=-5", "ep=x&lt=abc",
        "ep=x&lwm2m=2.0", "ep=x&b=T", "ep=x&lt=9999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(srv_regq_parse(bad[i], strlen(bad[i]), true, &q), SRV_E_PARSE);
    char longep[100] = "ep=";
    memset(longep + 3, 'a', 80);
    longep[83] = '\0';
    assert_int_equal(srv_regq_parse(longep, strlen(longep), true, &q), SRV_E_PARSE);
    const char *unknown = "ep=x&sms=123&foo&Q";
    assert_int_equal(srv_regq_parse(unknown, strlen(unknown), true, &q), 0);
}

/* ---- Range ---- */

static void test_range(void **state)
{
    (void)state;
    uint64_t a, b;
    assert_int_equal(srv_range_parse(NULL, 100, &a, &b), SRV_RANGE_IGNORE);
    assert_int_equal(srv_range_parse("bytes=0-9", 100, &a, &b), SRV_RANGE_OK);
    assert_true(a == 0 && b == 9);
    assert_int_equal(srv_range_parse("bytes=90-", 100, &a, &b), SRV_RANGE_OK);
    assert_true(a == 90 && b == 99);
    assert_int_equal(srv_range_parse("bytes=90-500", 100, &a, &b), SRV_RANGE_OK);
    assert_true(a == 90 && b == 99);
    assert_int_equal(srv_range_parse("bytes=-10", 100, &a, &b), SRV_RANGE_OK);
    assert_true(a == 90 && b == 99);
    assert_int_equal(srv_range_parse("bytes=-1000", 100, &a, &b), SRV_RANGE_OK);
    assert_true(a == 0 && b == 99);
    assert_int_equal(srv_range_parse("bytes=100-", 100, &a, &b), SRV_RANGE_UNSAT);
    assert_int_equal(srv_range_parse("bytes=-0", 100, &a, &b), SRV_RANGE_UNSAT);
    assert_int_equal(srv_range_parse("bytes=0-", 0, &a, &b), SRV_RANGE_UNSAT);
    assert_int_equal(srv_range_parse("bytes=5-2", 100, &a, &b), SRV_RANGE_IGNORE);
    assert_int_equal(srv_range_parse("bytes=0-1,5-6", 100, &a, &b), SRV_RANGE_IGNORE);
    assert_int_equal(srv_range_parse("items=0-1", 100, &a, &b), SRV_RANGE_IGNORE);
    assert_int_equal(srv_range_parse("bytes=x-1", 100, &a, &b), SRV_RANGE_IGNORE);
    assert_int_equal(srv_range_parse("bytes=99999999999999999999-", 100, &a, &b), SRV_RANGE_IGNORE);
}

/* ---- PSK file, OMA table ---- */

static void test_psk(void **state)
{
    (void)state;
    const char *text = "# devices\nlara-1:00112233445566778899aabbccddeeff\n\n  lara-2:0A0b\r\n";
    struct srv_psk_table t;
    int line = 0;
    assert_int_equal(srv_psk_parse(text, strlen(text), &t, &line), 0);
    assert_int_equal(t.count, 2);
    const struct srv_psk_entry *e = srv_psk_find(&t, (const uint8_t *)"lara-2", 6);
    assert_non_null(e);
    assert_int_equal(e->key_len, 2);
    assert_int_equal(e->key[0], 0x0a);
    assert_null(srv_psk_find(&t, (const uint8_t *)"lara-3", 6));
    srv_psk_free(&t);
    const char *bad = "ok:00\nbroken:0g\n";
    assert_int_equal(srv_psk_parse(bad, strlen(bad), &t, &line), SRV_E_PARSE);
    assert_int_equal(line, 2);
    const char *nocolon = "abc\n";
    assert_int_equal(srv_psk_parse(nocolon, strlen(nocolon), &t, &line), SRV_E_PARSE);
}

/* Which endpoint an identity may register: its own name (two columns), an endpoint that holds
 * colons, or urn:imei:IMEI from imei=IMEI. */
static void test_psk_binding(void **state)
{
    (void)state;
    const char *text = "a:00\nb:01:urn:imei:354521091714367\nc:02:imei=490154203237518\n";
    struct srv_psk_table t;
    int line = 0;
    assert_int_equal(srv_psk_parse(text, strlen(text), &t, &line), 0);
    const struct srv_psk_entry *a = srv_psk_find(&t, (const uint8_t *)"a", 1);
    const struct srv_psk_entry *b = srv_psk_find(&t, (const uint8_t *)"b", 1);
    const struct srv_psk_entry *c = srv_psk_find(&t, (const uint8_t *)"c", 1);
    assert_true(srv_psk_may_use(a, "a"));
    assert_false(srv_psk_may_use(a, "b"));
    assert_true(srv_psk_may_use(b, "urn:imei:354521091714367"));
    assert_int_equal(b->key_len, 1);
    assert_false(srv_psk_may_use(b, "urn:imei:490154203237518"));
    assert_true(srv_psk_may_use(c, "urn:imei:490154203237518"));
    assert_string_equal(c->imei, "490154203237518");
    srv_psk_free(&t);
    const char *badimei = "c:02:imei=490154203237519\n"; /* Luhn digit wrong */
    assert_int_equal(srv_psk_parse(badimei, strlen(badimei), &t, &line), SRV_E_PARSE);
    const char *twice = "a:00\na:01\n";
    assert_int_equal(srv_psk_parse(twice, strlen(twice), &t, &line), SRV_E_PARSE);
    assert_int_equal(line, 2);
}

/* Endpoint names reach the log and the API: control bytes and spaces are refused. */
static void test_regq_printable(void **state)
{
    (void)state;
    struct srv_reg_query q;
    const char *nl = "ep=a\nlarafw-server: job 1 done";
    assert_int_equal(srv_regq_parse(nl, strlen(nl), true, &q), SRV_E_PARSE);
    const char *esc = "ep=\x1b[2J";
    assert_int_equal(srv_regq_parse(esc, strlen(esc), true, &q), SRV_E_PARSE);
    const char *ok = "ep=urn:imei:354521091714367";
    assert_int_equal(srv_regq_parse(ok, strlen(ok), true, &q), 0);
}

/* One token bucket per address: a burst, then the rate; another address is not affected. */
static void test_ratelimit(void **state)
{
    (void)state;
    static struct srv_ratelimit rl;
    srv_ratelimit_init(&rl, 2, 0);
    const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    assert_true(srv_ratelimit_take(&rl, a, 4, 1000));
    assert_true(srv_ratelimit_take(&rl, a, 4, 1000));
    assert_false(srv_ratelimit_take(&rl, a, 4, 1000));
    assert_true(srv_ratelimit_take(&rl, b, 4, 1000));
    assert_true(srv_ratelimit_take(&rl, a, 4, 1500)); /* half a second: one token back */
    assert_false(srv_ratelimit_take(&rl, a, 4, 1500));
    srv_ratelimit_init(&rl, 0, 0); /* no limit */
    for (int i = 0; i < 100; i++)
        assert_true(srv_ratelimit_take(&rl, a, 4, 0));
}

static void test_imei(void **state)
{
    (void)state;
    char imei[16];
    assert_true(srv_imei_valid("354521091714367"));
    assert_false(srv_imei_valid("354521091714368"));
    assert_false(srv_imei_valid("35452109171436"));
    assert_false(srv_imei_valid("35452109171436a"));
    assert_true(srv_imei_from_endpoint("urn:imei:354521091714367", imei));
    assert_string_equal(imei, "354521091714367");
    assert_false(srv_imei_from_endpoint("urn:imei:3545210917143670", imei));
    assert_false(srv_imei_from_endpoint("lara-1", imei));
}

static void test_oma_table(void **state)
{
    (void)state;
    assert_string_equal(srv_oma_result_text(5), "integrity check failure");
    assert_string_equal(srv_oma_result_text(9), "unsupported protocol");
    assert_string_equal(srv_oma_result_text(10), "unknown");
    assert_string_equal(srv_oma_state_name(2), "downloaded");
    assert_false(srv_oma_result_is_error(0));
    assert_false(srv_oma_result_is_error(1));
    for (int r = 2; r <= 9; r++)
        assert_true(srv_oma_result_is_error(r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_registration),
        cmocka_unit_test(test_link_attributes_and_errors),
        cmocka_unit_test(test_regq),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_psk),
        cmocka_unit_test(test_psk_binding),
        cmocka_unit_test(test_imei),
        cmocka_unit_test(test_regq_printable),
        cmocka_unit_test(test_ratelimit),
        cmocka_unit_test(test_oma_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
