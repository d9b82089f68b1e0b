/* The `larafw` command's building blocks that do not talk to a module: option parsing,
 * secret redaction, JSON output, progress display and the AT log. They live in the static
 * library larafw_cli_lib so that unit tests (tests/unit/cli_*.c) link them directly.
 */
#ifndef LARAFW_CLI_UTIL_H
#define LARAFW_CLI_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LFW_CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- exit status (docs/cli.md) --------------------------------------------------------- */
enum lfw_cli_exit {
    LFW_EXIT_OK = 0,     /* done (also: module already on the target version) */
    LFW_EXIT_MODULE = 1, /* the module refused or failed the update */
    LFW_EXIT_USAGE = 2,  /* bad command line */
    LFW_EXIT_IO = 3,     /* serial line, file or timeout */
};

/* ---- options (options.c) --------------------------------------------------------------- */
enum lfw_cli_cmd {
    LFW_CMD_NONE = 0,
    LFW_CMD_INFO,
    LFW_CMD_FOAT,
    LFW_CMD_PUSH,
    LFW_CMD_INSTALL,
    LFW_CMD_FOTA,  /* fota http|ftp URL (options_net.c) */
    LFW_CMD_UFOTA, /* ufota watch|status|pause|resume|cancel */
    LFW_CMD_LWM2M, /* lwm2m srlt SECONDS|register|deregister */
    LFW_CMD_PORTS, /* ports [--probe] (cmd_ports.c): needs no -p */
};

#define LFW_CLI_DEFAULT_BAUD 115200u

struct lfw_cli_opts {
    /* global */
    const char *port;   /* -p / --port, else $LARAFW_PORT; "auto": cli_ports.h */
    uint32_t baud;      /* -b / --baud: the rate the module's line runs at now */
    const char *at_log; /* --at-log FILE */
    bool json;          /* --json */
    int verbosity;      /* -q: -1, default 0, each -v: +1 */
    bool help;          /* --help / -h (global or for cmd) */
    bool version;       /* --version */
    enum lfw_cli_cmd cmd;
    /* subcommands */
    const char *pkg;    /* foat, push: package file */
    uint32_t rate;      /* foat, push: --rate BAUD for the transfer (0: keep baud) */
    bool usb;           /* foat: --usb (no URCs: wait, then poll AT) */
    bool checksum;      /* foat: --checksum (XMODEM 128-byte blocks, checksum) */
    bool xmodem_128;    /* foat: --xmodem-128 (128-byte blocks) */
    bool no_wait;       /* install: --no-wait */
    const char *name;   /* push: --name module file name (default: PKG's base name) */
    uint32_t timeout_s; /* foat, install: --timeout SECONDS for the install (0: note's max) */
    /* fota, ufota, lwm2m (options_net.c) */
    const char *action;     /* fota: http|ftp; ufota: watch|status|…; lwm2m: srlt|register|… */
    const char *target;     /* fota: URL; lwm2m srlt: SECONDS */
    int profile;            /* fota http: --profile N (0…3), -1 = default 0 */
    const char *md5;        /* fota: --md5 HEX expected */
    bool no_install;        /* fota, ufota watch: --no-install (download only) */
    const char *state_file; /* fota: --state-file FILE */
    const char *policy;     /* ufota watch: --policy auto|ack|window=HH:MM-HH:MM|reject */
    uint32_t defer_s;       /* ufota watch: --defer SECONDS before the accepted download */
    bool defer_set;
    bool probe; /* ports: --probe (which port answers AT) */
};

/* Checks the action and arguments of fota/ufota/lwm2m after parsing. Returns 0 or
 * LFW_EXIT_USAGE with a message in err (options_net.c). */
int lfw_cli_check_net(struct lfw_cli_opts *o, char *err, size_t errlen);
/* Usage text of fota/ufota/lwm2m (options_net.c). */
void lfw_cli_usage_net(FILE *f, enum lfw_cli_cmd cmd);

/* Parses argv (argv[0] is the program). Global options may come before or after the
 * subcommand. `env_port` is $LARAFW_PORT (may be NULL). Returns 0, or LFW_EXIT_USAGE with a
 * message (naming what to do) in err. --help and --version set the flags and return 0. */
int lfw_cli_parse(int argc, char *const argv[], const char *env_port, struct lfw_cli_opts *o,
                  char *err, size_t errlen);

/* Parses a positive decimal rate (e.g. "921600"). Returns 0 or -1. */
int lfw_cli_parse_baud(const char *s, uint32_t *out);

/* Usage text: the command (LFW_CMD_NONE) or one subcommand. */
void lfw_cli_usage(FILE *f, enum lfw_cli_cmd cmd);
const char *lfw_cli_cmd_name(enum lfw_cli_cmd cmd);

/* ---- secret redaction (redact.c) -------------------------------------------------------- */

/* Copies `len` bytes of one AT line (command or response) to `out` with secrets replaced by
 * `***`: the password of AT+UFTP=3,"…" / +UFTP: 3,"…", of AT+UHTTP=<p>,3,"…" /
 * +UHTTP: <p>,3,"…", and the user:password@ part of any URL. Always NUL-terminates (cap > 0).
 * Returns the length of the redacted text (it may exceed cap-1: truncated, like snprintf). */
size_t lfw_redact(const char *in, size_t len, char *out, size_t cap);

/* ---- the line (line.c) ------------------------------------------------------------------ */

/* --checksum: hides the XMODEM receiver's 'C' solicitations (§3.1) so that the sender answers
 * its NAK; a 'C' inside text (+CME ERROR) passes. State carries across reads. */
struct lfw_crc_filter {
    uint8_t prev;
    bool prev_hidden;
};
/* Filters `n` bytes in place; returns how many remain. */
size_t lfw_crc_filter_apply(struct lfw_crc_filter *f, uint8_t *buf, size_t n);

