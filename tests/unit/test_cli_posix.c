/* The POSIX port (src/posix) on a real pseudo-terminal: raw mode, rates incl. 921600 and
 * 3000000 and a rate without a B… constant, read timeout, write-all against a slow reader,
 * hang-up, the file source and the liblarafw port vtable. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "larafw_posix.h"
#ifdef LFW_HAVE_CORE
#include "larafw/port.h"
#include "larafw/source.h"
#endif

struct pair {
    int master;
    char slave_path[128];
    struct lfw_posix_serial s;
};

static void open_pair(struct pair *p, uint32_t baud)
{
    int slave;
    assert_int_equal(openpty(&p->master, &slave, p->slave_path, NULL, NULL), 0);
    /* the port opens the path itself, like the CLI does with larafw-sim's link */
    assert_int_equal(lfw_posix_serial_open(&p->s, p->slave_path, baud), 0);
    close(slave);
    assert_true(p->s.is_tty);
}

static void close_pair(struct pair *p)
{
    lfw_posix_serial_close(&p->s);
    if (p->master >= 0)
        close(p->master);
}

static void test_raw_mode_and_rates(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, 115200);
    struct termios t;
    assert_int_equal(tcgetattr(p.s.fd, &t), 0);
    assert_int_equal(t.c_lflag & (ICANON | ECHO | ISIG), 0);
    assert_int_equal(t.c_oflag & OPOST, 0);
    assert_int_equal(t.c_cflag & CSIZE, CS8);
    assert_int_equal(cfgetospeed(&t), B115200);
    assert_int_equal(lfw_posix_serial_set_baud(&p.s, 921600), 0);
    assert_int_equal(tcgetattr(p.s.fd, &t), 0);
    assert_int_equal(cfgetospeed(&t), B921600);
    assert_int_equal(lfw_posix_serial_set_baud(&p.s, 3000000), 0);
    assert_int_equal(tcgetattr(p.s.fd, &t), 0);
    assert_int_equal(cfgetospeed(&t), B3000000);
    /* no B… constant: termios2 / BOTHER */
    assert_int_equal(lfw_posix_serial_set_baud(&p.s, 250000), 0);
    assert_int_equal(p.s.baud, 250000);
    assert_int_equal(lfw_posix_serial_set_baud(&p.s, 115200), 0);
    assert_int_equal(lfw_posix_serial_set_baud(&p.s, 0), LFW_POSIX_E_ARG);
    close_pair(&p);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct lfw_posix_serial s;
    assert_int_equal(lfw_posix_serial_open(&s, "/nonexistent/tty", 115200), LFW_POSIX_E_IO);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(lfw_posix_serial_open(&s, "", 115200), LFW_POSIX_E_ARG);
    lfw_posix_serial_close(&s); /* harmless */
}

/* flock(LOCK_EX): a second open of the same terminal fails at once and names the holder
 * (this process: flock locks belong to open file descriptions), and works once the first
 * one is closed. Root is kept out as well (unlike TIOCEXCL). */
static void test_lock_is_exclusive_and_ends_with_close(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, 115200);
    struct lfw_posix_serial second;
    assert_int_equal(lfw_posix_serial_open(&second, p.slave_path, 115200), LFW_POSIX_E_BUSY);
    assert_int_equal(errno, EBUSY);
    assert_int_equal(second.fd, -1);
    assert_int_equal(second.holder_pid, (long)getpid());
    char comm[64] = "";
    FILE *f = fopen("/proc/self/comm", "r");
    assert_non_null(f);
    assert_non_null(fgets(comm, sizeof comm, f));
    fclose(f);
    comm[strcspn(comm, "\n")] = '\0';
    assert_string_equal(second.holder, comm);
    lfw_posix_serial_close(&p.s);
    assert_int_equal(lfw_posix_serial_open(&second, p.slave_path, 115200), 0);
    assert_int_equal(second.holder_pid, 0);
    lfw_posix_serial_close(&second);
    close(p.master);
}

