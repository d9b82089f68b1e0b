/* Interop: liblarafw's XMODEM sender into lrzsz `rx`, a receiver nobody here wrote.
 *
 * Spawns `rx [-c] [--errors N] FILE` on a socketpair, sends a file through a tiny POSIX
 * port of this program's own (not src/posix), then compares what rx wrote: the file's bytes
 * followed only by 0x1A padding up to the block size. Cases: 1K + CRC, 128 + CRC,
 * 128 + checksum, 1K + CRC with injected CRC errors (NAK → retransmission).
 * Usage: interop_xmodem_rx [PATH_TO_RX]. Exit 0 = all passed, 77 = rx missing (skipped). */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "larafw/xmodem.h"

struct sock_port {
    int fd;
};

static uint32_t sock_now(void *user);

static int sock_write(void *user, const uint8_t *data, size_t len)
{
    struct sock_port *p = user;
    if (getenv("LARAFW_INTEROP_DEBUG") != NULL) {
        fprintf(stderr, "%u we send %zu bytes: %02x %02x\n", sock_now(NULL), len, data[0],
                len > 1 ? data[1] : 0);
    }
    for (;;) {
        ssize_t n = write(p->fd, data, len);
        if (n >= 0) {
            return (int)n;
        }
        if (errno == EAGAIN || errno == EINTR) {
            struct pollfd pfd = {p->fd, POLLOUT, 0};
            (void)poll(&pfd, 1, 100);
            continue;
        }
        return -1;
    }
}

static int sock_read(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    struct sock_port *p = user;
    struct pollfd pfd = {p->fd, POLLIN, 0};
    int r = poll(&pfd, 1, (int)timeout_ms);
    if (r < 0) {
        return errno == EINTR ? 0 : -1;
    }
    if (r == 0) {
        return 0;
    }
    ssize_t n = read(p->fd, buf, cap);
    if (n < 0) {
        if (getenv("LARAFW_INTEROP_DEBUG") != NULL) {
            fprintf(stderr, "read error %s\n", strerror(errno));
        }
        return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    }
    if (getenv("LARAFW_INTEROP_DEBUG") != NULL) {
        fprintf(stderr, "%u rx says:", sock_now(NULL));
        for (ssize_t i = 0; i < n; i++) {
            fprintf(stderr, " %02x", buf[i]);
        }
        fprintf(stderr, "\n");
    }
    return (int)n;
}

