/* Streaming Ed25519ph signature check over everything but the trailing signature. */
#define _POSIX_C_SOURCE 200809L
#include "pkg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(crypto_sign_state) <= sizeof(((struct pkg_verify *)0)->state),
               "pkg_verify.state too small for crypto_sign_state");

int pkg_verify_init(struct pkg_verify *v, uint64_t total_len)
{
    if (!v)
        return PKG_E_ARG;
    memset(v, 0, sizeof *v);
    if (pkg_sodium_init() != 0)
        return PKG_E_KEY;
    if (total_len < (uint64_t)PKG_HEADER_SIZE + PKG_SIG_LEN ||
        total_len > PKG_SIZE_CAP + PKG_HEADER_SIZE + PKG_SIG_LEN)
        return PKG_E_SIZE;
    crypto_sign_state st;
    if (crypto_sign_init(&st) != 0)
        return PKG_E_KEY;
    memcpy(v->state, &st, sizeof st); /* memcpy: the opaque array carries no alignment */
    v->total = total_len;
    return PKG_OK;
}

void pkg_verify_update(struct pkg_verify *v, const uint8_t *buf, size_t len)
{
    if (!v || !buf || !len || v->total == 0)
        return;
    uint64_t signed_end = v->total - PKG_SIG_LEN;
    /* Bytes before signed_end go to the hash, the rest into the signature slot; bytes past
     * total are counted (so final sees the mismatch) but ignored. */
    if (v->fed < signed_end) {
        uint64_t room = signed_end - v->fed;
        size_t take = len < room ? len : (size_t)room;
        crypto_sign_state st;
        memcpy(&st, v->state, sizeof st);
        crypto_sign_update(&st, buf, take);
        memcpy(v->state, &st, sizeof st);
        v->fed += take;
        buf += take;
        len -= take;
    }
    if (len && v->fed < v->total) {
        uint64_t room = v->total - v->fed;
        size_t take = len < room ? len : (size_t)room;
        memcpy(v->sig + (v->fed - signed_end), buf, take);
        v->fed += take;
        len -= take;
    }
    v->fed += len;
}

int pkg_verify_final(struct pkg_verify *v, const uint8_t pub[PKG_PUBKEY_LEN])
{
    if (!v)
        return PKG_E_ARG;
    if (!pub || pkg_sodium_init() != 0 || !crypto_core_ed25519_is_valid_point(pub))
        return PKG_E_KEY;
    if (v->total == 0 || v->fed != v->total)
        return PKG_E_SIZE;
    crypto_sign_state st;
    memcpy(&st, v->state, sizeof st);
    int ok = crypto_sign_final_verify(&st, v->sig, pub) == 0;
    sodium_memzero(v->state, sizeof v->state);
    return ok ? PKG_OK : PKG_E_SIGNATURE;
}

int pkg_verify_file(const char *path, const uint8_t pub[PKG_PUBKEY_LEN], struct pkg_header *out)
{
    if (!path)
        return PKG_E_ARG;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return PKG_E_IO;
    int rc = PKG_OK;
    struct stat st;
    uint8_t buf[16384];
    struct pkg_header h;
    struct pkg_verify v;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = PKG_E_IO;
        goto out;
    }
    size_t got = 0;
    while (got < PKG_HEADER_SIZE) {
        ssize_t n = read(fd, buf + got, PKG_HEADER_SIZE - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = PKG_E_IO;
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    rc = pkg_header_parse(buf, got, &h);
    if (rc)
        goto out;
    rc = pkg_check_size(&h, (uint64_t)st.st_size);
    if (rc)
        goto out;
    rc = pkg_verify_init(&v, (uint64_t)st.st_size);
    if (rc)
        goto out;
    pkg_verify_update(&v, buf, got);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = PKG_E_IO;
            goto out;
        }
        if (n == 0)
            break;
        pkg_verify_update(&v, buf, (size_t)n);
    }
    rc = pkg_verify_final(&v, pub);
    if (rc == PKG_OK && out)
        *out = h;
out:
    if (close(fd) != 0 && rc == PKG_OK)
        rc = PKG_E_IO;
    return rc;
}

int pkg_header_read_fd(int fd, struct pkg_header *out, uint64_t *total_len)
{
    if (fd < 0 || !out)
        return PKG_E_ARG;
    uint8_t buf[PKG_HEADER_SIZE];
    struct stat st;
    size_t got = 0;
    int rc = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? PKG_OK : PKG_E_IO;
    while (rc == PKG_OK && got < sizeof buf) {
        ssize_t n = read(fd, buf + got, sizeof buf - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = PKG_E_IO;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (rc)
        return rc;
    if (total_len)
        *total_len = (uint64_t)st.st_size;
    return pkg_header_parse(buf, got, out);
}

int pkg_header_read_file(const char *path, struct pkg_header *out, uint64_t *total_len)
{
    if (!path || !out)
        return PKG_E_ARG;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return PKG_E_IO;
    int rc = pkg_header_read_fd(fd, out, total_len);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}
