/* One run of `larafw` against one module: the serial line, the logging port the core talks
 * through, the AT channel, progress output and error reporting. Each subcommand
 * (cmd_*.c) gets a session from main.c. */
#ifndef LARAFW_CLI_SESSION_H
#define LARAFW_CLI_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "cli_util.h"
#include "larafw/at.h"
#include "larafw/error.h"
#include "larafw/info.h"
#include "larafw/port.h"
#include "larafw/proc.h"
#include "larafw_posix.h"

#define LFW_CLI_AT_BUF 1024

struct lfw_session {
    const struct lfw_cli_opts *opts;
    struct lfw_posix_serial serial;
    struct lfw_port line; /* the POSIX port */
    struct lfw_port port; /* what the core uses: `line` plus the AT log and filters */
    struct lfw_atlog log;
    struct lfw_at at;
    uint8_t at_buf[LFW_CLI_AT_BUF];
    struct lfw_progress progress;
    /* --checksum: hide the receiver's 'C' so that the sender answers its NAK (§3.1) */
    bool hide_crc_start;
    bool hide_armed; /* AT+UFWUPD=3 sent, no block yet */
    struct lfw_crc_filter crc_filter;
    bool line_down; /* the port failed last time (AT log notes transitions only) */
    /* install progress URCs seen by the channel, whoever was reading (§3.1.1, §4.3.1) */
    int urc_percent; /* last +UFWINSTALL:/+UFWUPD: progress 0..100, -1 none */
    int urc_final;   /* last final code (> 100), -1 none */
    int urc_count;   /* install/validation URCs seen */
    /* product version from ATI9 ("<modem version>,<product version>"), "" if not answered */
    char product_version[LFW_INFO_TEXT_MAX];
    /* where the run is: the last progress event (phase -1: none yet), for interrupts */
    int phase;
    int phase_percent;
    bool transferring; /* a host → module transfer runs (XMODEM, +UDWNFILE) */
    bool cleaning;     /* lfw_session_cleanup(): the line works a little longer */
    bool cancel_sent;  /* CAN CAN written after an interrupt */
    bool stop_noted;   /* the AT log has the interrupt */
    uint64_t stop_at;  /* after an interrupt: end of the grace for a transfer or clean-up */
};

/* Set by main's SIGINT/SIGTERM handler. The run then ends within a second: every wait on the
 * line ends with LFW_ECANCELED (the line is read in slices of 200 ms); a transfer from the
 * host gets up to 0.7 s to cancel cleanly (CAN CAN at the next XMODEM block, §3, the rate put
 * back); an install is never cancelled (§5.7), the module goes on. A second interrupt ends
 * the program at once. */
extern volatile int lfw_cli_interrupted;

/* After an interrupt: lets the caller use the line for up to 0.7 s more to leave the module
 * in a known state (e.g. restore a setting); then the line is closed to the core again. */
void lfw_session_cleanup(struct lfw_session *s);

/* Opens PORT at BAUD, the AT log and the progress display. Returns 0 or an exit status
 * (message printed). */
int lfw_session_open(struct lfw_session *s, const struct lfw_cli_opts *o);
void lfw_session_close(struct lfw_session *s);

/* A procedure config for this session (events → progress). */
void lfw_session_proc(struct lfw_session *s, struct lfw_proc_config *pc,
                      const struct lfw_product *product);

/* Reads the module's identity (lfw_info_read, then ATI9 for the product version, which
 * refines info->product: "LARA-R6001D-01B" rather than the model's conservative "00B").
 * On failure prints why and what to do and returns an exit status. */
int lfw_session_info(struct lfw_session *s, struct lfw_info *info, uint32_t timeout_ms);

/* The best product name known: ATI9's product version, else AT+CGMM, else the class. */
const char *lfw_session_product(const struct lfw_session *s, const struct lfw_info *info);

/* Prints the error of a failed procedure (stderr, and a JSON "error" event with --json)
 * and returns the exit status for it: 1 module refused/failed, 3 I/O or timeout. */
int lfw_session_fail(struct lfw_session *s, const char *step, int rc, const struct lfw_error *e);

/* Messages: info (not with -q or --json), verbose (with -v). */
void lfw_session_say(struct lfw_session *s, const char *fmt, ...) LFW_CLI_PRINTF(2, 3);
void lfw_session_debug(struct lfw_session *s, const char *fmt, ...) LFW_CLI_PRINTF(2, 3);
/* Prints an error message (and a JSON error event) and returns `status`. */
int lfw_session_error(struct lfw_session *s, int status, int result_code, const char *fmt, ...)
    LFW_CLI_PRINTF(4, 5);

/* The end of a successful update: the JSON result line and "firmware: old → new" (or
 * "firmware: V (unchanged: the module was already on this version, result 128)").
 * Returns LFW_EXIT_OK. */
int lfw_session_done(struct lfw_session *s, const char *command, int result_code,
                     const char *old_version, const char *new_version);

/* Final JSON result line for an update: {"event":"result",…}. */
void lfw_session_json_result(struct lfw_session *s, const char *command, int result_code,
                             const char *old_version, const char *new_version);

/* The subcommands; each returns the exit status. */
int lfw_cmd_info(struct lfw_session *s);
int lfw_cmd_foat(struct lfw_session *s);
int lfw_cmd_push(struct lfw_session *s);
int lfw_cmd_install(struct lfw_session *s);
int lfw_cmd_fota(struct lfw_session *s);  /* cmd_fota.c */
int lfw_cmd_ufota(struct lfw_session *s); /* cmd_ufota.c, cmd_ufota_watch.c */
int lfw_cmd_lwm2m(struct lfw_session *s); /* cmd_lwm2m.c */

#endif
