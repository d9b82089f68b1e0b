/* Finding a u-blox module's serial ports on Linux (`larafw ports`, `-p auto`).
 *
 * A LARA-R6 / LARA-L6 on USB shows up as several tty devices, one per USB interface of the
 * module (USB vendor 0x1546): a diagnostic port and AT ports (docs/cli.md, "Finding the
 * port"). The application note says only that FOAT and the AT interface work on USB as on a
 * UART (§3.1) and that the USB ports disappear while the module installs; the interface
 * layout comes from the product table below, and a port counts as the AT port only when it
 * answers `AT` (lfw_ports_probe). Reads sysfs, never libudev.
 *
 * Host-only code (src/posix): functions return 0 or a negative LFW_POSIX_E… code.
 */
#ifndef LARAFW_PORTS_H
#define LARAFW_PORTS_H

#include <stddef.h>
#include <stdint.h>

#include "larafw_posix.h"

#define LFW_PORTS_UBLOX_VID 0x1546u
#define LFW_PORTS_MAX       32 /* tty devices of u-blox modules listed at most */

/* What a USB interface of a module is for, by product (lfw_ports_role). */
enum lfw_ports_role {
    LFW_PORTS_ROLE_UNKNOWN = 0, /* product not in the table: probe it */
    LFW_PORTS_ROLE_DIAG,        /* diagnostic (not AT) */
    LFW_PORTS_ROLE_AT,          /* AT command parser */
};

/* One tty device of a u-blox module, from sysfs. Text fields are "" when absent. */
struct lfw_ports_entry {
    char name[64];                 /* tty name, e.g. "ttyACM0" / "ttyUSB2" */
    char path[LFW_POSIX_PATH_MAX]; /* DEV_DIR/name, e.g. "/dev/ttyACM0" */
    char usb[64];                  /* USB device name in sysfs (e.g. "1-1.2"): one per module */
    uint16_t vid, pid;
    char product[96];      /* USB product string */
    char manufacturer[96]; /* USB manufacturer string */
    char serial[96];       /* USB serial number */
    int interface;         /* bInterfaceNumber, -1 when unknown */
    char driver[32];       /* kernel driver of the interface ("cdc_acm", "option"), "" unknown */
    enum lfw_ports_role role;
    const char *model; /* product of the PID table ("LARA-R6 01B"), NULL when unknown */
};

/* Where lfw_ports_scan looks: sysfs root (default "/sys") and device directory (default
 * "/dev"). lfw_ports_roots_from_env() fills them from $LARAFW_SYSFS_ROOT and $LARAFW_DEV_DIR,
 * which exist for tests (a fake tree) and are documented as such. */
struct lfw_ports_roots {
    const char *sysfs;
    const char *dev;
};
void lfw_ports_roots_from_env(struct lfw_ports_roots *r);

/* Lists the tty devices whose USB device has vendor 0x1546 under roots->sysfs/class/tty,
 * sorted by USB device, then interface number, then name. Other ttys (built-in UARTs,
 * other vendors' adapters, ptys) are skipped. Writes at most `cap` entries and sets *count to
 * how many it wrote. Returns 0 (also when none: *count = 0), or LFW_POSIX_E_ARG. A missing
 * class/tty directory is no error: no ports. */
LFW_POSIX_WARN_UNUSED int lfw_ports_scan(const struct lfw_ports_roots *roots,
                                         struct lfw_ports_entry *out, size_t cap, size_t *count);

/* The role of interface `interface` of product `pid` of vendor 0x1546, and the product name
 * through *model (NULL when the PID is unknown). */
enum lfw_ports_role lfw_ports_role(uint16_t pid, int interface, const char **model);

/* Result of lfw_ports_probe. */
enum lfw_ports_answer {
    LFW_PORTS_ANSWER_OK = 0, /* answered OK to AT */
    LFW_PORTS_ANSWER_NONE,   /* nothing, or nothing plausible, before the timeout */
    LFW_PORTS_ANSWER_BUSY,   /* another process holds the port (lock or TIOCEXCL) */
    LFW_PORTS_ANSWER_ERROR,  /* could not open or configure it: errno says why */
};

/* Sends "AT\r" to `path` at `baud` and waits at most `timeout_ms` for a final "OK" line.
 * Never waits on a port that another process has locked (flock, the lock larafw itself
 * takes) or opened exclusively (TIOCEXCL): that is LFW_PORTS_ANSWER_BUSY at once. Reads at
 * most a few hundred bytes, so a port that streams data does not keep it busy past the
 * timeout. Restores the terminal settings it changed. */
enum lfw_ports_answer lfw_ports_probe(const char *path, uint32_t baud, int timeout_ms);

/* Text for an answer: "AT OK", "no answer", "busy (used by another process)", "error". */
const char *lfw_ports_answer_str(enum lfw_ports_answer a);

#endif
