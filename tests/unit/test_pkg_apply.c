/* lfwpkg: images, building and applying packages (full and delta), and the apply-time errors
 * (wrong source, corrupt payload, wrong target) from real conditions. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg_test_util.h"

static struct pkg_fixture fx;

static int group_setup(void **state)
{
    (void)state;
    return pkg_fixture_make(&fx, 512 * 1024, 2.0);
}

static int group_teardown(void **state)
{
    (void)state;
    pkg_fixture_free(&fx);
    return 0;
}

static void assert_same_file(const char *a, const char *b)
{
    uint8_t *x, *y;
    size_t xl, yl;
    assert_int_equal(pkg_t_read(a, &x, &xl), 0);
    assert_int_equal(pkg_t_read(b, &y, &yl), 0);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    free(x);
    free(y);
}

static long file_size(const char *path)
{
    uint8_t *b;
    size_t l;
    if (pkg_t_read(path, &b, &l) != 0)
        return -1;
    free(b);
    return (long)l;
}

static void image_record(void **state)
{
    (void)state;
    struct pkg_image_info a, b;
    assert_int_equal(pkg_image_info_file(fx.img_a, &a), PKG_OK);
    assert_string_equal(a.product, "LARA-R6001D-00B");
    assert_string_equal(a.version, "03.15");
    assert_true(a.size == 512 * 1024);
    assert_int_equal(pkg_image_info_file(fx.img_b, &b), PKG_OK);
    assert_string_equal(b.product, a.product);
    assert_string_equal(b.version, "03.16");
    assert_memory_not_equal(a.sha256, b.sha256, PKG_SHA256_LEN);
    uint8_t *img;
    size_t len;
    assert_int_equal(pkg_t_read(fx.img_a, &img, &len), 0);
    assert_memory_equal(img + 256, "LFWIMG\0\0", 8); /* docs: record at offset 256 */
    assert_string_equal((const char *)img + 272, "LARA-R6001D-00B");
    assert_string_equal((const char *)img + 304, "03.15");
    img[256] = 'X';
    assert_int_equal(pkg_image_info_mem(img, len, &a), PKG_E_IMAGE);
    assert_int_equal(pkg_image_info_mem(img, 100, &a), PKG_E_IMAGE);
    free(img);
    assert_int_equal(pkg_image_info_file(fx.full, &a), PKG_E_IMAGE); /* a package */
}

static void synth_is_deterministic_and_checked(void **state)
{
    (void)state;
    char p1[300], p2[300];
    pkg_path(p1, sizeof p1, fx.dir, "s1.img");
    pkg_path(p2, sizeof p2, fx.dir, "s2.img");
    struct pkg_image_params p = {"LARA-R6001D-00B", "03.15", 512 * 1024, 42};
    assert_int_equal(pkg_image_synth(&p, p1), PKG_OK);
    assert_same_file(p1, fx.img_a);
    p.seed = 43;
    assert_int_equal(pkg_image_synth(&p, p2), PKG_OK);
    struct pkg_image_params bad = p;
    bad.size = 100;
    assert_int_equal(pkg_image_synth(&bad, p2), PKG_E_ARG);
    bad = p;
    bad.product = "0123456789012345678901234567890123";
    assert_int_equal(pkg_image_synth(&bad, p2), PKG_E_ARG);
    bad = p;
    bad.version = "";
    assert_int_equal(pkg_image_synth(&bad, p2), PKG_E_ARG);
    assert_int_equal(pkg_image_successor(p1, "x", 101.0, 1, p2), PKG_E_ARG);
    assert_int_equal(pkg_image_successor(fx.full, "x", 1.0, 1, p2), PKG_E_IMAGE);
}

