/* The AT channel: commands, final result codes, information responses, URCs and raw data.
 *
 * One `struct lfw_at` per serial link, allocated by the caller and initialised from a const
 * config that names the port, the caller's line buffer and a const URC table.
 *
 * Lines end at CR or LF (empty lines are skipped). A line longer than the buffer is dropped.
 * Final result codes: `OK`, `ERROR`, `+CME ERROR: <n|text>`, `ERROR1` (§3.1.2).
 *
 * URCs: every complete line that starts with a prefix of the URC table is handed to its
 * handler — also while a command waits for its answer. Handlers run from the channel's own
 * read loop *after* the line has been cut out and the parser state is consistent, never from
 * the middle of the byte parser; the line is valid only during the call. A handler must not
 * call lfw_at_* on the same channel (such calls return LFW_EBUSY) and should only record what
 * it needs. URC lines are not taken as a command's information response.
 *
 * Raw mode: after a line that announces binary data (e.g. `+UFWUPD: ONGOING` before the
 * XMODEM start character, §3.1) the bytes already buffered after that line are not lost:
 * lfw_at_raw_port() gives a port whose read() drains them first. The `>` prompt of +UDWNFILE
 * (§4.2.3), which has no line terminator, is detected by lfw_at_wait_prompt().
 *
 * Timeouts are measured with the port clock and compared wrap-safely, after every read
 * whatever arrived: a port that never stops sending (a flood of bytes without a line end, or
 * of lines that are no final code) still ends a wait at its deadline. Bytes that are already
 * buffered when a deadline passes are still examined once; a complete line that arrives after
 * a command timed out stays buffered and is seen by the next call (a late "OK" can complete
 * the next command — callers that care resynchronise with a plain "AT").
 *
 * Plausibility: AT answers are text. More than LFW_AT_GARBAGE_MAX bytes no AT answer contains,
 * with no clean line between them, end a wait with LFW_EGARBAGE at once (binary data,
 * /dev/urandom, a wrong rate) instead of handing them out as information or waiting for the
 * deadline; the buffered bytes are dropped. lfw_at_poll() drops such noise without an error.
 *
 * Cancelling: a port read or write that returns LFW_ECANCELED (the platform was asked to stop,
 * e.g. by a signal) ends the call with LFW_ECANCELED; any other negative return is LFW_EIO.
 */
#ifndef LARAFW_AT_H
#define LARAFW_AT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "larafw/error.h"
#include "larafw/port.h"

/* Smallest line buffer accepted by lfw_at_init(). */
#define LFW_AT_BUF_MIN 64
/* A good default: the longest line the procedures need is well below this. */
#define LFW_AT_BUF_DEFAULT 256
/* More bytes than this that no AT answer contains (control bytes other than CR/LF/TAB, bytes
 * >= 0x7f) without a clean AT line between them end a wait with LFW_EGARBAGE: the port is not
 * an AT interface, or runs at another rate. A few bytes of line noise (a module's power-up)
 * stay below it. */
#define LFW_AT_GARBAGE_MAX 16u

struct lfw_at_urc {
    const char *prefix; /* e.g. "+UFWINSTALL:"; matched at the start of a line */
    void (*handler)(void *user, const char *line);
};

struct lfw_at_config {
    const struct lfw_port *port;
    uint8_t *buf; /* line buffer, caller's, >= LFW_AT_BUF_MIN bytes */
    size_t buf_size;
    const struct lfw_at_urc *urcs; /* may be NULL */
    size_t urc_count;
    void *urc_user; /* first argument of every URC handler */
};

/* Classification of one complete line. */
enum lfw_at_line {
    LFW_AT_LINE_OTHER = 0, /* information text, echo, garbage */
    LFW_AT_LINE_OK,
    LFW_AT_LINE_ERROR,
    LFW_AT_LINE_CME, /* +CME ERROR: … */
    LFW_AT_LINE_ERROR1,
};

/* The channel. Members are private: use the functions. */
struct lfw_at {
    const struct lfw_port *port;
    uint8_t *buf;
    size_t size;
    size_t len;      /* valid bytes in buf */
    size_t scan;     /* bytes of buf already searched for a terminator */
    size_t consumed; /* bytes at the start of buf that belong to the line last handed out */
    const struct lfw_at_urc *urcs;
    size_t urc_count;
    void *urc_user;
    bool discarding; /* dropping an overlong line up to its terminator */
    bool in_handler; /* a URC handler is running */
    int cme_code;    /* last +CME ERROR: numeric code, or -1 */
    char cme_text[LFW_CME_TEXT_MAX];
    uint32_t dropped_lines; /* overlong lines dropped (statistics) */
    uint32_t garbage;       /* bytes no AT answer contains since the last clean line */
    struct lfw_port raw;    /* port view for raw mode (see lfw_at_raw_port) */
};