/* The number after the colon of an install URC ("+UFWINSTALL: 42" → 42, "+UFWUPD: 128" →
 * 128); -1 when there is none ("+UFWUPD: ONGOING"). */
int lfw_urc_value(const char *line);

/* ---- JSON (json.c) ---------------------------------------------------------------------- */

/* Escapes `s` as the inside of a JSON string (quotes, backslash, control characters; invalid
 * UTF-8 becomes U+FFFD). Returns the full escaped length; writes at most cap-1 + NUL. */
size_t lfw_json_escape(const char *s, char *out, size_t cap);

/* One flat JSON object built into a caller buffer. */
struct lfw_json {
    char *buf;
    size_t cap, len;
    bool first;
    bool overflow;
};
void lfw_json_begin(struct lfw_json *j, char *buf, size_t cap);
void lfw_json_str(struct lfw_json *j, const char *key, const char *val); /* NULL → null */
void lfw_json_int(struct lfw_json *j, const char *key, long long val);
void lfw_json_bool(struct lfw_json *j, const char *key, bool val);
/* Closes the object; returns the text, or NULL when it did not fit. */
const char *lfw_json_end(struct lfw_json *j);

/* ---- progress (progress.c) -------------------------------------------------------------- */

/* "950 B/s", "11.2 kB/s", "1.05 MB/s" */
void lfw_fmt_rate(char *buf, size_t cap, double bytes_per_s);
/* "0:07", "12:34", "1:02:03"; "--:--" when s < 0 */
void lfw_fmt_duration(char *buf, size_t cap, long s);

/* One progress line without terminal control: phase, percent (−1 unknown), a bar `bar_width`
 * wide (0: none), rate (< 0: none) and ETA in seconds (< 0: none). Returns the length. */
size_t lfw_progress_format(char *buf, size_t cap, const char *phase, int percent, int bar_width,
                           double bytes_per_s, long eta_s);

enum lfw_progress_mode {
    LFW_PROGRESS_TTY,   /* one line redrawn in place */
    LFW_PROGRESS_LINES, /* plain lines at phase changes and every 10 % */
    LFW_PROGRESS_JSON,  /* one JSON object per event */
    LFW_PROGRESS_QUIET, /* nothing */
};

struct lfw_progress {
    enum lfw_progress_mode mode;
    FILE *out;
    int width; /* terminal columns */
    char phase[16];
    int percent;
    int last_printed_pct;
    uint64_t phase_t0_ms;
    uint64_t last_draw_ms;
    uint64_t rate_t0_ms, rate_b0; /* rate window */
    double rate;
    bool drawn; /* a TTY line is on screen */
};

void lfw_progress_init(struct lfw_progress *p, enum lfw_progress_mode mode, FILE *out, int width);
/* One event of a procedure. phase: "download", "validation", "install", "reboot", "done",
 * "wait". bytes/total: 0 when unknown; result_code: −1 when none. */
void lfw_progress_event(struct lfw_progress *p, const char *phase, int percent, uint64_t bytes,
                        uint64_t total, int result_code, uint64_t now_ms);
/* Ends a TTY line before other output; harmless otherwise. */
void lfw_progress_finish(struct lfw_progress *p);

/* ---- AT log (atlog.c, §5.10) ------------------------------------------------------------ */

struct lfw_atlog {
    FILE *f;
    /* text being assembled per direction; flushed at '\n' (RX) / '\r' (TX) */
    char tx[512];
    size_t tx_len;
    uint64_t tx_t;
    char rx[512];
    size_t rx_len;
    uint64_t rx_t;
    /* XMODEM block being sent (summarised, never dumped) */
    size_t blk_need, blk_have;
    unsigned blk_no;
    uint64_t blk_t;
    bool crc; /* 'C' seen from the module: blocks end with CRC-16 */
    /* +UDWNFILE raw data after the '>' prompt */
    uint64_t raw_expect; /* size announced by AT+UDWNFILE */
    uint64_t raw_left;   /* bytes of raw data still to come once the prompt arrived */
    bool raw_armed;      /* command sent, waiting for '>' */
    bool keep_open;      /* lfw_atlog_close() flushes but does not close (stderr) */
    bool tx_secret, rx_secret; /* the last entry was cut inside a secret (redact.c) */
};

/* Opens `path` for writing (truncates). Returns 0 or -1 (errno). */
int lfw_atlog_open(struct lfw_atlog *l, const char *path);
/* Uses an open stream (tests). */
void lfw_atlog_attach(struct lfw_atlog *l, FILE *f);
/* Bytes sent to (tx) or received from (rx) the module at wall-clock time `t_ms` (ms since
 * the epoch; lfw_atlog_wall_ms() gives it). */
void lfw_atlog_tx(struct lfw_atlog *l, const uint8_t *buf, size_t len, uint64_t t_ms);
void lfw_atlog_rx(struct lfw_atlog *l, const uint8_t *buf, size_t len, uint64_t t_ms);
/* A note from the host ("baud 921600", "timeout"). */
void lfw_atlog_note(struct lfw_atlog *l, uint64_t t_ms, const char *fmt, ...) LFW_CLI_PRINTF(3, 4);
/* Flushes partial lines and closes the file (if opened by lfw_atlog_open). */
void lfw_atlog_close(struct lfw_atlog *l);
uint64_t lfw_atlog_wall_ms(void);

/* Printable form of bytes: \r \n \t \\ \xNN, and <NAK> <ACK> <EOT> <CAN> <SOH> <STX>.
 * Returns the length written (NUL-terminated, truncated to cap). */
size_t lfw_escape_bytes(const uint8_t *buf, size_t len, char *out, size_t cap);

#endif
