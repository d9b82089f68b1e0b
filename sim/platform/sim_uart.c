/* The module's serial interfaces: one pseudo-terminal per interface (primary UART, optional
 * USB), line assembly with echo (ATE), raw byte mode for XMODEM and the +UDWNFILE prompt,
 * queued output and, with --pace, a line that moves no more than +IPR/10 bytes per second of
 * module time in either direction (start bit + 8 data bits + stop bit). */
#define _GNU_SOURCE
#include "sim_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* Output waiting for a host that does not read is capped; the rest is lost, as on a wire. */
#define SIM_OUT_MAX    (8u * 1024u * 1024u)
#define SIM_READ_CHUNK 4096

static const char *const sim_if_names[SIM_IF_COUNT] = {"uart", "usb"};

/* ---- pty setup ---- */

static int sim_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        return -1;
    return 0;
}

static int sim_link_replace(const char *target, const char *link)
{
    struct stat st;
    if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
        fprintf(stderr, "larafw-sim: %s exists and is not a symlink; not replacing it\n", link);
        return -1;
    }
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp%ld", link, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        fprintf(stderr, "larafw-sim: link path too long: %s\n", link);
        return -1;
    }
    (void)unlink(tmp);
    if (symlink(target, tmp) != 0) {
        fprintf(stderr, "larafw-sim: symlink %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    if (rename(tmp, link) != 0) {
        fprintf(stderr, "larafw-sim: rename %s -> %s: %s\n", tmp, link, strerror(errno));
        (void)unlink(tmp);
        return -1;
    }
    return 0;
}

int sim_uart_open(struct sim *s, enum sim_if iface, const char *link)
{
    struct sim_port *p = &s->port[iface];
    if (strlen(link) >= sizeof p->link) {
        fprintf(stderr, "larafw-sim: link path too long: %s\n", link);
        return -1;
    }
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0) {
        fprintf(stderr, "larafw-sim: posix_openpt: %s\n", strerror(errno));
        return -1;
    }
    const char *slave = NULL;
    if (grantpt(m) != 0 || unlockpt(m) != 0 || (slave = ptsname(m)) == NULL ||
        sim_set_nonblock(m) != 0) {
        fprintf(stderr, "larafw-sim: pty setup: %s\n", strerror(errno));
        close(m);
        return -1;
    }
    /* Keep one slave descriptor ourselves: the master then never sees a hang-up between two
     * host programs, and the raw settings below stay in force. */
    int sl = open(slave, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (sl < 0) {
        fprintf(stderr, "larafw-sim: open %s: %s\n", slave, strerror(errno));
        close(m);
        return -1;
    }
    struct termios tio;
    if (tcgetattr(sl, &tio) != 0) {
        fprintf(stderr, "larafw-sim: tcgetattr: %s\n", strerror(errno));
        close(sl);
        close(m);
        return -1;
    }
    cfmakeraw(&tio);
    (void)cfsetispeed(&tio, B115200);
    (void)cfsetospeed(&tio, B115200);
    if (tcsetattr(sl, TCSANOW, &tio) != 0) {
        fprintf(stderr, "larafw-sim: tcsetattr: %s\n", strerror(errno));
        close(sl);
        close(m);
        return -1;
    }
    if (sim_link_replace(slave, link) != 0) {
        close(sl);
        close(m);
        return -1;
    }
    p->present = true;
    p->master_fd = m;
    p->slave_fd = sl;
    snprintf(p->link, sizeof p->link, "%s", link);
    return 0;
}

void sim_uart_close(struct sim *s, enum sim_if iface)
{
    struct sim_port *p = &s->port[iface];
    if (!p->present)
        return;
    (void)unlink(p->link);
    close(p->master_fd);
    close(p->slave_fd);
    free(p->out);
    p->out = NULL;
    p->out_len = p->out_cap = p->out_off = 0;
    p->present = false;
}

/* ---- pacing ---- */

static double sim_pace_burst(const struct sim_port *p)
{
    double per_ms = (double)p->baud / 10.0 / 1000.0;
    double burst = per_ms * 20.0; /* 20 ms of line time */
    return burst < 64.0 ? 64.0 : burst;
}

