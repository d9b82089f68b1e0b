/* The shared OMA LwM2M TLV codec (src/lwm2m/lwm2m_tlv.h) that larafw-server and the
 * simulated module's LwM2M client both use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m_tlv.h"

static void test_tlv_spec_example(void **state)
{
    (void)state;
    /* OMA-TS-LightweightM2M-V1_0 §6.4.3.1 example: device object instance 0, resource 0
     * "Open Mobile Alliance" and 1 "Lightweight M2M Client". */
    static const uint8_t in[] = {
        0x08, 0x00, 0x30, /* instance 0, 48 bytes */
        0xc8, 0x00, 0x14, 'O', 'p', 'e', 'n', ' ', 'M', 'o', 'b', 'i', 'l',
        'e',  ' ',  'A',  'l', 'l', 'i', 'a', 'n', 'c', 'e', /* /0: 20 bytes */
        0xc8, 0x01, 0x16, 'L', 'i', 'g', 'h', 't', 'w', 'e', 'i', 'g', 'h',
        't',  ' ',  'M',  '2', 'M', ' ', 'C', 'l', 'i', 'e', 'n', 't', /* /1: 22 bytes */
        0xc1, 0x09, 0x64,                                              /* /9 battery level 100 */
    };
    struct lwm2m_tlv t;
    char s[64];
    assert_int_equal(lwm2m_tlv_find(in, sizeof in, 1, &t), 0);
    assert_int_equal(lwm2m_tlv_str(&t, s, sizeof s), 0);
    assert_string_equal(s, "Lightweight M2M Client");
    /* /9 is outside the instance: found at the top level */
    int64_t v;
    assert_int_equal(lwm2m_tlv_find(in, sizeof in, 9, &t), 0);
    assert_int_equal(lwm2m_tlv_int(&t, &v), 0);
    assert_int_equal(v, 100);
    assert_int_equal(lwm2m_tlv_find(in, sizeof in, 7, &t), LWM2M_TLV_E_NOTFOUND);
}

static void test_tlv_roundtrip_lengths(void **state)
{
    (void)state;
    static uint8_t value[70000];
    static uint8_t buf[70016];
    for (size_t i = 0; i < sizeof value; i++)
        value[i] = (uint8_t)i;
    const size_t lens[] = {0, 1, 7, 8, 255, 256, 65535, 65536, 70000};
    const uint16_t ids[] = {0, 1, 255, 256, 65535};
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        for (size_t ii = 0; ii < sizeof ids / sizeof ids[0]; ii++) {
            long n = lwm2m_tlv_put(buf, sizeof buf, LWM2M_TLV_RESOURCE, ids[ii], value, lens[li]);
            assert_true(n > 0);
            size_t off = 0;
            struct lwm2m_tlv t;
            assert_int_equal(lwm2m_tlv_next(buf, (size_t)n, &off, &t), 1);
            assert_int_equal(off, (size_t)n);
            assert_int_equal(t.type, LWM2M_TLV_RESOURCE);
            assert_int_equal(t.id, ids[ii]);
            assert_int_equal(t.len, lens[li]);
            if (lens[li])
                assert_memory_equal(t.value, value, lens[li]);
            assert_int_equal(lwm2m_tlv_next(buf, (size_t)n, &off, &t), 0);
            /* every truncation is an error, never a read past the end */
            for (long cut = 1; cut < n && cut < 12; cut++) {
                off = 0;
                assert_int_equal(lwm2m_tlv_next(buf, (size_t)(n - cut), &off, &t),
                                 LWM2M_TLV_E_PARSE);
            }
        }
    }
    assert_int_equal(lwm2m_tlv_put(buf, 3, LWM2M_TLV_RESOURCE, 1, value, 8), LWM2M_TLV_E_NOSPACE);
    assert_int_equal(lwm2m_tlv_put(buf, sizeof buf, LWM2M_TLV_RESOURCE, 1, value, 0x1000000),
                     LWM2M_TLV_E_ARG);
}

static void test_tlv_integers(void **state)
{
    (void)state;
    const int64_t values[] = {
        0,      1,     -1,           127,           -128,         128,       -129,     32767,
        -32768, 32768, 2147483647LL, -2147483648LL, 2147483648LL, INT64_MAX, INT64_MIN};
    const size_t sizes[] = {1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint8_t buf[16];
        long n = lwm2m_tlv_put_int(buf, sizeof buf, LWM2M_TLV_RESOURCE, 5, values[i]);
        /* type, id, then the length in the type byte up to 7 bytes, one more byte for 8 */
        assert_int_equal(n, (sizes[i] == 8 ? 3 : 2) + (long)sizes[i]);
        size_t off = 0;
        struct lwm2m_tlv t;
        int64_t v;
        assert_int_equal(lwm2m_tlv_next(buf, (size_t)n, &off, &t), 1);
        assert_int_equal(lwm2m_tlv_int(&t, &v), 0);
        assert_true(v == values[i]);
    }
    struct lwm2m_tlv odd = {LWM2M_TLV_RESOURCE, 0, (const uint8_t *)"abc", 3};
    int64_t v;
    assert_int_equal(lwm2m_tlv_int(&odd, &v), LWM2M_TLV_E_PARSE);
    char small[2];
    assert_int_equal(lwm2m_tlv_str(&odd, small, sizeof small), LWM2M_TLV_E_NOSPACE);
}