static void full_and_delta_apply_exactly(void **state)
{
    (void)state;
    char out[300];
    pkg_path(out, sizeof out, fx.dir, "out.img");
    assert_int_equal(pkg_t_apply(fx.full, NULL, out), PKG_OK);
    assert_same_file(out, fx.img_b);
    remove(out);
    assert_int_equal(pkg_t_apply(fx.delta, fx.img_a, out), PKG_OK);
    assert_same_file(out, fx.img_b);

    /* progress counters reach the declared sizes; tiny output buffers work too */
    struct pkg_apply a;
    uint8_t buf[3];
    long n;
    assert_int_equal(pkg_apply_open(&a, fx.delta, fx.img_a), PKG_OK);
    uint64_t produced = 0;
    while ((n = pkg_apply_step(&a, buf, sizeof buf)) > 0)
        produced += (uint64_t)n;
    assert_int_equal(n, 0);
    assert_true(produced == a.header.dst_size && a.out_done == produced);
    assert_true(a.in_done == a.header.payload_size);
    assert_int_equal(pkg_apply_step(&a, buf, sizeof buf), 0);
    assert_int_equal(pkg_apply_close(&a), PKG_OK);
}

static void delta_needs_right_source(void **state)
{
    (void)state;
    struct pkg_apply a;
    assert_int_equal(pkg_apply_open(&a, fx.delta, fx.img_b), PKG_E_SOURCE);
    assert_int_equal(pkg_apply_open(&a, fx.delta, fx.full), PKG_E_SOURCE);
    assert_int_equal(pkg_apply_open(&a, fx.delta, NULL), PKG_E_ARG);
    char missing[300];
    pkg_path(missing, sizeof missing, fx.dir, "nope.img");
    assert_int_equal(pkg_apply_open(&a, fx.delta, missing), PKG_E_IO);
    assert_int_equal(pkg_apply_open(&a, missing, fx.img_a), PKG_E_IO);
    /* a source with one byte changed has another hash */
    char src[300];
    uint8_t *img;
    size_t len;
    pkg_path(src, sizeof src, fx.dir, "src-edited.img");
    assert_int_equal(pkg_t_read(fx.img_a, &img, &len), 0);
    img[len / 2] ^= 0x40;
    assert_int_equal(pkg_t_write(src, img, len), 0);
    free(img);
    assert_int_equal(pkg_apply_open(&a, fx.delta, src), PKG_E_SOURCE);
}

struct patch {
    size_t off;
    uint8_t xor ;
    size_t append; /* bytes added to the payload (payload_size is fixed up) */
};

static void do_patch(uint8_t **buf, size_t *len, void *arg)
{
    struct patch *p = arg;
    if (p->append) {
        uint8_t *b = realloc(*buf, *len + p->append);
        if (!b)
            abort();
        memmove(b + *len - PKG_SIG_LEN + p->append, b + *len - PKG_SIG_LEN, PKG_SIG_LEN);
        memset(b + *len - PKG_SIG_LEN, 0, p->append);
        uint64_t ps = 0;
        for (int i = 7; i >= 0; i--)
            ps = ps << 8 | b[T_OFF_PAYLOAD_SZ + i];
        ps += p->append;
        for (int i = 0; i < 8; i++)
            b[T_OFF_PAYLOAD_SZ + i] = (uint8_t)(ps >> (8 * i));
        *buf = b;
        *len += p->append;
    }
    if (p->off < *len)
        (*buf)[p->off] ^= p->xor ;
}

/* Patches, re-signs (so the signature is valid), checks that verify accepts it and that
 * apply fails with `want`. */
static void broken_apply(const char *pkg, const char *src, struct patch p, int want)
{
    char bad[300];
    pkg_path(bad, sizeof bad, fx.dir, "broken.pkg");
    assert_int_equal(pkg_t_mutate(pkg, bad, do_patch, &p), 0);
    assert_int_equal(pkg_resign(fx.sec, bad, bad), PKG_OK);
    assert_int_equal(pkg_verify_file(bad, fx.pub, NULL), PKG_OK);
    assert_int_equal(pkg_t_apply(bad, src, NULL), want);
}

