/* larafw-sim: the module object (struct sim) and the platform every part builds on: products,
 * the AT line parser, the virtual clock and timers, the interfaces, dispatch, persistence,
 * key=value records, faults, the report, power and the parts table (struct sim_part).
 *
 * Layers (sim/README.md has the map and how to add a command or an update method):
 *   sim_main.c, sim_parts.c     top: options, the main loop, the table of parts
 *   ufota/                      uFOTA: object 5's campaign and its AT commands
 *   lwm2m/  net/  update/       LwM2M client · FTP/HTTP download engine · FOAT and install
 *   platform/                   this header, sim_platform.h and their files
 * A layer includes only its own headers and those below it (CMake enforces it). All state is
 * under struct sim, one struct per part, so that several modules live in one process.
 * The module's behaviour follows ../shared/MODULE.md and the note (§ numbers); every choice the
 * note leaves open is written down in docs/simulator.md.
 */
#ifndef LARAFW_SIM_H
#define LARAFW_SIM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg.h"

/* PATH_MAX is POSIX; strict C11 files that include only this header still get it. */
#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define SIM_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- products (sim_product.c, MODULE.md §1) ---------------------------------------- */

struct sim_product {
    const char *name;  /* "LARA-R6001D-01B" (what --product takes) */
    const char *model; /* "LARA-R6001D" (AT+CGMM) */
    bool l6;
    bool b01;               /* a LARA-R6 "01B" */
    bool prevalidation;     /* +UFWPREVAL step exists */
    bool rate_3m;           /* FOAT / +UDWNFILE at 3000000 bit/s */
    bool ftp_http_fota;     /* FTP / HTTP FOTA download */
    bool ufota_control;     /* +UFOTA pause/resume/read */
    bool ufota_config;      /* +UFOTACONFIG */
    uint32_t install_max_s; /* FOAT/FOTA install time upper bound (65 min or 3 min) */
};
const struct sim_product *sim_product_find(const char *name);
const struct sim_product *sim_product_default(void);
/* Writes the list of known product names, comma separated, for error messages. */
void sim_product_list(char *buf, size_t len);
/* UART rates of +IPR and +UFWINSTALL (§3.1): true when `baud` is one of them (3000000 too;
 * whether the product has it is p->rate_3m). */
bool sim_uart_rate_known(long long baud);
/* The rates a product offers, "9600,19200,…", for +IPR=?. */
void sim_uart_rate_list(const struct sim_product *p, char *buf, size_t len);

/* ---- AT command line parsing (sim_at.c; fuzzed by tests/fuzz/sim_at.c) --------------- */

enum sim_at_type {
    SIM_AT_ACTION, /* AT+CMD  or basic ATI */
    SIM_AT_SET,    /* AT+CMD=... */
    SIM_AT_READ,   /* AT+CMD? */
    SIM_AT_TEST,   /* AT+CMD=? */
};

#define SIM_AT_MAX_PARAMS 12
#define SIM_AT_NAME_MAX   24
#define SIM_AT_LINE_MAX   1024

struct sim_at_param {
    bool present; /* false for an empty position: AT+X=1,,3 */
    bool quoted;
    bool is_num; /* unquoted decimal integer that fits in long long */
    long long num;
    const char *str; /* points into sim_at_cmd.storage, NUL-terminated, quotes removed */
};

struct sim_at_cmd {
    char name[SIM_AT_NAME_MAX]; /* upper case: "+UFWUPD", "I", "E", "&F" … */
    enum sim_at_type type;
    int basic_value; /* numeric suffix of a basic command (ATE0, ATI9), -1 if none */
    int nparams;
    struct sim_at_param p[SIM_AT_MAX_PARAMS];
    char storage[SIM_AT_LINE_MAX];
};

/* Parses one command line without its terminator ("AT+UFWUPD=3"). Returns 0, or -1 for a
 * line that is not a syntactically valid single AT command. Never reads past `len`. */
