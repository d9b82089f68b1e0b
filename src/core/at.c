/* The AT channel (see larafw/at.h): line assembly over fragmented reads, final result codes,
 * information responses, URC dispatch, the '>' prompt and raw data. */
#include <string.h>

#include "larafw/at.h"
#include "util.h"

static int raw_port_read(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms);
static int raw_port_write(void *user, const uint8_t *data, size_t len);
static uint32_t raw_port_now(void *user);
static int raw_port_set_baud(void *user, uint32_t baud);

int lfw_at_init(struct lfw_at *at, const struct lfw_at_config *cfg)
{
    if (at == NULL || cfg == NULL || cfg->port == NULL || cfg->buf == NULL ||
        cfg->buf_size < LFW_AT_BUF_MIN || cfg->port->write == NULL || cfg->port->read == NULL ||
        cfg->port->now_ms == NULL || (cfg->urc_count > 0 && cfg->urcs == NULL)) {
        return LFW_EINVAL;
    }
    memset(at, 0, sizeof *at);
    at->port = cfg->port;
    at->buf = cfg->buf;
    at->size = cfg->buf_size;
    at->urcs = cfg->urcs;
    at->urc_count = cfg->urc_count;
    at->urc_user = cfg->urc_user;
    at->cme_code = -1;
    at->raw.read = raw_port_read;
    at->raw.write = raw_port_write;
    at->raw.now_ms = raw_port_now;
    at->raw.set_baud = raw_port_set_baud;
    at->raw.user = at;
    return 0;
}

/* ---- line classification ------------------------------------------------------------- */

/* Length of `line` without trailing blanks. */
static size_t trimmed_len(const char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t')) {
        n--;
    }
    return n;
}

static bool line_is(const char *line, const char *word)
{
    size_t n = strlen(word);
    return trimmed_len(line) == n && memcmp(line, word, n) == 0;
}

#define CME_PREFIX "+CME ERROR:"

enum lfw_at_line lfw_at_classify(const char *line, int *cme_code)
{
    if (line == NULL) {
        return LFW_AT_LINE_OTHER;
    }
    if (line_is(line, "OK")) {
        return LFW_AT_LINE_OK;
    }
    if (line_is(line, "ERROR")) {
        return LFW_AT_LINE_ERROR;
    }
    if (line_is(line, "ERROR1")) {
        return LFW_AT_LINE_ERROR1;
    }
    if (!lfw_str_prefix(line, CME_PREFIX)) {
        return LFW_AT_LINE_OTHER;
    }
    if (cme_code != NULL) {
        const char *p = line + sizeof CME_PREFIX - 1;
        uint32_t v = 0;
        *cme_code = -1;
        if (lfw_str_parse_u32(&p, &v) && trimmed_len(p) == 0 && v <= 0x7fffffffu) {
            *cme_code = (int)v;
        }
    }
    return LFW_AT_LINE_CME;
}

/* Remembers a +CME ERROR line's code and text for lfw_at_last_cme(). */
static void record_cme(struct lfw_at *at, const char *line, int code)
{
    const char *text = line + sizeof CME_PREFIX - 1;
    while (*text == ' ') {
        text++;
    }
    at->cme_code = code;
    if (code >= 0) {
        at->cme_text[0] = '\0';
        return;
    }
    size_t n = trimmed_len(text);
    if (n >= sizeof at->cme_text) {
        n = sizeof at->cme_text - 1;
    }
    memcpy(at->cme_text, text, n);
    at->cme_text[n] = '\0';
}

/* LFW_E… for a final result code line. */
static int final_status(struct lfw_at *at, enum lfw_at_line kind, const char *line, int cme)
{
    switch (kind) {
    case LFW_AT_LINE_OK:
        return 0;
    case LFW_AT_LINE_ERROR:
        return LFW_EAT_ERROR;
    case LFW_AT_LINE_ERROR1:
        return LFW_EERROR1;
    case LFW_AT_LINE_CME:
        record_cme(at, line, cme);
        return LFW_ECME;
    case LFW_AT_LINE_OTHER:
        break;
    }
    return LFW_EPROTO;
}

/* ---- line assembly --------------------------------------------------------------------- */

/* True for a byte that cannot be part of an AT answer: AT text is printable ASCII, CR, LF
 * and TAB. */
static bool implausible(uint8_t c)
{
    return (c < 0x20u && c != '\r' && c != '\n' && c != '\t') || c >= 0x7fu;
}

