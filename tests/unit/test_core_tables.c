/* Unit tests of liblarafw's tables: error texts, Appendix A texts, product features. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "larafw/error.h"
#include "larafw/product.h"

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(lfw_strerror(0), "success");
    for (int e = -1; e >= LFW_ERRNO_MIN; e--) {
        assert_non_null(lfw_strerror(e));
        assert_string_not_equal(lfw_strerror(e), "unknown error");
    }
    assert_string_equal(lfw_strerror(LFW_ERRNO_MIN - 1), "unknown error");
    assert_string_equal(lfw_strerror(5), "unknown error");
}

static void test_result_str(void **state)
{
    (void)state;
    static const int listed[] = {128, 129, 130, 131, 132, 134, 140, 141, 144, 145, 148, 158,
                                 160, 168, 173, 174, 178, 180, 195, 224, 227, 230, 247};
    for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++) {
        assert_true(lfw_result_known(listed[i]));
        assert_null(strstr(lfw_result_str(listed[i]), "contact u-blox"));
    }
    assert_string_equal(lfw_result_str(128), "firmware installation successfully performed");
    assert_string_equal(lfw_result_str(227), "FOTA public key not found or invalid");
    static const int unlisted[] = {-1, 0, 100, 127, 133, 200, 248, 1000};
    for (size_t i = 0; i < sizeof unlisted / sizeof unlisted[0]; i++) {
        assert_false(lfw_result_known(unlisted[i]));
        assert_string_equal(lfw_result_str(unlisted[i]),
                            "unknown code \xe2\x80\x94 contact u-blox support");
    }
}

static void test_error_clear(void **state)
{
    (void)state;
    struct lfw_error e;
    memset(&e, 0x55, sizeof e);
    lfw_error_clear(&e);
    assert_int_equal(e.code, 0);
    assert_int_equal(e.result_code, -1);
    assert_int_equal(e.cme_code, -1);
    assert_string_equal(e.cme_text, "");
    lfw_error_clear(NULL);
}

static void test_product_match(void **state)
{
    (void)state;
    static const struct {
        const char *ident;
        enum lfw_product_id id;
    } cases[] = {
        {"LARA-R6001D-00B-00", LFW_PRODUCT_R6001D_00B},
        {"Model: LARA-R6004D-00B", LFW_PRODUCT_R6004D_00B},
        {"LARA-R6401D-00B", LFW_PRODUCT_R6_00B},
        {"LARA-R6001D-01B", LFW_PRODUCT_R6_01B},
        {"LARA-R6004D-01B-00", LFW_PRODUCT_R6_01B},
        {"LARA-L6004-00B", LFW_PRODUCT_L6004_00B},
        {"LARA-L6004-01B", LFW_PRODUCT_L6},
        {"LARA-L6804D-01B", LFW_PRODUCT_L6},
        {"LARA-R6001D", LFW_PRODUCT_R6001D_00B}, /* no version: conservative 00B */
        {"LARA-R6001D-02B", LFW_PRODUCT_R6_01B},
        {"SARA-R410M-02B", LFW_PRODUCT_UNKNOWN},
        {"LARA-R6.01.00,LARA-R6004D-01B", LFW_PRODUCT_R6_01B}, /* ATI9 */
        {"LARA-R6.01.00", LFW_PRODUCT_UNKNOWN},                /* a version, no type */
        {"Model: LARA-L6004\nLARA-L6004-00B", LFW_PRODUCT_L6004_00B},
        {"", LFW_PRODUCT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct lfw_product *p = lfw_product_match(cases[i].ident);
        assert_non_null(p);
        if (p->id != cases[i].id) {
            print_error("%s → %s\n", cases[i].ident, p->name);
        }
        assert_int_equal(p->id, cases[i].id);
    }
    assert_int_equal(lfw_product_match(NULL)->id, LFW_PRODUCT_UNKNOWN);
}

static void test_product_features(void **state)
{
    (void)state;
    /* MODULE.md §1 */
    const struct lfw_product *r6001_00b = lfw_product_get(LFW_PRODUCT_R6001D_00B);
    assert_false(lfw_product_has(r6001_00b, LFW_FEAT_PREVAL));
    assert_int_equal(r6001_00b->install_max_ms, 65u * 60u * 1000u);
    assert_int_equal(lfw_product_check_baud(lfw_product_get(LFW_PRODUCT_R6004D_00B), 3000000),
                     LFW_ENOTSUP);
    assert_int_equal(lfw_product_check_baud(lfw_product_get(LFW_PRODUCT_L6004_00B), 3000000),
                     LFW_ENOTSUP);
    assert_int_equal(lfw_product_check_baud(lfw_product_get(LFW_PRODUCT_L6004_00B), 921600), 0);
    assert_int_equal(lfw_product_check_baud(lfw_product_get(LFW_PRODUCT_R6_01B), 3000000), 0);
    assert_int_equal(lfw_product_get(LFW_PRODUCT_R6_01B)->install_max_ms, 3u * 60u * 1000u);
    assert_true(lfw_product_has(lfw_product_get(LFW_PRODUCT_R6_01B),
                                LFW_FEAT_UFOTA_CONTROL | LFW_FEAT_UFOTACONFIG));
    assert_false(lfw_product_has(lfw_product_get(LFW_PRODUCT_L6), LFW_FEAT_FTP_HTTP_FOTA));
    assert_int_equal(lfw_product_get(LFW_PRODUCT_L6)->install_max_ms, 3u * 60u * 1000u);
    assert_int_equal(lfw_product_get(LFW_PRODUCT_COUNT)->id, LFW_PRODUCT_UNKNOWN);
    assert_false(lfw_product_has(NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror),         cmocka_unit_test(test_result_str),
        cmocka_unit_test(test_error_clear),      cmocka_unit_test(test_product_match),
        cmocka_unit_test(test_product_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