static void sim_pace_update(struct sim *s, struct sim_port *p)
{
    uint64_t now_us = sim_now_ms(s) * 1000u;
    if (now_us <= p->pace_last_us)
        return;
    double add = (double)(now_us - p->pace_last_us) * (double)p->baud / 10.0 / 1e6;
    p->pace_last_us = now_us;
    double burst = sim_pace_burst(p);
    p->pace_out_credit = p->pace_out_credit + add > burst ? burst : p->pace_out_credit + add;
    p->pace_in_credit = p->pace_in_credit + add > burst ? burst : p->pace_in_credit + add;
}

/* Module ms until `credit` reaches one byte. */
static uint64_t sim_pace_wait_ms(const struct sim_port *p, double credit)
{
    if (credit >= 1.0 || p->baud == 0)
        return 0;
    double ms = (1.0 - credit) * 10.0 * 1000.0 / (double)p->baud;
    uint64_t w = (uint64_t)ms + 1;
    return w;
}

void sim_set_rate(struct sim *s, enum sim_if iface, uint32_t baud)
{
    struct sim_port *p = &s->port[iface];
    p->baud = baud ? baud : SIM_FACTORY_IPR;
    p->pace_last_us = sim_now_ms(s) * 1000u;
    p->pace_in_credit = p->pace_out_credit = 0.0;
}

/* ---- output ---- */

static void sim_out_drain(struct sim *s, struct sim_port *p)
{
    while (p->out_len > 0) {
        size_t n = p->out_len;
        if (s->pace) {
            sim_pace_update(s, p);
            if (p->pace_out_credit < 1.0)
                return;
            if ((double)n > p->pace_out_credit)
                n = (size_t)p->pace_out_credit;
        }
        ssize_t w = write(p->master_fd, p->out + p->out_off, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                fprintf(stderr, "larafw-sim: write %s: %s\n", p->link, strerror(errno));
            return;
        }
        if (w == 0)
            return;
        p->out_off += (size_t)w;
        p->out_len -= (size_t)w;
        if (p->out_len == 0)
            p->out_off = 0;
        if (s->pace)
            p->pace_out_credit -= (double)w;
    }
}

void sim_write(struct sim *s, enum sim_if iface, const void *buf, size_t len)
{
    if ((unsigned)iface >= SIM_IF_COUNT || len == 0)
        return;
    struct sim_port *p = &s->port[iface];
    if (p->muted)
        return;
    if (s->out_hook) {
        s->out_hook(s, iface, buf, len);
        return;
    }
    if (!p->present)
        return;
    if (len > SIM_OUT_MAX - p->out_len) {
        fprintf(stderr, "larafw-sim: %s: host not reading, %zu bytes of output lost\n",
                sim_if_names[iface], len);
        return;
    }
    /* compact only when at least as much was consumed as remains: amortised O(1) per byte */
    if (p->out_off > 0 && p->out_off >= p->out_len && p->out_off + p->out_len + len > p->out_cap) {
        memmove(p->out, p->out + p->out_off, p->out_len);
        p->out_off = 0;
    }
    if (p->out_off + p->out_len + len > p->out_cap) {
        size_t cap = p->out_cap ? p->out_cap : 4096;
        while (cap < p->out_off + p->out_len + len)
            cap *= 2;
        uint8_t *grown = realloc(p->out, cap);
        if (!grown) {
            fprintf(stderr, "larafw-sim: out of memory; output lost\n");
            return;
        }
        p->out = grown;
        p->out_cap = cap;
    }
    memcpy(p->out + p->out_off + p->out_len, buf, len);
    p->out_len += len;
    sim_out_drain(s, p);
}

/* Formats into a heap or stack buffer and writes "\r\n<text>\r\n". */
static void sim_vline(struct sim *s, enum sim_if iface, bool urc, const char *fmt, va_list ap)
    SIM_PRINTF(4, 0);
