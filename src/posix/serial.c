/* Serial line over termios: raw 8N1, any rate, read with timeout, write-all. */
#define _DEFAULT_SOURCE
#include "larafw_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

const char *lfw_posix_strerror(int err)
{
    switch (err) {
    case LFW_POSIX_OK:
        return "success";
    case LFW_POSIX_E_IO:
        return "I/O error";
    case LFW_POSIX_E_TIMEOUT:
        return "timed out";
    case LFW_POSIX_E_BAUD:
        return "line rate not supported by this system";
    case LFW_POSIX_E_ARG:
        return "invalid argument";
    case LFW_POSIX_E_CLOSED:
        return "the other end closed the line";
    case LFW_POSIX_E_BUSY:
        return "the port is in use by another program";
    case LFW_POSIX_E_NOTSERIAL:
        return "not a serial port or character device";
    default:
        return "unknown error";
    }
}

uint64_t lfw_posix_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct baud_map {
    uint32_t baud;
    speed_t code;
};

/* Rates with a B… constant on this system; anything else goes through termios2. */
static const struct baud_map baud_table[] = {
    {9600, B9600},       {19200, B19200},   {38400, B38400},
    {57600, B57600},     {115200, B115200}, {230400, B230400},
#ifdef B460800
    {460800, B460800},
#endif
#ifdef B921600
    {921600, B921600},
#endif
#ifdef B1000000
    {1000000, B1000000},
#endif
#ifdef B1500000
    {1500000, B1500000},
#endif
#ifdef B2000000
    {2000000, B2000000},
#endif
#ifdef B3000000
    {3000000, B3000000},
#endif
#ifdef B4000000
    {4000000, B4000000},
#endif
};

static int baud_code(uint32_t baud, speed_t *code)
{
    for (size_t i = 0; i < sizeof baud_table / sizeof baud_table[0]; i++) {
        if (baud_table[i].baud == baud) {
            *code = baud_table[i].code;
            return 0;
        }
    }
    return -1;
}

static int apply_baud(int fd, struct termios *t, uint32_t baud)
{
    speed_t code;
    if (baud_code(baud, &code) == 0) {
        if (cfsetispeed(t, code) < 0 || cfsetospeed(t, code) < 0)
            return LFW_POSIX_E_BAUD;
        if (tcsetattr(fd, TCSADRAIN, t) < 0)
            return LFW_POSIX_E_IO;
        return 0;
    }
    if (tcsetattr(fd, TCSADRAIN, t) < 0)
        return LFW_POSIX_E_IO;
    return lfw_posix_set_custom_baud(fd, baud);
}

/* Unix98 pty slaves (/dev/pts/N) have majors 136..143 on Linux. */
static int is_pty(int fd)
{
#if defined(__linux__)
    struct stat st;
    if (fstat(fd, &st) < 0)
        return 1;
    unsigned maj = major(st.st_rdev);
    return maj >= 136 && maj <= 143;
#else
    (void)fd;
    return 1;
#endif
}

/* The name of process `pid` (/proc/PID/comm: the program, never its arguments, which may
 * hold a password) into out[size]; "" when unknown. */
