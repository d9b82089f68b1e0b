/* liblarafw's port vtable and data source over the POSIX serial line and file. */
#define _DEFAULT_SOURCE
#include "larafw_posix.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>

#include "larafw/port.h"
#include "larafw/source.h"

/* Longest time a write may make no progress before the line counts as dead. */
#define PORT_WRITE_STALL_MS 10000

/* Longest pause of a read or write while the device is absent. */
#define PORT_ABSENT_WAIT_MS 250

/* The line went away: close it and try to open it again (a USB port comes back after the
 * module's reboot, §3.1). Returns 0 when it is open again; otherwise waits up to
 * `wait_ms` (capped) so that callers polling the module do not spin, and returns -1. */
static int revive(struct lfw_posix_serial *s, uint32_t wait_ms)
{
    if (lfw_posix_serial_reopen(s) == 0)
        return 0;
    int saved = errno;
    if (wait_ms > PORT_ABSENT_WAIT_MS)
        wait_ms = PORT_ABSENT_WAIT_MS;
    (void)poll(NULL, 0, (int)wait_ms);
    errno = saved;
    return -1;
}

static int port_write(void *user, const uint8_t *data, size_t len)
{
    struct lfw_posix_serial *s = user;
    if (len > INT_MAX)
        len = INT_MAX;
    ssize_t n = lfw_posix_serial_write(s, data, len, PORT_WRITE_STALL_MS);
    if (n == LFW_POSIX_E_CLOSED && s->revivable && revive(s, PORT_ABSENT_WAIT_MS) == 0)
        n = lfw_posix_serial_write(s, data, len, PORT_WRITE_STALL_MS);
    return n < 0 ? -1 : (int)n;
}

static int port_read(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    struct lfw_posix_serial *s = user;
    if (cap > INT_MAX)
        cap = INT_MAX;
    int t = timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms;
    ssize_t n = lfw_posix_serial_read(s, buf, cap, t);
    if (n == LFW_POSIX_E_CLOSED && s->revivable) {
        if (revive(s, timeout_ms) < 0)
            return -1;
        return 0; /* open again, nothing read yet: the caller goes on with its deadline */
    }
    if (n == LFW_POSIX_E_TIMEOUT)
        return 0;
    return n < 0 ? -1 : (int)n;
}

static uint32_t port_now_ms(void *user)
{
    (void)user;
    return (uint32_t)lfw_posix_now_ms();
}

static int port_set_baud(void *user, uint32_t baud)
{
    return lfw_posix_serial_set_baud(user, baud) < 0 ? -1 : 0;
}

void lfw_posix_port_init(struct lfw_port *port, struct lfw_posix_serial *s)
{
    port->write = port_write;
    port->read = port_read;
    port->now_ms = port_now_ms;
    port->set_baud = port_set_baud;
    port->user = s;
}

static int source_read(void *user, uint32_t offset, uint8_t *buf, size_t len)
{
    if (len > INT_MAX)
        len = INT_MAX;
    ssize_t n = lfw_posix_file_read(user, offset, buf, len);
    return n < 0 ? -1 : (int)n;
}

int lfw_posix_source_init(struct lfw_source *src, struct lfw_posix_file *f)
{
    if (!src || !f || f->fd < 0 || f->size > UINT32_MAX)
        return LFW_POSIX_E_ARG;
    src->read = source_read;
    src->user = f;
    src->size = (uint32_t)f->size;
    return 0;
}