/* Drops the bytes of the line handed out last. */
static void compact(struct lfw_at *at)
{
    if (at->consumed == 0) {
        return;
    }
    memmove(at->buf, at->buf + at->consumed, at->len - at->consumed);
    at->len -= at->consumed;
    at->scan = at->scan > at->consumed ? at->scan - at->consumed : 0;
    at->consumed = 0;
}

/* Cuts the next complete non-empty line out of the buffer. Returns its length, or 0 when no
 * complete line is buffered. An overlong line is dropped up to its terminator. */
static int take_line(struct lfw_at *at, const char **line)
{
    for (;;) {
        compact(at);
        size_t i = at->scan;
        while (i < at->len && at->buf[i] != '\r' && at->buf[i] != '\n') {
            i++;
        }
        if (i == at->len) {
            at->scan = i;
            if (at->len == at->size) {
                /* No terminator in a full buffer: drop what we have, then the rest. */
                if (!at->discarding) {
                    at->dropped_lines++;
                }
                at->discarding = true;
                at->len = 0;
                at->scan = 0;
            }
            return 0;
        }
        at->buf[i] = '\0';
        at->consumed = i + 1;
        at->scan = i + 1;
        if (at->discarding) {
            at->discarding = false;
            continue;
        }
        if (i == 0) {
            continue; /* empty line: the LF of CR LF, or blank output */
        }
        bool clean = true;
        for (size_t k = 0; k < i && clean; k++) {
            clean = !implausible(at->buf[k]);
        }
        if (clean) {
            at->garbage = 0; /* an AT line: what came before was noise, not a flood */
        }
        *line = (const char *)at->buf;
        return (int)i;
    }
}

/* A port failure as the channel reports it: LFW_ECANCELED passes (the platform was asked to
 * stop), anything else is LFW_EIO. */
static int port_error(int n)
{
    return n == LFW_ECANCELED ? LFW_ECANCELED : LFW_EIO;
}

/* Reads what the port has within `timeout_ms` into the buffer and counts the bytes no AT
 * answer contains. Returns the count, LFW_ECANCELED or LFW_EIO. */
static int fill(struct lfw_at *at, uint32_t timeout_ms)
{
    compact(at);
    if (at->len == at->size) {
        return 0; /* take_line() makes room first */
    }
    int n = at->port->read(at->port->user, at->buf + at->len, at->size - at->len, timeout_ms);
    if (n < 0 || (size_t)n > at->size - at->len) {
        return n < 0 ? port_error(n) : LFW_EIO;
    }
    for (int i = 0; i < n; i++) {
        at->garbage += implausible(at->buf[at->len + (size_t)i]) ? 1u : 0u;
    }
    at->len += (size_t)n;
    return n;
}

/* One wait of the public API: its deadline, and whether the last look after it was taken. */
struct at_wait {
    struct lfw_deadline d;
    bool last;
};

/* Starts a wait on its deadline. */
static void wait_start(struct lfw_at *at, struct at_wait *w, uint32_t timeout_ms)
{
    lfw_deadline_start(&w->d, at->port, timeout_ms);
    w->last = false;
}

/* Ends a wait on implausible bytes: they are dropped, the next wait starts afresh. */
static int garbage_found(struct lfw_at *at)
{
    lfw_at_flush(at);
    return LFW_EGARBAGE;
}

/* One more read for a wait: the deadline is checked after every read whatever arrived, so a
 * port that never stops sending (a flood without line ends, /dev/zero) still ends the wait.
 * Once the deadline has passed, one last read without waiting is allowed (w->last is set,
 * for the whole wait) so that bytes already there are still examined. Returns >= 0,
 * LFW_ETIMEDOUT, LFW_ECANCELED or LFW_EIO. */
static int fill_until(struct lfw_at *at, struct at_wait *w)
{
    if (w->last) {
        return LFW_ETIMEDOUT;
    }
    int r = fill(at, lfw_deadline_left(&w->d, at->port));
    w->last = lfw_deadline_expired(&w->d, at->port);
    return r;
}

/* Next complete line before the deadline: LFW_ETIMEDOUT, LFW_EGARBAGE (when `garbage`: more
 * than LFW_AT_GARBAGE_MAX bytes no AT answer has), LFW_ECANCELED or LFW_EIO otherwise. */
