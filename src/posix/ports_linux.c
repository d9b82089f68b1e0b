/* u-blox serial ports from Linux sysfs, and a short AT probe (larafw_ports.h).
 *
 * sysfs: /sys/class/tty/<name>/device links to the USB interface (cdc_acm: ttyACM*) or to a
 * usb-serial port below it (option: ttyUSB*). The interface directory holds bInterfaceNumber
 * (hex) and a `driver` link; its parent, the USB device, holds idVendor, idProduct, product,
 * manufacturer and serial. */
#define _DEFAULT_SOURCE
#include "larafw_ports.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Levels between the tty's `device` link and the USB device: port → interface → device. */
#define WALK_UP_MAX 4

/* USB interface layout by product ID (vendor 0x1546). From the PIDs the Linux `option`
 * driver lists for these modules; the note does not give them (docs/cli.md). In every USB
 * configuration interface 0 is diagnostic and 1–3 are AT parsers; 4, where present, is a
 * network interface (RmNet or CDC-ECM) without a tty. */
struct usb_product {
    uint16_t pid;
    const char *model;
};
static const struct usb_product usb_products[] = {
    {0x1311, "LARA-R6 01B"}, {0x1312, "LARA-R6 01B (RmNet)"}, {0x1313, "LARA-R6 01B (CDC-ECM)"},
    {0x1341, "LARA-L6"},     {0x1342, "LARA-L6 (RmNet)"},     {0x1343, "LARA-L6 (CDC-ECM)"},
};

enum lfw_ports_role lfw_ports_role(uint16_t pid, int interface, const char **model)
{
    *model = NULL;
    for (size_t i = 0; i < sizeof usb_products / sizeof usb_products[0]; i++) {
        if (usb_products[i].pid != pid)
            continue;
        *model = usb_products[i].model;
        if (interface == 0)
            return LFW_PORTS_ROLE_DIAG;
        if (interface >= 1 && interface <= 3)
            return LFW_PORTS_ROLE_AT;
        return LFW_PORTS_ROLE_UNKNOWN;
    }
    return LFW_PORTS_ROLE_UNKNOWN;
}

void lfw_ports_roots_from_env(struct lfw_ports_roots *r)
{
    const char *sys = getenv("LARAFW_SYSFS_ROOT");
    const char *dev = getenv("LARAFW_DEV_DIR");
    r->sysfs = sys && *sys ? sys : "/sys";
    r->dev = dev && *dev ? dev : "/dev";
}

/* Reads the first line of dir/name into out (trailing whitespace cut). Returns 0 or -1. */
static int read_attr(const char *dir, const char *name, char *out, size_t cap)
{
    char p[PATH_MAX];
    out[0] = '\0';
    if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p)
        return -1;
    FILE *f = fopen(p, "re");
    if (!f)
        return -1;
    char *got = fgets(out, (int)cap, f);
    fclose(f);
    if (!got) {
        out[0] = '\0';
        return -1;
    }
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        out[--n] = '\0';
    return 0;
}

static int read_hex(const char *dir, const char *name, unsigned long max, unsigned long *v)
{
    char buf[32];
    if (read_attr(dir, name, buf, sizeof buf) < 0 || !buf[0])
        return -1;
    char *end;
    errno = 0;
    unsigned long x = strtoul(buf, &end, 16);
    if (errno || *end || x > max)
        return -1;
    *v = x;
    return 0;
}