int sim_at_parse(const char *line, size_t len, struct sim_at_cmd *out);

/* ---- the module object ---------------------------------------------------------------- */

enum sim_if { SIM_IF_UART = 0, SIM_IF_USB = 1, SIM_IF_COUNT };

/* Phases used by faults, reports and Table 5 (§6). */
enum sim_phase { SIM_PH_DOWNLOAD = 0, SIM_PH_VALIDATION, SIM_PH_INSTALL, SIM_PH_COUNT };

/* Which download is in progress (§6 Table 5: only one at a time). */
enum sim_download {
    SIM_DL_NONE = 0,
    SIM_DL_FOAT,  /* AT+UFWUPD=3 XMODEM */
    SIM_DL_PUSH,  /* AT+UDWNFILE=…,"FOAT" */
    SIM_DL_FTP,   /* AT+UFTPC=100 (net/sim_ftp.c) */
    SIM_DL_HTTP,  /* AT+UHTTPC=p,100 (net/sim_http.c) */
    SIM_DL_LWM2M, /* uFOTA's package download (ufota/sim_ufota.c) */
};

enum sim_fw_phase {
    SIM_FW_NORMAL = 0,
    SIM_FW_INSTALL, /* install in progress; at power-up it resumes (§3.1.2, §4.3.1.3) */
    SIM_FW_BRICKED, /* boot section write interrupted (§4.3): never answers again */
};

enum sim_install_method { SIM_INSTALL_FOAT = 0, SIM_INSTALL_FOTA, SIM_INSTALL_UFOTA };

#define SIM_NAME_MAX 64 /* module file names (+UDWNFILE) */
#define SIM_APN_MAX  64
#define SIM_CONTEXTS 8

/* Everything that survives a power cycle. Saved atomically by sim_state_save(). */
struct sim_state {
    /* firmware: the installed image is DIR/image.bin; its version record is the truth */
    enum sim_fw_phase fw_phase;
    enum sim_install_method install_method;
    char install_pkg[PATH_MAX]; /* package being installed, relative to DIR */
    int install_urc_if;         /* +UFWINSTALL <port>: interface for progress URCs */
    uint32_t install_urc_baud;
    bool install_urc_enable;
    uint32_t install_attempts; /* how many times an install started (resumes count) */
    bool boot_writing;         /* set while a boot-code package writes the boot section */

    /* pending FOTA package in DIR/fota/ (pushed, or fetched by FTP/HTTP) */
    bool fota_pkg_present;
    enum sim_download fota_pkg_source;
    char fota_pkg_name[SIM_NAME_MAX];

    /* NVM (Table 6 decides what an update keeps) */
    uint32_t ipr;                        /* +IPR, 0 = autobaud not supported here: factory 115200 */
    int mno_profile;                     /* +UMNOPROF */
    uint64_t bandmask[2];                /* +UBANDMASK for CAT-M1 / NB-IoT or LTE, see docs */
    int edrx_mode;                       /* +CEDRXS <mode> */
    char apn[SIM_CONTEXTS][SIM_APN_MAX]; /* +CGDCONT, cid 1..8 */
    bool backup_done; /* +UBKUPDATA: EFS backup taken after an update (§4.3.1.5) */
    uint32_t boot_count;

    /* platform additions (sim_state.c, sim_cmd_basic.c) */
    char imei[16];      /* 15 digits, chosen at factory programming */
    char cpms[3][4];    /* +CPMS <mem1..3>: "ME", "SM", "MT"; "" = never set (§2.4.1) */
    char edrx_value[5]; /* +CEDRXS requested eDRX value, 4 bits as text */
};

struct sim;

typedef void (*sim_timer_fn)(struct sim *s, void *arg);
typedef void (*sim_raw_fn)(struct sim *s, enum sim_if iface, const uint8_t *buf, size_t len);

