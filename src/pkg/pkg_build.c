/* Keys, building and signing packages. */
#define _POSIX_C_SOURCE 200809L
#include "pkg_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

static int join(char *dst, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(dst, cap, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= cap ? PKG_E_ARG : PKG_OK;
}

int pkg_keygen(const char *dir)
{
    if (!dir || !*dir)
        return PKG_E_ARG;
    char sec_path[4096], pub_path[4096];
    if (join(sec_path, sizeof sec_path, dir, "fota.sec") ||
        join(pub_path, sizeof pub_path, dir, "fota.pub"))
        return PKG_E_ARG;
    if (access(sec_path, F_OK) == 0) {
        errno = EEXIST; /* never overwrite a signing key */
        return PKG_E_IO;
    }
    if (pkg_sodium_init() != 0)
        return PKG_E_KEY;
    uint8_t pk[PKG_PUBKEY_LEN], sk[PKG_SECKEY_LEN];
    if (crypto_sign_keypair(pk, sk) != 0)
        return PKG_E_KEY;
    /* Public key first: a failure then leaves no orphan secret key that blocks a retry. */
    struct pkg_iov iov = {pk, sizeof pk};
    int rc = pkg_write_atomic(pub_path, &iov, 1, 0644);
    if (rc == PKG_OK) {
        iov = (struct pkg_iov){sk, sizeof sk};
        rc = pkg_write_atomic(sec_path, &iov, 1, 0600);
    }
    sodium_memzero(sk, sizeof sk);
    return rc;
}

static int load_key(const char *path, uint8_t *key, size_t want)
{
    if (!path || !key)
        return PKG_E_ARG;
    uint8_t *buf;
    size_t len;
    int rc = pkg_read_file(path, 4096, &buf, &len);
    if (rc == PKG_E_IO && errno == ENOENT)
        return PKG_E_KEY;
    if (rc == PKG_E_SIZE)
        return PKG_E_KEY;
    if (rc)
        return rc;
    if (len != want) {
        sodium_memzero(buf, len);
        free(buf);
        return PKG_E_KEY;
    }
    memcpy(key, buf, want);
    sodium_memzero(buf, len);
    free(buf);
    return PKG_OK;
}

int pkg_key_load_secret(const char *path, uint8_t sec[PKG_SECKEY_LEN])
{
    int rc = load_key(path, sec, PKG_SECKEY_LEN);
    if (rc)
        return rc;
    if (pkg_sodium_init() != 0)
        return PKG_E_KEY;
    /* A libsodium secret key is seed || public key: both halves must agree. */
    uint8_t pk[PKG_PUBKEY_LEN], sk[PKG_SECKEY_LEN];
    rc = crypto_sign_seed_keypair(pk, sk, sec) == 0 && sodium_memcmp(sk, sec, PKG_SECKEY_LEN) == 0
             ? PKG_OK
             : PKG_E_KEY;
    sodium_memzero(sk, sizeof sk);
    if (rc)
        sodium_memzero(sec, PKG_SECKEY_LEN);
    return rc;
}

int pkg_key_load_public(const char *path, uint8_t pub[PKG_PUBKEY_LEN])
{
    int rc = load_key(path, pub, PKG_PUBKEY_LEN);
    if (rc)
        return rc;
    if (pkg_sodium_init() != 0 || !crypto_core_ed25519_is_valid_point(pub))
        return PKG_E_KEY;
    return PKG_OK;
}

static int opts_into_header(const struct pkg_build_opts *o, struct pkg_header *h)
{
    if (!o)
        return PKG_OK;
    if (o->flags & ~PKG_KNOWN_FLAGS || o->nvm_count > PKG_NVM_MAX || o->mno_count > PKG_MNO_MAX)
        return PKG_E_ARG;
    h->flags = o->flags;
    h->nvm_count = o->nvm_count;
    for (unsigned i = 0; i < o->nvm_count; i++) {
        const char *item = o->nvm[i];
        if (!item || strlen(item) >= PKG_ITEM_MAX)
            return PKG_E_ARG;
        memcpy(h->nvm[i], item, strlen(item) + 1);
    }
    h->mno_count = o->mno_count;
    memcpy(h->mno, o->mno, sizeof h->mno);
    for (unsigned i = o->mno_count; i < PKG_MNO_MAX; i++)
        h->mno[i] = 0;
    return PKG_OK;
}

/* Compresses `dst` (against `src` as prefix when given), then writes header, payload and
 * signature to `out_path`. `h` has everything but payload_size. */
static int build(const uint8_t sec[PKG_SECKEY_LEN], struct pkg_header *h, const uint8_t *src,
                 size_t src_len, const uint8_t *dst, size_t dst_len, int level,
                 const char *out_path)
{
    size_t bound = ZSTD_compressBound(dst_len);
    uint8_t *payload = malloc(bound);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    int rc = PKG_OK;
    if (!payload || !cctx) {
        rc = PKG_E_NOMEM;
        goto out;
    }
    int wlog = pkg_window_log((uint64_t)src_len + dst_len);
    if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level ? level : 9)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, wlog))) {
        rc = PKG_E_ARG;
        goto out;
    }
    if (src && ZSTD_isError(ZSTD_CCtx_refPrefix(cctx, src, src_len))) {
        rc = PKG_E_NOMEM;
        goto out;
    }
    size_t n = ZSTD_compress2(cctx, payload, bound, dst, dst_len);
    if (ZSTD_isError(n)) {
        rc = PKG_E_NOMEM;
        goto out;
    }
    h->payload_size = n;
    uint8_t hdr[PKG_HEADER_SIZE];
    rc = pkg_header_encode(h, hdr, sizeof hdr);
    if (rc)
        goto out;
    struct pkg_iov iov[3] = {{hdr, sizeof hdr}, {payload, n}, {NULL, PKG_SIG_LEN}};
    uint8_t sig[PKG_SIG_LEN];
    rc = pkg_sign(sec, iov, 2, sig);
    if (rc)
        goto out;
    iov[2].base = sig;
    rc = pkg_write_atomic(out_path, iov, 3, 0644);
