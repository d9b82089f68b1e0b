/* Helpers shared by the lfwpkg unit tests: a scratch directory with keys, images and
 * packages, and small file utilities. Offsets follow docs/package-format.md. */
#ifndef LARAFW_PKG_TEST_UTIL_H
#define LARAFW_PKG_TEST_UTIL_H

#include "pkg.h"

#include <stddef.h>
#include <stdint.h>

/* Header offsets from docs/package-format.md (tests patch bytes there on purpose). */
#define T_OFF_FORMAT     8
#define T_OFF_KIND       10
#define T_OFF_FLAGS      12
#define T_OFF_PRODUCT    24
#define T_OFF_SRC_SHA256 88
#define T_OFF_DST_SHA256 160
#define T_OFF_DST_SIZE   192
#define T_OFF_PAYLOAD_SZ 200
#define T_OFF_NVM_COUNT  208
#define T_HDR            1024

struct pkg_fixture {
    char dir[256];
    char sec_path[300], pub_path[300];
    char img_a[300], img_b[300]; /* b = successor of a */
    char full[300], delta[300];
    uint8_t sec[PKG_SECKEY_LEN], pub[PKG_PUBKEY_LEN];
};

/* Makes a scratch dir with keys, image a (`size` bytes), successor b (`change` %), a full
 * package of b and a delta a→b. Returns 0 on success. */
int pkg_fixture_make(struct pkg_fixture *fx, uint64_t size, double change);
void pkg_fixture_free(struct pkg_fixture *fx);

/* `dir`/`name` into `out` (static storage inside fx-free callers: caller buffer). */
void pkg_path(char *out, size_t cap, const char *dir, const char *name);

/* Whole-file read (malloc'd) and write. Return 0 on success. */
int pkg_t_read(const char *path, uint8_t **buf, size_t *len);
int pkg_t_write(const char *path, const uint8_t *buf, size_t len);

/* Copies `in` to `out`, with `mutate` applied to the bytes in between (may change len by
 * reallocating: it gets buf/len by pointer). Returns 0 on success. */
int pkg_t_mutate(const char *in, const char *out,
                 void (*mutate)(uint8_t **buf, size_t *len, void *arg), void *arg);

/* Applies a package to a file; returns the first error or the close result. */
int pkg_t_apply(const char *pkg, const char *src, const char *out);

#endif
