/* Command line of `larafw` (docs/cli.md). A small table-driven parser instead of getopt:
 * global options are accepted before and after the subcommand, and the parser keeps no
 * hidden state, so tests can call it any number of times. */
#include "cli_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_id {
    OPT_PORT,
    OPT_BAUD,
    OPT_AT_LOG,
    OPT_JSON,
    OPT_VERBOSE,
    OPT_QUIET,
    OPT_HELP,
    OPT_VERSION,
    OPT_RATE,
    OPT_USB,
    OPT_CHECKSUM,
    OPT_XMODEM_128,
    OPT_NO_WAIT,
    OPT_NAME,
    OPT_TIMEOUT,
    OPT_PROFILE,
    OPT_MD5,
    OPT_NO_INSTALL,
    OPT_STATE_FILE,
    OPT_POLICY,
    OPT_DEFER,
    OPT_PROBE,
};

/* Which commands accept an option: bit (1 << cmd); GLOBAL for all. */
#define GLOBAL  0xffffu
#define ONLY(c) (1u << (c))

struct opt_def {
    enum opt_id id;
    char short_name; /* 0: none */
    const char *long_name;
    bool has_arg;
    unsigned cmds;
};

static const struct opt_def opt_table[] = {
    {OPT_PORT, 'p', "port", true, GLOBAL},
    {OPT_BAUD, 'b', "baud", true, GLOBAL},
    {OPT_AT_LOG, 0, "at-log", true, GLOBAL},
    {OPT_JSON, 0, "json", false, GLOBAL},
    {OPT_VERBOSE, 'v', "verbose", false, GLOBAL},
    {OPT_QUIET, 'q', "quiet", false, GLOBAL},
    {OPT_HELP, 'h', "help", false, GLOBAL},
    {OPT_VERSION, 0, "version", false, ONLY(LFW_CMD_NONE)},
    {OPT_RATE, 0, "rate", true, ONLY(LFW_CMD_FOAT) | ONLY(LFW_CMD_PUSH)},
    {OPT_USB, 0, "usb", false, ONLY(LFW_CMD_FOAT)},
    {OPT_CHECKSUM, 0, "checksum", false, ONLY(LFW_CMD_FOAT)},
    {OPT_XMODEM_128, 0, "xmodem-128", false, ONLY(LFW_CMD_FOAT)},
    {OPT_NO_WAIT, 0, "no-wait", false, ONLY(LFW_CMD_INSTALL)},
    {OPT_NAME, 0, "name", true, ONLY(LFW_CMD_PUSH)},
    {OPT_TIMEOUT, 0, "timeout", true,
     ONLY(LFW_CMD_FOAT) | ONLY(LFW_CMD_INSTALL) | ONLY(LFW_CMD_FOTA) | ONLY(LFW_CMD_UFOTA)},
    {OPT_PROFILE, 0, "profile", true, ONLY(LFW_CMD_FOTA)},
    {OPT_MD5, 0, "md5", true, ONLY(LFW_CMD_FOTA)},
    {OPT_NO_INSTALL, 0, "no-install", false, ONLY(LFW_CMD_FOTA) | ONLY(LFW_CMD_UFOTA)},
    {OPT_STATE_FILE, 0, "state-file", true, ONLY(LFW_CMD_FOTA)},
    {OPT_POLICY, 0, "policy", true, ONLY(LFW_CMD_UFOTA)},
    {OPT_DEFER, 0, "defer", true, ONLY(LFW_CMD_UFOTA)},
    {OPT_PROBE, 0, "probe", false, ONLY(LFW_CMD_PORTS)},
};
#define OPT_COUNT (sizeof opt_table / sizeof opt_table[0])

static const char *const cmd_names[] = {
    [LFW_CMD_NONE] = "",       [LFW_CMD_INFO] = "info",       [LFW_CMD_FOAT] = "foat",
    [LFW_CMD_PUSH] = "push",   [LFW_CMD_INSTALL] = "install", [LFW_CMD_FOTA] = "fota",
    [LFW_CMD_UFOTA] = "ufota", [LFW_CMD_LWM2M] = "lwm2m",     [LFW_CMD_PORTS] = "ports",
};

