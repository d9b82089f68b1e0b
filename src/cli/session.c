/* Session plumbing shared by the subcommands: the logging port, progress events and the
 * error messages (each one names the Appendix A code where there is one, and what to do). */
#define _DEFAULT_SOURCE
#include "session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "larafw/xmodem.h"

/* ---- the port the core talks through: the POSIX line + AT log + --checksum filter ------ */

/* Notes in the AT log when the line goes away and when it works again (once each: a USB
 * port can be absent for minutes while the module installs, §3.1). */
static void line_state(struct lfw_session *s, bool ok)
{
    if (ok == !s->line_down)
        return;
    s->line_down = !ok;
    lfw_atlog_note(&s->log, lfw_atlog_wall_ms(), "%s",
                   ok ? "line works again" : "line failed (device gone or closed)");
}

/* ---- interrupts: one SIGINT/SIGTERM ends any run within a second ------------------------ */

/* Longest single wait on the line: how soon an interrupt is noticed. */
#define STOP_SLICE_MS 200u
/* After an interrupt, a running transfer may still finish its block and cancel cleanly (CAN
 * CAN after the block, §3; the rate put back): this long, then the line is closed to the
 * core. */
#define STOP_GRACE_MS 700u

static const uint8_t xmodem_cancel[] = {LFW_XMODEM_CAN, LFW_XMODEM_CAN, LFW_XMODEM_CAN};

/* True when the core must stop using the line: interrupted, and no transfer or clean-up may
 * still use it (see lfw_session_cleanup). An XMODEM transfer still running when the grace
 * ends gets its CAN CAN from here, so that the module leaves its receive mode at once. */
static bool must_stop(struct lfw_session *s)
{
    if (!lfw_cli_interrupted)
        return false;
    uint64_t now = lfw_posix_now_ms();
    if (s->stop_at == 0)
        s->stop_at = now + STOP_GRACE_MS;
    if ((s->transferring || s->cleaning) && now < s->stop_at)
        return false;
    if (s->transferring && s->opts->cmd == LFW_CMD_FOAT && !s->cancel_sent) {
        s->cancel_sent = true;
        int n = s->line.write(s->line.user, xmodem_cancel, sizeof xmodem_cancel);
        if (n > 0)
            lfw_atlog_tx(&s->log, xmodem_cancel, (size_t)n, lfw_atlog_wall_ms());
    }
    if (!s->stop_noted) {
        s->stop_noted = true;
        lfw_atlog_note(&s->log, lfw_atlog_wall_ms(), "interrupted: the run ends");
    }
    return true;
}

void lfw_session_cleanup(struct lfw_session *s)
{
    s->cleaning = true;
    s->transferring = false;
    s->stop_at = lfw_posix_now_ms() + STOP_GRACE_MS;
}

static int lp_write(void *user, const uint8_t *data, size_t len)
{
    struct lfw_session *s = user;
    if (must_stop(s))
        return LFW_ECANCELED;
    if (s->hide_crc_start && len >= 11 && memcmp(data, "AT+UFWUPD=3", 11) == 0)
        s->hide_armed = true;
    if (s->hide_armed && len > 0 && (data[0] == LFW_XMODEM_SOH || data[0] == LFW_XMODEM_STX))
        s->hide_armed = false;
    int n = s->line.write(s->line.user, data, len);
    if (n > 0)
        lfw_atlog_tx(&s->log, data, (size_t)n, lfw_atlog_wall_ms());
    line_state(s, n >= 0);
    return n;
}

/* Reads in slices of STOP_SLICE_MS so that an interrupt ends any wait soon. */
static int lp_read(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    struct lfw_session *s = user;
    uint32_t t0 = s->line.now_ms(s->line.user);
    for (;;) {
        if (must_stop(s))
            return LFW_ECANCELED;
        uint32_t spent = s->line.now_ms(s->line.user) - t0;
        uint32_t left = spent >= timeout_ms ? 0 : timeout_ms - spent;
        uint32_t slice = left < STOP_SLICE_MS ? left : STOP_SLICE_MS;
        int n = s->line.read(s->line.user, buf, cap, slice);
        if (n > 0)
            lfw_atlog_rx(&s->log, buf, (size_t)n, lfw_atlog_wall_ms());
        line_state(s, n >= 0);
        if (n < 0)
            return n;
        if (n > 0 && s->hide_armed)
            n = (int)lfw_crc_filter_apply(&s->crc_filter, buf, (size_t)n);
        if (n > 0 || left == 0)
            return n;
    }
}