static uint32_t sock_now(void *user)
{
    (void)user;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

struct mem_source {
    const uint8_t *bytes;
};

static int mem_read(void *user, uint32_t offset, uint8_t *buf, size_t len)
{
    const struct mem_source *m = user;
    memcpy(buf, m->bytes + offset, len);
    return (int)len;
}

/* Runs one transfer; returns 0 when rx received the data intact. */
static int run_case(const char *rx, const char *dir, const char *name, uint16_t block, int crc,
                    const char *errors, size_t size)
{
    uint8_t *data = malloc(size);
    if (data == NULL) {
        return 1;
    }
    uint32_t seed = (uint32_t)size * 2654435761u;
    for (size_t i = 0; i < size; i++) {
        seed = seed * 1103515245u + 12345u;
        data[i] = (uint8_t)(seed >> 16);
    }
    char out[512];
    snprintf(out, sizeof out, "%s/%s.bin", dir, name);
    unlink(out);

    /* A socketpair, not a pty: at exit rx drains and then flushes its terminal both ways
     * (TCIOFLUSH), which on a pty can discard its final ACK of our EOT before we read it. On
     * a socket the flush is a no-op and the ACK arrives. */
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        free(data);
        return 1;
    }
    int master = sv[0];
    int slave = sv[1];
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        dup2(slave, 0);
        dup2(slave, 1);
        const char *log = getenv("LARAFW_INTEROP_RXLOG");
        int null = log != NULL ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)
                               : open("/dev/null", O_WRONLY);
        dup2(null, 2);
        close(master);
        close(slave);
        /* lrzsz refuses an absolute output path for root ("Security Violation"): run rx in
         * the work directory with a relative name. */
        if (chdir(dir) != 0) {
            _exit(126);
        }
        const char *rel = strrchr(out, '/') + 1;
        if (errors != NULL) {
            execl(rx, rx, getenv("LARAFW_INTEROP_RXLOG") ? "-vvvvv" : "-q", crc ? "-c" : "-b",
                  "--errors", errors, rel, (char *)NULL);
        } else {
            execl(rx, rx, getenv("LARAFW_INTEROP_RXLOG") ? "-vvvvv" : "-q", crc ? "-c" : "-b", rel,
                  (char *)NULL);
        }
        _exit(127);
    }
    close(slave);

    struct sock_port pp = {master};
    struct lfw_port port = {sock_write, sock_read, sock_now, NULL, &pp};
    static uint8_t block_buf[LFW_XMODEM_BUF_1K];
    struct lfw_xmodem_config cfg = {
        .port = &port,
        .block_buf = block_buf,
        .block_buf_size = sizeof block_buf,
        .block_size = block,
        .start_timeout_ms = 30000,
        .ack_timeout_ms = 5000,
    };
    struct mem_source ms = {data};
    struct lfw_source src = {mem_read, &ms, (uint32_t)size};
    struct lfw_xmodem x;
    int rc = lfw_xmodem_init(&x, &cfg);
    if (rc == 0) {
        rc = lfw_xmodem_send(&x, &src);
    }
    int status = 0;
    for (int i = 0; i < 100; i++) { /* up to 10 s for rx to finish */
        if (waitpid(pid, &status, WNOHANG) == pid) {
            pid = 0;
            break;
        }
        uint8_t drain[64];
        (void)sock_read(&pp, drain, sizeof drain, 100);
    }
    if (pid != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    close(master);

    int failed = 0;
    if (rc != 0) {
        fprintf(stderr, "%s: sender failed: %s\n", name, lfw_strerror(rc));
        failed = 1;
    }
    FILE *f = fopen(out, "rb");
    uint8_t *got = malloc(size + 2048);
    size_t n = 0;
    if (f != NULL && got != NULL) {
        n = fread(got, 1, size + 2048, f);
        fclose(f);
    } else {
        fprintf(stderr, "%s: rx wrote no file\n", name);
        failed = 1;
    }
    if (!failed) {
        size_t padded = (size + block - 1) / block * block;
        if (n < size || n > padded || memcmp(got, data, size) != 0) {
            fprintf(stderr, "%s: received %zu bytes, want %zu (+ padding up to %zu)\n", name, n,
                    size, padded);
            failed = 1;
        }
        for (size_t i = size; i < n && !failed; i++) {
            if (got[i] != LFW_XMODEM_PAD) {
                fprintf(stderr, "%s: byte %zu of the padding is 0x%02x\n", name, i, got[i]);
                failed = 1;
            }
        }
    }
    printf("%s: %s (%zu bytes, %u blocks, %u retransmissions, %s)\n", name, failed ? "FAIL" : "ok",
           size, x.blocks, x.retransmissions, x.crc ? "CRC" : "checksum");
    if (errors != NULL && !failed && x.retransmissions == 0) {
        fprintf(stderr, "%s: rx was told to corrupt data but nothing was sent again\n", name);
        failed = 1;
    }
    if (!failed) {
        unlink(out);
    }
    free(got);
    free(data);
    return failed;
}

int main(int argc, char **argv)
{
    const char *rx = argc > 1 ? argv[1] : "/usr/bin/rx";
    if (access(rx, X_OK) != 0) {
        printf("lrzsz rx not found at %s: skipped\n", rx);
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    char dir[] = "/tmp/larafw-xmodem-rx.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    int failed = 0;
    failed += run_case(rx, dir, "1k-crc", 1024, 1, NULL, 5000);
    failed += run_case(rx, dir, "128-crc", 128, 1, NULL, 1000);
    failed += run_case(rx, dir, "128-checksum", 128, 0, NULL, 777);
    failed += run_case(rx, dir, "1k-crc-exact", 1024, 1, NULL, 4096);
    failed += run_case(rx, dir, "1k-crc-errors", 1024, 1, "3000", 8000);
    if (failed == 0) {
        rmdir(dir);
    } else {
        fprintf(stderr, "files kept in %s\n", dir);
    }
    return failed == 0 ? 0 : 1;
}