/* A TIOCEXCL that another program left on the terminal is cleared (it outlives processes
 * and would lock out every non-root user); larafw never sets it. */
static void test_open_clears_tiocexcl(void **state)
{
    (void)state;
    int master, slave;
    char path[128];
    assert_int_equal(openpty(&master, &slave, path, NULL, NULL), 0);
    struct lfw_posix_serial s;
    int excl = 0;
#if defined(TIOCGEXCL)
    assert_int_equal(lfw_posix_serial_open(&s, path, 115200), 0);
    assert_int_equal(ioctl(s.fd, TIOCGEXCL, &excl), 0);
    assert_int_equal(excl, 0); /* not set by larafw */
    lfw_posix_serial_close(&s);
    if (geteuid() == 0) {
        assert_int_equal(ioctl(slave, TIOCEXCL), 0);
        assert_int_equal(lfw_posix_serial_open(&s, path, 115200), 0); /* root may */
        assert_int_equal(ioctl(s.fd, TIOCGEXCL, &excl), 0);
        assert_int_equal(excl, 0); /* cleared */
        lfw_posix_serial_close(&s);
    } else {
        assert_int_equal(ioctl(slave, TIOCEXCL), 0);
        assert_int_equal(lfw_posix_serial_open(&s, path, 115200), LFW_POSIX_E_IO);
        assert_int_equal(errno, EBUSY); /* the CLI explains TIOCEXCL */
    }
#else
    (void)excl;
    skip();
#endif
    close(slave);
    close(master);
}

/* A regular file or a directory is no line: refused before anything is written to it. */
static void test_open_refuses_files(void **state)
{
    (void)state;
    char path[] = "/tmp/lfw-posix-notatty-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct lfw_posix_serial s;
    assert_int_equal(lfw_posix_serial_open(&s, path, 115200), LFW_POSIX_E_NOTSERIAL);
    assert_int_equal(s.fd, -1);
    unlink(path);
    /* a character device that is no terminal opens (the core then judges what it says) */
    assert_int_equal(lfw_posix_serial_open(&s, "/dev/null", 115200), 0);
    assert_false(s.is_tty);
    lfw_posix_serial_close(&s);
}

static void test_read_timeout_and_data(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, 115200);
    uint8_t b[64];
    uint64_t t0 = lfw_posix_now_ms();
    assert_int_equal(lfw_posix_serial_read(&p.s, b, sizeof b, 50), LFW_POSIX_E_TIMEOUT);
    uint64_t dt = lfw_posix_now_ms() - t0;
    assert_true(dt >= 45 && dt < 2000);
    assert_int_equal(lfw_posix_serial_read(&p.s, b, sizeof b, 0), LFW_POSIX_E_TIMEOUT);
    assert_int_equal(write(p.master, "OK\r\n\x00\xff", 6), 6);
    size_t got = 0;
    while (got < 6) {
        ssize_t n = lfw_posix_serial_read(&p.s, b + got, sizeof b - got, 1000);
        assert_true(n > 0);
        got += (size_t)n;
    }
    assert_memory_equal(b, "OK\r\n\x00\xff", 6); /* raw: no CR/LF mapping */
    close_pair(&p);
}

struct reader {
    int fd;
    size_t want;
    size_t got;
    uint32_t sum;
};

static void *slow_reader(void *arg)
{
    struct reader *r = arg;
    uint8_t b[333];
    while (r->got < r->want) {
        ssize_t n = read(r->fd, b, sizeof b);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            r->sum += b[i];
        r->got += (size_t)n;
        usleep(100); /* keeps the pty buffer full: the writer meets EAGAIN */
    }
    return NULL;
}