/* ---- virtual clock (sim_clock.c) -------------------------------------------------------
 * Module time runs at 1/time_scale of host time (--time-scale 0.01 = 100× faster). No module
 * timer reads the wall clock: use these. */
uint64_t sim_now_ms(const struct sim *s);
/* Calls fn(s, arg) once after `delay_ms` of module time. Returns an id > 0, or 0 (with a
 * message on stderr) when all SIM_TIMERS_MAX timers are in use. Timers are dropped by
 * sim_reboot(). Cancelling id 0 or an id that already ran is harmless. */
unsigned sim_timer_add(struct sim *s, uint64_t delay_ms, sim_timer_fn fn, void *arg);
void sim_timer_cancel(struct sim *s, unsigned id);
/* Like sim_timer_add, at an absolute module time (sim_now_ms() scale); a time already past
 * fires at the next loop turn. For periodic steps that must not drift: schedule step k at
 * start + k * period instead of "now + period". */
unsigned sim_timer_add_at(struct sim *s, uint64_t due_ms, sim_timer_fn fn, void *arg);
/* Host host_ms → module milliseconds, for timeouts a library counts in host time (libcurl,
 * libcoap): at least 1 when host_ms > 0, UINT64_MAX when it does not fit. */
uint64_t sim_clock_module_ms(const struct sim *s, uint64_t host_ms);
/* Host monotonic nanoseconds (for libraries that time in host time). */
uint64_t sim_host_ns(void);

/* ---- interfaces (sim_uart.c) -----------------------------------------------------------
 * Output is queued and, with --pace, drained no faster than the interface's rate. */
void sim_write(struct sim *s, enum sim_if iface, const void *buf, size_t len);
/* "\r\n<text>\r\n" (verbose response format). */
void sim_line(struct sim *s, enum sim_if iface, const char *fmt, ...) SIM_PRINTF(3, 4);
/* A URC: like sim_line, also recorded in the report. */
void sim_urc(struct sim *s, enum sim_if iface, const char *fmt, ...) SIM_PRINTF(3, 4);
void sim_ok(struct sim *s, enum sim_if iface);
void sim_error(struct sim *s, enum sim_if iface);
/* +CME ERROR per +CMEE (0: ERROR, 1: numeric, 2: text). Codes: SIM_CME_*. */
void sim_cme_error(struct sim *s, enum sim_if iface, int code);
#define SIM_CME_NOT_ALLOWED   3   /* "operation not allowed" */
#define SIM_CME_NOT_SUPPORTED 4   /* "operation not supported" */
#define SIM_CME_MEMORY_FULL   20  /* "memory full" */
#define SIM_CME_INVALID_INDEX 21  /* "invalid index" */
#define SIM_CME_NOT_FOUND     22  /* "not found" */
#define SIM_CME_TEXT_TOO_LONG 24  /* "text string too long" */
#define SIM_CME_INVALID_CHARS 25  /* "invalid characters in text string" */
#define SIM_CME_UNKNOWN       100 /* "unknown" */
#define SIM_CME_BAD_PARAMS    50  /* "incorrect parameters" (u-blox) */
const char *sim_cme_text(int code);

/* While a raw handler is set, bytes received on `iface` go to it instead of the AT parser
 * (XMODEM, the +UDWNFILE '>' prompt). NULL returns the interface to AT mode. */
void sim_raw_set(struct sim *s, enum sim_if iface, sim_raw_fn fn);
/* A muted interface discards input and output (install: the module answers nothing). */
void sim_mute(struct sim *s, enum sim_if iface, bool muted);
/* Changes the simulated rate of an interface (+IPR); affects pacing only. */
void sim_set_rate(struct sim *s, enum sim_if iface, uint32_t baud);