out:
    ZSTD_freeCCtx(cctx);
    free(payload);
    return rc;
}

static int load_image(const char *path, uint8_t **buf, size_t *len, struct pkg_image_info *info)
{
    int rc = pkg_read_file(path, PKG_SIZE_CAP, buf, len);
    if (rc)
        return rc == PKG_E_SIZE ? PKG_E_IMAGE : rc;
    rc = pkg_image_info_mem(*buf, *len, info);
    if (rc) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

static void header_init(struct pkg_header *h, const struct pkg_image_info *to)
{
    memset(h, 0, sizeof *h);
    h->format_version = PKG_FORMAT_VERSION;
    memcpy(h->product, to->product, PKG_NAME_MAX);
    memcpy(h->dst_version, to->version, PKG_NAME_MAX);
    memcpy(h->dst_sha256, to->sha256, PKG_SHA256_LEN);
    h->dst_size = to->size;
}

int pkg_build_full(const uint8_t sec[PKG_SECKEY_LEN], const char *image_path,
                   const struct pkg_build_opts *o, const char *out_path)
{
    if (!sec || !image_path || !out_path)
        return PKG_E_ARG;
    uint8_t *img;
    size_t len;
    struct pkg_image_info info;
    int rc = load_image(image_path, &img, &len, &info);
    if (rc)
        return rc;
    struct pkg_header h;
    header_init(&h, &info);
    h.kind = PKG_KIND_FULL;
    rc = opts_into_header(o, &h);
    if (!rc)
        rc = build(sec, &h, NULL, 0, img, len, o ? o->zstd_level : 0, out_path);
    free(img);
    return rc;
}

int pkg_build_delta(const uint8_t sec[PKG_SECKEY_LEN], const char *from_path, const char *to_path,
                    const struct pkg_build_opts *o, const char *out_path)
{
    if (!sec || !from_path || !to_path || !out_path)
        return PKG_E_ARG;
    uint8_t *from, *to;
    size_t from_len, to_len;
    struct pkg_image_info from_info, to_info;
    int rc = load_image(from_path, &from, &from_len, &from_info);
    if (rc)
        return rc;
    rc = load_image(to_path, &to, &to_len, &to_info);
    if (rc) {
        free(from);
        return rc;
    }
    struct pkg_header h;
    header_init(&h, &to_info);
    h.kind = PKG_KIND_DELTA;
    memcpy(h.src_version, from_info.version, PKG_NAME_MAX);
    memcpy(h.src_sha256, from_info.sha256, PKG_SHA256_LEN);
    h.src_size = from_info.size;
    if (strcmp(from_info.product, to_info.product) != 0)
        rc = PKG_E_PRODUCT;
    if (!rc)
        rc = opts_into_header(o, &h);
    if (!rc)
        rc = build(sec, &h, from, from_len, to, to_len, o ? o->zstd_level : 0, out_path);
    free(from);
    free(to);
    return rc;
}

int pkg_resign(const uint8_t sec[PKG_SECKEY_LEN], const char *in_path, const char *out_path)
{
    if (!sec || !in_path || !out_path)
        return PKG_E_ARG;
    uint8_t *buf;
    size_t len;
    int rc = pkg_read_file(in_path, PKG_SIZE_CAP + PKG_HEADER_SIZE + PKG_SIG_LEN, &buf, &len);
    if (rc)
        return rc;
    if (len < PKG_SIG_LEN) {
        free(buf);
        return PKG_E_SIZE;
    }
    struct pkg_iov iov = {buf, len - PKG_SIG_LEN};
    rc = pkg_sign(sec, &iov, 1, buf + len - PKG_SIG_LEN);
    if (!rc) {
        iov.len = len;
        rc = pkg_write_atomic(out_path, &iov, 1, 0644);
    }
    free(buf);
    return rc;
}