static void test_write_all(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, 115200);
    size_t len = 256 * 1024;
    uint8_t *data = malloc(len);
    assert_non_null(data);
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        data[i] = (uint8_t)(i * 7 + 3);
        sum += data[i];
    }
    struct reader r = {.fd = p.master, .want = len};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, slow_reader, &r), 0);
    assert_int_equal(lfw_posix_serial_write(&p.s, data, len, 5000), (ssize_t)len);
    pthread_join(th, NULL);
    assert_int_equal(r.got, len);
    assert_int_equal(r.sum, sum);
    free(data);
    close_pair(&p);
}

static void test_write_stall_times_out(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, 115200);
    uint8_t data[4096];
    memset(data, 'x', sizeof data);
    ssize_t rc = 0;
    for (int i = 0; i < 1000 && rc >= 0; i++)
        rc = lfw_posix_serial_write(&p.s, data, sizeof data, 30);
    assert_int_equal(rc, LFW_POSIX_E_TIMEOUT);
    close_pair(&p);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* A signal every 2 ms without SA_RESTART: poll() and write() see EINTR all the time. */
static void test_eintr(void **state)
{
    (void)state;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
    struct itimerval it = {{0, 2000}, {0, 2000}}, off = {{0, 0}, {0, 0}};
    alarms = 0;
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);

    struct pair p;
    open_pair(&p, 115200);
    uint8_t b[16];
    uint64_t t0 = lfw_posix_now_ms();
    assert_int_equal(lfw_posix_serial_read(&p.s, b, sizeof b, 100), LFW_POSIX_E_TIMEOUT);
    assert_true(lfw_posix_now_ms() - t0 >= 95); /* not cut short by the signals */

    size_t len = 128 * 1024;
    uint8_t *data = malloc(len);
    assert_non_null(data);
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        data[i] = (uint8_t)(i * 13);
        sum += data[i];
    }
    struct reader r = {.fd = p.master, .want = len};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, slow_reader, &r), 0);
    assert_int_equal(lfw_posix_serial_write(&p.s, data, len, 5000), (ssize_t)len);
    pthread_join(th, NULL);
    assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
    sigaction(SIGALRM, &old, NULL);
    assert_int_equal(r.got, len);
    assert_int_equal(r.sum, sum);
    assert_true(alarms > 10);
    free(data);
    close_pair(&p);
}

static void test_hangup(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, 115200);
    close(p.master);
    p.master = -1;
    uint8_t b[8];
    assert_int_equal(lfw_posix_serial_read(&p.s, b, sizeof b, 100), LFW_POSIX_E_CLOSED);
    close_pair(&p);
}

static void test_file_source(void **state)
{
    (void)state;
    char path[] = "/tmp/lfw-posix-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    assert_int_equal(write(fd, data, sizeof data), (ssize_t)sizeof data);
    close(fd);

    struct lfw_posix_file f;
    assert_int_equal(lfw_posix_file_open(&f, path), 0);
    assert_int_equal(f.size, sizeof data);
    uint8_t b[1024];
    assert_int_equal(lfw_posix_file_read(&f, 1024, b, 1024), 1024);
    assert_memory_equal(b, data + 1024, 1024);
    assert_int_equal(lfw_posix_file_read(&f, 2048, b, 1024), 952); /* short at the end */
    assert_memory_equal(b, data + 2048, 952);
    assert_int_equal(lfw_posix_file_read(&f, 5000, b, 1024), 0);
    assert_int_equal(lfw_posix_file_read(&f, 0, b, 10), 10); /* any order */
    assert_memory_equal(b, data, 10);
#ifdef LFW_HAVE_CORE
    struct lfw_source src;
    assert_int_equal(lfw_posix_source_init(&src, &f), 0);
    assert_int_equal(src.size, sizeof data);
    assert_int_equal(src.read(src.user, 2990, b, 1024), 10);
    assert_memory_equal(b, data + 2990, 10);
#endif
    lfw_posix_file_close(&f);
    unlink(path);

    assert_int_equal(lfw_posix_file_open(&f, "/tmp"), LFW_POSIX_E_ARG);
    assert_int_equal(lfw_posix_file_open(&f, "/nonexistent.upd"), LFW_POSIX_E_IO);
}