static void corrupt_payload_resigned(void **state)
{
    (void)state;
    long full = file_size(fx.full), delta = file_size(fx.delta);
    size_t offs_full[] = {T_HDR, T_HDR + 5, T_HDR + 100, (size_t)full / 2,
                          (size_t)full - PKG_SIG_LEN - 1};
    for (size_t i = 0; i < sizeof offs_full / sizeof offs_full[0]; i++)
        broken_apply(fx.full, NULL, (struct patch){offs_full[i], 0x10, 0}, PKG_E_PAYLOAD);
    size_t offs_delta[] = {T_HDR + 3, (size_t)delta / 2, (size_t)delta - PKG_SIG_LEN - 2};
    for (size_t i = 0; i < sizeof offs_delta / sizeof offs_delta[0]; i++)
        broken_apply(fx.delta, fx.img_a, (struct patch){offs_delta[i], 0x01, 0}, PKG_E_PAYLOAD);
    /* bytes after the zstd frame */
    broken_apply(fx.full, NULL, (struct patch){SIZE_MAX, 0, 16}, PKG_E_PAYLOAD);
}

static void wrong_target_resigned(void **state)
{
    (void)state;
    broken_apply(fx.full, NULL, (struct patch){T_OFF_DST_SHA256, 0xff, 0}, PKG_E_TARGET);
    broken_apply(fx.delta, fx.img_a, (struct patch){T_OFF_DST_SHA256 + 31, 1, 0}, PKG_E_TARGET);
    /* declared target shorter / longer than what the payload produces */
    broken_apply(fx.full, NULL, (struct patch){T_OFF_DST_SIZE, 0x01, 0}, PKG_E_TARGET);
    broken_apply(fx.delta, fx.img_a, (struct patch){T_OFF_DST_SIZE + 1, 0x04, 0}, PKG_E_TARGET);
    /* the declared source hash no longer matches the real source */
    struct pkg_apply a;
    char bad[300];
    pkg_path(bad, sizeof bad, fx.dir, "broken.pkg");
    struct patch p = {T_OFF_SRC_SHA256, 1, 0};
    assert_int_equal(pkg_t_mutate(fx.delta, bad, do_patch, &p), 0);
    assert_int_equal(pkg_resign(fx.sec, bad, bad), PKG_OK);
    assert_int_equal(pkg_apply_open(&a, bad, fx.img_a), PKG_E_SOURCE);
}

static void close_early_and_abort(void **state)
{
    (void)state;
    struct pkg_apply a;
    uint8_t buf[1024];
    assert_int_equal(pkg_apply_open(&a, fx.full, NULL), PKG_OK);
    assert_true(pkg_apply_step(&a, buf, sizeof buf) > 0);
    assert_int_equal(pkg_apply_step(&a, buf, 0), PKG_E_ARG);
    assert_int_equal(pkg_apply_close(&a), PKG_E_ARG); /* not finished: refused, freed */
    assert_null(a.priv);
    assert_int_equal(pkg_apply_open(&a, fx.delta, fx.img_a), PKG_OK);
    assert_true(pkg_apply_step(&a, buf, sizeof buf) > 0);
    pkg_apply_abort(&a);
    pkg_apply_abort(&a); /* idempotent */
}

static double diff_percent(const char *a, const char *b)
{
    uint8_t *x, *y;
    size_t xl, yl;
    assert_int_equal(pkg_t_read(a, &x, &xl), 0);
    assert_int_equal(pkg_t_read(b, &y, &yl), 0);
    size_t n = xl < yl ? xl : yl, d = (xl > yl ? xl - yl : yl - xl);
    for (size_t i = 0; i < n; i++)
        d += x[i] != y[i];
    free(x);
    free(y);
    return 100.0 * (double)d / (double)xl;
}