const char *lfw_cli_cmd_name(enum lfw_cli_cmd cmd)
{
    return (unsigned)cmd < sizeof cmd_names / sizeof cmd_names[0] ? cmd_names[cmd] : "";
}

int lfw_cli_parse_baud(const char *s, uint32_t *out)
{
    if (!s || *s < '1' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v == 0 || v > 20000000ul)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_seconds(const char *s, uint32_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v == 0 || v > 86400ul * 7)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int usage_error(char *err, size_t errlen, enum lfw_cli_cmd cmd, const char *fmt, ...)
    LFW_CLI_PRINTF(4, 5);

static int usage_error(char *err, size_t errlen, enum lfw_cli_cmd cmd, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (cmd == LFW_CMD_NONE)
        snprintf(err, errlen, "%s; see 'larafw --help'", what);
    else
        snprintf(err, errlen, "%s; see 'larafw %s --help'", what, lfw_cli_cmd_name(cmd));
    return LFW_EXIT_USAGE;
}

static const struct opt_def *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < OPT_COUNT; i++) {
        if (strlen(opt_table[i].long_name) == len &&
            strncmp(opt_table[i].long_name, name, len) == 0)
            return &opt_table[i];
    }
    return NULL;
}

static const struct opt_def *find_short(char c)
{
    for (size_t i = 0; i < OPT_COUNT; i++) {
        if (opt_table[i].short_name && opt_table[i].short_name == c)
            return &opt_table[i];
    }
    return NULL;
}

static int apply(struct lfw_cli_opts *o, const struct opt_def *d, const char *arg, char *err,
                 size_t errlen)
{
    switch (d->id) {
    case OPT_PORT:
        if (!*arg)
            return usage_error(err, errlen, o->cmd, "empty serial port name");
        o->port = arg;
        break;
    case OPT_BAUD:
        if (lfw_cli_parse_baud(arg, &o->baud) < 0)
            return usage_error(err, errlen, o->cmd,
                               "invalid baud rate '%s' (give a number such as 115200)", arg);
        break;
    case OPT_AT_LOG:
        if (!*arg)
            return usage_error(err, errlen, o->cmd, "empty --at-log file name");
        o->at_log = arg;
        break;
    case OPT_JSON:
        o->json = true;
        break;
    case OPT_VERBOSE:
        o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1;
        break;
    case OPT_QUIET:
        o->verbosity = -1;
        break;
    case OPT_HELP:
        o->help = true;
        break;
    case OPT_VERSION:
        o->version = true;
        break;
    case OPT_RATE:
        if (lfw_cli_parse_baud(arg, &o->rate) < 0)
            return usage_error(err, errlen, o->cmd,
                               "invalid --rate '%s' (give a number such as 921600)", arg);
        break;
    case OPT_USB:
        o->usb = true;
        break;
    case OPT_CHECKSUM:
        o->checksum = true;
        break;
    case OPT_XMODEM_128:
        o->xmodem_128 = true;
        break;
    case OPT_NO_WAIT:
        o->no_wait = true;
        break;
    case OPT_NAME:
        if (!*arg)
            return usage_error(err, errlen, o->cmd, "empty --name");
        o->name = arg;
        break;
    case OPT_TIMEOUT:
        if (parse_seconds(arg, &o->timeout_s) < 0)
            return usage_error(err, errlen, o->cmd,
                               "invalid --timeout '%s' (give seconds, e.g. 600)", arg);
        break;
    case OPT_PROFILE:
        if (arg[0] < '0' || arg[0] > '3' || arg[1])
            return usage_error(err, errlen, o->cmd, "invalid --profile '%s' (0, 1, 2 or 3)", arg);
        o->profile = arg[0] - '0';
        break;
    case OPT_MD5:
        o->md5 = arg;
        break;
    case OPT_NO_INSTALL:
        o->no_install = true;
        break;
    case OPT_STATE_FILE:
        if (!*arg)
            return usage_error(err, errlen, o->cmd, "empty --state-file");
        o->state_file = arg;
        break;
    case OPT_POLICY:
        o->policy = arg;
        break;
    case OPT_DEFER:
        if (parse_seconds(arg, &o->defer_s) < 0 || o->defer_s > 86400)
            return usage_error(err, errlen, o->cmd,
                               "invalid --defer '%s' (1 to 86400 seconds)", arg);
        o->defer_set = true;
        break;
    case OPT_PROBE:
        o->probe = true;
        break;
    }
    return 0;
}

