/* POSIX port of liblarafw: a serial line (termios, or a pseudo-terminal such as larafw-sim's),
 * the monotonic clock, and a file as the data source of an upload (XMODEM, +UDWNFILE).
 *
 * Host-only code: it may block, allocate and call the OS. Functions return 0 or a negative
 * LFW_POSIX_E… code; errno is kept from the failing call so that callers can print
 * strerror(errno). The CLI (src/cli) and tests use it; the portable core never does.
 */
#ifndef LARAFW_POSIX_H
#define LARAFW_POSIX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LFW_POSIX_WARN_UNUSED __attribute__((warn_unused_result))

enum lfw_posix_error {
    LFW_POSIX_OK = 0,
    LFW_POSIX_E_IO = -1,        /* a system call failed; errno tells which way */
    LFW_POSIX_E_TIMEOUT = -2,   /* nothing arrived before the deadline */
    LFW_POSIX_E_BAUD = -3,      /* the rate is not one this system can set */
    LFW_POSIX_E_ARG = -4,       /* invalid argument */
    LFW_POSIX_E_CLOSED = -5,    /* the other end went away (hang-up, EOF) */
    LFW_POSIX_E_BUSY = -6,      /* another process holds the port's lock (holder_pid, holder) */
    LFW_POSIX_E_NOTSERIAL = -7, /* a regular file, a directory, a block device: no line */
};

/* Text for an LFW_POSIX_E… code. */
const char *lfw_posix_strerror(int err);

/* ---- clock ------------------------------------------------------------------------------ */

/* Milliseconds of CLOCK_MONOTONIC; never goes back. */
uint64_t lfw_posix_now_ms(void);

/* ---- serial line ------------------------------------------------------------------------ */

#define LFW_POSIX_PATH_MAX 4096

struct lfw_posix_serial {
    int fd;
    uint32_t baud;
    int is_tty;                    /* 1 when termios applies (real UART or pty) */
    char path[LFW_POSIX_PATH_MAX]; /* for lfw_posix_serial_reopen(); "" when attached */
    /* The device may vanish and come back under its name (a USB port, §3.1). Not for a
     * pseudo-terminal: a dead pty's number is soon another program's. */
    int revivable;
    /* After LFW_POSIX_E_BUSY: the process that holds the port (0 / "" when unknown). */
    long holder_pid;
    char holder[32]; /* its program name (/proc/PID/comm), never its arguments */
};

/* Opens `path` read/write in raw 8N1 mode without flow control at `baud`. Works on a
 * pseudo-terminal as well (the rate is then only recorded). A terminal is locked for this
 * process alone with flock(LOCK_EX) — the lock ends with the descriptor or the process, and
 * keeps out root too — and a TIOCEXCL left on it by another program is cleared. Other
 * character devices, FIFOs and sockets are opened unlocked, without termios.
 * Errors: LFW_POSIX_E_BUSY (another process holds the lock: s->holder_pid and s->holder name
 * it when /proc/locks tells), LFW_POSIX_E_NOTSERIAL (a regular file, a directory…),
 * LFW_POSIX_E_IO (errno from open/tcsetattr; EBUSY when the terminal is exclusive, TIOCEXCL,
 * and this process is not root), LFW_POSIX_E_BAUD, LFW_POSIX_E_ARG. */
LFW_POSIX_WARN_UNUSED int lfw_posix_serial_open(struct lfw_posix_serial *s, const char *path,
                                                uint32_t baud);

/* Wraps an already open descriptor (a pipe, a socket, a pty master in tests). Raw mode and
 * rates are applied only when it is a terminal. Never fails for a valid fd. */
void lfw_posix_serial_attach(struct lfw_posix_serial *s, int fd);

/* Opens the line again at its path and rate, after it went away: a module's USB port
 * disappears while it installs and comes back after the reboot (§3.1). Returns 0, or
 * LFW_POSIX_E_IO (errno: ENOENT while the device is absent), LFW_POSIX_E_BUSY (another
 * program took the port meanwhile), LFW_POSIX_E_ARG (attached fd). */
