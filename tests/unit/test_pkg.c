/* lfwpkg: header encoding and parsing, size and signature checks, keys. Every error code is
 * produced by a real condition (docs/package-format.md, "Checks a module applies"). */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg_test_util.h"

static struct pkg_fixture fx;

static int group_setup(void **state)
{
    (void)state;
    return pkg_fixture_make(&fx, 96 * 1024, 3.0);
}

static int group_teardown(void **state)
{
    (void)state;
    pkg_fixture_free(&fx);
    return 0;
}

static void sample_header(struct pkg_header *h)
{
    memset(h, 0, sizeof *h);
    h->format_version = PKG_FORMAT_VERSION;
    h->kind = PKG_KIND_DELTA;
    h->flags = PKG_FLAG_BOOT_CODE;
    strcpy(h->product, "LARA-L6004D-00B");
    strcpy(h->src_version, "01.02");
    strcpy(h->dst_version, "01.03 A00");
    for (int i = 0; i < PKG_SHA256_LEN; i++) {
        h->src_sha256[i] = (uint8_t)i;
        h->dst_sha256[i] = (uint8_t)(0xff - i);
    }
    h->src_size = 0x0fedcba9ull; /* < 256 MiB cap */
    h->dst_size = 4096;
    h->payload_size = 777;
    h->nvm_count = 2;
    strcpy(h->nvm[0], "usb_mode=2");
    strcpy(h->nvm[1], "band_mask=0x80000");
    h->mno_count = 3;
    h->mno[0] = 1;
    h->mno[1] = 100;
    h->mno[2] = 65535;
}

static void header_round_trip(void **state)
{
    (void)state;
    struct pkg_header h, back;
    uint8_t buf[T_HDR], again[T_HDR];
    sample_header(&h);
    assert_int_equal(pkg_header_encoded_size(), T_HDR);
    assert_int_equal(pkg_header_encode(&h, buf, sizeof buf), PKG_OK);
    assert_memory_equal(buf, "LFWPKG\0\0", 8);
    assert_int_equal(buf[T_OFF_FORMAT], 1);
    assert_int_equal(buf[T_OFF_KIND], PKG_KIND_DELTA);
    assert_int_equal(buf[T_OFF_PAYLOAD_SZ], 777 & 0xff);
    assert_int_equal(buf[T_OFF_PAYLOAD_SZ + 1], 777 >> 8);
    assert_string_equal((const char *)buf + T_OFF_PRODUCT, "LARA-L6004D-00B");
    assert_int_equal(pkg_header_parse(buf, sizeof buf, &back), PKG_OK);
    assert_int_equal(back.format_version, 1);
    assert_int_equal(back.kind, h.kind);
    assert_int_equal(back.flags, h.flags);
    assert_string_equal(back.product, h.product);
    assert_string_equal(back.src_version, h.src_version);
    assert_string_equal(back.dst_version, h.dst_version);
    assert_memory_equal(back.src_sha256, h.src_sha256, PKG_SHA256_LEN);
    assert_memory_equal(back.dst_sha256, h.dst_sha256, PKG_SHA256_LEN);
    assert_true(back.src_size == h.src_size);
    assert_true(back.dst_size == h.dst_size);
    assert_true(back.payload_size == h.payload_size);
    assert_int_equal(back.nvm_count, 2);
    assert_string_equal(back.nvm[1], "band_mask=0x80000");
    assert_int_equal(back.mno_count, 3);
    assert_int_equal(back.mno[2], 65535);
    assert_int_equal(back.mno[3], 0);
    assert_int_equal(pkg_header_encode(&back, again, sizeof again), PKG_OK);
    assert_memory_equal(buf, again, T_HDR);
}

static void encode_rejects_bad_fields(void **state)
{
    (void)state;
    struct pkg_header h;
    uint8_t buf[T_HDR];
    sample_header(&h);
    assert_int_equal(pkg_header_encode(&h, buf, T_HDR - 1), PKG_E_ARG);
    h.kind = PKG_KIND_FULL; /* a full package names no source */
    assert_int_equal(pkg_header_encode(&h, buf, sizeof buf), PKG_E_HEADER);
    sample_header(&h);
    strcpy(h.nvm[1], "novalue");
    assert_int_equal(pkg_header_encode(&h, buf, sizeof buf), PKG_E_HEADER);
    sample_header(&h);
    h.flags = 0x80;
    assert_int_equal(pkg_header_encode(&h, buf, sizeof buf), PKG_E_HEADER);
    sample_header(&h);
    h.product[0] = '\0';
    assert_int_equal(pkg_header_encode(&h, buf, sizeof buf), PKG_E_HEADER);
    sample_header(&h);
    memset(h.dst_version, 'x', sizeof h.dst_version); /* unterminated */
    assert_int_equal(pkg_header_encode(&h, buf, sizeof buf), PKG_E_HEADER);
}

