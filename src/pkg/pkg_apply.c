/* Streaming apply: decompress (full) or patch against the source image (delta), hashing the
 * output as it goes. The signature is checked elsewhere (pkg_verify_*). */
#define _POSIX_C_SOURCE 200809L
#include "pkg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

struct apply_priv {
    int fd;
    ZSTD_DCtx *dctx;
    uint8_t *src; /* source image; the zstd prefix points into it */
    size_t src_len;
    crypto_hash_sha256_state sha;
    uint8_t *inbuf;
    size_t inbuf_cap;
    ZSTD_inBuffer in;
    uint64_t payload_left; /* payload bytes not yet read from the file */
    bool frame_done;
    bool finished;
    int err; /* sticky: once a step failed, every later step fails the same way */
};

static void priv_free(struct apply_priv *p)
{
    if (!p)
        return;
    if (p->fd >= 0)
        close(p->fd);
    ZSTD_freeDCtx(p->dctx);
    free(p->src);
    free(p->inbuf);
    free(p);
}

static int read_full(int fd, uint8_t *buf, size_t want, size_t *got)
{
    *got = 0;
    while (*got < want) {
        ssize_t n = read(fd, buf + *got, want - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return PKG_E_IO;
        if (n == 0)
            break;
        *got += (size_t)n;
    }
    return PKG_OK;
}

static int check_source(struct apply_priv *p, const struct pkg_header *h, const char *src_path)
{
    if (!src_path)
        return PKG_E_ARG;
    int rc = pkg_read_file(src_path, PKG_SIZE_CAP, &p->src, &p->src_len);
    if (rc == PKG_E_SIZE)
        return PKG_E_SOURCE; /* larger than any source a package can name */
    if (rc)
        return rc;
    if ((uint64_t)p->src_len != h->src_size)
        return PKG_E_SOURCE;
    uint8_t digest[PKG_SHA256_LEN];
    crypto_hash_sha256(digest, p->src, p->src_len);
    if (sodium_memcmp(digest, h->src_sha256, PKG_SHA256_LEN) != 0)
        return PKG_E_SOURCE;
    return PKG_OK;
}

static int open_priv(struct apply_priv *p, struct pkg_apply *a, const char *pkg_path,
                     const char *src_path)
{
    if (pkg_sodium_init() != 0)
        return PKG_E_KEY;
    p->fd = open(pkg_path, O_RDONLY | O_CLOEXEC);
    if (p->fd < 0)
        return PKG_E_IO;
    struct stat st;
    if (fstat(p->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return PKG_E_IO;
    uint8_t hdr[PKG_HEADER_SIZE];
    size_t got;
    int rc = read_full(p->fd, hdr, sizeof hdr, &got);
    if (rc)
        return rc;
    rc = pkg_header_parse(hdr, got, &a->header);
    if (rc)
        return rc;
    rc = pkg_check_size(&a->header, (uint64_t)st.st_size);
    if (rc)
        return rc;
    if (a->header.kind == PKG_KIND_DELTA) {
        rc = check_source(p, &a->header, src_path);
        if (rc)
            return rc;
    }
    p->dctx = ZSTD_createDCtx();
    p->inbuf_cap = ZSTD_DStreamInSize();
    p->inbuf = malloc(p->inbuf_cap);
    if (!p->dctx || !p->inbuf)
        return PKG_E_NOMEM;
    /* The window must reach back over the whole prefix plus the output produced so far;
     * the declared sizes bound it, so a hostile frame cannot ask for more. */
    int wlog = pkg_window_log(a->header.src_size + a->header.dst_size);
    if (ZSTD_isError(ZSTD_DCtx_setParameter(p->dctx, ZSTD_d_windowLogMax, wlog)))
        return PKG_E_PAYLOAD;
    if (a->header.kind == PKG_KIND_DELTA &&
        ZSTD_isError(ZSTD_DCtx_refPrefix(p->dctx, p->src, p->src_len)))
        return PKG_E_PAYLOAD;
    crypto_hash_sha256_init(&p->sha);
    p->in.src = p->inbuf;
    p->payload_left = a->header.payload_size;
    return PKG_OK;
}

int pkg_apply_open(struct pkg_apply *a, const char *pkg_path, const char *src_image_path)
{
    if (!a)
        return PKG_E_ARG;
    memset(a, 0, sizeof *a);
    if (!pkg_path)
        return PKG_E_ARG;
    struct apply_priv *p = calloc(1, sizeof *p);
    if (!p)
        return PKG_E_NOMEM;
    p->fd = -1;
    int rc = open_priv(p, a, pkg_path, src_image_path);
    if (rc) {
        int e = errno;
        priv_free(p);
        errno = e;
        return rc;
    }
    a->priv = p;
    return PKG_OK;
}

static long step_fail(struct apply_priv *p, int err)
{
    p->err = err;
    return err;
}

long pkg_apply_step(struct pkg_apply *a, uint8_t *out, size_t cap)
{
    if (!a || !a->priv || !out || cap == 0)
        return PKG_E_ARG;
    struct apply_priv *p = a->priv;
    if (p->err)
        return p->err;
    if (p->finished)
        return 0;
    if (cap > ((size_t)1 << 30)) /* the count must fit the long we return */
        cap = (size_t)1 << 30;
    for (;;) {
        if (p->in.pos == p->in.size && p->payload_left > 0) {
            size_t want = p->payload_left < p->inbuf_cap ? (size_t)p->payload_left : p->inbuf_cap;
            size_t got;
            if (read_full(p->fd, p->inbuf, want, &got) != 0)
                return step_fail(p, PKG_E_IO);
            if (got != want) { /* file shrank since open */
                errno = EIO;
                return step_fail(p, PKG_E_IO);
            }
            p->in.size = got;
            p->in.pos = 0;
            p->payload_left -= got;
        }
        bool input_left = p->in.pos < p->in.size || p->payload_left > 0;
        if (p->frame_done) {
            if (input_left) /* bytes after the frame: not what the builder wrote */
                return step_fail(p, PKG_E_PAYLOAD);
            p->finished = true;
            return 0;
        }
        if (!input_left) /* payload ended inside the frame */
            return step_fail(p, PKG_E_PAYLOAD);
        ZSTD_outBuffer o = {out, cap, 0};
        size_t before = p->in.pos;
        size_t ret = ZSTD_decompressStream(p->dctx, &o, &p->in);
        if (ZSTD_isError(ret))
            return step_fail(p, PKG_E_PAYLOAD);
        a->in_done += p->in.pos - before;
        if (ret == 0)
            p->frame_done = true;
        if (o.pos > 0) {
            if (a->out_done + o.pos > a->header.dst_size)
                return step_fail(p, PKG_E_TARGET);
            crypto_hash_sha256_update(&p->sha, out, o.pos);
            a->out_done += o.pos;
            return (long)o.pos;
        }
    }
}

int pkg_apply_close(struct pkg_apply *a)
{
    if (!a || !a->priv)
        return PKG_E_ARG;
    struct apply_priv *p = a->priv;
    int rc = p->err;
    if (rc == PKG_OK && !p->finished)
        rc = PKG_E_ARG; /* close before pkg_apply_step returned 0 */
    if (rc == PKG_OK) {
        uint8_t digest[PKG_SHA256_LEN];
        crypto_hash_sha256_final(&p->sha, digest);
        if (a->out_done != a->header.dst_size ||
            sodium_memcmp(digest, a->header.dst_sha256, PKG_SHA256_LEN) != 0)
            rc = PKG_E_TARGET;
    }
    priv_free(p);
    a->priv = NULL;
    return rc;
}

void pkg_apply_abort(struct pkg_apply *a)
{
    if (!a)
        return;
    priv_free(a->priv);
    a->priv = NULL;
}