/* Initialises `at` from `cfg` (cfg is not kept; the port, buffer and URC table are).
 * Returns 0, or LFW_EINVAL (NULL pointers, buffer smaller than LFW_AT_BUF_MIN, port without
 * write/read/now_ms). */
int lfw_at_init(struct lfw_at *at, const struct lfw_at_config *cfg) LFW_WARN_UNUSED;

/* Classifies one complete line (without terminator). For LFW_AT_LINE_CME, stores the numeric
 * code in *cme_code (-1 for a text error) when cme_code is not NULL. */
enum lfw_at_line lfw_at_classify(const char *line, int *cme_code);

/* Sends `cmd` followed by CR (the command is written as is, e.g. "AT+CGMR").
 * Returns 0, LFW_EINVAL, LFW_EBUSY, LFW_ECANCELED, LFW_EIO. */
int lfw_at_send(struct lfw_at *at, const char *cmd) LFW_WARN_UNUSED;

/* Sends `cmd` and waits up to `timeout_ms` for its final result code. Lines that start with
 * `info_prefix` are the information response: copied into `info` (prefix and the blanks after
 * it removed; several lines joined by '\n'). With info_prefix "" every line that is not a URC,
 * not the command's echo and not a final code is taken (AT+CGMR, ATI, AT+CGSN answer without a
 * prefix). info may be NULL (info_prefix ignored).
 * Returns 0 (OK), LFW_EAT_ERROR, LFW_ECME (lfw_at_last_cme() has the code/text),
 * LFW_EERROR1, LFW_ETIMEDOUT, LFW_EOVERFLOW (info did not fit; the rest was dropped but the
 * command completed with OK), LFW_EGARBAGE, LFW_ECANCELED, LFW_EINVAL, LFW_EBUSY, LFW_EIO. */
int lfw_at_cmd(struct lfw_at *at, const char *cmd, const char *info_prefix, char *info,
               size_t info_size, uint32_t timeout_ms) LFW_WARN_UNUSED;

/* Waits for the final result code of a command already sent with lfw_at_send(), with the same
 * information-response capture and return values as lfw_at_cmd(). `echo` (may be NULL) is the
 * command text, skipped if the module echoes it. */
int lfw_at_wait_final(struct lfw_at *at, const char *echo, const char *info_prefix, char *info,
                      size_t info_size, uint32_t timeout_ms) LFW_WARN_UNUSED;

/* Returns the next complete non-empty line within `timeout_ms` in *line (valid until the next
 * call on the channel). URC lines are dispatched to their handler and returned as well.
 * Returns the line length (>= 1), LFW_ETIMEDOUT, LFW_EGARBAGE, LFW_ECANCELED, LFW_EINVAL,
 * LFW_EBUSY, LFW_EIO. */
int lfw_at_read_line(struct lfw_at *at, uint32_t timeout_ms, const char **line) LFW_WARN_UNUSED;

/* Reads and dispatches URCs for `timeout_ms` (0 = only what is already there or arrives at
 * once); implausible bytes are dropped here, not an error. Returns the number of lines seen
 * (>= 0), LFW_ECANCELED, LFW_EINVAL, LFW_EBUSY, LFW_EIO. */
int lfw_at_poll(struct lfw_at *at, uint32_t timeout_ms) LFW_WARN_UNUSED;

/* Waits for the `>` prompt (§4.2.3): a '>' at the start of a line, with no terminator; one
 * blank after it is consumed too. Returns 0, LFW_EAT_ERROR/LFW_ECME/LFW_EERROR1 if a final
 * code comes instead, LFW_ETIMEDOUT, LFW_EGARBAGE, LFW_ECANCELED, LFW_EINVAL, LFW_EBUSY,
 * LFW_EIO. */
int lfw_at_wait_prompt(struct lfw_at *at, uint32_t timeout_ms) LFW_WARN_UNUSED;

/* Writes raw bytes (all of them). Returns 0, LFW_EINVAL, LFW_EIO. */
int lfw_at_write_raw(struct lfw_at *at, const uint8_t *data, size_t len) LFW_WARN_UNUSED;

/* Reads raw bytes: first what is still buffered after the last line, then from the port.
 * Returns the count (0 on timeout), LFW_EINVAL, LFW_ECANCELED, LFW_EIO. */
int lfw_at_read_raw(struct lfw_at *at, uint8_t *buf, size_t cap,
                    uint32_t timeout_ms) LFW_WARN_UNUSED;

/* A port view of the channel for raw transfers (XMODEM): read() = lfw_at_read_raw(), the
 * rest is the channel's port. The returned pointer lives as long as `at`. */
const struct lfw_port *lfw_at_raw_port(struct lfw_at *at);

/* Drops every buffered byte (after a baud-rate change or a module reboot). */
void lfw_at_flush(struct lfw_at *at);

/* Last +CME ERROR seen: returns the numeric code or -1, and the text (may be "") in *text
 * when text is not NULL. */
int lfw_at_last_cme(const struct lfw_at *at, const char **text);

#endif /* LARAFW_AT_H */