static bool allowed(const struct opt_def *d, enum lfw_cli_cmd cmd)
{
    return d->cmds == GLOBAL || (d->cmds & ONLY(cmd)) != 0;
}

int lfw_cli_parse(int argc, char *const argv[], const char *env_port, struct lfw_cli_opts *o,
                  char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->baud = LFW_CLI_DEFAULT_BAUD;
    o->port = env_port && *env_port ? env_port : NULL;
    o->profile = -1;
    if (errlen)
        err[0] = '\0';
    int positional = 0;
    bool only_positional = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_positional && strcmp(a, "--") == 0) {
            only_positional = true;
            continue;
        }
        if (!only_positional && a[0] == '-' && a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            const struct opt_def *d = find_long(name, nlen);
            if (!d || !allowed(d, o->cmd)) {
                if (d && o->cmd != LFW_CMD_NONE)
                    return usage_error(err, errlen, o->cmd,
                                       "option '%s' does not apply to this command", a);
                if (d)
                    return usage_error(err, errlen, o->cmd, "option '%s' belongs after a command",
                                       a);
                return usage_error(err, errlen, o->cmd, "unknown option '%s'", a);
            }
            const char *arg = NULL;
            if (d->has_arg) {
                if (eq) {
                    arg = eq + 1;
                } else if (i + 1 < argc) {
                    arg = argv[++i];
                } else {
                    return usage_error(err, errlen, o->cmd, "option '%s' needs a value", a);
                }
            } else if (eq) {
                return usage_error(err, errlen, o->cmd, "option '%s' takes no value", a);
            }
            int rc = apply(o, d, arg, err, errlen);
            if (rc)
                return rc;
            continue;
        }
        if (!only_positional && a[0] == '-' && a[1] != '\0') {
            for (const char *c = a + 1; *c; c++) {
                const struct opt_def *d = find_short(*c);
                if (!d || !allowed(d, o->cmd)) {
                    char opt[3] = {'-', *c, '\0'};
                    return usage_error(err, errlen, o->cmd, "unknown option '%s'", opt);
                }
                const char *arg = NULL;
                if (d->has_arg) {
                    if (c[1]) {
                        arg = c + 1;
                    } else if (i + 1 < argc) {
                        arg = argv[++i];
                    } else {
                        char opt[3] = {'-', *c, '\0'};
                        return usage_error(err, errlen, o->cmd, "option '%s' needs a value", opt);
                    }
                }
                int rc = apply(o, d, arg, err, errlen);
                if (rc)
                    return rc;
                if (d->has_arg)
                    break;
            }
            continue;
        }
        /* positional */
        if (o->cmd == LFW_CMD_NONE) {
            enum lfw_cli_cmd found = LFW_CMD_NONE;
            for (unsigned k = 1; k < sizeof cmd_names / sizeof cmd_names[0]; k++) {
                if (strcmp(a, cmd_names[k]) == 0)
                    found = (enum lfw_cli_cmd)k;
            }
            if (found == LFW_CMD_NONE)
                return usage_error(err, errlen, LFW_CMD_NONE,
                                   "unknown command '%s' (commands: info, foat, push, install, "
                                   "fota, ufota, lwm2m, ports)",
                                   a);
            o->cmd = found;
            continue;
        }
        if ((o->cmd == LFW_CMD_FOAT || o->cmd == LFW_CMD_PUSH) && positional == 0) {
            o->pkg = a;
            positional++;
            continue;
        }
        if ((o->cmd == LFW_CMD_FOTA || o->cmd == LFW_CMD_UFOTA || o->cmd == LFW_CMD_LWM2M) &&
            positional < 2) {
            *(positional == 0 ? &o->action : &o->target) = a;
            positional++;
            continue;
        }
        return usage_error(err, errlen, o->cmd, "unexpected argument '%s'", a);
    }

    if (o->help || o->version)
        return 0;
    if (o->cmd == LFW_CMD_NONE)
        return usage_error(err, errlen, LFW_CMD_NONE,
                           "no command given (commands: info, foat, push, install, fota, "
                           "ufota, lwm2m, ports)");
    if ((o->cmd == LFW_CMD_FOAT || o->cmd == LFW_CMD_PUSH) && !o->pkg)
        return usage_error(err, errlen, o->cmd, "no package file given");
    if (o->cmd == LFW_CMD_FOTA || o->cmd == LFW_CMD_UFOTA || o->cmd == LFW_CMD_LWM2M) {
        int rc = lfw_cli_check_net(o, err, errlen);
        if (rc)
            return rc;
    }
    if (o->checksum && o->cmd == LFW_CMD_FOAT)
        o->xmodem_128 = true; /* the checksum variant of XMODEM has 128-byte blocks */
    if (!o->port && o->cmd != LFW_CMD_PORTS)
        return usage_error(err, errlen, o->cmd,
                           "no serial port given: use -p PORT (or -p auto) or set "
                           "LARAFW_PORT");
    return 0;
}