static uint32_t lp_now_ms(void *user)
{
    struct lfw_session *s = user;
    return s->line.now_ms(s->line.user);
}

static int lp_set_baud(void *user, uint32_t baud)
{
    struct lfw_session *s = user;
    lfw_atlog_note(&s->log, lfw_atlog_wall_ms(), "host line rate %u bit/s", (unsigned)baud);
    int rc = s->line.set_baud(s->line.user, baud);
    if (rc < 0)
        lfw_atlog_note(&s->log, lfw_atlog_wall_ms(), "rate change failed");
    return rc;
}

/* ---- messages ------------------------------------------------------------------------- */

void lfw_session_say(struct lfw_session *s, const char *fmt, ...)
{
    if (s->opts->verbosity < 0 || s->opts->json)
        return;
    lfw_progress_finish(&s->progress);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

void lfw_session_debug(struct lfw_session *s, const char *fmt, ...)
{
    if (s->opts->verbosity < 1)
        return;
    lfw_progress_finish(&s->progress);
    va_list ap;
    va_start(ap, fmt);
    fputs("larafw: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int lfw_session_error(struct lfw_session *s, int status, int result_code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lfw_progress_finish(&s->progress);
    fprintf(stderr, "larafw: %s\n", msg);
    lfw_atlog_note(&s->log, lfw_atlog_wall_ms(), "error: %s", msg);
    if (s->opts->json) {
        char buf[1600];
        struct lfw_json j;
        lfw_json_begin(&j, buf, sizeof buf);
        lfw_json_str(&j, "event", "error");
        lfw_json_int(&j, "exit_status", status);
        if (result_code >= 0)
            lfw_json_int(&j, "result_code", result_code);
        else
            lfw_json_str(&j, "result_code", NULL);
        lfw_json_str(&j, "message", msg);
        const char *t = lfw_json_end(&j);
        if (t)
            printf("%s\n", t);
        fflush(stdout);
    }
    return status;
}

void lfw_session_json_result(struct lfw_session *s, const char *command, int result_code,
                             const char *old_version, const char *new_version)
{
    if (!s->opts->json)
        return;
    char buf[512];
    struct lfw_json j;
    lfw_json_begin(&j, buf, sizeof buf);
    lfw_json_str(&j, "event", "result");
    lfw_json_str(&j, "command", command);
    lfw_json_str(&j, "result", "success");
    if (result_code >= 0)
        lfw_json_int(&j, "result_code", result_code);
    else
        lfw_json_str(&j, "result_code", NULL);
    lfw_json_str(&j, "old_version", old_version);
    lfw_json_str(&j, "new_version", new_version);
    const char *t = lfw_json_end(&j);
    if (t)
        printf("%s\n", t);
    fflush(stdout);
}

int lfw_session_done(struct lfw_session *s, const char *command, int result_code,
                     const char *old_version, const char *new_version)
{
    lfw_progress_finish(&s->progress);
    lfw_session_json_result(s, command, result_code, old_version, new_version);
    if (strcmp(old_version, new_version) == 0)
        lfw_session_say(s,
                        "firmware: %s (unchanged: the module was already on this version, "
                        "result %d)",
                        new_version, result_code >= 0 ? result_code : LFW_RESULT_SUCCESS);
    else
        lfw_session_say(s, "firmware: %s → %s", old_version, new_version);
    return LFW_EXIT_OK;
}

/* What to do after a final code (Appendix A). */
static const char *result_advice(int code)
{
    switch (code) {
    case 168:
        return "the delta was built for another source version: build or fetch the delta from "
               "the version 'larafw info' shows";
    case 173:
        return "use a package signed with the key provisioned in this module and run the "
               "update again";
    case 174:
    case 158:
        return "the file is not a delta this firmware understands: check that you picked the "
               "right package";
    case 180:
    case 148:
        return "the package arrived damaged or truncated: check the file, then push it again";
    case 227:
        return "the module has no valid FOTA public key: have it provisioned, then retry";
    case 247:
        return "the package does not fit this module (product or version): check 'larafw info' "
               "against the package";
    case 195:
    case 160:
    case 130:
    case 230:
        return "flash trouble: keep the module powered, run the update again, and contact "
               "u-blox support if it repeats";
    default:
        return "the old firmware is still running; check the package and run the update "
               "again, or contact u-blox support if it repeats";
    }
}

/* The message of a run ended by SIGINT/SIGTERM: what the module does now depends on how far
 * the run got (the last progress event). */
static int interrupted(struct lfw_session *s, const char *step, int code)
{
    enum lfw_cli_cmd cmd = s->opts->cmd;
    bool update =
        cmd == LFW_CMD_FOAT || cmd == LFW_CMD_PUSH || cmd == LFW_CMD_INSTALL || cmd == LFW_CMD_FOTA;
    if (s->phase < 0 && !update)
        return lfw_session_error(s, LFW_EXIT_IO, code, "%s: interrupted", step);
    if (s->phase < 0)
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: interrupted before any transfer or install began; the "
                                 "firmware is unchanged",
                                 step);
    if (s->phase == LFW_PHASE_DOWNLOAD && s->opts->cmd == LFW_CMD_FOTA)
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: interrupted; the module goes on downloading by itself: "
                                 "run the same command again to follow it (it does not start a "
                                 "second download)",
                                 step);
    if (s->phase == LFW_PHASE_DOWNLOAD && (s->phase_percent < 100 || s->cancel_sent))
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: interrupted; the transfer was cancelled and the firmware "
                                 "is unchanged: run the command again to update",
                                 step);
    return lfw_session_error(s, LFW_EXIT_IO, code,
                             "%s: interrupted; the module goes on with the install by itself (it "
                             "cannot be cancelled, §5.7): keep it powered, and run 'larafw info' "
                             "when it answers again to see the version it ends on",
                             step);
}

