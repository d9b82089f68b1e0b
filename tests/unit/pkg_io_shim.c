/* LD_PRELOAD shim for the larafw-pkg I/O test: every read() and write() on a file (fd > 2)
 * moves at most 7 bytes, and every third call fails with EINTR, so the retry loops of
 * src/pkg and tools/ run for real. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);

static unsigned calls;

static int disturb(int fd, size_t *n)
{
    if (fd <= 2)
        return 0;
    if (++calls % 3 == 0) {
        errno = EINTR;
        return -1;
    }
    if (*n > 7)
        *n = 7;
    return 0;
}

ssize_t read(int fd, void *buf, size_t n)
{
    static ssize_t (*real)(int, void *, size_t);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "read");
    if (!real || disturb(fd, &n) != 0)
        return -1;
    return real(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "write");
    if (!real || disturb(fd, &n) != 0)
        return -1;
    return real(fd, buf, n);
}