static int next_line(struct lfw_at *at, struct at_wait *w, const char **line, bool garbage)
{
    for (;;) {
        if (garbage && at->garbage > LFW_AT_GARBAGE_MAX) {
            return garbage_found(at); /* before any line of it is handed out */
        }
        int n = take_line(at, line);
        if (n > 0) {
            return n;
        }
        int r = fill_until(at, w);
        if (r < 0) {
            return r;
        }
    }
}

/* Hands a line to the URC handlers whose prefix it has. Returns true if it is a URC. */
static bool dispatch_urc(struct lfw_at *at, const char *line)
{
    bool urc = false;
    for (size_t i = 0; i < at->urc_count; i++) {
        const struct lfw_at_urc *u = &at->urcs[i];
        if (u->prefix == NULL || u->prefix[0] == '\0' || !lfw_str_prefix(line, u->prefix)) {
            continue;
        }
        urc = true;
        if (u->handler != NULL) {
            at->in_handler = true;
            u->handler(at->urc_user, line);
            at->in_handler = false;
        }
    }
    return urc;
}

static int check(const struct lfw_at *at)
{
    if (at == NULL || at->port == NULL) {
        return LFW_EINVAL;
    }
    return at->in_handler ? LFW_EBUSY : 0;
}

/* ---- public API ------------------------------------------------------------------------ */

int lfw_at_send(struct lfw_at *at, const char *cmd)
{
    int rc = check(at);
    if (rc != 0) {
        return rc;
    }
    if (cmd == NULL) {
        return LFW_EINVAL;
    }
    rc = lfw_port_write_all(at->port, (const uint8_t *)cmd, strlen(cmd));
    if (rc == 0) {
        rc = lfw_port_write_all(at->port, (const uint8_t *)"\r", 1);
    }
    return rc;
}

/* Appends one information line (after its prefix) to info. Returns false if it was cut. */
static bool capture(char *info, size_t info_size, size_t *pos, const char *text)
{
    while (*text == ' ') {
        text++;
    }
    if (*pos > 0 && !lfw_str_append(info, info_size, pos, "\n")) {
        return false;
    }
    return lfw_str_append(info, info_size, pos, text);
}

int lfw_at_wait_final(struct lfw_at *at, const char *echo, const char *info_prefix, char *info,
                      size_t info_size, uint32_t timeout_ms)
{
    int rc = check(at);
    if (rc != 0) {
        return rc;
    }
    if (info != NULL && info_size == 0) {
        return LFW_EINVAL;
    }
    if (info != NULL) {
        info[0] = '\0';
    }
    const char *prefix = info_prefix != NULL ? info_prefix : "";
    size_t pos = 0;
    bool cut = false;
    struct at_wait w;
    wait_start(at, &w, timeout_ms);
    for (;;) {
        const char *line = NULL;
        int n = next_line(at, &w, &line, true);
        if (n < 0) {
            return n;
        }
        int cme = -1;
        enum lfw_at_line kind = lfw_at_classify(line, &cme);
        if (kind != LFW_AT_LINE_OTHER) {
            rc = final_status(at, kind, line, cme);
            return (rc == 0 && cut) ? LFW_EOVERFLOW : rc;
        }
        bool urc = dispatch_urc(at, line);
        if (info == NULL || (echo != NULL && line_is(line, echo))) {
            continue;
        }
        if (prefix[0] != '\0' ? lfw_str_prefix(line, prefix) : !urc) {
            if (!capture(info, info_size, &pos, line + strlen(prefix))) {
                cut = true;
            }
        }
    }
}

int lfw_at_cmd(struct lfw_at *at, const char *cmd, const char *info_prefix, char *info,
               size_t info_size, uint32_t timeout_ms)
{
    int rc = lfw_at_send(at, cmd);
    if (rc != 0) {
        return rc;
    }
    return lfw_at_wait_final(at, cmd, info_prefix, info, info_size, timeout_ms);
}

int lfw_at_read_line(struct lfw_at *at, uint32_t timeout_ms, const char **line)
{
    int rc = check(at);
    if (rc != 0) {
        return rc;
    }
    if (line == NULL) {
        return LFW_EINVAL;
    }
    struct at_wait w;
    wait_start(at, &w, timeout_ms);
    int n = next_line(at, &w, line, true);
    if (n > 0) {
        int cme = -1;
        if (lfw_at_classify(*line, &cme) == LFW_AT_LINE_CME) {
            record_cme(at, *line, cme);
        }
        (void)dispatch_urc(at, *line);
    }
    return n;
}

