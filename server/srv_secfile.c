/* Secret file reading (srv_secfile.h). */
#define _GNU_SOURCE
#include "srv_secfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int srv_secfile_read(const char *path, char **out, size_t *len, char *why, size_t cap)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        snprintf(why, cap, "cannot open %s: %s", path, strerror(err));
        errno = err;
        return SRV_E_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, cap, "%s is not a regular file", path);
        close(fd);
        return SRV_E_ARG;
    }
    if (st.st_mode & 077) {
        snprintf(why, cap,
                 "%s holds secrets but its mode %04o lets the group or others read or write "
                 "it; run chmod 600 %s",
                 path, (unsigned)(st.st_mode & 07777), path);
        close(fd);
        return SRV_E_ARG;
    }
    if ((unsigned long long)st.st_size > SRV_SECFILE_MAX) {
        snprintf(why, cap, "%s is larger than %u bytes; is it the right file?", path,
                 SRV_SECFILE_MAX);
        close(fd);
        return SRV_E_ARG;
    }
    /* read to the end, whatever fstat said: the file may grow while we read it */
    size_t size = (size_t)st.st_size + 1, used = 0;
    char *buf = malloc(size + 1);
    for (;;) {
        if (!buf) {
            close(fd);
            snprintf(why, cap, "out of memory reading %s", path);
            return SRV_E_NOMEM;
        }
        if (used == size) {
            if (size >= SRV_SECFILE_MAX) {
                free(buf);
                close(fd);
                snprintf(why, cap, "%s is larger than %u bytes", path, SRV_SECFILE_MAX);
                return SRV_E_ARG;
            }
            size *= 2;
            char *grown = realloc(buf, size + 1);
            if (!grown)
                free(buf);
            buf = grown;
            continue;
        }
        ssize_t n = read(fd, buf + used, size - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            free(buf);
            close(fd);
            snprintf(why, cap, "cannot read %s: %s", path, strerror(err));
            errno = err;
            return SRV_E_IO;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    buf[used] = '\0';
    *out = buf;
    *len = used;
    return 0;
}