int lfw_session_fail(struct lfw_session *s, const char *step, int rc, const struct lfw_error *e)
{
    const char *port = s->opts->port;
    int code = e ? e->result_code : -1;
    if (lfw_cli_interrupted && (rc == LFW_ECANCELED || rc == LFW_EIO || rc == LFW_ETIMEDOUT ||
                                rc == LFW_ENOANSWER || rc == LFW_EGARBAGE))
        return interrupted(s, step, code);
    switch (rc) {
    case LFW_EGARBAGE:
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: what %s sends is not a plausible AT answer (binary "
                                 "data): check that it is the module's AT port and the rate "
                                 "(-b, factory 115200); --at-log FILE shows what came",
                                 step, port);
    case LFW_EMODULE:
        return lfw_session_error(s, LFW_EXIT_MODULE, code, "%s: module reported %d: %s; %s", step,
                                 code, lfw_result_str(code), result_advice(code));
    case LFW_ECME:
        if (e && e->cme_text[0])
            return lfw_session_error(s, LFW_EXIT_MODULE, code,
                                     "%s: the module refused: +CME ERROR: %s; %s", step,
                                     e->cme_text,
                                     strstr(e->cme_text, "not allowed")
                                         ? "no update is possible right now (no package "
                                           "stored, or another download in progress, §6): "
                                           "push a package first or wait for the other "
                                           "download to end"
                                         : "check the command's preconditions and retry");
        return lfw_session_error(s, LFW_EXIT_MODULE, code,
                                 "%s: the module refused: +CME ERROR: %d; check that no other "
                                 "download is in progress (§6) and retry",
                                 step, e ? e->cme_code : -1);
    case LFW_EAT_ERROR:
        return lfw_session_error(s, LFW_EXIT_MODULE, code,
                                 "%s: the module answered ERROR; check that the product supports "
                                 "this (see 'larafw info') and that no other download is in "
                                 "progress (§6)",
                                 step);
    case LFW_ENOTSUP:
        if (s->opts->rate)
            return lfw_session_error(s, LFW_EXIT_MODULE, code,
                                     "%s: %s cannot transfer at %u bit/s (§3.1; 3000000 is not "
                                     "supported on LARA-R6004D-00B and LARA-L6004-00B); use "
                                     "--rate 921600",
                                     step,
                                     s->product_version[0] ? s->product_version : "this product",
                                     (unsigned)s->opts->rate);
        return lfw_session_error(s, LFW_EXIT_MODULE, code,
                                 "%s: this product does not support the operation (MODULE.md "
                                 "§1); check 'larafw info'",
                                 step);
    case LFW_EVERSION:
        return lfw_session_error(s, LFW_EXIT_MODULE, code,
                                 "%s: the module runs another version than expected after the "
                                 "update; check the package with 'larafw info'",
                                 step);
    case LFW_EERROR1:
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: the module's XMODEM window expired (ERROR1, §3.1.2); the "
                                 "firmware is unchanged: run the command again",
                                 step);
    case LFW_ETIMEDOUT:
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: no answer from the module on %s in time; check the port, "
                                 "the rate (-b) and the power, then run the command again",
                                 step, port);
    case LFW_ENOANSWER:
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: the module did not answer AT again; an install can take "
                                 "up to 65 min on LARA-R6 00B (§3.1): wait, then run "
                                 "'larafw info' (or give --timeout)",
                                 step);
    case LFW_ERETRIES:
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: too many XMODEM retransmissions; the line is too noisy: "
                                 "check the cable, use a lower --rate, and run it again",
                                 step);
    case LFW_ECANCELED:
        if (lfw_cli_interrupted)
            return lfw_session_error(s, LFW_EXIT_IO, code,
                                     "%s: interrupted; the transfer was cancelled and the "
                                     "firmware is unchanged: run the command again to update",
                                     step);
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: the transfer was cancelled by the module; the firmware "
                                 "is unchanged: run the command again",
                                 step);
    case LFW_ESOURCE:
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: reading the package file failed; check the file and "
                                 "run again",
                                 step);
    case LFW_EIO:
        if (!s->serial.is_tty)
            return lfw_session_error(s, LFW_EXIT_IO, code,
                                     "%s: %s is not a serial port / character device that "
                                     "answers (not a terminal: reading it failed or ended at "
                                     "once, as /dev/null does); give the module's serial "
                                     "device, e.g. /dev/ttyACM0 or /dev/ttyUSB0",
                                     step, port);
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: serial line error on %s (did the module lose power?); "
                                 "check the port and the cable; if an install was running, "
                                 "run 'larafw install' when the module is back: it follows "
                                 "the resumed install (§4.3.1.3)",
                                 step, port);
    default:
        return lfw_session_error(s, LFW_EXIT_IO, code,
                                 "%s: %s; run it again with --at-log FILE "
                                 "and -v to see what the module said",
                                 step, lfw_strerror(rc));
    }
}