static const char usage_main[] =
    "usage: larafw [-p PORT] [-b BAUD] [--at-log FILE] [--json] [-v|-q] COMMAND [ARGS]\n"
    "\n"
    "Updates the firmware of a u-blox LARA-R6 / LARA-L6 module over its AT interface.\n"
    "\n"
    "commands:\n"
    "  info                 show product, firmware version, IMEI\n"
    "  foat PKG             send a firmware package by XMODEM (AT+UFWUPD=3) and install it\n"
    "  push PKG             store a delta package in the module (AT+UDWNFILE ...,\"FOAT\")\n"
    "  install              install the stored package (AT+UFWINSTALL)\n"
    "  fota http|ftp URL    the module downloads a delta over HTTP/FTP, then installs it\n"
    "  ufota watch          follow (approve, defer, reject) a uFOTA update of the server\n"
    "  ufota status|pause|resume|cancel    control a uFOTA download (AT+UFOTA)\n"
    "  lwm2m srlt S|register|deregister    LwM2M registration (AT+ULWM2M…)\n"
    "  ports [--probe]      list the serial ports of attached u-blox modules (USB)\n"
    "\n"
    "options:\n"
    "  -p, --port PORT      serial device (default: $LARAFW_PORT); 'auto': the AT port of\n"
    "                       the one u-blox module attached by USB (see 'larafw ports')\n"
    "  -b, --baud BAUD      rate the module's line runs at now (default 115200)\n"
    "      --at-log FILE    write every byte each way, with timestamps, to FILE\n"
    "      --json           machine-readable output: one JSON object per line\n"
    "  -v, --verbose        more detail; -vv also writes the AT log to stderr\n"
    "  -q, --quiet          errors only\n"
    "  -h, --help           this text; 'larafw COMMAND --help' for a command\n"
    "      --version        print the version of larafw\n"
    "\n"
    "The port is locked for one larafw at a time (flock); SIGINT/SIGTERM end a run\n"
    "within a second and leave the module in a known state (an install goes on).\n"
    "\n"
    "exit status: 0 done, 1 the module refused or failed the update, 2 usage,\n"
    "             3 serial line (port in use, not a module), file, timeout or interrupt\n";

static const char usage_info[] =
    "usage: larafw [-p PORT] [-b BAUD] info [--json]\n"
    "\n"
    "Asks the module for product (AT+CGMM), firmware version (AT+CGMR), IMEI (AT+CGSN) and\n"
    "identification (ATI) and prints them, one 'name: value' per line, or one JSON object.\n";