static int has_attr(const char *dir, const char *name)
{
    char p[PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p)
        return 0;
    return access(p, F_OK) == 0;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

/* Cuts the last component of `p` in place; returns 0, or -1 at the top. */
static int go_up(char *p)
{
    char *slash = strrchr(p, '/');
    if (!slash || slash == p)
        return -1;
    *slash = '\0';
    return 0;
}

/* Fills the USB part of `e` for tty `name`; returns 0 when it is a u-blox USB port. */
static int describe(const char *sys_real, const char *tty_dir, const char *name,
                    struct lfw_ports_entry *e)
{
    char link[PATH_MAX], dir[PATH_MAX], iface[PATH_MAX] = "";
    if ((size_t)snprintf(link, sizeof link, "%s/%s/device", tty_dir, name) >= sizeof link)
        return -1;
    if (!realpath(link, dir))
        return -1; /* no device behind it: a virtual terminal, a pty */
    size_t root_len = strlen(sys_real);
    for (int level = 0; level <= WALK_UP_MAX; level++) {
        /* never leave the sysfs tree (a fake one in tests) */
        if (strncmp(dir, sys_real, root_len) != 0 || strlen(dir) <= root_len)
            return -1;
        if (!iface[0] && has_attr(dir, "bInterfaceNumber"))
            copy_str(iface, sizeof iface, dir);
        if (has_attr(dir, "idVendor"))
            break;
        if (level == WALK_UP_MAX || go_up(dir) < 0)
            return -1;
    }
    unsigned long vid, pid = 0, ifnum;
    if (read_hex(dir, "idVendor", 0xffff, &vid) < 0 || vid != LFW_PORTS_UBLOX_VID)
        return -1;
    memset(e, 0, sizeof *e);
    (void)read_hex(dir, "idProduct", 0xffff, &pid);
    e->vid = (uint16_t)vid;
    e->pid = (uint16_t)pid;
    copy_str(e->name, sizeof e->name, name);
    const char *base = strrchr(dir, '/');
    copy_str(e->usb, sizeof e->usb, base ? base + 1 : dir);
    (void)read_attr(dir, "product", e->product, sizeof e->product);
    (void)read_attr(dir, "manufacturer", e->manufacturer, sizeof e->manufacturer);
    (void)read_attr(dir, "serial", e->serial, sizeof e->serial);
    e->interface = -1;
    if (iface[0]) {
        if (read_hex(iface, "bInterfaceNumber", 0xff, &ifnum) == 0)
            e->interface = (int)ifnum;
        char drv[PATH_MAX], target[PATH_MAX];
        if ((size_t)snprintf(drv, sizeof drv, "%s/driver", iface) < sizeof drv) {
            ssize_t n = readlink(drv, target, sizeof target - 1);
            if (n > 0) {
                target[n] = '\0';
                const char *b = strrchr(target, '/');
                copy_str(e->driver, sizeof e->driver, b ? b + 1 : target);
            }
        }
    }
    e->role = lfw_ports_role(e->pid, e->interface, &e->model);
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct lfw_ports_entry *x = a, *y = b;
    int c = strcmp(x->usb, y->usb);
    if (c)
        return c;
    if (x->interface != y->interface)
        return x->interface < y->interface ? -1 : 1;
    return strcmp(x->name, y->name);
}

int lfw_ports_scan(const struct lfw_ports_roots *roots, struct lfw_ports_entry *out, size_t cap,
                   size_t *count)
{
    if (!roots || !roots->sysfs || !roots->dev || !count || (!out && cap))
        return LFW_POSIX_E_ARG;
    *count = 0;
    char sys_real[PATH_MAX], tty_dir[PATH_MAX];
    if (!realpath(roots->sysfs, sys_real))
        return 0;
    if ((size_t)snprintf(tty_dir, sizeof tty_dir, "%s/class/tty", sys_real) >= sizeof tty_dir)
        return LFW_POSIX_E_ARG;
    DIR *d = opendir(tty_dir);
    if (!d)
        return 0;
    struct dirent *de;
    size_t n = 0;
    while ((de = readdir(d)) != NULL && n < cap) {
        if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof out[n].name)
            continue;
        if (describe(sys_real, tty_dir, de->d_name, &out[n]) < 0)
            continue;
        if ((size_t)snprintf(out[n].path, sizeof out[n].path, "%s/%s", roots->dev, de->d_name) >=
            sizeof out[n].path)
            continue;
        n++;
    }
    closedir(d);
    qsort(out, n, sizeof out[0], entry_cmp);
    *count = n;
    return 0;
}

/* ---- probe ---------------------------------------------------------------------------- */

const char *lfw_ports_answer_str(enum lfw_ports_answer a)
{
    switch (a) {
    case LFW_PORTS_ANSWER_OK:
        return "AT OK";
    case LFW_PORTS_ANSWER_NONE:
        return "no answer";
    case LFW_PORTS_ANSWER_BUSY:
        return "busy (used by another process)";
    case LFW_PORTS_ANSWER_ERROR:
        break;
    }
    return "error";
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* True when `buf` holds a line that is exactly "OK". */
static int has_ok_line(const char *buf, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || buf[i] == '\r' || buf[i] == '\n') {
            if (i == len)
                return 0; /* the last line is not complete yet */
            if (i - start == 2 && buf[start] == 'O' && buf[start + 1] == 'K')
                return 1;
            start = i + 1;
        }
    }
    return 0;
}

/* Raw 8N1 at `baud` for the probe; the caller restores `saved`. */
static int probe_setup(int fd, uint32_t baud, struct termios *saved)
{
    if (tcgetattr(fd, saved) < 0)
        return -1;
    struct termios t = *saved;
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    if (baud == 115200) {
        cfsetispeed(&t, B115200);
        cfsetospeed(&t, B115200);
        if (tcsetattr(fd, TCSANOW, &t) < 0)
            return -1;
    } else if (tcsetattr(fd, TCSANOW, &t) < 0 || lfw_posix_set_custom_baud(fd, baud) < 0) {
        return -1;
    }
    (void)tcflush(fd, TCIFLUSH);
    return 0;
}

enum lfw_ports_answer lfw_ports_probe(const char *path, uint32_t baud, int timeout_ms)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == EBUSY ? LFW_PORTS_ANSWER_BUSY : LFW_PORTS_ANSWER_ERROR;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int busy = errno == EWOULDBLOCK;
        close(fd);
        return busy ? LFW_PORTS_ANSWER_BUSY : LFW_PORTS_ANSWER_ERROR;
    }
    struct termios saved;
    int tty = isatty(fd);
    if (tty && probe_setup(fd, baud, &saved) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return LFW_PORTS_ANSWER_ERROR;
    }
    enum lfw_ports_answer ans = LFW_PORTS_ANSWER_NONE;
    char buf[256];
    size_t len = 0;
    uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    if (write(fd, "AT\r", 3) != 3) {
        ans = LFW_PORTS_ANSWER_ERROR;
        goto out;
    }
    /* At most sizeof buf bytes: a port that streams (or echoes garbage) ends the probe. */
    while (len < sizeof buf) {
        uint64_t now = now_ms();
        if (now >= deadline)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)(deadline - now));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            break; /* hang-up or error: no answer */
        len += (size_t)n;
        if (has_ok_line(buf, len)) {
            ans = LFW_PORTS_ANSWER_OK;
            break;
        }
    }
out:
    if (tty)
        (void)tcsetattr(fd, TCSANOW, &saved);
    close(fd); /* ends the flock */
    return ans;
}