/* ---- events → progress ---------------------------------------------------------------- */

static const char *phase_name(enum lfw_phase p)
{
    switch (p) {
    case LFW_PHASE_DOWNLOAD:
        return "download";
    case LFW_PHASE_VALIDATION:
        return "validation";
    case LFW_PHASE_INSTALL:
        return "install";
    case LFW_PHASE_REBOOT:
        return "reboot";
    case LFW_PHASE_DONE:
        return "done";
    }
    return "?";
}

volatile int lfw_cli_interrupted;

static int on_event(void *user, const struct lfw_event *ev)
{
    struct lfw_session *s = user;
    lfw_progress_event(&s->progress, phase_name(ev->phase), ev->percent, ev->bytes, ev->total,
                       ev->result_code, lfw_posix_now_ms());
    s->phase = (int)ev->phase;
    s->phase_percent = ev->percent;
    /* A transfer from the host runs until its last byte: an interrupt cancels it cleanly. */
    s->transferring = ev->phase == LFW_PHASE_DOWNLOAD && ev->percent < 100;
    if (lfw_cli_interrupted && ev->phase == LFW_PHASE_DOWNLOAD) {
        lfw_atlog_note(&s->log, lfw_atlog_wall_ms(), "interrupted: cancelling the transfer");
        return 1; /* the core sends CAN CAN: the module keeps its old firmware (§3) */
    }
    return 0;
}