static const char usage_foat[] =
    "usage: larafw [-p PORT] [-b BAUD] foat PKG [--rate BAUD] [--usb] [--checksum]\n"
    "                                  [--xmodem-128] [--timeout SECONDS]\n"
    "\n"
    "Sends PKG with AT+UFWUPD=3 by XMODEM-1K (CRC-16), then follows validation and\n"
    "installation by URC until the final result code (§3), and checks the new version.\n"
    "\n"
    "  --rate BAUD          switch the line to BAUD (AT+IPR) for the transfer, e.g. 921600\n"
    "  --usb                PORT is a USB port: no URCs arrive there, so wait and poll AT\n"
    "                       until the module is back, then compare versions\n"
    "  --checksum           answer the module's NAK (checksum mode, 128-byte blocks)\n"
    "                       instead of its 'C'\n"
    "  --xmodem-128         128-byte blocks instead of 1024\n"
    "  --timeout SECONDS    longest wait for the install (default: the note's maximum for\n"
    "                       the product, 65 min for LARA-R6 00B, 3 min otherwise)\n";

static const char usage_push[] =
    "usage: larafw [-p PORT] [-b BAUD] push PKG [--rate BAUD] [--name NAME]\n"
    "\n"
    "Stores the delta package PKG in the module with AT+UDWNFILE=NAME,SIZE,\"FOAT\" (§4.2.3).\n"
    "Install it afterwards with 'larafw install'.\n"
    "\n"
    "  --rate BAUD          switch the line to BAUD (AT+IPR) for the transfer, e.g. 3000000\n"
    "  --name NAME          file name in the module (default: PKG's base name)\n";

static const char usage_install[] =
    "usage: larafw [-p PORT] [-b BAUD] install [--no-wait] [--timeout SECONDS]\n"
    "\n"
    "Installs the stored package with AT+UFWINSTALL (§4.3) and follows validation and\n"
    "installation by URC until the final result code; 128 means success. After a power\n"
    "loss during an install, run it again: it follows the resumed install to its end.\n"
    "\n"
    "  --no-wait            return once the module accepted the command\n"
    "  --timeout SECONDS    longest wait for the install (default 20 min, §5.5)\n";

static const char usage_ports[] =
    "usage: larafw ports [--probe] [--json] [-b BAUD]\n"
    "\n"
    "Lists the serial ports of the u-blox modules attached by USB (vendor 1546), from sysfs:\n"
    "port, USB device, interface number, role, vendor:product ID, product, serial number.\n"
    "The role comes from the product's USB interface layout (LARA-R6 01B, LARA-L6:\n"
    "interface 0 diagnostic, 1-3 AT); 'unknown' for other product IDs.\n"
    "\n"
    "  --probe              send AT to each port (1 s at most, at -b BAUD) and show\n"
    "                       'AT OK', 'no answer', or 'busy' for a port another program\n"
    "                       holds (never waited on)\n"
    "\n"
    "'-p auto' (any command) uses the first AT port that answers AT when exactly one module\n"
    "is attached, and otherwise stops with the list of candidates; LARAFW_PORT=auto works\n"
    "too. A module on a UART (/dev/ttyS*, /dev/ttyAMA*) is not listed: give -p PORT.\n"
    "LARAFW_SYSFS_ROOT and LARAFW_DEV_DIR replace /sys and /dev (for tests).\n"
    "\n"
    "exit status: 0 listed, 3 no u-blox port found\n";

void lfw_cli_usage(FILE *f, enum lfw_cli_cmd cmd)
{
    switch (cmd) {
    case LFW_CMD_INFO:
        fputs(usage_info, f);
        break;
    case LFW_CMD_FOAT:
        fputs(usage_foat, f);
        break;
    case LFW_CMD_PUSH:
        fputs(usage_push, f);
        break;
    case LFW_CMD_INSTALL:
        fputs(usage_install, f);
        break;
    case LFW_CMD_NONE:
        fputs(usage_main, f);
        break;
    case LFW_CMD_PORTS:
        fputs(usage_ports, f);
        break;
    case LFW_CMD_FOTA:
    case LFW_CMD_UFOTA:
    case LFW_CMD_LWM2M:
        lfw_cli_usage_net(f, cmd);
        break;
    }
}
