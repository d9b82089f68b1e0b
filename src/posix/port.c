/* liblarafw's port vtable and data source over the POSIX serial line and file. */
#define _DEFAULT_SOURCE
#include "larafw_posix.h"

#include <limits.h>

#include "larafw/port.h"
#include "larafw/source.h"

/* Longest time a write may make no progress before the line counts as dead. */
#define PORT_WRITE_STALL_MS 10000

static int port_write(void *user, const uint8_t *data, size_t len)
{
    struct lfw_posix_serial *s = user;
    if (len > INT_MAX)
        len = INT_MAX;
    ssize_t n = lfw_posix_serial_write(s, data, len, PORT_WRITE_STALL_MS);
    return n < 0 ? -1 : (int)n;
}

static int port_read(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    struct lfw_posix_serial *s = user;
    if (cap > INT_MAX)
        cap = INT_MAX;
    int t = timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms;
    ssize_t n = lfw_posix_serial_read(s, buf, cap, t);
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