/* Encodes the sample header, lets `patch` change raw bytes, returns the parse result. */
static int parse_patched(size_t off, uint8_t value, size_t len)
{
    struct pkg_header h;
    uint8_t buf[T_HDR];
    sample_header(&h);
    if (pkg_header_encode(&h, buf, sizeof buf) != PKG_OK)
        return 1;
    if (off < sizeof buf)
        buf[off] = value;
    return pkg_header_parse(buf, len, &h);
}

static void parse_errors(void **state)
{
    (void)state;
    assert_int_equal(parse_patched(0, 'X', T_HDR), PKG_E_MAGIC);
    assert_int_equal(parse_patched(7, 1, T_HDR), PKG_E_MAGIC);
    assert_int_equal(parse_patched(T_HDR, 0, 3), PKG_E_SIZE); /* "LFW": too short to tell */
    assert_int_equal(parse_patched(T_HDR, 0, 0), PKG_E_SIZE);
    assert_int_equal(parse_patched(T_OFF_FORMAT, 2, T_HDR), PKG_E_FORMAT);
    assert_int_equal(parse_patched(T_OFF_FORMAT + 1, 1, T_HDR), PKG_E_FORMAT);
    assert_int_equal(parse_patched(T_OFF_FORMAT, 0, T_HDR), PKG_E_FORMAT);
    assert_int_equal(parse_patched(T_HDR, 0, T_HDR - 1), PKG_E_SIZE); /* truncated */
    assert_int_equal(parse_patched(T_HDR, 0, 200), PKG_E_SIZE);
    assert_int_equal(parse_patched(T_OFF_KIND, 0, T_HDR), PKG_E_HEADER);
    assert_int_equal(parse_patched(T_OFF_KIND, 3, T_HDR), PKG_E_HEADER);
    assert_int_equal(parse_patched(T_OFF_KIND, PKG_KIND_FULL, T_HDR), PKG_E_HEADER);
    assert_int_equal(parse_patched(T_OFF_FLAGS + 3, 0x80, T_HDR), PKG_E_HEADER);
    assert_int_equal(parse_patched(11, 1, T_HDR), PKG_E_HEADER);   /* reserved */
    assert_int_equal(parse_patched(17, 0, T_HDR), PKG_E_HEADER);   /* header_size */
    assert_int_equal(parse_patched(1023, 1, T_HDR), PKG_E_HEADER); /* reserved tail */
    assert_int_equal(parse_patched(T_OFF_PRODUCT + 20, 'x', T_HDR), PKG_E_HEADER); /* after NUL */
    assert_int_equal(parse_patched(T_OFF_PRODUCT + 2, 0x07, T_HDR), PKG_E_HEADER); /* control */
    assert_int_equal(parse_patched(T_OFF_NVM_COUNT, 17, T_HDR), PKG_E_HEADER);
    assert_int_equal(parse_patched(T_OFF_NVM_COUNT, 3, T_HDR), PKG_E_HEADER); /* empty slot */
    assert_int_equal(parse_patched(T_OFF_NVM_COUNT, 1, T_HDR), PKG_E_HEADER); /* slot 1 unused */
    assert_int_equal(parse_patched(209, 9, T_HDR), PKG_E_HEADER);             /* mno_count */
    assert_int_equal(parse_patched(984 + 2 * 5, 1, T_HDR), PKG_E_HEADER);     /* unused mno */
    assert_int_equal(parse_patched(T_OFF_PAYLOAD_SZ + 7, 1, T_HDR), PKG_E_HEADER); /* > cap */
    assert_int_equal(parse_patched(T_OFF_DST_SIZE + 4, 1, T_HDR), PKG_E_HEADER);
    assert_int_equal(parse_patched(T_HDR, 0, T_HDR + 100), PKG_OK); /* payload may follow */
}

static void check_size(void **state)
{
    (void)state;
    struct pkg_header h;
    sample_header(&h);
    assert_int_equal(pkg_check_size(&h, T_HDR + 777 + PKG_SIG_LEN), PKG_OK);
    assert_int_equal(pkg_check_size(&h, T_HDR + 777 + PKG_SIG_LEN - 1), PKG_E_SIZE);
    assert_int_equal(pkg_check_size(&h, T_HDR + 777 + PKG_SIG_LEN + 1), PKG_E_SIZE);
    assert_int_equal(pkg_check_size(&h, 0), PKG_E_SIZE);
    h.payload_size = UINT64_MAX - 10; /* never wraps */
    assert_int_equal(pkg_check_size(&h, 53), PKG_E_SIZE);
}

