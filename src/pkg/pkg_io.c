/* File helpers: bounded whole-file reads and atomic writes; libsodium setup. */
#define _POSIX_C_SOURCE 200809L
#include "pkg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pkg_sodium_init(void)
{
    /* sodium_init() is idempotent and thread-safe; 1 means "already done". */
    return sodium_init() < 0 ? PKG_E_KEY : PKG_OK;
}

int pkg_window_log(uint64_t bytes)
{
    int log = 10; /* ZSTD_WINDOWLOG_ABSOLUTEMIN */
    while (log < 31 && ((uint64_t)1 << log) < bytes)
        log++;
    return log;
}

int pkg_read_file(const char *path, uint64_t cap, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return PKG_E_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return PKG_E_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return PKG_E_IO;
    }
    if ((uint64_t)st.st_size > cap) {
        close(fd);
        return PKG_E_SIZE;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        close(fd);
        return PKG_E_NOMEM;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO; /* file shrank under us */
            free(buf);
            close(fd);
            errno = e;
            return PKG_E_IO;
        }
        got += (size_t)n;
    }
    close(fd);
    *out = buf;
    *len = size;
    return PKG_OK;
}

int pkg_write_all(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int pkg_write_atomic(const char *path, const struct pkg_iov *iov, int n, unsigned mode)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof ".tmp.XXXXXX");
    if (!tmp)
        return PKG_E_NOMEM;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return PKG_E_IO;
    }
    int ok = fchmod(fd, (mode_t)mode) == 0;
    for (int i = 0; ok && i < n; i++)
        ok = pkg_write_all(fd, iov[i].base, iov[i].len) == 0;
    ok = ok && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        free(tmp);
        errno = e;
        return PKG_E_IO;
    }
    free(tmp);
    /* Make the rename itself durable. */
    char *dir = strdup(path);
    if (!dir)
        return PKG_E_NOMEM;
    char *slash = strrchr(dir, '/');
    const char *dname = ".";
    if (slash == dir)
        dname = "/";
    else if (slash) {
        *slash = '\0';
        dname = dir;
    }
    int dfd = open(dname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = PKG_OK;
    if (dfd >= 0) {
        if (fsync(dfd) != 0 && errno != EINVAL)
            rc = PKG_E_IO;
        close(dfd);
    }
    free(dir);
    return rc;
}

int pkg_sign(const uint8_t sec[PKG_SECKEY_LEN], const struct pkg_iov *iov, int n,
             uint8_t sig[PKG_SIG_LEN])
{
    if (pkg_sodium_init() != 0)
        return PKG_E_KEY;
    crypto_sign_state st;
    if (crypto_sign_init(&st) != 0)
        return PKG_E_KEY;
    for (int i = 0; i < n; i++)
        if (crypto_sign_update(&st, iov[i].base, iov[i].len) != 0)
            return PKG_E_KEY;
    if (crypto_sign_final_create(&st, sig, NULL, sec) != 0)
        return PKG_E_KEY;
    sodium_memzero(&st, sizeof st);
    return PKG_OK;
}