void lfw_session_proc(struct lfw_session *s, struct lfw_proc_config *pc,
                      const struct lfw_product *product)
{
    memset(pc, 0, sizeof *pc);
    pc->at = &s->at;
    pc->product = product;
    pc->on_event = on_event;
    pc->user = s;
    pc->base_baud = s->opts->baud;
    pc->transfer_baud = s->opts->rate;
    if (s->opts->timeout_s)
        pc->timeouts.install_ms = s->opts->timeout_s * 1000u;
    /* A module that is up answers AT within milliseconds: poll every second while it boots
     * rather than every two (the library's default), to notice it sooner. */
    pc->timeouts.poll_ms = 1000;
}

int lfw_session_info(struct lfw_session *s, struct lfw_info *info, uint32_t timeout_ms)
{
    struct lfw_error e;
    lfw_error_clear(&e);
    /* Verbose +CME ERROR texts ("operation not allowed", §4.3) for the messages; a module
     * that refuses keeps its setting, and lfw_info_read below tells whether it answers. */
    int rc = lfw_at_cmd(&s->at, "AT+CMEE=2", NULL, NULL, 0, timeout_ms ? timeout_ms : 10000);
    lfw_session_debug(s, "AT+CMEE=2: %s", lfw_strerror(rc));
    if (rc == LFW_EGARBAGE || rc == LFW_EIO || rc == LFW_ECANCELED)
        return lfw_session_fail(s, "reading the module's identity", rc, NULL);
    rc = lfw_info_read(&s->at, timeout_ms, info, &e);
    if (rc == 0) {
        /* ATI9 is optional: a module without it keeps what ATI/AT+CGMM gave. */
        char ati9[LFW_INFO_TEXT_MAX * 2] = "";
        s->product_version[0] = '\0';
        int r9 = lfw_at_cmd(&s->at, "ATI9", "", ati9, sizeof ati9, 3000);
        const char *comma = strrchr(ati9, ',');
        if (r9 == 0 && comma) {
            const char *pv = comma + 1;
            while (*pv == ' ' || *pv == '"')
                pv++;
            size_t n = strcspn(pv, "\"\r\n ");
            if (n >= sizeof s->product_version)
                n = sizeof s->product_version - 1;
            memcpy(s->product_version, pv, n);
            s->product_version[n] = '\0';
            const struct lfw_product *p = lfw_product_match(s->product_version);
            if (p && p->id != LFW_PRODUCT_UNKNOWN)
                info->product = p;
        }
        return 0;
    }
    if (rc == LFW_ETIMEDOUT && !lfw_cli_interrupted)
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "no answer to AT+CGMR on %s at %u bit/s; check the port, the "
                                 "rate (-b, factory 115200) and that the module is powered "
                                 "and not installing",
                                 s->opts->port, (unsigned)s->opts->baud);
    return lfw_session_fail(s, "reading the module's identity", rc, &e);
}

const char *lfw_session_product(const struct lfw_session *s, const struct lfw_info *info)
{
    if (s->product_version[0])
        return s->product_version;
    return info->model[0] ? info->model : info->product->name;
}

/* ---- install URCs: recorded whoever reads the channel ---------------------------------- */

static void on_install_urc(void *user, const char *line)
{
    struct lfw_session *s = user;
    int v = lfw_urc_value(line);
    if (v < 0)
        return;
    s->urc_count++;
    if (strncmp(line, "+UFWPREVAL:", 11) == 0)
        return;
    if (v > 100)
        s->urc_final = v;
    else
        s->urc_percent = v;
}

static const struct lfw_at_urc install_urcs[] = {
    {"+UFWPREVAL:", on_install_urc},
    {"+UFWINSTALL:", on_install_urc},
    {"+UFWUPD:", on_install_urc},
};

/* ---- open / close --------------------------------------------------------------------- */

