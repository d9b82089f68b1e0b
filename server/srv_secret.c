/* Secret files (srv_secret.h). */
#define _GNU_SOURCE
#include "srv_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int srv_secret_read(const char *path, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    /* O_NONBLOCK: a FIFO put in place of the file must not hang the server at open */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return SRV_E_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return SRV_E_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return SRV_E_IO;
    }
    if (st.st_mode & 077) {
        close(fd);
        return SRV_E_PERM;
    }
    /* read to the end whatever the size said: the file may grow while it is read */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return SRV_E_NOMEM;
    }
    for (;;) {
        if (n + 1 >= cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                close(fd);
                return SRV_E_NOMEM;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            errno = e;
            return SRV_E_IO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

int srv_secret_write(const char *path, const char *data, size_t len, int exclusive)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return SRV_E_IO;
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0) {
        free(tmp);
        return SRV_E_IO;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    int rc = off == len && fsync(fd) == 0 ? 0 : SRV_E_IO;
    if (close(fd) != 0)
        rc = SRV_E_IO;
    if (rc == 0) {
        if (exclusive) {
            if (link(tmp, path) != 0)
                rc = errno == EEXIST ? SRV_E_STATE : SRV_E_IO;
        } else if (rename(tmp, path) != 0) {
            rc = SRV_E_IO;
        }
    }
    int e = errno;
    unlink(tmp); /* after rename: already gone, harmless */
    free(tmp);
    errno = e;
    return rc;
}
