/* larafw packages: build, sign, parse, verify and apply (docs/package-format.md).
 *
 * Shared by larafw-pkg (tools/), larafw-sim (sim/) and larafw-server (server/). The host
 * library never parses packages: it only moves their bytes.
 *
 * Functions return 0 or a negative PKG_E… code; pkg_strerror() gives the text. Every parser
 * here takes untrusted bytes: any input gives an error, never a crash (tests/fuzz/pkg_*).
 */
#ifndef LARAFW_PKG_H
#define LARAFW_PKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PKG_WARN_UNUSED __attribute__((warn_unused_result))

#define PKG_FORMAT_VERSION 1
#define PKG_NAME_MAX       32 /* product and version strings, NUL included */
#define PKG_SHA256_LEN     32
#define PKG_SIG_LEN        64 /* Ed25519 */
#define PKG_PUBKEY_LEN     32
#define PKG_SECKEY_LEN     64
#define PKG_NVM_MAX        16 /* NVM items a package may change */
#define PKG_MNO_MAX        8  /* MNO profiles a package may change */
#define PKG_ITEM_MAX       48 /* one NVM item "name=value", NUL included */

enum pkg_kind {
    PKG_KIND_FULL = 1,  /* FOAT .upd: payload = zstd(target image) */
    PKG_KIND_DELTA = 2, /* FOTA delta: payload = zstd patch of target against source */
};

enum pkg_flag {
    PKG_FLAG_BOOT_CODE = 1u << 0, /* the install rewrites the boot section (§4.3) */
};

/* Errors. Each maps to the condition the module checks; the simulator maps them to
 * Appendix A codes (sim/), never this library. */
enum pkg_error {
    PKG_OK = 0,
    PKG_E_IO = -1,        /* reading or writing a file failed (errno kept) */
    PKG_E_NOMEM = -2,     /* allocation failed */
    PKG_E_MAGIC = -3,     /* not a larafw package at all */
    PKG_E_FORMAT = -4,    /* format version not supported */
    PKG_E_HEADER = -5,    /* header fields malformed (bad kind, unterminated strings, …) */
    PKG_E_SIZE = -6,      /* declared sizes do not match the bytes present */
    PKG_E_KEY = -7,       /* public or secret key missing or invalid */
    PKG_E_SIGNATURE = -8, /* Ed25519 signature does not verify */
    PKG_E_PRODUCT = -9,   /* package is for another product */
    PKG_E_SOURCE = -10,   /* source image hash differs from the package's */
    PKG_E_PAYLOAD = -11,  /* payload does not decompress / patch cleanly */
    PKG_E_TARGET = -12,   /* patched result does not hash to the declared target */
    PKG_E_IMAGE = -13,    /* not a larafw firmware image (no version record) */
    PKG_E_ARG = -14,      /* invalid argument */
};

const char *pkg_strerror(int err);

/* Parsed, validated-for-shape header. All strings are NUL-terminated. */
struct pkg_header {
    uint16_t format_version;
    uint8_t kind; /* enum pkg_kind */
    uint32_t flags;
    char product[PKG_NAME_MAX];
    char src_version[PKG_NAME_MAX]; /* empty for a full package */
    uint8_t src_sha256[PKG_SHA256_LEN];
    uint64_t src_size;
    char dst_version[PKG_NAME_MAX];
    uint8_t dst_sha256[PKG_SHA256_LEN];
    uint64_t dst_size;
    uint64_t payload_size;
    uint8_t nvm_count;
    char nvm[PKG_NVM_MAX][PKG_ITEM_MAX]; /* "name=value" */
    uint8_t mno_count;
    uint16_t mno[PKG_MNO_MAX]; /* MNO profile numbers whose content changes */
};

/* Size of the encoded header; the payload follows, then the PKG_SIG_LEN signature. */
size_t pkg_header_encoded_size(void);

