/* lfw_info_read and lfw_info_wait_alive (see larafw/info.h). */
#include <stddef.h>
#include <string.h>

#include "larafw/info.h"
#include "util.h"

#define DEFAULT_INFO_MS 10000u

/* Removes the command's own prefix ("+CGMR: ") that some firmware puts before the value. */
static void strip_prefix(char *text, const char *prefix)
{
    if (!lfw_str_prefix(text, prefix)) {
        return;
    }
    const char *p = text + strlen(prefix);
    while (*p == ' ') {
        p++;
    }
    memmove(text, p, strlen(p) + 1);
}

/* Keeps the command's own line of a '\n'-joined answer (the first with its prefix, or with no
 * "+XXX:" prefix at all: that is a URC the caller has no handler for), without the prefix;
 * "" when there is none. */
static void own_line(char *text, const char *own_prefix)
{
    char *line = text;
    while (*line != '\0') {
        char *end = line;
        while (*end != '\0' && *end != '\n') {
            end++;
        }
        if (line[0] != '+' || lfw_str_prefix(line, own_prefix)) {
            memmove(text, line, (size_t)(end - line));
            text[end - line] = '\0';
            strip_prefix(text, own_prefix);
            return;
        }
        line = *end == '\n' ? end + 1 : end;
    }
    text[0] = '\0';
}

/* True when every character of `text` is in lo…hi, or a '\n' between lines when `lines`:
 * printable ASCII for AT text, digits for an IMEI. */
static bool all_in(const char *text, char lo, char hi, bool lines)
{
    for (; *text != '\0'; text++) {
        if ((*text < lo || *text > hi) && !(lines && *text == '\n')) {
            return false;
        }
    }
    return true;
}

/* The identification commands after AT+CGMR: where the answer goes, its own prefix (NULL:
 * every line is kept, ATI answers several) and the characters it may have (AT text; digits
 * for the IMEI). */
static const struct {
    const char *cmd;
    const char *prefix;
    size_t offset;
    char lo, hi;
} ident_cmds[] = {
    {"ATI", NULL, offsetof(struct lfw_info, ident), ' ', '~'},
    {"ATI9", NULL, offsetof(struct lfw_info, type), ' ', '~'},
    {"AT+CGMM", "+CGMM:", offsetof(struct lfw_info, model), ' ', '~'},
    {"AT+CGSN", "+CGSN:", offsetof(struct lfw_info, imei), '0', '9'},
};

/* Runs an optional identification command; failures leave "" (not every firmware has it). */
static int optional_cmd(struct lfw_at *at, const char *cmd, char *out, size_t size,
                        uint32_t timeout_ms)
{
    int rc = lfw_at_cmd(at, cmd, "", out, size, timeout_ms);
    switch (rc) {
    case 0:
    case LFW_EOVERFLOW: /* cut to fit: good enough for identification */
        return 0;
    case LFW_EAT_ERROR:
    case LFW_ECME:
        out[0] = '\0';
        return 0;
    default:
        return rc;
    }
}

int lfw_info_read(struct lfw_at *at, uint32_t timeout_ms, struct lfw_info *out,
                  struct lfw_error *err)
{
    lfw_error_clear(err);
    int rc = LFW_EINVAL;
    if (at != NULL && out != NULL) {
        memset(out, 0, sizeof *out);
        uint32_t t = timeout_ms != 0 ? timeout_ms : DEFAULT_INFO_MS;
        rc = lfw_at_cmd(at, "AT+CGMR", "", out->version, sizeof out->version, t);
        if (rc == LFW_EOVERFLOW) {
            rc = 0;
        }
        if (rc == 0) {
            own_line(out->version, "+CGMR:");
            /* OK without a version line, or one that is no AT text */
            rc = out->version[0] == '\0'                 ? LFW_EPROTO
                 : all_in(out->version, ' ', '~', false) ? 0
                                                         : LFW_EGARBAGE;
        }
        for (size_t i = 0; rc == 0 && i < sizeof ident_cmds / sizeof ident_cmds[0]; i++) {
            char *text = (char *)out + ident_cmds[i].offset;
            rc = optional_cmd(at, ident_cmds[i].cmd, text, LFW_INFO_TEXT_MAX, t);
            if (ident_cmds[i].prefix != NULL) {
                own_line(text, ident_cmds[i].prefix);
            }
            /* a reply that is no plausible AT answer is an error, not data */
            if (rc == 0 &&
                !all_in(text, ident_cmds[i].lo, ident_cmds[i].hi, ident_cmds[i].prefix == NULL)) {
                rc = LFW_EGARBAGE;
            }
        }
        if (rc == 0) {
            const char *const texts[3] = {out->type, out->ident, out->model};
            out->product = lfw_product_get(LFW_PRODUCT_UNKNOWN);
            for (size_t i = 0; i < 3 && out->product->id == LFW_PRODUCT_UNKNOWN; i++) {
                out->product = lfw_product_match(texts[i]);
            }
        }
    }
    if (err != NULL) {
        err->code = rc;
        if (rc == LFW_ECME) {
            const char *text = NULL;
            err->cme_code = lfw_at_last_cme(at, &text);
            (void)lfw_str_copy(err->cme_text, sizeof err->cme_text, text);
        }
    }
    return rc;
}

int lfw_info_wait_alive(struct lfw_at *at, uint32_t poll_ms, uint32_t total_ms)
{
    if (at == NULL || at->port == NULL || poll_ms == 0) {
        return LFW_EINVAL;
    }
    struct lfw_deadline d;
    lfw_deadline_start(&d, at->port, total_ms);
    do {
        uint32_t left = lfw_deadline_left(&d, at->port);
        uint32_t span = left < poll_ms ? left : poll_ms;
        struct lfw_deadline poll;
        lfw_deadline_start(&poll, at->port, span);
        int rc = lfw_at_cmd(at, "AT", NULL, NULL, 0, span);
        if (rc == 0) {
            return 0;
        }
        if (rc == LFW_EBUSY || rc == LFW_EINVAL || rc == LFW_ECANCELED) {
            return rc;
        }
        /* ERROR, noise, timeout, a vanished USB port (§3.1): the module is not back yet.
         * Wait out the rest of this poll so that a quick ERROR does not become a flood. */
        uint32_t rest = lfw_deadline_left(&poll, at->port);
        if (rest > 0 && lfw_at_poll(at, rest) == LFW_ECANCELED) {
            return LFW_ECANCELED;
        }
    } while (!lfw_deadline_expired(&d, at->port));
    return LFW_ENOANSWER;
}
