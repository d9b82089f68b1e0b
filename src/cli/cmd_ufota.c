/* larafw ufota status|pause|resume|cancel: the host's controls of a uFOTA download (§5.3):
 * AT+UFOTA?, =1, =2, =0. Pause, resume and the read exist on LARA-R6 "01B" only (MODULE.md §1):
 * other products get a clear error before anything is sent. `ufota watch` is in
 * cmd_ufota_watch.c. */
#include <stdio.h>
#include <string.h>

#include "larafw/ufota.h"
#include "session.h"

int lfw_cmd_ufota_watch(struct lfw_session *s);

static int no_control(struct lfw_session *s, const struct lfw_info *info, const char *what)
{
    return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                             "ufota %s: %s has no uFOTA %s (AT+UFOTA=1/2/?, LARA-R6 \"01B\" "
                             "only, §5.3, MODULE.md §1); on this product only 'larafw ufota "
                             "cancel' controls a running download",
                             s->opts->action, lfw_session_product(s, info), what);
}

/* AT+UFOTA? → +UFOTA: <state>,<total>,<done> (§5.3; state 1 = paused in the note, the others
 * are the simulator's reading, docs/simulator.md). Returns 0 or an exit status (message
 * printed). */
static int read_state(struct lfw_session *s, const char *step, int *st, unsigned long long *total,
                      unsigned long long *done)
{
    char answer[96] = "";
    int rc = lfw_at_cmd(&s->at, "AT+UFOTA?", "+UFOTA:", answer, sizeof answer, 10000);
    if (rc != 0) {
        struct lfw_error e;
        lfw_error_clear(&e);
        const char *text = NULL;
        e.cme_code = lfw_at_last_cme(&s->at, &text);
        if (text)
            snprintf(e.cme_text, sizeof e.cme_text, "%s", text);
        return lfw_session_fail(s, step, rc, &e);
    }
    *st = -1;
    *total = *done = 0;
    if (sscanf(answer, "%d,%llu,%llu", st, total, done) < 1)
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "%s: cannot read the answer '%s'; run it again with "
                                 "--at-log FILE",
                                 step, answer);
    return 0;
}

static int status(struct lfw_session *s, const struct lfw_info *info)
{
    if (!lfw_product_has(info->product, LFW_FEAT_UFOTA_CONTROL))
        return no_control(s, info, "download status");
    int st = -1;
    unsigned long long total = 0, done = 0;
    int rc = read_state(s, "ufota status", &st, &total, &done);
    if (rc)
        return rc;
    static const char *const names[] = {"none", "paused", "downloading", "downloaded"};
    const char *name = st >= 0 && st <= 3 ? names[st] : "unknown";
    if (s->opts->json) {
        char buf[256];
        struct lfw_json j;
        lfw_json_begin(&j, buf, sizeof buf);
        lfw_json_str(&j, "event", "ufota_status");
        lfw_json_int(&j, "state", st);
        lfw_json_str(&j, "state_name", name);
        lfw_json_int(&j, "total", (long long)total);
        lfw_json_int(&j, "bytes", (long long)done);
        const char *t = lfw_json_end(&j);
        if (t)
            printf("%s\n", t);
        fflush(stdout);
        return LFW_EXIT_OK;
    }
    if (total)
        lfw_session_say(s, "ufota: %s, %llu of %llu bytes (%llu %%)", name, done, total,
                        done * 100ull / total);
    else
        lfw_session_say(s, "ufota: %s", name);
    return LFW_EXIT_OK;
}

int lfw_cmd_ufota(struct lfw_session *s)
{
    const char *action = s->opts->action;
    if (strcmp(action, "watch") == 0)
        return lfw_cmd_ufota_watch(s);
    struct lfw_info info;
    int rc = lfw_session_info(s, &info, 0);
    if (rc)
        return rc;
    if (strcmp(action, "status") == 0)
        return status(s, &info);
    enum lfw_ufota_control op = strcmp(action, "pause") == 0    ? LFW_UFOTA_PAUSE
                                : strcmp(action, "resume") == 0 ? LFW_UFOTA_RESUME
                                                                : LFW_UFOTA_CANCEL;
    if (op == LFW_UFOTA_CANCEL && lfw_product_has(info.product, LFW_FEAT_UFOTA_CONTROL)) {
        /* §5.3: the cancel is accepted only while the download runs (0,1,xx URCs flow) */
        int st = -1;
        unsigned long long total = 0, done = 0;
        rc = read_state(s, "ufota cancel", &st, &total, &done);
        if (rc)
            return rc;
        if (st == 1)
            return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                     "ufota cancel: the download is paused at %llu %%; the "
                                     "module cancels only a running download (+UFOTASTAT: "
                                     "0,1,xx, §5.3): run 'larafw ufota resume' first, then "
                                     "'larafw ufota cancel'",
                                     total ? done * 100ull / total : 0ull);
    }
    struct lfw_proc_config pc;
    lfw_session_proc(s, &pc, info.product);
    struct lfw_error e;
    lfw_error_clear(&e);
    rc = lfw_ufota_control(&pc, op, &e);
    char step[32];
    snprintf(step, sizeof step, "ufota %s", action);
    if (rc == LFW_ENOTSUP)
        return no_control(s, &info, op == LFW_UFOTA_PAUSE ? "pause" : "resume");
    if (rc == LFW_ECME && strstr(e.cme_text, "not allowed")) {
        static const char *const why[] = {
            [LFW_UFOTA_CANCEL] = "no uFOTA download is running: a download can be cancelled "
                                 "only while it runs (+UFOTASTAT: 0,1,xx, §5.7.5)",
            [LFW_UFOTA_PAUSE] = "no uFOTA download is running to pause",
            [LFW_UFOTA_RESUME] = "no paused uFOTA download to resume (see 'larafw ufota "
                                 "status')",
        };
        return lfw_session_error(s, LFW_EXIT_MODULE, -1, "%s: the module refused: %s", step,
                                 why[op]);
    }
    if (rc != 0)
        return lfw_session_fail(s, step, rc, &e);
    static const char *const done[] = {
        [LFW_UFOTA_CANCEL] = "uFOTA download cancelled; the campaign is over: the server needs "
                             "a new campaign (§5.3)",
        [LFW_UFOTA_PAUSE] = "uFOTA download paused (it stays paused across power cycles); "
                            "continue with 'larafw ufota resume'",
        [LFW_UFOTA_RESUME] = "uFOTA download resumed",
    };
    if (s->opts->json) {
        char buf[256];
        struct lfw_json j;
        lfw_json_begin(&j, buf, sizeof buf);
        lfw_json_str(&j, "event", "result");
        lfw_json_str(&j, "command", "ufota");
        lfw_json_str(&j, "action", action);
        lfw_json_str(&j, "result", "success");
        const char *t = lfw_json_end(&j);
        if (t)
            printf("%s\n", t);
        fflush(stdout);
    }
    lfw_session_say(s, "%s", done[op]);
    return LFW_EXIT_OK;
}
