/* Private to src/pkg/: byte layout constants and shared helpers. Layout documented in
 * docs/package-format.md; every offset here must match that page. */
#ifndef LARAFW_PKG_INTERNAL_H
#define LARAFW_PKG_INTERNAL_H

#include "pkg.h"

#include <stdio.h>

/* Package header (little-endian, fixed size). */
#define PKG_MAGIC           "LFWPKG\0\0"
#define PKG_MAGIC_LEN       8
#define PKG_OFF_MAGIC       0
#define PKG_OFF_FORMAT      8    /* u16 */
#define PKG_OFF_KIND        10   /* u8 */
#define PKG_OFF_RESERVED0   11   /* u8, 0 */
#define PKG_OFF_FLAGS       12   /* u32 */
#define PKG_OFF_HDR_SIZE    16   /* u32, == PKG_HEADER_SIZE */
#define PKG_OFF_RESERVED1   20   /* u32, 0 */
#define PKG_OFF_PRODUCT     24   /* char[32] */
#define PKG_OFF_SRC_VERSION 56   /* char[32] */
#define PKG_OFF_SRC_SHA256  88   /* u8[32] */
#define PKG_OFF_SRC_SIZE    120  /* u64 */
#define PKG_OFF_DST_VERSION 128  /* char[32] */
#define PKG_OFF_DST_SHA256  160  /* u8[32] */
#define PKG_OFF_DST_SIZE    192  /* u64 */
#define PKG_OFF_PAYLOAD_SZ  200  /* u64 */
#define PKG_OFF_NVM_COUNT   208  /* u8 */
#define PKG_OFF_MNO_COUNT   209  /* u8 */
#define PKG_OFF_RESERVED2   210  /* u8[6], 0 */
#define PKG_OFF_NVM         216  /* char[16][48] */
#define PKG_OFF_MNO         984  /* u16[8] */
#define PKG_OFF_RESERVED3   1000 /* u8[24], 0 */
#define PKG_HEADER_SIZE     1024

#define PKG_KNOWN_FLAGS ((uint32_t)PKG_FLAG_BOOT_CODE)

/* Image version record. */
#define PKG_IMG_MAGIC       "LFWIMG\0\0"
#define PKG_IMG_REC_OFFSET  256
#define PKG_IMG_REC_SIZE    128
#define PKG_IMG_REC_VERSION 1
#define PKG_IMG_OFF_MAGIC   0  /* within the record */
#define PKG_IMG_OFF_RECVER  8  /* u16 */
#define PKG_IMG_OFF_PRODUCT 16 /* char[32] */
#define PKG_IMG_OFF_VERSION 48 /* char[32] */
#define PKG_IMG_OFF_SEED    80 /* u64, informational */
#define PKG_IMG_MIN_SIZE    4096

/* Nothing this library reads or allocates is larger. */
#define PKG_SIZE_CAP ((uint64_t)256 * 1024 * 1024)

static inline uint16_t pkg_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}
static inline uint32_t pkg_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t pkg_get_u64(const uint8_t *p)
{
    return (uint64_t)pkg_get_u32(p) | (uint64_t)pkg_get_u32(p + 4) << 32;
}
static inline void pkg_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void pkg_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void pkg_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A name or item: NUL within `cap`, printable ASCII, non-empty unless `allow_empty`. */
bool pkg_text_valid(const char *s, size_t cap, bool allow_empty);

/* Initialises libsodium once; 0 or PKG_E_NOMEM-like failure (PKG_E_KEY). */
int pkg_sodium_init(void);

/* Reads a whole file of at most `cap` bytes into a malloc'd buffer (*out, *len).
 * Returns 0, PKG_E_IO (errno kept), PKG_E_SIZE (file larger than cap), PKG_E_NOMEM. */
int pkg_read_file(const char *path, uint64_t cap, uint8_t **out, size_t *len);

/* Writes the concatenation of `n` buffers to `path` atomically (temp file in the same
 * directory, fsync, rename, fsync of the directory) with permission `mode`.
 * Returns 0 or PKG_E_IO; on error nothing is left behind. */
struct pkg_iov {
    const void *base;
    size_t len;
};
int pkg_write_atomic(const char *path, const struct pkg_iov *iov, int n, unsigned mode);

/* Smallest windowLog covering `bytes` (at least the zstd minimum). */
int pkg_window_log(uint64_t bytes);

/* Produces the Ed25519ph signature over `n` buffers. 0 or PKG_E_KEY. */
int pkg_sign(const uint8_t sec[PKG_SECKEY_LEN], const struct pkg_iov *iov, int n,
             uint8_t sig[PKG_SIG_LEN]);

#endif