/* Parses the header at the start of `buf`. Checks magic, format version and field shape
 * only (no signature, no sizes against the file). Returns 0, PKG_E_MAGIC, PKG_E_FORMAT,
 * PKG_E_HEADER or PKG_E_SIZE (buffer shorter than a header). */
PKG_WARN_UNUSED int pkg_header_parse(const uint8_t *buf, size_t len, struct pkg_header *out);

/* Checks that a whole package of `total_len` bytes is consistent with its header
 * (header + payload_size + signature == total_len). Returns 0 or PKG_E_SIZE. */
PKG_WARN_UNUSED int pkg_check_size(const struct pkg_header *h, uint64_t total_len);

/* Verifies the Ed25519 signature over everything before the last PKG_SIG_LEN bytes.
 * Streaming: init, feed the package bytes in any chunking, then final with the whole length
 * fed. `pub` may be NULL or invalid → PKG_E_KEY. Returns 0 or PKG_E_SIGNATURE/PKG_E_SIZE. */
struct pkg_verify {
    uint8_t state[512]; /* crypto_sign_state, opaque */
    uint64_t fed;
    uint64_t total;
    uint8_t sig[PKG_SIG_LEN];
};
PKG_WARN_UNUSED int pkg_verify_init(struct pkg_verify *v, uint64_t total_len);
void pkg_verify_update(struct pkg_verify *v, const uint8_t *buf, size_t len);
PKG_WARN_UNUSED int pkg_verify_final(struct pkg_verify *v, const uint8_t pub[PKG_PUBKEY_LEN]);

/* Convenience: reads a whole package file and verifies it (size, signature). */
PKG_WARN_UNUSED int pkg_verify_file(const char *path, const uint8_t pub[PKG_PUBKEY_LEN],
                                    struct pkg_header *out);

/* Applying a package. Streaming so that a caller (the simulator) can report progress,
 * persist it and inject faults between steps:
 *   pkg_apply_open(&a, pkg_path, src_image_path_or_NULL)  → checks source hash (delta)
 *   while ((n = pkg_apply_step(&a, out, cap)) > 0) write out[0..n) to the new image
 *   pkg_apply_close(&a) → 0 when the output hashed to dst_sha256 (PKG_E_TARGET otherwise)
 * progress: a.in_done / a.header.payload_size. Errors: PKG_E_IO, PKG_E_SOURCE, PKG_E_PAYLOAD,
 * PKG_E_TARGET, PKG_E_NOMEM. The signature is not checked here (pkg_verify_*). */
struct pkg_apply {
    struct pkg_header header;
    uint64_t in_done;  /* payload bytes consumed */
    uint64_t out_done; /* image bytes produced */
    void *priv;        /* zstd context, file, source buffer, running hash */
};
PKG_WARN_UNUSED int pkg_apply_open(struct pkg_apply *a, const char *pkg_path,
                                   const char *src_image_path);
/* Returns bytes produced (>0), 0 at the end of the payload, or a negative error. */
PKG_WARN_UNUSED long pkg_apply_step(struct pkg_apply *a, uint8_t *out, size_t cap);
PKG_WARN_UNUSED int pkg_apply_close(struct pkg_apply *a);
void pkg_apply_abort(struct pkg_apply *a);

/* Firmware images carry a version record (docs/package-format.md, "Images"). */
struct pkg_image_info {
    char product[PKG_NAME_MAX];
    char version[PKG_NAME_MAX];
    uint64_t size;
    uint8_t sha256[PKG_SHA256_LEN];
};
PKG_WARN_UNUSED int pkg_image_info_mem(const uint8_t *img, size_t len, struct pkg_image_info *out);
PKG_WARN_UNUSED int pkg_image_info_file(const char *path, struct pkg_image_info *out);

/* Building (larafw-pkg, tests). Images and packages are written atomically. */
struct pkg_image_params {
    const char *product;
    const char *version;
    uint64_t size;
    uint64_t seed;
};
PKG_WARN_UNUSED int pkg_image_synth(const struct pkg_image_params *p, const char *out_path);
/* Successor of `from_path`: same product, new version, about `change_percent` % of the
 * bytes differ (scattered edits, a few moved blocks, optional growth). */