static void process_name(long pid, char *out, size_t size)
{
    out[0] = '\0';
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    if (fgets(out, (int)size, f) == NULL)
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

/* Who holds the flock of the file open as `fd`: /proc/locks gives the pid of every lock by
 * device and inode ("1: FLOCK  ADVISORY  WRITE 1234 00:18:3 0 EOF", the device in hex).
 * Fills s->holder_pid and s->holder, or leaves them 0 and "". */
static void find_holder(struct lfw_posix_serial *s, int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return;
    FILE *f = fopen("/proc/locks", "re");
    if (f == NULL)
        return;
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
        char kind[16];
        long pid = 0;
        unsigned maj = 0, min = 0;
        unsigned long long ino = 0;
        if (strstr(line, "->") != NULL)
            continue; /* a process waiting for the lock, not its holder */
        if (sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%llu", kind, &pid, &maj, &min, &ino) != 5)
            continue;
        if (strcmp(kind, "FLOCK") != 0 || pid <= 0 || maj != major(st.st_dev) ||
            min != minor(st.st_dev) || ino != (unsigned long long)st.st_ino)
            continue;
        s->holder_pid = pid;
        process_name(pid, s->holder, sizeof s->holder);
        break;
    }
    fclose(f);
}

/* An exclusive lock that ends with the process (or the descriptor), as pyserial takes: two
 * programs on one module line corrupt each other's transfers. flock() keeps out root as well,
 * unlike TIOCEXCL, and leaves nothing behind on the terminal. */
static int lock_line(struct lfw_posix_serial *s, int fd)
{
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    if (errno != EWOULDBLOCK)
        return 0; /* no locks on this file system: go on unlocked */
    find_holder(s, fd);
    return LFW_POSIX_E_BUSY;
}

static int fail_close(int fd, int rc)
{
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int lfw_posix_serial_open(struct lfw_posix_serial *s, const char *path, uint32_t baud)
{
    if (!s || !path || !*path || baud == 0)
        return LFW_POSIX_E_ARG;
    s->fd = -1;
    s->baud = 0;
    s->is_tty = 0;
    s->revivable = 0;
    s->holder_pid = 0;
    s->holder[0] = '\0';
    if (strlen(path) >= sizeof s->path)
        return LFW_POSIX_E_ARG;
    if (s->path != path)
        snprintf(s->path, sizeof s->path, "%s", path);
    int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return LFW_POSIX_E_IO;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return fail_close(fd, LFW_POSIX_E_IO);
    if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : ENOTTY;
        return fail_close(fd, LFW_POSIX_E_NOTSERIAL);
    }
    if (!isatty(fd)) {
        s->fd = fd;
        s->baud = baud;
        return 0;
    }
    int rc = lock_line(s, fd);
    if (rc < 0) {
        errno = EBUSY;
        return fail_close(fd, rc);
    }
#ifdef TIOCNXCL
    /* An older larafw (or another program) may have left TIOCEXCL on the terminal: it outlives
     * the process and locks out everyone but root. The flock above replaces it. */
    (void)ioctl(fd, TIOCNXCL);
#endif
    struct termios t;
    if (tcgetattr(fd, &t) < 0)
        return fail_close(fd, LFW_POSIX_E_IO);
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    rc = apply_baud(fd, &t, baud);
    if (rc < 0)
        return fail_close(fd, rc);
    tcflush(fd, TCIOFLUSH);
    s->fd = fd;
    s->baud = baud;
    s->is_tty = 1;
    s->revivable = !is_pty(fd);
    return 0;
}

int lfw_posix_serial_reopen(struct lfw_posix_serial *s)
{
    if (!s || !s->path[0])
        return LFW_POSIX_E_ARG;
    uint32_t baud = s->baud ? s->baud : 115200;
    int revivable = s->revivable;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    int rc = lfw_posix_serial_open(s, s->path, baud);
    if (rc < 0) {
        /* still absent: keep what the line was, for the next attempt */
        s->baud = baud;
        s->revivable = revivable;
        return rc;
    }
    s->revivable = revivable || s->revivable;
    return 0;
}

void lfw_posix_serial_attach(struct lfw_posix_serial *s, int fd)
{
    s->path[0] = '\0';
    s->revivable = 0;
    s->fd = fd;
    s->baud = 115200;
    s->is_tty = isatty(fd) ? 1 : 0;
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void lfw_posix_serial_close(struct lfw_posix_serial *s)
{
    if (!s || s->fd < 0)
        return;
    close(s->fd);
    s->fd = -1;
}

int lfw_posix_serial_set_baud(struct lfw_posix_serial *s, uint32_t baud)
{
    if (!s || s->fd < 0 || baud == 0)
        return LFW_POSIX_E_ARG;
    if (!s->is_tty) {
        s->baud = baud;
        return 0;
    }
    /* Bytes still in the output queue belong to the old rate. */
    (void)tcdrain(s->fd);
    struct termios t;
    if (tcgetattr(s->fd, &t) < 0)
        return LFW_POSIX_E_IO;
    int rc = apply_baud(s->fd, &t, baud);
    if (rc < 0)
        return rc;
    s->baud = baud;
    return 0;
}

static int remaining_ms(uint64_t deadline, int timeout_ms)
{
    if (timeout_ms < 0)
        return -1;
    uint64_t now = lfw_posix_now_ms();
    return now >= deadline ? 0 : (int)(deadline - now);
}

ssize_t lfw_posix_serial_read(struct lfw_posix_serial *s, void *buf, size_t len, int timeout_ms)
{
    if (s && s->fd < 0 && s->path[0])
        return LFW_POSIX_E_CLOSED; /* gone; lfw_posix_serial_reopen() brings it back */
    if (!s || s->fd < 0 || (!buf && len))
        return LFW_POSIX_E_ARG;
    if (len == 0)
        return 0;
    uint64_t deadline = lfw_posix_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        ssize_t n = read(s->fd, buf, len);
        if (n > 0)
            return n;
        if (n == 0)
            return LFW_POSIX_E_CLOSED;
        if (errno == EIO)
            return LFW_POSIX_E_CLOSED; /* pty whose master is gone */
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return LFW_POSIX_E_IO;
        if (errno == EINTR)
            continue;
        int wait = remaining_ms(deadline, timeout_ms);
        if (wait == 0)
            return LFW_POSIX_E_TIMEOUT;
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int r = poll(&p, 1, wait);
        if (r < 0 && errno != EINTR)
            return LFW_POSIX_E_IO;
        if (r == 0)
            return LFW_POSIX_E_TIMEOUT;
        if (r > 0 && (p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLIN))
            return LFW_POSIX_E_CLOSED;
    }
}

ssize_t lfw_posix_serial_write(struct lfw_posix_serial *s, const void *buf, size_t len,
                               int timeout_ms)
{
    if (s && s->fd < 0 && s->path[0])
        return LFW_POSIX_E_CLOSED;
    if (!s || s->fd < 0 || (!buf && len))
        return LFW_POSIX_E_ARG;
    const unsigned char *p = buf;
    size_t done = 0;
    uint64_t deadline = lfw_posix_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    while (done < len) {
        ssize_t n = write(s->fd, p + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            deadline = lfw_posix_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EIO || errno == EPIPE))
            return LFW_POSIX_E_CLOSED;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return LFW_POSIX_E_IO;
        int wait = remaining_ms(deadline, timeout_ms);
        if (wait == 0)
            return LFW_POSIX_E_TIMEOUT;
        struct pollfd pf = {.fd = s->fd, .events = POLLOUT};
        int r = poll(&pf, 1, wait);
        if (r < 0 && errno != EINTR)
            return LFW_POSIX_E_IO;
        if (r == 0)
            return LFW_POSIX_E_TIMEOUT;
        if (r > 0 && (pf.revents & (POLLHUP | POLLERR)) && !(pf.revents & POLLOUT))
            return LFW_POSIX_E_CLOSED;
    }
    return (ssize_t)done;
}

void lfw_posix_serial_flush_input(struct lfw_posix_serial *s)
{
    if (!s || s->fd < 0)
        return;
    if (s->is_tty)
        (void)tcflush(s->fd, TCIFLUSH);
    unsigned char junk[256];
    while (read(s->fd, junk, sizeof junk) > 0) {
    }
}