/* ---- command dispatch (sim_dispatch.c) -------------------------------------------------
 * A handler returns SIM_RES_OK (dispatcher prints OK), SIM_RES_ERROR ("ERROR"),
 * SIM_RES_CME(n) (+CME ERROR per +CMEE) or SIM_RES_PENDING (the handler prints its final
 * result code itself, now or later). */
#define SIM_RES_OK      0
#define SIM_RES_PENDING 1
#define SIM_RES_ERROR   (-1)
#define SIM_RES_CME(n)  (-(1000 + (n)))

struct sim_cmd {
    const char *name; /* as in sim_at_cmd.name */
    int (*fn)(struct sim *s, enum sim_if iface, const struct sim_at_cmd *cmd);
};
/* True when parameter i is present, an unquoted integer in [lo, hi] (sim_dispatch.c). */
bool sim_param_num(const struct sim_at_cmd *c, int i, long long lo, long long hi);
/* Copies quoted string parameter p into dst: SIM_RES_OK, SIM_RES_CME(SIM_CME_BAD_PARAMS) when
 * absent or unquoted, SIM_RES_CME(SIM_CME_TEXT_TOO_LONG) when it does not fit in cap. */
int sim_param_str(char *dst, size_t cap, const struct sim_at_param *p);
/* Each part lists its commands in a table ended by {NULL, NULL} (struct sim_part). */

/* ---- persistence (sim_state.c) ---------------------------------------------------------
 * DIR/state         key=value text of struct sim_state
 * DIR/image.bin     installed firmware image (pkg image with version record)
 * DIR/image.new     image being written by an install
 * DIR/fota.pub      provisioned FOTA public key (32 bytes raw)
 * DIR/files/NAME    user files (+UDWNFILE, +ULSTFILE, +UDELFILE)
 * DIR/fota/NAME     pending FOTA package
 * DIR/foat.upd      package received by +UFWUPD (until installed)  */
int sim_state_load(struct sim *s); /* 0, or -1 with a message on stderr */
int sim_state_save(struct sim *s); /* atomic; 0 or -1 */
/* Writes DIR/rel atomically (temp file, fsync, rename, fsync dir). 0 or -1 (errno). */
int sim_atomic_write(struct sim *s, const char *rel, const void *buf, size_t len);
/* Absolute path of DIR/rel into buf. */
void sim_path(const struct sim *s, const char *rel, char *buf, size_t len);
/* Checks a module file name from the AT interface: no '/', no "..", no control characters,
 * 1..SIM_NAME_MAX-1 bytes. Returns true when it is safe to use under DIR/files/. */
bool sim_file_name_ok(const char *name);
/* Re-reads DIR/image.bin's version record into s->fw (after an install or at power-up). */
int sim_firmware_refresh(struct sim *s);

/* A 15-digit IMEI: the 8-digit Type Allocation Code `tac`, the last six digits of `serial`,
 * the Luhn check digit (what the factory programming uses; larafw-fleet numbers its modules). */
void sim_imei_compose(const char tac[8], uint32_t serial, char out[16]);

/* ---- key=value records (sim_record.c) ---------------------------------------------------
 * Called for each "key=value" line of a record in order (val NULL for a line without '=');
 * returns 0 to go on, anything else to stop the read with that value. */
typedef int (*sim_record_fn)(void *ud, const char *key, const char *val, unsigned lineno);
/* Reads the record DIR/rel ('#' comment and empty lines skipped). Returns 0, what `fn`
 * stopped with, or -1 with errno (ENOENT: no such record) when the file cannot be read. */
int sim_record_read(const struct sim *s, const char *rel, sim_record_fn fn, void *ud);

/* ---- faults (sim_fault.c) ----------------------------------------------------------- */
struct sim_faults {
    int power_cut_pct[SIM_PH_COUNT];   /* -1 none */
    int flash_write_pct[SIM_PH_COUNT]; /* -1 none */
    bool power_cut_fired, flash_write_fired;
    double noise_ber; /* bit error rate on bytes the module receives */
    double drop_rate; /* probability that a received byte is lost */
    int net_drop_pct; /* network downloads (net/sim_net.c), -1 none */
    int net_drop_count;
    uint64_t rng;
};
int sim_fault_parse(struct sim_faults *f, const char *spec, char *err, size_t errlen);
/* Reports progress of a phase; when a power-cut fault is due, records it and dies like
 * SIGKILL (no cleanup, no state save). */
