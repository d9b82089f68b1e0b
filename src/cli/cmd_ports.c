/* larafw ports: the serial ports of attached u-blox modules; -p auto picks the AT port. */
#define _DEFAULT_SOURCE
#include "cli_ports.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "larafw_ports.h"

static const char *role_str(enum lfw_ports_role r)
{
    switch (r) {
    case LFW_PORTS_ROLE_DIAG:
        return "diagnostic";
    case LFW_PORTS_ROLE_AT:
        return "AT";
    case LFW_PORTS_ROLE_UNKNOWN:
        break;
    }
    return "unknown";
}

static size_t scan(struct lfw_ports_entry *e, size_t cap, struct lfw_ports_roots *roots)
{
    size_t n = 0;
    lfw_ports_roots_from_env(roots);
    if (lfw_ports_scan(roots, e, cap, &n) < 0)
        return 0;
    return n;
}

static void print_json(const struct lfw_ports_entry *e, const char *answer)
{
    char buf[2048], id[8];
    struct lfw_json j;
    lfw_json_begin(&j, buf, sizeof buf);
    lfw_json_str(&j, "path", e->path);
    lfw_json_str(&j, "usb", e->usb);
    snprintf(id, sizeof id, "%04x", e->vid);
    lfw_json_str(&j, "vid", id);
    snprintf(id, sizeof id, "%04x", e->pid);
    lfw_json_str(&j, "pid", id);
    lfw_json_str(&j, "model", e->model);
    lfw_json_str(&j, "product", e->product);
    lfw_json_str(&j, "manufacturer", e->manufacturer);
    lfw_json_str(&j, "serial", e->serial);
    lfw_json_int(&j, "interface", e->interface);
    lfw_json_str(&j, "driver", e->driver);
    lfw_json_str(&j, "role", role_str(e->role));
    if (answer)
        lfw_json_str(&j, "probe", answer);
    const char *t = lfw_json_end(&j);
    if (t)
        printf("%s\n", t);
}

int lfw_cmd_ports(const struct lfw_cli_opts *o)
{
    static struct lfw_ports_entry e[LFW_PORTS_MAX];
    struct lfw_ports_roots roots;
    size_t n = scan(e, LFW_PORTS_MAX, &roots);
    if (n == 0) {
        fprintf(stderr,
                "larafw: no serial port of a u-blox module (USB vendor 1546) under %s/class/tty; "
                "check the USB cable and 'lsusb -d 1546:', and that the cdc_acm or option "
                "driver is loaded (a module on a UART is not listed: give -p /dev/ttyS…)\n",
                roots.sysfs);
        return LFW_EXIT_IO;
    }
    if (!o->json && o->verbosity >= 0)
        printf("%-16s %-10s %-3s %-10s %-9s %-28s %-16s%s\n", "PORT", "USB", "IF", "ROLE", "ID",
               "PRODUCT", "SERIAL", o->probe ? " PROBE" : "");
    for (size_t i = 0; i < n; i++) {
        const char *answer = NULL;
        if (o->probe)
            answer = lfw_ports_answer_str(lfw_ports_probe(e[i].path, o->baud, LFW_CLI_PROBE_MS));
        if (o->json) {
            print_json(&e[i], answer);
            continue;
        }
        char ifnum[8], id[16], product[160];
        if (e[i].interface >= 0)
            snprintf(ifnum, sizeof ifnum, "%d", e[i].interface);
        else
            snprintf(ifnum, sizeof ifnum, "?");
        snprintf(id, sizeof id, "%04x:%04x", e[i].vid, e[i].pid);
        if (e[i].model && e[i].product[0])
            snprintf(product, sizeof product, "%s (%s)", e[i].product, e[i].model);
        else
            snprintf(product, sizeof product, "%s",
                     e[i].product[0] ? e[i].product
                     : e[i].model    ? e[i].model
                                     : "-");
        printf("%-16s %-10s %-3s %-10s %-9s %-28s %-16s%s%s\n", e[i].path, e[i].usb, ifnum,
               role_str(e[i].role), id, product, e[i].serial[0] ? e[i].serial : "-",
               answer ? " " : "", answer ? answer : "");
    }
    return LFW_EXIT_OK;
}

