/* lfw_info_read and lfw_info_wait_alive (see larafw/info.h). */
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

/* Keeps the first line of a '\n'-joined answer that is this command's own (its prefix, or no
 * "+XXX:" prefix at all: a URC of a feature the caller did not register). */
static void first_own_line(char *text, const char *own_prefix)
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
            return;
        }
        line = *end == '\n' ? end + 1 : end;
    }
    text[0] = '\0';
}

/* AT text: printable ASCII, lines joined by '\n' when `lines`. */
static bool plausible_text(const char *text, bool lines)
{
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20u || c > 0x7eu) && !(lines && c == '\n')) {
            return false;
        }
    }
    return true;
}

/* An IMEI (or IMEISV): digits only, 14 to 17 of them, or nothing. */
static bool plausible_imei(const char *text)
{
    size_t n = 0;
    for (; text[n] != '\0'; n++) {
        if (text[n] < '0' || text[n] > '9') {
            return false;
        }
    }
    return n == 0 || (n >= 14u && n <= 17u);
}

/* A reply that is not a plausible AT answer is an error, not data: the version must be one
 * printable line, the others printable text, the IMEI digits. */
static int check_version(const char *version)
{
    if (version[0] == '\0') {
        return LFW_EPROTO; /* OK without a version line */
    }
    return plausible_text(version, false) ? 0 : LFW_EGARBAGE;
}

static int check_plausible(const struct lfw_info *out)
{
    if (!plausible_text(out->model, false) || !plausible_text(out->type, true) ||
        !plausible_text(out->ident, true) || !plausible_imei(out->imei)) {
        return LFW_EGARBAGE;
    }
    return 0;
}

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
            first_own_line(out->version, "+CGMR:");
            strip_prefix(out->version, "+CGMR:");
            rc = check_version(out->version);
        }
        if (rc == 0) {
            rc = optional_cmd(at, "ATI", out->ident, sizeof out->ident, t);
        }
        if (rc == 0) {
            rc = optional_cmd(at, "ATI9", out->type, sizeof out->type, t);
        }
        if (rc == 0) {
            rc = optional_cmd(at, "AT+CGMM", out->model, sizeof out->model, t);
            first_own_line(out->model, "+CGMM:");
            strip_prefix(out->model, "+CGMM:");
        }
        if (rc == 0) {
            rc = optional_cmd(at, "AT+CGSN", out->imei, sizeof out->imei, t);
            first_own_line(out->imei, "+CGSN:");
            strip_prefix(out->imei, "+CGSN:");
        }
        if (rc == 0) {
            rc = check_plausible(out);
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