#ifdef LFW_HAVE_CORE
static void test_port_vtable(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, 115200);
    struct lfw_port port;
    lfw_posix_port_init(&port, &p.s);
    uint8_t b[16];
    assert_int_equal(port.read(port.user, b, sizeof b, 20), 0); /* timeout → 0 */
    assert_int_equal(port.write(port.user, (const uint8_t *)"AT\r", 3), 3);
    assert_int_equal(read(p.master, b, sizeof b), 3);
    assert_memory_equal(b, "AT\r", 3);
    assert_int_equal(port.set_baud(port.user, 3000000), 0);
    uint32_t t0 = port.now_ms(port.user);
    assert_int_equal(port.read(port.user, b, sizeof b, 30), 0);
    assert_true((uint32_t)(port.now_ms(port.user) - t0) >= 25);
    close(p.master);
    p.master = -1;
    assert_true(port.read(port.user, b, sizeof b, 100) < 0);
    close_pair(&p);
}
#endif

#ifdef LFW_HAVE_CORE
/* A device that vanishes and comes back under its name (a module's USB port, §3.1): the port
 * opens it again. A symlink stands for the device name; ptys are not revivable by default
 * (their numbers are reused), so the test marks the line revivable itself. */
static void test_port_revives_vanished_device(void **state)
{
    (void)state;
    char dir[] = "/tmp/lfw-revive-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char link[128];
    snprintf(link, sizeof link, "%s/ttyACM", dir);

    int m1, sl1, m2, sl2;
    char p1[128], p2[128];
    assert_int_equal(openpty(&m1, &sl1, p1, NULL, NULL), 0);
    assert_int_equal(symlink(p1, link), 0);
    struct lfw_posix_serial s;
    assert_int_equal(lfw_posix_serial_open(&s, link, 921600), 0);
    assert_false(s.revivable); /* a pty */
    s.revivable = 1;
    close(sl1);
    struct lfw_port port;
    lfw_posix_port_init(&port, &s);

    close(m1); /* the device goes away, with its name (a pts number is soon reused) */
    assert_int_equal(unlink(link), 0);
    uint8_t b[8];
    uint64_t t0 = lfw_posix_now_ms();
    assert_true(port.read(port.user, b, sizeof b, 1000) < 0); /* absent: fails, no spin */
    assert_true(lfw_posix_now_ms() - t0 >= 200);
    assert_true(port.write(port.user, (const uint8_t *)"AT\r", 3) < 0);

    assert_int_equal(openpty(&m2, &sl2, p2, NULL, NULL), 0); /* ...and comes back */
    close(sl2);
    assert_int_equal(symlink(p2, link), 0);
    assert_int_equal(port.read(port.user, b, sizeof b, 50), 0); /* reopened, nothing yet */
    assert_int_equal(s.baud, 921600);                           /* at the same rate */
    assert_int_equal(write(m2, "OK", 2), 2);
    assert_int_equal(port.read(port.user, b, sizeof b, 1000), 2);
    assert_memory_equal(b, "OK", 2);
    assert_int_equal(port.write(port.user, (const uint8_t *)"AT\r", 3), 3);

    lfw_posix_serial_close(&s);
    close(m2);
    unlink(link);
    rmdir(dir);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_mode_and_rates),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_lock_is_exclusive_and_ends_with_close),
        cmocka_unit_test(test_open_clears_tiocexcl),
        cmocka_unit_test(test_open_refuses_files),
        cmocka_unit_test(test_read_timeout_and_data),
        cmocka_unit_test(test_write_all),
        cmocka_unit_test(test_write_stall_times_out),
        cmocka_unit_test(test_eintr),
        cmocka_unit_test(test_hangup),
        cmocka_unit_test(test_file_source),
#ifdef LFW_HAVE_CORE
        cmocka_unit_test(test_port_vtable),
        cmocka_unit_test(test_port_revives_vanished_device),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