static void sim_vline(struct sim *s, enum sim_if iface, bool urc, const char *fmt, va_list ap)
{
    char small[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small + 2, sizeof small - 4, fmt, ap);
    char *buf = small;
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n >= sizeof small - 4) {
        buf = malloc((size_t)n + 5);
        if (!buf) {
            va_end(ap2);
            return;
        }
        (void)vsnprintf(buf + 2, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    buf[0] = '\r';
    buf[1] = '\n';
    buf[2 + n] = '\r';
    buf[3 + n] = '\n';
    sim_write(s, iface, buf, (size_t)n + 4);
    if (urc && (s->port[iface].present || s->out_hook)) {
        /* the report says what reached the line: a muted interface drops the URC */
        buf[2 + n] = '\0';
        sim_report(s, "urc", "%s%s %s", sim_if_names[iface],
                   s->port[iface].muted ? " (muted, dropped)" : "", buf + 2);
    }
    if (buf != small)
        free(buf);
}

void sim_line(struct sim *s, enum sim_if iface, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sim_vline(s, iface, false, fmt, ap);
    va_end(ap);
}

void sim_urc(struct sim *s, enum sim_if iface, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sim_vline(s, iface, true, fmt, ap);
    va_end(ap);
}

void sim_ok(struct sim *s, enum sim_if iface)
{
    sim_line(s, iface, "OK");
}

void sim_error(struct sim *s, enum sim_if iface)
{
    sim_line(s, iface, "ERROR");
}

static const struct {
    int code;
    const char *text;
} sim_cme_texts[] = {
    {SIM_CME_NOT_ALLOWED, "operation not allowed"},
    {SIM_CME_NOT_SUPPORTED, "operation not supported"},
    {SIM_CME_MEMORY_FULL, "memory full"},
    {SIM_CME_INVALID_INDEX, "invalid index"},
    {SIM_CME_NOT_FOUND, "not found"},
    {SIM_CME_TEXT_TOO_LONG, "text string too long"},
    {SIM_CME_INVALID_CHARS, "invalid characters in text string"},
    {SIM_CME_BAD_PARAMS, "incorrect parameters"},
    {SIM_CME_UNKNOWN, "unknown"},
};

const char *sim_cme_text(int code)
{
    for (size_t i = 0; i < sizeof sim_cme_texts / sizeof sim_cme_texts[0]; i++) {
        if (sim_cme_texts[i].code == code)
            return sim_cme_texts[i].text;
    }
    return "unknown";
}

void sim_cme_error(struct sim *s, enum sim_if iface, int code)
{
    switch (s->cmee) {
    case 1:
        sim_line(s, iface, "+CME ERROR: %d", code);
        break;
    case 2:
        sim_line(s, iface, "+CME ERROR: %s", sim_cme_text(code));
        break;
    default:
        sim_error(s, iface);
        break;
    }
}

/* ---- modes ---- */

void sim_raw_set(struct sim *s, enum sim_if iface, sim_raw_fn fn)
{
    if ((unsigned)iface >= SIM_IF_COUNT)
        return;
    s->port[iface].raw = fn;
}

void sim_mute(struct sim *s, enum sim_if iface, bool muted)
{
    if ((unsigned)iface >= SIM_IF_COUNT)
        return;
    s->port[iface].muted = muted;
}

void sim_uart_reset(struct sim *s, enum sim_if iface)
{
    struct sim_port *p = &s->port[iface];
    p->raw = NULL;
    p->line_len = 0;
    p->line_overflow = false;
}

/* ---- input ---- */

/* Feeds bytes in AT mode; switches to the raw handler as soon as a command sets one. */
static void sim_feed(struct sim *s, enum sim_if iface, const uint8_t *buf, size_t len)
{
    struct sim_port *p = &s->port[iface];
    size_t i = 0;
    while (i < len) {
        if (p->muted)
            return;
        if (p->raw) {
            p->raw(s, iface, buf + i, len - i);
            return;
        }
        uint8_t c = buf[i++];
        if (p->echo)
            sim_write(s, iface, &c, 1);
        if (c == '\r') { /* S3: command line termination */
            if (p->line_overflow) {
                sim_report(s, "note", "%s: command line longer than %d bytes discarded",
                           sim_if_names[iface], SIM_AT_LINE_MAX - 1);
                p->line_overflow = false;
                p->line_len = 0;
                sim_error(s, iface);
                continue;
            }
            size_t n = p->line_len;
            p->line_len = 0;
            if (n > 0)
                sim_dispatch_line(s, iface, p->line, n);
            continue;
        }
        if (c == '\n') /* S4: response formatting; ignored on input */
            continue;
        if (c == 0x08 || c == 0x7f) { /* S5: backspace edits the line */
            if (p->line_len > 0 && !p->line_overflow)
                p->line_len--;
            continue;
        }
        if (p->line_overflow)
            continue;
        if (p->line_len >= SIM_AT_LINE_MAX - 1) {
            p->line_overflow = true;
            continue;
        }
        p->line[p->line_len++] = (char)c;
    }
}

const char *sim_if_name(enum sim_if iface)
{
    return (unsigned)iface < SIM_IF_COUNT ? sim_if_names[iface] : "?";
}

void sim_uart_feed_at(struct sim *s, enum sim_if iface, const uint8_t *buf, size_t len)
{
    sim_feed(s, iface, buf, len);
}

int sim_uart_poll_setup(struct sim *s, struct pollfd *fds, enum sim_if *ifaces,
                        uint64_t *timeout_module_ms)
{
    int n = 0;
    for (int i = 0; i < SIM_IF_COUNT; i++) {
        struct sim_port *p = &s->port[i];
        if (!p->present)
            continue;
        short ev = 0;
        if (s->pace) {
            sim_pace_update(s, p);
            if (p->pace_in_credit >= 1.0) {
                ev |= POLLIN;
            } else {
                uint64_t w = sim_pace_wait_ms(p, p->pace_in_credit);
                if (w < *timeout_module_ms)
                    *timeout_module_ms = w;
            }
            if (p->out_len > 0) {
                if (p->pace_out_credit >= 1.0) {
                    ev |= POLLOUT;
                } else {
                    uint64_t w = sim_pace_wait_ms(p, p->pace_out_credit);
                    if (w < *timeout_module_ms)
                        *timeout_module_ms = w;
                }
            }
        } else {
            ev = POLLIN;
            if (p->out_len > 0)
                ev |= POLLOUT;
        }
        fds[n].fd = p->master_fd;
        fds[n].events = ev;
        fds[n].revents = 0;
        ifaces[n] = (enum sim_if)i;
        n++;
    }
    return n;
}

void sim_uart_service(struct sim *s, enum sim_if iface, short revents)
{
    struct sim_port *p = &s->port[iface];
    if (!p->present)
        return;
    if (revents & POLLIN) {
        uint8_t buf[SIM_READ_CHUNK];
        size_t want = sizeof buf;
        if (s->pace) {
            sim_pace_update(s, p);
            if (p->pace_in_credit < 1.0)
                want = 0;
            else if ((double)want > p->pace_in_credit)
                want = (size_t)p->pace_in_credit;
        }
        if (want > 0) {
            ssize_t r = read(p->master_fd, buf, want);
            if (r > 0) {
                if (s->pace)
                    p->pace_in_credit -= (double)r;
                size_t len = sim_fault_line(s, buf, (size_t)r);
                sim_feed(s, iface, buf, len);
            } else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                       errno != EIO) {
                fprintf(stderr, "larafw-sim: read %s: %s\n", p->link, strerror(errno));
            }
        }
    }
    sim_out_drain(s, p);
}

void sim_uart_flush_all(struct sim *s)
{
    for (int i = 0; i < SIM_IF_COUNT; i++) {
        if (s->port[i].present)
            sim_out_drain(s, &s->port[i]);
    }
}

void sim_uart_drain(struct sim *s, int max_host_ms)
{
    uint64_t end = sim_host_ns() + (uint64_t)max_host_ms * 1000000u;
    for (;;) {
        sim_uart_flush_all(s);
        bool pending = false;
        for (int i = 0; i < SIM_IF_COUNT; i++)
            pending = pending || (s->port[i].present && s->port[i].out_len > 0);
        uint64_t now = sim_host_ns();
        if (!pending || now >= end)
            return;
        struct pollfd fds[SIM_IF_COUNT];
        enum sim_if ifs[SIM_IF_COUNT];
        uint64_t t = UINT64_MAX;
        int n = sim_uart_poll_setup(s, fds, ifs, &t);
        for (int i = 0; i < n; i++)
            fds[i].events &= (short)~POLLIN;
        int wait = (int)((end - now) / 1000000u) + 1;
        int tw = sim_clock_host_ms(s, t);
        if (tw >= 0 && tw < wait)
            wait = tw;
        (void)poll(fds, (nfds_t)n, wait);
    }
}