LFW_POSIX_WARN_UNUSED int lfw_posix_serial_reopen(struct lfw_posix_serial *s);

/* Closes the line; safe on a closed or zeroed object. */
void lfw_posix_serial_close(struct lfw_posix_serial *s);

/* Changes the line rate: standard B… constants where they exist, Linux termios2 (BOTHER)
 * otherwise, so 921600 and 3000000 always work on Linux. Output already queued is drained
 * first. Errors: LFW_POSIX_E_BAUD (rate unknown to this system), LFW_POSIX_E_IO. */
LFW_POSIX_WARN_UNUSED int lfw_posix_serial_set_baud(struct lfw_posix_serial *s, uint32_t baud);

/* Reads up to `len` bytes, waiting at most `timeout_ms` (0: poll once, <0: forever) for the
 * first. Returns the count (> 0), LFW_POSIX_E_TIMEOUT, LFW_POSIX_E_CLOSED or LFW_POSIX_E_IO.
 * EINTR is retried with the remaining time. */
LFW_POSIX_WARN_UNUSED ssize_t lfw_posix_serial_read(struct lfw_posix_serial *s, void *buf,
                                                    size_t len, int timeout_ms);

/* Writes all `len` bytes: retries short writes, EINTR, and EAGAIN (waits with poll, at most
 * `timeout_ms` without progress, <0 forever). Returns `len`, LFW_POSIX_E_TIMEOUT,
 * LFW_POSIX_E_CLOSED or LFW_POSIX_E_IO. */
LFW_POSIX_WARN_UNUSED ssize_t lfw_posix_serial_write(struct lfw_posix_serial *s, const void *buf,
                                                     size_t len, int timeout_ms);

/* Discards unread input (tcflush on a terminal, reads until empty otherwise). */
void lfw_posix_serial_flush_input(struct lfw_posix_serial *s);

/* Internal to the port: sets a rate without a B… constant through termios2 (Linux).
 * Returns 0, LFW_POSIX_E_BAUD where unsupported, LFW_POSIX_E_IO. */
int lfw_posix_set_custom_baud(int fd, uint32_t baud);

/* ---- file data source ------------------------------------------------------------------- */

struct lfw_posix_file {
    int fd;
    uint64_t size;
};

/* Opens a package for reading; records its size. Errors: LFW_POSIX_E_IO (errno),
 * LFW_POSIX_E_ARG (not a regular file, or empty). */
LFW_POSIX_WARN_UNUSED int lfw_posix_file_open(struct lfw_posix_file *f, const char *path);

/* Reads up to `len` bytes at `offset` (pread, retried on EINTR and short reads). Returns the
 * count (< len only at the end of the file; 0 past it) or LFW_POSIX_E_IO. */
LFW_POSIX_WARN_UNUSED ssize_t lfw_posix_file_read(struct lfw_posix_file *f, uint64_t offset,
                                                  void *buf, size_t len);

void lfw_posix_file_close(struct lfw_posix_file *f);

/* ---- liblarafw port and source (port.c) ------------------------------------------------- */

struct lfw_port;
struct lfw_source;

/* Fills `port` with the serial line's functions: write-all (10 s without progress is a
 * failure), read with timeout (0 on timeout), CLOCK_MONOTONIC ms, set_baud. `s` must outlive
 * the port. When the line has gone away (hang-up, USB port removed), read and write try to
 * open it again; while the device is absent they fail after waiting up to 250 ms (or the read
 * timeout), so that a caller polling the module does not spin. */
void lfw_posix_port_init(struct lfw_port *port, struct lfw_posix_serial *s);

/* Fills `src` to read `f` by offset. Returns 0, or LFW_POSIX_E_ARG when the file is larger
 * than the 4 GiB the core's source can address. `f` must outlive the source. */
LFW_POSIX_WARN_UNUSED int lfw_posix_source_init(struct lfw_source *src, struct lfw_posix_file *f);

#endif
