/* Package directory access (srv_package.h). */
#define _GNU_SOURCE
#include "srv_package.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool srv_package_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 63 || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

int srv_package_open(const char *dir, const char *name)
{
    if (!srv_package_name_ok(name))
        return SRV_E_ARG;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return SRV_E_IO;
    /* A FIFO or device in DIR must not block the server's only thread: look before opening,
     * open without blocking (a FIFO's open waits for a writer otherwise), look again. */
    struct stat st;
    int looked = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
    if (looked != 0 || !S_ISREG(st.st_mode)) {
        int err = looked != 0 ? errno : 0;
        close(dfd);
        return err == EACCES ? SRV_E_IO : SRV_E_NOTFOUND;
    }
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    int err = errno;
    close(dfd);
    if (fd < 0)
        return err == ENOENT || err == ELOOP ? SRV_E_NOTFOUND : SRV_E_IO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return SRV_E_NOTFOUND;
    }
    return fd;
}

int srv_package_header(const char *dir, const char *name, struct pkg_header *h)
{
    int fd = srv_package_open(dir, name);
    if (fd < 0)
        return fd;
    int rc = pkg_header_read_fd(fd, h, NULL);
    close(fd);
    return rc == 0 ? 0 : SRV_E_PACKAGE;
}
