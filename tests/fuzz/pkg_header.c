/* libFuzzer target: arbitrary bytes as a larafw package. Parses the header, checks the size,
 * verifies the signature in memory and from a file, and, when the header is shaped right,
 * applies it against a fixed synthetic source image (tests/fuzz/corpus/pkg_header/ holds real
 * packages built against that image with the key below). Any input must give an error code,
 * never a crash, a leak or an unbounded allocation. The same bytes also go to the image
 * version-record parser (pkg_image_info_mem). */
#define _POSIX_C_SOURCE 200809L
#include "pkg.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Same parameters as the generator of the seed corpus (see docs/package-format.md). */
#define FUZZ_SRC_SIZE  8192
#define FUZZ_KEY_SEED  0x42
#define FUZZ_APPLY_MAX (1u << 20) /* apply only what declares at most 1 MiB */

static char pkg_path[256], src_path[256];
static uint8_t pub[PKG_PUBKEY_LEN];

static void cleanup(void)
{
    unlink(pkg_path);
    unlink(src_path);
}

static int make_tmp(char *path, size_t cap, const char *name)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, cap, "%s/fuzz-pkg-%s-XXXXXX", dir && *dir ? dir : "/tmp", name);
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static void init_once(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    uint8_t seed[32], sec[PKG_SECKEY_LEN];
    memset(seed, FUZZ_KEY_SEED, sizeof seed);
    struct pkg_image_params p = {"LARA-R6001D-00B", "1.0", FUZZ_SRC_SIZE, 1};
    if (sodium_init() < 0 || crypto_sign_seed_keypair(pub, sec, seed) != 0 ||
        make_tmp(pkg_path, sizeof pkg_path, "pkg") || make_tmp(src_path, sizeof src_path, "src") ||
        pkg_image_synth(&p, src_path) != PKG_OK)
        abort();
    atexit(cleanup);
}

static int write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int rc = size && fwrite(data, 1, size, f) != size ? -1 : 0;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

static void apply(const char *src)
{
    struct pkg_apply a;
    if (pkg_apply_open(&a, pkg_path, src) != PKG_OK)
        return;
    uint8_t out[4096];
    long n;
    uint64_t total = 0;
    while ((n = pkg_apply_step(&a, out, sizeof out)) > 0) {
        total += (uint64_t)n;
        if (total > FUZZ_APPLY_MAX) /* the library caps this already; belt and braces */
            abort();
    }
    if (n < 0) {
        pkg_apply_abort(&a);
        return;
    }
    int rc = pkg_apply_close(&a);
    if (rc != PKG_OK && rc != PKG_E_TARGET) /* after a clean end only the hash can differ */
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    struct pkg_image_info info; /* the image parser sees the same bytes */
    (void)!pkg_image_info_mem(data, size, &info);

    struct pkg_header h;
    int parsed = pkg_header_parse(data, size, &h);
    int sized = parsed == PKG_OK ? pkg_check_size(&h, size) : parsed;

    struct pkg_verify v;
    if (pkg_verify_init(&v, size) == PKG_OK) {
        size_t half = size / 3;
        pkg_verify_update(&v, data, half);
        pkg_verify_update(&v, data + half, size - half);
        int vrc = pkg_verify_final(&v, pub);
        if (vrc == PKG_OK && sized != PKG_OK) /* a valid signature implies a sane size */
            abort();
    }

    if (write_file(pkg_path, data, size) != 0)
        abort();
    struct pkg_header hf;
    int frc = pkg_verify_file(pkg_path, pub, &hf);
    if (frc == PKG_OK && (sized != PKG_OK || hf.payload_size != h.payload_size))
        abort(); /* the file check must agree with the in-memory one */

    if (sized == PKG_OK && h.dst_size <= FUZZ_APPLY_MAX && h.src_size <= FUZZ_APPLY_MAX) {
        apply(src_path);
        if (h.kind == PKG_KIND_FULL)
            apply(NULL);
    }
    return 0;
}