static void successor_change_is_honoured(void **state)
{
    (void)state;
    static const double pct[] = {0.5, 2.0, 10.0, 30.0};
    char out[300];
    pkg_path(out, sizeof out, fx.dir, "succ.img");
    for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++) {
        assert_int_equal(pkg_image_successor(fx.img_a, "04.00", pct[i], 7 + i, out), PKG_OK);
        double got = diff_percent(fx.img_a, out);
        assert_true(got >= pct[i] * 0.8 && got <= pct[i] * 1.25 + 0.05);
    }
    assert_int_equal(pkg_image_successor(fx.img_a, "04.00", 0.0, 1, out), PKG_OK);
    assert_true(diff_percent(fx.img_a, out) < 0.01); /* only the version record */
}

static void delta_much_smaller_than_full(void **state)
{
    (void)state;
    long full = file_size(fx.full), delta = file_size(fx.delta);
    long image = file_size(fx.img_b);
    print_message("image %ld, full %ld, delta %ld bytes\n", image, full, delta);
    assert_true(full < image);     /* code-like content compresses */
    assert_true(full > image / 5); /* but not absurdly well */
    assert_true(delta * 8 < full);
}

static void build_checks_inputs(void **state)
{
    (void)state;
    char other[300], out[300];
    pkg_path(other, sizeof other, fx.dir, "other-product.img");
    pkg_path(out, sizeof out, fx.dir, "never.pkg");
    struct pkg_image_params p = {"LARA-L6004D-00B", "9.9", 8192, 1};
    assert_int_equal(pkg_image_synth(&p, other), PKG_OK);
    struct pkg_build_opts o;
    memset(&o, 0, sizeof o);
    assert_int_equal(pkg_build_delta(fx.sec, fx.img_a, other, &o, out), PKG_E_PRODUCT);
    assert_int_equal(pkg_build_full(fx.sec, fx.full, &o, out), PKG_E_IMAGE);
    o.nvm_count = 1;
    o.nvm[0] = "no-equals-sign";
    assert_int_equal(pkg_build_full(fx.sec, fx.img_a, &o, out), PKG_E_HEADER);
    o.nvm_count = PKG_NVM_MAX + 1;
    assert_int_equal(pkg_build_full(fx.sec, fx.img_a, &o, out), PKG_E_ARG);
    assert_int_equal(file_size(out), -1); /* nothing half-written */

    memset(&o, 0, sizeof o);
    o.flags = PKG_FLAG_BOOT_CODE;
    o.nvm_count = 1;
    o.nvm[0] = "usb_mode=1";
    o.mno_count = 2;
    o.mno[0] = 90;
    o.mno[1] = 201;
    o.zstd_level = 3;
    assert_int_equal(pkg_build_full(fx.sec, other, &o, out), PKG_OK);
    struct pkg_header h;
    assert_int_equal(pkg_verify_file(out, fx.pub, &h), PKG_OK);
    assert_int_equal(h.flags, PKG_FLAG_BOOT_CODE);
    assert_string_equal(h.nvm[0], "usb_mode=1");
    assert_int_equal(h.mno_count, 2);
    assert_int_equal(h.mno[1], 201);
    assert_string_equal(h.product, "LARA-L6004D-00B");
    assert_string_equal(h.src_version, "");
    assert_int_equal(pkg_t_apply(out, NULL, NULL), PKG_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(image_record),
        cmocka_unit_test(synth_is_deterministic_and_checked),
        cmocka_unit_test(full_and_delta_apply_exactly),
        cmocka_unit_test(delta_needs_right_source),
        cmocka_unit_test(corrupt_payload_resigned),
        cmocka_unit_test(wrong_target_resigned),
        cmocka_unit_test(close_early_and_abort),
        cmocka_unit_test(successor_change_is_honoured),
        cmocka_unit_test(delta_much_smaller_than_full),
        cmocka_unit_test(build_checks_inputs),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