int lfw_at_poll(struct lfw_at *at, uint32_t timeout_ms)
{
    int rc = check(at);
    if (rc != 0) {
        return rc;
    }
    int count = 0;
    struct at_wait w;
    wait_start(at, &w, timeout_ms);
    for (;;) {
        const char *line = NULL;
        int n = next_line(at, &w, &line, false); /* draining: noise is dropped */
        if (n == LFW_ETIMEDOUT) {
            at->garbage = 0;
            return count;
        }
        if (n < 0) {
            return n;
        }
        (void)dispatch_urc(at, line);
        if (count < 0x7fff) {
            count++;
        }
    }
}

/* True when the buffer starts with the '>' prompt (no terminator needed); consumes it. */
static bool take_prompt(struct lfw_at *at)
{
    compact(at);
    if (at->discarding || at->len == 0 || at->buf[0] != '>') {
        return false;
    }
    size_t n = (at->len > 1 && at->buf[1] == ' ') ? 2 : 1;
    at->consumed = n;
    at->scan = n;
    compact(at);
    return true;
}

int lfw_at_wait_prompt(struct lfw_at *at, uint32_t timeout_ms)
{
    int rc = check(at);
    if (rc != 0) {
        return rc;
    }
    struct at_wait w;
    wait_start(at, &w, timeout_ms);
    for (;;) {
        const char *line = NULL;
        if (at->garbage > LFW_AT_GARBAGE_MAX) {
            return garbage_found(at);
        }
        /* Complete lines first (URCs, echo, a final code), then a bare '>'. */
        while (take_line(at, &line) > 0) {
            int cme = -1;
            enum lfw_at_line kind = lfw_at_classify(line, &cme);
            if (kind != LFW_AT_LINE_OTHER) {
                return final_status(at, kind, line, cme);
            }
            if (line[0] == '>' && trimmed_len(line) == 1) {
                return 0; /* ">" that came with a terminator */
            }
            (void)dispatch_urc(at, line);
        }
        if (take_prompt(at)) {
            return 0;
        }
        int r = fill_until(at, &w);
        if (r < 0) {
            return r;
        }
    }
}

int lfw_at_write_raw(struct lfw_at *at, const uint8_t *data, size_t len)
{
    if (at == NULL || at->port == NULL || (data == NULL && len > 0)) {
        return LFW_EINVAL;
    }
    return lfw_port_write_all(at->port, data, len);
}

int lfw_at_read_raw(struct lfw_at *at, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    if (at == NULL || at->port == NULL || buf == NULL) {
        return LFW_EINVAL;
    }
    compact(at);
    if (at->len > 0 && !at->discarding) {
        size_t n = at->len < cap ? at->len : cap;
        memcpy(buf, at->buf, n);
        at->consumed = n;
        at->scan = 0;
        compact(at);
        at->scan = 0;
        return (int)n;
    }
    at->len = 0;
    at->scan = 0;
    at->discarding = false;
    int n = at->port->read(at->port->user, buf, cap, timeout_ms);
    if (n < 0 || (size_t)n > cap) {
        return n < 0 ? port_error(n) : LFW_EIO;
    }
    return n;
}

static int raw_port_read(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    return lfw_at_read_raw(user, buf, cap, timeout_ms);
}

static int raw_port_write(void *user, const uint8_t *data, size_t len)
{
    const struct lfw_at *at = user;
    return at->port->write(at->port->user, data, len);
}

static uint32_t raw_port_now(void *user)
{
    const struct lfw_at *at = user;
    return at->port->now_ms(at->port->user);
}

static int raw_port_set_baud(void *user, uint32_t baud)
{
    const struct lfw_at *at = user;
    return at->port->set_baud != NULL ? at->port->set_baud(at->port->user, baud) : LFW_ENOTSUP;
}

const struct lfw_port *lfw_at_raw_port(struct lfw_at *at)
{
    return at != NULL ? &at->raw : NULL;
}

void lfw_at_flush(struct lfw_at *at)
{
    if (at == NULL) {
        return;
    }
    at->len = 0;
    at->scan = 0;
    at->consumed = 0;
    at->discarding = false;
    at->garbage = 0;
}

int lfw_at_last_cme(const struct lfw_at *at, const char **text)
{
    if (at == NULL) {
        return -1;
    }
    if (text != NULL) {
        *text = at->cme_text;
    }
    return at->cme_code;
}