static void test_tlv_multiple_resource(void **state)
{
    (void)state;
    /* a multiple resource (id 6) of two integer resource instances, as the client writes
     * /3/0/6 (available power sources) */
    uint8_t inner[16], buf[32];
    long a = lwm2m_tlv_put_int(inner, sizeof inner, LWM2M_TLV_RESOURCE_INSTANCE, 0, 1);
    assert_int_equal(a, 3);
    long b =
        lwm2m_tlv_put_int(inner + a, sizeof inner - (size_t)a, LWM2M_TLV_RESOURCE_INSTANCE, 1, 5);
    assert_int_equal(b, 3);
    long n = lwm2m_tlv_put(buf, sizeof buf, LWM2M_TLV_MULTIPLE_RESOURCE, 6, inner, (size_t)(a + b));
    static const uint8_t expect[] = {0x86, 0x06, 0x41, 0x00, 0x01, 0x41, 0x01, 0x05};
    assert_int_equal(n, sizeof expect);
    assert_memory_equal(buf, expect, sizeof expect);

    size_t off = 0, ioff = 0;
    struct lwm2m_tlv t, r;
    int64_t v;
    assert_int_equal(lwm2m_tlv_next(buf, (size_t)n, &off, &t), 1);
    assert_int_equal(t.type, LWM2M_TLV_MULTIPLE_RESOURCE);
    assert_int_equal(t.id, 6);
    assert_int_equal(lwm2m_tlv_next(t.value, t.len, &ioff, &r), 1);
    assert_int_equal(r.type, LWM2M_TLV_RESOURCE_INSTANCE);
    assert_int_equal(lwm2m_tlv_int(&r, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(lwm2m_tlv_next(t.value, t.len, &ioff, &r), 1);
    assert_int_equal(r.id, 1);
    assert_int_equal(lwm2m_tlv_int(&r, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(lwm2m_tlv_next(t.value, t.len, &ioff, &r), 0);
    /* a multiple resource is not the resource itself */
    assert_int_equal(lwm2m_tlv_find(buf, (size_t)n, 6, &t), LWM2M_TLV_E_NOTFOUND);
}

static void test_tlv_defensive(void **state)
{
    (void)state;
    struct lwm2m_tlv t;
    size_t off = 0;
    uint8_t buf[8];
    char s[8];
    int64_t v;
    /* empty input and an offset at or past the end are the end, not an error */
    assert_int_equal(lwm2m_tlv_next(NULL, 0, &off, &t), 0);
    off = 9;
    assert_int_equal(lwm2m_tlv_next(buf, sizeof buf, &off, &t), 0);
    assert_int_equal(lwm2m_tlv_find(NULL, 0, 1, &t), LWM2M_TLV_E_NOTFOUND);
    /* NULL pointers */
    off = 0;
    assert_int_equal(lwm2m_tlv_next(NULL, 4, &off, &t), LWM2M_TLV_E_ARG);
    assert_int_equal(lwm2m_tlv_next(buf, sizeof buf, NULL, &t), LWM2M_TLV_E_ARG);
    assert_int_equal(lwm2m_tlv_next(buf, sizeof buf, &off, NULL), LWM2M_TLV_E_ARG);
    assert_int_equal(lwm2m_tlv_find(buf, sizeof buf, 1, NULL), LWM2M_TLV_E_ARG);
    assert_int_equal(lwm2m_tlv_int(NULL, &v), LWM2M_TLV_E_ARG);
    assert_int_equal(lwm2m_tlv_str(NULL, s, sizeof s), LWM2M_TLV_E_ARG);
    assert_int_equal(lwm2m_tlv_put(NULL, 8, LWM2M_TLV_RESOURCE, 1, "a", 1), LWM2M_TLV_E_ARG);
    assert_int_equal(lwm2m_tlv_put(buf, sizeof buf, LWM2M_TLV_RESOURCE, 1, NULL, 1),
                     LWM2M_TLV_E_ARG);
    assert_int_equal(lwm2m_tlv_put(buf, sizeof buf, (enum lwm2m_tlv_type)4, 1, "a", 1),
                     LWM2M_TLV_E_ARG);
    /* an empty value: no integer, an empty string */
    assert_int_equal(lwm2m_tlv_put(buf, sizeof buf, LWM2M_TLV_RESOURCE, 2, NULL, 0), 2);
    off = 0;
    assert_int_equal(lwm2m_tlv_next(buf, 2, &off, &t), 1);
    assert_int_equal(lwm2m_tlv_int(&t, &v), LWM2M_TLV_E_PARSE);
    assert_int_equal(lwm2m_tlv_str(&t, s, sizeof s), 0);
    assert_string_equal(s, "");
    assert_int_equal(lwm2m_tlv_str(&t, s, 0), LWM2M_TLV_E_NOSPACE);
    /* a string with an embedded NUL is refused */
    struct lwm2m_tlv nul = {LWM2M_TLV_RESOURCE, 0, (const uint8_t *)"a\0b", 3};
    assert_int_equal(lwm2m_tlv_str(&nul, s, sizeof s), LWM2M_TLV_E_PARSE);
    /* a header that claims a 24-bit length with one byte of it present */
    static const uint8_t trunc[] = {0xd8, 0x01, 0x00};
    off = 0;
    assert_int_equal(lwm2m_tlv_next(trunc, sizeof trunc, &off, &t), LWM2M_TLV_E_PARSE);
    assert_int_equal(off, 0);
    /* a malformed instance makes find fail, not report "not found" */
    static const uint8_t bad_inst[] = {0x03, 0x00, 0xc8, 0x01, 0x05};
    assert_int_equal(lwm2m_tlv_find(bad_inst, sizeof bad_inst, 1, &t), LWM2M_TLV_E_PARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tlv_spec_example), cmocka_unit_test(test_tlv_roundtrip_lengths),
        cmocka_unit_test(test_tlv_integers),     cmocka_unit_test(test_tlv_multiple_resource),
        cmocka_unit_test(test_tlv_defensive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
