/* A package file as the data source of an upload, read by offset so that a retransmission
 * or a restarted transfer never depends on a file position. */
#define _DEFAULT_SOURCE
#include "larafw_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int lfw_posix_file_open(struct lfw_posix_file *f, const char *path)
{
    if (!f || !path || !*path)
        return LFW_POSIX_E_ARG;
    f->fd = -1;
    f->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return LFW_POSIX_E_IO;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return LFW_POSIX_E_IO;
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
        close(fd);
        errno = S_ISREG(st.st_mode) ? EINVAL : EISDIR;
        return LFW_POSIX_E_ARG;
    }
    f->fd = fd;
    f->size = (uint64_t)st.st_size;
    return 0;
}

ssize_t lfw_posix_file_read(struct lfw_posix_file *f, uint64_t offset, void *buf, size_t len)
{
    if (!f || f->fd < 0 || (!buf && len))
        return LFW_POSIX_E_ARG;
    unsigned char *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(f->fd, p + done, len - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return LFW_POSIX_E_IO;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

void lfw_posix_file_close(struct lfw_posix_file *f)
{
    if (!f || f->fd < 0)
        return;
    close(f->fd);
    f->fd = -1;
}