PKG_WARN_UNUSED int pkg_image_successor(const char *from_path, const char *version,
                                        double change_percent, uint64_t seed, const char *out_path);

struct pkg_build_opts {
    uint32_t flags;
    uint8_t nvm_count;
    const char *nvm[PKG_NVM_MAX];
    uint8_t mno_count;
    uint16_t mno[PKG_MNO_MAX];
    int zstd_level; /* 0 = default */
};
PKG_WARN_UNUSED int pkg_keygen(const char *dir); /* DIR/fota.sec, DIR/fota.pub */
PKG_WARN_UNUSED int pkg_key_load_secret(const char *path, uint8_t sec[PKG_SECKEY_LEN]);
PKG_WARN_UNUSED int pkg_key_load_public(const char *path, uint8_t pub[PKG_PUBKEY_LEN]);
PKG_WARN_UNUSED int pkg_build_full(const uint8_t sec[PKG_SECKEY_LEN], const char *image_path,
                                   const struct pkg_build_opts *o, const char *out_path);
PKG_WARN_UNUSED int pkg_build_delta(const uint8_t sec[PKG_SECKEY_LEN], const char *from_path,
                                    const char *to_path, const struct pkg_build_opts *o,
                                    const char *out_path);
/* Re-signs an existing package file (header and payload as they are) with `sec`. */
PKG_WARN_UNUSED int pkg_resign(const uint8_t sec[PKG_SECKEY_LEN], const char *in_path,
                               const char *out_path);

/* ---- Additions beyond the shared contract (tools, tests, inspection). ---- */

/* Encodes `h` into exactly pkg_header_encoded_size() bytes at `out` (canonical form: all
 * unused bytes zero). Validates the fields like pkg_header_parse does. Returns 0,
 * PKG_E_ARG (cap too small) or PKG_E_HEADER. */
PKG_WARN_UNUSED int pkg_header_encode(const struct pkg_header *h, uint8_t *out, size_t cap);

/* Reads the first pkg_header_encoded_size() bytes of the file at `path` and parses them
 * (pkg_header_parse); `total_len` (may be NULL) receives the file length. No size or
 * signature check. Returns 0, PKG_E_IO or a pkg_header_parse error. */
PKG_WARN_UNUSED int pkg_header_read_file(const char *path, struct pkg_header *out,
                                         uint64_t *total_len);
/* The same on a file just opened (read from its current offset, which it moves): for callers
 * that open the file themselves (openat, O_NOFOLLOW). Returns 0, PKG_E_ARG, PKG_E_IO
 * (not a regular file, read error) or a pkg_header_parse error. */
PKG_WARN_UNUSED int pkg_header_read_fd(int fd, struct pkg_header *out, uint64_t *total_len);

/* Writes all `n` bytes to `fd`, retrying short writes and EINTR. 0, or -1 with errno set. */
PKG_WARN_UNUSED int pkg_write_all(int fd, const void *buf, size_t n);

/* Name of a single flag bit ("boot_code"), or NULL for an unknown bit. */
const char *pkg_flag_name(uint32_t flag);

/* Writes the header as one JSON object (no trailing newline) to `f`. `total_len` is the
 * package file length (0 = unknown) and `sig_state` a free word such as "unchecked", "valid",
 * "invalid", "size_mismatch" (NULL = omit). Returns 0, PKG_E_ARG or PKG_E_IO. */
PKG_WARN_UNUSED int pkg_header_write_json(FILE *f, const struct pkg_header *h, uint64_t total_len,
                                          const char *sig_state);
/* Same information as human-readable "field: value" lines. Returns 0, PKG_E_ARG or
 * PKG_E_IO. */
PKG_WARN_UNUSED int pkg_header_write_text(FILE *f, const struct pkg_header *h, uint64_t total_len,
                                          const char *sig_state);

#endif