/* Appends to err (always NUL-terminated). */
static void add(char *err, size_t errlen, const char *fmt, ...) LFW_CLI_PRINTF(3, 4);
static void add(char *err, size_t errlen, const char *fmt, ...)
{
    size_t used = strnlen(err, errlen);
    if (used + 1 >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, errlen - used, fmt, ap);
    va_end(ap);
}

int lfw_cli_port_auto(const struct lfw_cli_opts *o, char *out, size_t cap, char *err, size_t errlen)
{
    static struct lfw_ports_entry e[LFW_PORTS_MAX];
    struct lfw_ports_roots roots;
    size_t n = scan(e, LFW_PORTS_MAX, &roots);
    err[0] = '\0';
    if (n == 0) {
        add(err, errlen,
            "-p auto: no u-blox module (USB vendor 1546) found under %s/class/tty; connect it "
            "by USB (check 'lsusb -d 1546:'), or give the port with -p PORT (a UART: "
            "-p /dev/ttyS0)",
            roots.sysfs);
        return LFW_EXIT_IO;
    }
    /* e[] is sorted by USB device: more than one device name means several modules */
    size_t modules = 1;
    for (size_t i = 1; i < n; i++)
        modules += strcmp(e[i].usb, e[i - 1].usb) != 0;
    if (modules > 1) {
        add(err, errlen, "-p auto: %zu u-blox modules are attached:", modules);
        for (size_t i = 0; i < n; i++) {
            if (i == 0 || strcmp(e[i].usb, e[i - 1].usb) != 0)
                add(err, errlen, "\n  USB %s %s serial %s:", e[i].usb,
                    e[i].product[0] ? e[i].product : "(no product name)",
                    e[i].serial[0] ? e[i].serial : "-");
            add(err, errlen, " %s (if %d, %s)", e[i].path, e[i].interface, role_str(e[i].role));
        }
        add(err, errlen,
            "\nchoose one with -p PORT; 'larafw ports --probe' shows which "
            "ports answer AT");
        return LFW_EXIT_IO;
    }
    /* the product's AT interfaces first, then ports of unknown role; never the diagnostic */
    enum lfw_ports_role order[] = {LFW_PORTS_ROLE_AT, LFW_PORTS_ROLE_UNKNOWN};
    enum lfw_ports_answer answers[LFW_PORTS_MAX];
    bool tried[LFW_PORTS_MAX] = {false};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        for (size_t i = 0; i < n; i++) {
            if (e[i].role != order[k])
                continue;
            tried[i] = true;
            answers[i] = lfw_ports_probe(e[i].path, o->baud, LFW_CLI_PROBE_MS);
            if (answers[i] == LFW_PORTS_ANSWER_OK) {
                if ((size_t)snprintf(out, cap, "%s", e[i].path) >= cap)
                    break;
                if (o->verbosity > 0)
                    fprintf(stderr, "larafw: -p auto: %s (USB %s interface %d, %s)\n", e[i].path,
                            e[i].usb, e[i].interface,
                            e[i].product[0] ? e[i].product : "u-blox module");
                return 0;
            }
        }
    }
    add(err, errlen, "-p auto: no port of the u-blox module on USB %s answered AT:", e[0].usb);
    for (size_t i = 0; i < n; i++) {
        if (tried[i])
            add(err, errlen, "\n  %s (if %d): %s", e[i].path, e[i].interface,
                lfw_ports_answer_str(answers[i]));
        else
            add(err, errlen, "\n  %s (if %d): %s, not tried", e[i].path, e[i].interface,
                role_str(e[i].role));
    }
    add(err, errlen,
        "\na module that is installing firmware answers nothing until it has "
        "rebooted (§3.1); a busy port is held by another program (close it); "
        "or give the port with -p PORT");
    return LFW_EXIT_IO;
}
