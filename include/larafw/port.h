/* The port: everything liblarafw needs from the platform, as a vtable + user pointer.
 *
 * The core never touches hardware, files or clocks itself; the POSIX port (src/posix) and an
 * MCU's UART driver are implementations of this struct. The core calls these functions only
 * from the caller's own thread, inside the liblarafw call that needs them.
 */
#ifndef LARAFW_PORT_H
#define LARAFW_PORT_H

#include <stddef.h>
#include <stdint.h>

struct lfw_port {
    /* Writes up to `len` bytes. Returns the count written (>= 0; a short count is retried by
     * the core) or a negative value on failure (the core reports LFW_EIO), or LFW_ECANCELED
     * (-9) when the platform was asked to stop: the core then ends the call with it. */
    int (*write)(void *user, const uint8_t *data, size_t len);
    /* Reads up to `cap` bytes, waiting at most `timeout_ms` for the first one (0 = poll).
     * Returns the count read, 0 on timeout, negative on failure (LFW_EIO for the caller), or
     * LFW_ECANCELED (-9) to end the waiting call at once (a signal asked the program to stop;
     * the core returns LFW_ECANCELED). May return fewer bytes than available; the core
     * reassembles. A read that returns bytes need not wait: the core checks its deadlines after
     * every read. */
    int (*read)(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms);
    /* Monotonic milliseconds; may wrap around 2^32 (the core compares wrap-safely). */
    uint32_t (*now_ms)(void *user);
    /* Changes the host side line rate, after all pending output has left the line.
     * Returns 0, or negative when the rate is not possible. May be NULL (no rate changes). */
    int (*set_baud)(void *user, uint32_t baud);
    void *user;
};

#endif /* LARAFW_PORT_H */
