/* The POSIX port against a hostile kernel: every system call it makes for data is first
 * interrupted (EINTR) and then allowed only a few bytes (short reads and writes). Linked with
 * -Wl,--wrap=write,--wrap=read,--wrap=pread, so only the port's own calls are affected. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "larafw_posix.h"

ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __real_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __wrap_write(int fd, const void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_pread(int fd, void *buf, size_t len, off_t off);

static int hostile;         /* inject faults */
static unsigned calls;      /* data calls seen */
static unsigned interrupts; /* EINTRs injected */
#define SHORT_MAX 7

/* Odd calls fail with EINTR, even ones move at most SHORT_MAX bytes. */
static int interrupt_now(size_t *len)
{
    if (!hostile)
        return 0;
    calls++;
    if (calls % 2) {
        interrupts++;
        errno = EINTR;
        return 1;
    }
    if (*len > SHORT_MAX)
        *len = SHORT_MAX;
    return 0;
}

ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
    if (interrupt_now(&len))
        return -1;
    return __real_write(fd, buf, len);
}

ssize_t __wrap_read(int fd, void *buf, size_t len)
{
    if (interrupt_now(&len))
        return -1;
    return __real_read(fd, buf, len);
}

ssize_t __wrap_pread(int fd, void *buf, size_t len, off_t off)
{
    if (interrupt_now(&len))
        return -1;
    return __real_pread(fd, buf, len, off);
}

static void test_write_all_through_eintr_and_short_writes(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct lfw_posix_serial s;
    lfw_posix_serial_attach(&s, p[1]);
    uint8_t data[4000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    hostile = 1;
    calls = interrupts = 0;
    assert_int_equal(lfw_posix_serial_write(&s, data, sizeof data, 1000), (ssize_t)sizeof data);
    hostile = 0;
    assert_true(interrupts >= sizeof data / SHORT_MAX);
    uint8_t got[sizeof data];
    size_t n = 0;
    while (n < sizeof got) {
        ssize_t r = __real_read(p[0], got + n, sizeof got - n);
        assert_true(r > 0);
        n += (size_t)r;
    }
    assert_memory_equal(got, data, sizeof data);
    close(p[0]);
    lfw_posix_serial_close(&s);
}

static void test_read_through_eintr(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct lfw_posix_serial s;
    lfw_posix_serial_attach(&s, p[0]);
    assert_int_equal(__real_write(p[1], "OK\r\n", 4), 4);
    hostile = 1;
    calls = interrupts = 0;
    uint8_t b[16];
    size_t got = 0;
    while (got < 4) {
        ssize_t n = lfw_posix_serial_read(&s, b + got, sizeof b - got, 1000);
        assert_true(n > 0); /* EINTR is never reported as a failure */
        got += (size_t)n;
    }
    hostile = 0;
    assert_memory_equal(b, "OK\r\n", 4);
    assert_true(interrupts > 0);
    close(p[1]);
    lfw_posix_serial_close(&s);
}

static void test_file_read_through_eintr_and_short_reads(void **state)
{
    (void)state;
    char path[] = "/tmp/lfw-shim-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint8_t data[1029];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i ^ 0x5a);
    assert_int_equal(__real_write(fd, data, sizeof data), (ssize_t)sizeof data);
    close(fd);
    struct lfw_posix_file f;
    assert_int_equal(lfw_posix_file_open(&f, path), 0);
    uint8_t b[1024];
    hostile = 1;
    calls = interrupts = 0;
    /* one XMODEM-1K block's worth, and the 5-byte tail */
    assert_int_equal(lfw_posix_file_read(&f, 0, b, 1024), 1024);
    assert_memory_equal(b, data, 1024);
    assert_int_equal(lfw_posix_file_read(&f, 1024, b, 1024), 5);
    assert_memory_equal(b, data + 1024, 5);
    hostile = 0;
    assert_true(interrupts > 100);
    lfw_posix_file_close(&f);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_all_through_eintr_and_short_writes),
        cmocka_unit_test(test_read_through_eintr),
        cmocka_unit_test(test_file_read_through_eintr_and_short_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