static void verify_good_packages(void **state)
{
    (void)state;
    struct pkg_header h;
    assert_int_equal(pkg_verify_file(fx.full, fx.pub, &h), PKG_OK);
    assert_int_equal(h.kind, PKG_KIND_FULL);
    assert_string_equal(h.dst_version, "03.16");
    assert_int_equal(pkg_verify_file(fx.delta, fx.pub, &h), PKG_OK);
    assert_int_equal(h.kind, PKG_KIND_DELTA);
    assert_string_equal(h.src_version, "03.15");
    assert_int_equal(pkg_verify_file(fx.delta, fx.pub, NULL), PKG_OK);
}

/* The streaming verifier gives the same answer for any chunking. */
static void verify_streaming_chunks(void **state)
{
    (void)state;
    uint8_t *buf;
    size_t len;
    assert_int_equal(pkg_t_read(fx.delta, &buf, &len), 0);
    static const size_t chunks[] = {1, 7, 64, 1000, 65536};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        struct pkg_verify v;
        assert_int_equal(pkg_verify_init(&v, len), PKG_OK);
        for (size_t off = 0; off < len; off += chunks[c])
            pkg_verify_update(&v, buf + off, len - off < chunks[c] ? len - off : chunks[c]);
        assert_int_equal(pkg_verify_final(&v, fx.pub), PKG_OK);
    }
    struct pkg_verify v;
    assert_int_equal(pkg_verify_init(&v, len), PKG_OK);
    pkg_verify_update(&v, buf, len - 1); /* one byte short */
    assert_int_equal(pkg_verify_final(&v, fx.pub), PKG_E_SIZE);
    assert_int_equal(pkg_verify_init(&v, 100), PKG_E_SIZE);
    free(buf);
}

struct flip {
    size_t off;
};

static void do_flip(uint8_t **buf, size_t *len, void *arg)
{
    struct flip *f = arg;
    if (f->off < *len)
        (*buf)[f->off] ^= 0x01;
}

/* A flipped bit anywhere is refused: in the header by shape or signature, in the payload
 * and in the signature itself by the signature. */
static void verify_detects_any_flip(void **state)
{
    (void)state;
    uint8_t *buf;
    size_t len;
    char bad[300];
    assert_int_equal(pkg_t_read(fx.delta, &buf, &len), 0);
    free(buf);
    pkg_path(bad, sizeof bad, fx.dir, "flip.dof");
    for (size_t off = 0; off < len; off += off < T_HDR ? 1 : (off >= len - 80 ? 1 : 37)) {
        struct flip f = {off};
        assert_int_equal(pkg_t_mutate(fx.delta, bad, do_flip, &f), 0);
        int rc = pkg_verify_file(bad, fx.pub, NULL);
        if (off >= T_HDR)
            assert_int_equal(rc, PKG_E_SIGNATURE);
        else
            assert_int_not_equal(rc, PKG_OK);
    }
}

static void verify_wrong_or_bad_key(void **state)
{
    (void)state;
    char dir2[300], pub2_path[300];
    uint8_t pub2[PKG_PUBKEY_LEN];
    pkg_path(dir2, sizeof dir2, fx.dir, "other");
    assert_int_equal(mkdir(dir2, 0700), 0);
    assert_int_equal(pkg_keygen(dir2), PKG_OK);
    pkg_path(pub2_path, sizeof pub2_path, dir2, "fota.pub");
    assert_int_equal(pkg_key_load_public(pub2_path, pub2), PKG_OK);
    assert_int_equal(pkg_verify_file(fx.full, pub2, NULL), PKG_E_SIGNATURE);
    assert_int_equal(pkg_verify_file(fx.full, NULL, NULL), PKG_E_KEY);
    uint8_t zero[PKG_PUBKEY_LEN] = {0};
    assert_int_equal(pkg_verify_file(fx.full, zero, NULL), PKG_E_KEY);
    /* keygen never overwrites a secret key */
    assert_int_equal(pkg_keygen(dir2), PKG_E_IO);
    assert_int_equal(errno, EEXIST);
}

