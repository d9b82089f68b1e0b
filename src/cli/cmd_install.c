/* larafw install: AT+UFWINSTALL and the install that follows (§4.3). When the module is
 * already installing — it resumed an install interrupted by a power loss (§3.1.2, §4.3.1.3) —
 * it answers no AT command; then the command follows that install's URCs to its end. */
#include <stdio.h>
#include <string.h>

#include "larafw/fota.h"
#include "session.h"

/* How long a module that does not answer AT is watched for install URCs before giving up. */
#define PROBE_POLL_MS  1000u
#define PROBE_TOTAL_MS 4000u
#define REBOOT_MS      (5u * 60u * 1000u)
/* After a refusal: how long to watch for the URCs of an install that is about to start. */
#define SETTLE_MS 3000u

static int report_final(struct lfw_session *s, int code, const char *old_version)
{
    if (code != LFW_RESULT_SUCCESS) {
        struct lfw_error e;
        lfw_error_clear(&e);
        e.code = LFW_EMODULE;
        e.result_code = code;
        return lfw_session_fail(s, "install", LFW_EMODULE, &e);
    }
    if (lfw_info_wait_alive(&s->at, 2000, REBOOT_MS) != 0)
        return lfw_session_fail(s, "install", LFW_ENOANSWER, NULL);
    struct lfw_info info;
    int rc = lfw_session_info(s, &info, 0);
    if (rc)
        return rc;
    lfw_session_json_result(s, "install", code, old_version, info.version);
    if (old_version)
        lfw_session_say(s, "firmware: %s → %s", old_version, info.version);
    else
        lfw_session_say(s, "firmware: %s (install completed)", info.version);
    return LFW_EXIT_OK;
}

/* Follows an install that runs without us: URCs until the final code. */
static int follow(struct lfw_session *s)
{
    lfw_session_say(s, "the module is installing (resumed after a power loss?): following it");
    s->phase = LFW_PHASE_INSTALL; /* an interrupt leaves it running */
    uint32_t limit = s->opts->timeout_s ? s->opts->timeout_s * 1000u : LFW_FOTA_INSTALL_MAX_MS;
    uint64_t t0 = lfw_posix_now_ms();
    int last = -2;
    while (s->urc_final < 0) {
        uint64_t spent = lfw_posix_now_ms() - t0;
        if (spent >= limit)
            return lfw_session_fail(s, "install", LFW_ETIMEDOUT, NULL);
        const char *line;
        int n = lfw_at_read_line(&s->at, (uint32_t)(limit - spent), &line);
        if (n == LFW_ETIMEDOUT)
            continue;
        if (n < 0)
            return lfw_session_fail(s, "install", n, NULL);
        if (s->urc_percent != last && s->urc_final < 0) {
            last = s->urc_percent;
            lfw_progress_event(&s->progress, "install", s->urc_percent, 0, 0, -1,
                               lfw_posix_now_ms());
        }
    }
    lfw_progress_event(&s->progress, "done", 100, 0, 0, s->urc_final, lfw_posix_now_ms());
    lfw_progress_finish(&s->progress);
    return report_final(s, s->urc_final, NULL);
}

int lfw_cmd_install(struct lfw_session *s)
{
    const struct lfw_cli_opts *o = s->opts;
    int rc = lfw_info_wait_alive(&s->at, PROBE_POLL_MS, PROBE_TOTAL_MS);
    if (rc == LFW_ECANCELED)
        return lfw_session_fail(s, "install", rc, NULL);
    if (s->urc_final >= 0) /* an install ended while we probed */
        return report_final(s, s->urc_final, NULL);
    if (rc != 0) {
        if (s->urc_count > 0)
            return follow(s);
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "no answer to AT on %s at %u bit/s; check the port, the rate "
                                 "(-b) and the power; if the module is installing, run "
                                 "'larafw install' again to follow it",
                                 o->port, (unsigned)o->baud);
    }

    struct lfw_info info;
    rc = lfw_session_info(s, &info, 0);
    if (rc)
        return rc;
    lfw_session_say(s, "module: %s, firmware %s", lfw_session_product(s, &info), info.version);

    if (o->no_wait) {
        struct lfw_error e;
        lfw_error_clear(&e);
        rc = lfw_at_cmd(&s->at, "AT+UFWINSTALL=1,115200", NULL, NULL, 0, 10000);
        if (rc != 0) {
            const char *text = NULL;
            e.cme_code = lfw_at_last_cme(&s->at, &text);
            if (text)
                snprintf(e.cme_text, sizeof e.cme_text, "%s", text);
            return lfw_session_fail(s, "starting the install", rc, &e);
        }
        lfw_session_json_result(s, "install", -1, info.version, NULL);
        lfw_session_say(s, "install started; the module resets and answers nothing until it "
                           "is done: check later with 'larafw info'");
        return LFW_EXIT_OK;
    }

    char new_version[LFW_INFO_TEXT_MAX] = "";
    struct lfw_proc_config pc;
    lfw_session_proc(s, &pc, info.product);
    pc.version_out = new_version;
    pc.version_out_size = sizeof new_version;
    struct lfw_error e;
    lfw_error_clear(&e);
    rc = lfw_fota_install(&pc, 115200, &e);
    lfw_progress_finish(&s->progress);
    if (rc != 0) {
        if (rc == LFW_ECME && strstr(e.cme_text, "not allowed")) {
            /* An install accepted a moment ago (--no-wait) refuses a second one until the
             * module resets into update mode: if its URCs come, follow it. */
            int pr = lfw_at_poll(&s->at, SETTLE_MS);
            if (pr >= 0 && s->urc_final >= 0)
                return report_final(s, s->urc_final, info.version);
            if (pr >= 0 && s->urc_count > 0)
                return follow(s);
            return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                     "install: the module refused: +CME ERROR: %s; no package "
                                     "is stored (§4.3): push one with 'larafw push PKG' first",
                                     e.cme_text);
        }
        return lfw_session_fail(s, "install", rc, &e);
    }
    return lfw_session_done(s, "install", e.result_code, info.version, new_version);
}