void sim_fault_progress(struct sim *s, enum sim_phase ph, double percent);
/* True once, when a flash-write fault is due at this phase and progress. */
bool sim_fault_flash_write(struct sim *s, enum sim_phase ph, double percent);
/* Applies line noise and drops to bytes the module received; returns the new length. */
size_t sim_fault_line(struct sim *s, uint8_t *buf, size_t len);

/* ---- report (sim_report.c): --report FILE, JSON timeline ------------------------------ */
void sim_report(struct sim *s, const char *kind, const char *fmt, ...) SIM_PRINTF(3, 4);

/* ---- power (sim_power.c) -------------------------------------------------------------- */
/* A module reset: every part's reset hook, timers dropped, then the power-up sequence (every
 * part's power_up hook; the install part resumes an interrupted install). */
void sim_reboot(struct sim *s);

/* ---- parts (sim_part.c walks them; the table itself is in sim_parts.c) -----------------
 * A part is one feature of the module: its AT commands, the state it keeps under `struct sim`
 * (allocated by init, freed by fini) and the hooks the platform calls. Every hook may be NULL.
 * sim/README.md says how to add a command or a part. */
struct pollfd;
struct sim_part {
    const char *name; /* "ftp", "ufota" … (reports) */
    /* AT commands, ended by {NULL, NULL}; NULL: none */
    const struct sim_cmd *cmds;
    /* allocates the part's state under s (process start). 0, or -1 with errno */
    int (*init)(struct sim *s);
    void (*fini)(struct sim *s);
    /* a module reset (AT+CFUN=15, the end of an install): drop the part's volatile work */
    void (*reset)(struct sim *s);
    /* every power-up after the state is loaded, in table order (a process start too) */
    void (*power_up)(struct sim *s);
    /* clean power-off (SIGTERM): nothing may be needed for consistency on disk */
    void (*power_down)(struct sim *s);
    /* the main loop: sockets to watch (at most fds_max) and the host-time deadline, then the
     * poll() result of those entries (n may be 0 on a timeout) */
    int fds_max;
    int (*poll_setup)(struct sim *s, struct pollfd *fds, int max, uint64_t *timeout_module_ms);
    void (*service)(struct sim *s, const struct pollfd *fds, int n);
    /* hides secrets in a printable command line before it reaches the report */
    void (*redact)(char *line);
    /* updates: the download kind whose packages this part fetches (SIM_DL_NONE: none), the
     * install methods it starts (bits 1u << SIM_INSTALL_*), whether the host may install a
     * package of that download with AT+UFWINSTALL (NULL: yes), and the final code of an
     * install it started or of its package (Appendix A) */
    enum sim_download download;
    unsigned installs;
    bool (*host_may_install)(const struct sim *s);
    void (*install_result)(struct sim *s, enum sim_install_method m, int code);
};

/* Sets up a module object: zeroes *s, factory values of the platform, every part's init.
 * The caller then fills dir/product/time_scale and calls sim_power_up. 0, or -1 (stderr).
 * (sim_parts.c) */
int sim_init(struct sim *s);
/* Frees what sim_init and the parts allocated (a module in a test process). */
void sim_fini(struct sim *s);
/* Gives the final code of an install to the part that started it (m) and to the part whose
 * download brought the package (st.fota_pkg_source). */
void sim_parts_install_result(struct sim *s, enum sim_install_method m, int code);
/* May the host install the pending FOTA package (AT+UFWINSTALL)? Asks the part whose
 * download brought it. */