static void key_files(void **state)
{
    (void)state;
    uint8_t sec[PKG_SECKEY_LEN], pub[PKG_PUBKEY_LEN];
    char path[300];
    struct stat st;
    assert_int_equal(stat(fx.sec_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, PKG_SECKEY_LEN);
    pkg_path(path, sizeof path, fx.dir, "missing.key");
    assert_int_equal(pkg_key_load_secret(path, sec), PKG_E_KEY);
    assert_int_equal(pkg_key_load_public(path, pub), PKG_E_KEY);
    assert_int_equal(pkg_key_load_public(fx.sec_path, pub), PKG_E_KEY); /* 64 bytes */
    assert_int_equal(pkg_key_load_secret(fx.pub_path, sec), PKG_E_KEY); /* 32 bytes */
    uint8_t bad[PKG_SECKEY_LEN];
    memcpy(bad, fx.sec, sizeof bad);
    bad[40] ^= 1; /* public half no longer matches the seed */
    pkg_path(path, sizeof path, fx.dir, "bad.sec");
    assert_int_equal(pkg_t_write(path, bad, sizeof bad), 0);
    assert_int_equal(pkg_key_load_secret(path, sec), PKG_E_KEY);
}

/* Tests craft broken packages the way the docs say: patch, then re-sign. */
struct patch {
    size_t off;
    uint8_t value;
    long grow; /* bytes to add (>0) or remove (<0) before the signature */
};

static void do_patch(uint8_t **buf, size_t *len, void *arg)
{
    struct patch *p = arg;
    if (p->grow > 0) {
        uint8_t *b = realloc(*buf, *len + (size_t)p->grow);
        if (!b)
            abort();
        memmove(b + *len - PKG_SIG_LEN + p->grow, b + *len - PKG_SIG_LEN, PKG_SIG_LEN);
        memset(b + *len - PKG_SIG_LEN, 0xa5, (size_t)p->grow);
        *buf = b;
        *len += (size_t)p->grow;
    } else if (p->grow < 0) {
        *len -= (size_t)-p->grow;
    }
    if (p->off < *len)
        (*buf)[p->off] = p->value;
}

static void resigned(const char *in, const char *out, struct patch *p)
{
    assert_int_equal(pkg_t_mutate(in, out, do_patch, p), 0);
    assert_int_equal(pkg_resign(fx.sec, out, out), PKG_OK);
}

static void signed_but_broken(void **state)
{
    (void)state;
    char bad[300];
    uint8_t *buf;
    size_t len;
    pkg_path(bad, sizeof bad, fx.dir, "resigned.pkg");
    assert_int_equal(pkg_t_read(fx.full, &buf, &len), 0);
    free(buf);

    struct patch future = {T_OFF_FORMAT, 2, 0};
    resigned(fx.full, bad, &future);
    assert_int_equal(pkg_verify_file(bad, fx.pub, NULL), PKG_E_FORMAT);

    struct patch magic = {1, 'x', 0};
    resigned(fx.full, bad, &magic);
    assert_int_equal(pkg_verify_file(bad, fx.pub, NULL), PKG_E_MAGIC);

    struct patch kind = {T_OFF_KIND, 9, 0};
    resigned(fx.full, bad, &kind);
    assert_int_equal(pkg_verify_file(bad, fx.pub, NULL), PKG_E_HEADER);

    struct patch longer = {len, 0, 0}; /* off past the end: size patch only */
    longer.off = T_OFF_PAYLOAD_SZ;
    assert_int_equal(pkg_t_read(fx.full, &buf, &len), 0);
    longer.value = (uint8_t)(buf[T_OFF_PAYLOAD_SZ] + 1);
    free(buf);
    resigned(fx.full, bad, &longer);
    assert_int_equal(pkg_verify_file(bad, fx.pub, NULL), PKG_E_SIZE);

    struct patch truncated = {SIZE_MAX, 0, -100};
    resigned(fx.full, bad, &truncated);
    assert_int_equal(pkg_verify_file(bad, fx.pub, NULL), PKG_E_SIZE);

    struct patch header_only = {SIZE_MAX, 0, 0};
    assert_int_equal(pkg_t_mutate(fx.full, bad, do_patch, &header_only), 0);
    assert_int_equal(truncate(bad, 500), 0);
    assert_int_equal(pkg_verify_file(bad, fx.pub, NULL), PKG_E_SIZE);
    assert_int_equal(truncate(bad, 0), 0);
    assert_int_equal(pkg_verify_file(bad, fx.pub, NULL), PKG_E_SIZE);
    assert_int_equal(pkg_resign(fx.sec, bad, bad), PKG_E_SIZE); /* nothing to re-sign */
}

static void errors_have_text(void **state)
{
    (void)state;
    for (int e = PKG_OK; e >= PKG_E_ARG; e--)
        assert_string_not_equal(pkg_strerror(e), "unknown error");
    assert_string_equal(pkg_strerror(-99), "unknown error");
    assert_string_equal(pkg_flag_name(PKG_FLAG_BOOT_CODE), "boot_code");
    assert_null(pkg_flag_name(1u << 7));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_round_trip),
        cmocka_unit_test(encode_rejects_bad_fields),
        cmocka_unit_test(parse_errors),
        cmocka_unit_test(check_size),
        cmocka_unit_test(verify_good_packages),
        cmocka_unit_test(verify_streaming_chunks),
        cmocka_unit_test(verify_detects_any_flip),
        cmocka_unit_test(verify_wrong_or_bad_key),
        cmocka_unit_test(key_files),
        cmocka_unit_test(signed_but_broken),
        cmocka_unit_test(errors_have_text),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