/* Why the port did not open, and what to do. */
static int open_error(struct lfw_session *s, int rc)
{
    const char *port = s->opts->port;
    int err = errno;
    if (rc == LFW_POSIX_E_BUSY && s->serial.holder_pid > 0)
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "%s is in use by process %ld (%s), which holds its lock; wait "
                                 "for it to end or stop it, then run the command again",
                                 port, s->serial.holder_pid,
                                 s->serial.holder[0] ? s->serial.holder : "unknown program");
    if (rc == LFW_POSIX_E_BUSY)
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "%s is in use by another program, which holds its lock; wait "
                                 "for it to end or stop it, then run the command again",
                                 port);
    if (rc == LFW_POSIX_E_NOTSERIAL || err == EISDIR)
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "%s is not a serial port / character device (%s); give the "
                                 "module's serial device, e.g. /dev/ttyACM0 or /dev/ttyUSB0 (-p "
                                 "or LARAFW_PORT)",
                                 port, err == EISDIR ? "a directory" : "a regular file");
    if (err == EBUSY)
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "cannot open %s: another program opened it exclusively "
                                 "(TIOCEXCL; an older larafw left that flag set): stop that "
                                 "program, or reconnect the device; a run of larafw as root "
                                 "clears the flag",
                                 port);
    return lfw_session_error(s, LFW_EXIT_IO, -1,
                             "cannot open %s: %s; check the device name (-p or LARAFW_PORT) "
                             "and your permissions (e.g. the dialout group)",
                             port, strerror(err));
}

int lfw_session_open(struct lfw_session *s, const struct lfw_cli_opts *o)
{
    memset(s, 0, sizeof *s);
    s->opts = o;
    s->serial.fd = -1;

    enum lfw_progress_mode mode = LFW_PROGRESS_LINES;
    int width = 80;
    if (o->json)
        mode = LFW_PROGRESS_JSON;
    else if (o->verbosity < 0)
        mode = LFW_PROGRESS_QUIET;
    else if (isatty(STDOUT_FILENO)) {
        mode = LFW_PROGRESS_TTY;
        struct winsize ws;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
            width = ws.ws_col;
    }
    lfw_progress_init(&s->progress, mode, stdout, width);

    if (!o->at_log && o->verbosity >= 2) {
        /* -vv: the AT log goes to stderr */
        lfw_atlog_attach(&s->log, stderr);
        s->log.keep_open = true;
    }
    if (o->at_log && lfw_atlog_open(&s->log, o->at_log) < 0)
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "cannot write the AT log %s: %s; give a writable path", o->at_log,
                                 strerror(errno));

    int rc = lfw_posix_serial_open(&s->serial, o->port, o->baud);
    if (rc == LFW_POSIX_E_BAUD)
        return lfw_session_error(s, LFW_EXIT_USAGE, -1,
                                 "%s cannot run at %u bit/s; give a rate the port supports "
                                 "with -b",
                                 o->port, (unsigned)o->baud);
    if (rc < 0)
        return open_error(s, rc);
    lfw_atlog_note(&s->log, lfw_atlog_wall_ms(), "opened %s at %u bit/s", o->port,
                   (unsigned)o->baud);

    lfw_posix_port_init(&s->line, &s->serial);
    s->port.write = lp_write;
    s->port.read = lp_read;
    s->port.now_ms = lp_now_ms;
    s->port.set_baud = lp_set_baud;
    s->port.user = s;
    s->hide_crc_start = o->checksum;

    struct lfw_at_config ac = {
        .port = &s->port,
        .buf = s->at_buf,
        .buf_size = sizeof s->at_buf,
        .urcs = install_urcs,
        .urc_count = sizeof install_urcs / sizeof install_urcs[0],
        .urc_user = s,
    };
    s->urc_percent = -1;
    s->urc_final = -1;
    s->phase = -1;
    s->phase_percent = -1;
    rc = lfw_at_init(&s->at, &ac);
    if (rc < 0)
        return lfw_session_error(s, LFW_EXIT_IO, -1, "internal error: %s; please report it",
                                 lfw_strerror(rc));
    return 0;
}

void lfw_session_close(struct lfw_session *s)
{
    lfw_progress_finish(&s->progress);
    lfw_atlog_close(&s->log);
    lfw_posix_serial_close(&s->serial);
}