bool sim_parts_host_may_install(const struct sim *s);

struct sim_port {
    bool present;
    int master_fd;
    char link[PATH_MAX];
    bool echo; /* ATE */
    bool muted;
    uint32_t baud; /* simulated rate (pacing) */
    sim_raw_fn raw;
    char line[SIM_AT_LINE_MAX];
    size_t line_len;
    bool line_overflow;
    uint8_t *out; /* output queue */
    size_t out_len, out_cap;
    /* platform (sim_uart.c) */
    int slave_fd;           /* kept open so that the pty never hangs up between hosts */
    double pace_out_credit; /* --pace: bytes that may leave now */
    double pace_in_credit;  /* --pace: bytes that may be accepted now */
    uint64_t pace_last_us;  /* module time of the last credit update */
    size_t out_off;         /* queued output is out[out_off .. out_off + out_len) */
};

struct sim_fw {
    char product[PKG_NAME_MAX];
    char version[PKG_NAME_MAX];
    uint8_t sha256[PKG_SHA256_LEN];
    uint64_t size;
};

struct sim_timer {
    unsigned id;
    uint64_t due_ms;
    sim_timer_fn fn;
    void *arg;
};
#define SIM_TIMERS_MAX 64

/* Each part's state, private to its files. */
struct sim_foat;    /* update/sim_foat.c */
struct sim_install; /* update/sim_install.c */
struct sim_dwn;     /* platform/sim_files.c, while a +UDWNFILE runs */
struct sim_net;     /* net/sim_net.c, the download engine */
struct sim_ftp;     /* net/sim_ftp.c */
struct sim_http;    /* net/sim_http.c */
struct sim_lwm2m;   /* lwm2m/sim_lwm2m.c */
struct sim_ufota;   /* ufota/sim_ufota.c */

struct sim {
    const struct sim_product *product;
    char dir[PATH_MAX];
    struct sim_state st;
    struct sim_fw fw;
    uint8_t fota_pub[PKG_PUBKEY_LEN];
    bool fota_pub_ok; /* DIR/fota.pub present and 32 bytes (227 otherwise) */

    struct sim_port port[SIM_IF_COUNT];
    int cmee;
    enum sim_download download; /* §6: the one download in progress */

    double time_scale; /* module ms per host ms = 1 / time_scale */
    bool pace;
    uint64_t clock_base_ns;   /* host monotonic ns at power-up */
    uint64_t clock_offset_ms; /* virtual ms carried across reboots */
    bool clock_frozen;        /* the main loop is working: module time stands still */
    uint64_t clock_frozen_ms; /* module time while frozen */
    uint64_t clock_frozen_at_ns;
    struct sim_timer timers[SIM_TIMERS_MAX];
    unsigned next_timer_id;

    struct sim_faults faults;
    const char *report_path;

    const struct sim_part *const *parts; /* NULL-terminated (sim_init) */
    struct sim_foat *foat;
    struct sim_install *install;
    struct sim_dwn *dwn;
    struct sim_net *net;
    struct sim_ftp *ftp;
    struct sim_http *http;
    struct sim_lwm2m *lwm2m;
    struct sim_ufota *ufota;

    /* platform (sim_report.c, sim_power.c, sim_cmd_basic.c) */
    int report_fd;          /* -1 without --report */
    off_t report_end;       /* offset of the closing "]" of the timeline */
    unsigned report_seq;    /* events written */
    bool report_failed;     /* a write failed once: stop reporting, say so on stderr */
    int cfun;               /* +CFUN power mode (volatile: 1 after every power-up) */
    bool bricked_announced; /* "bricked" printed once (sim_announce) */
    /* tests and fuzzing (never set by larafw-sim itself) */
    void (*out_hook)(struct sim *s, enum sim_if iface, const void *buf, size_t len);
    bool no_fsync; /* atomic writes without fsync: fast, still rename-atomic */
};

#endif
