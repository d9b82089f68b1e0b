/* larafw ufota watch: what §5.7 asks of a compliant host while the uFOTA server updates the
 * module, driven by +UFOTASTAT URCs (§5.2):
 *
 *   enable the URCs (§5.2, §5.7.1) → AT+UFOTACONFIG=721,<mode>,255 for the policy (§5.4)
 *   0,3,0 wait for ack ── policy ack ───────→ eDRX off, AT+UFOTAACK=<defer>   (§5.4.2.1)
 *                     ├─ window, inside ───→ the same
 *                     ├─ window, outside ──→ eDRX off, AT+UFOTAACK=<s until it opens>
 *                     └─ reject ───────────→ AT+UFOTAACK=0 → 2,3,100 → exit 1 (§5.4.2.2)
 *   1,0,0 / 0,1,<pct> download ──→ progress (eDRX off first if not yet, §5.8.3)
 *   2,2,100 downloaded ──→ --no-install: done (the host installs, §5.4.1)
 *                       └→ install: +UUFWPREVAL, +UUFWINSTALL … 128, reboot, AT polling until
 *                          the module is back, URCs enabled again (§5.7.1, §5.7.4), version
 *   2,3,100 cancelled/rejected, 2,1,<pct> failed ──→ exit 1 with the reason
 *   eDRX is restored to what it was before when the update has ended, whatever the end
 *   (§5.7.6: the update resets it); an update that goes on without larafw (Ctrl-C, --timeout
 *   on a paused download) keeps it off, and larafw prints the command that restores it.
 * At the start AT+UFOTA? (R6 "01B") tells whether a download is already under way, paused or
 * complete (§5.3): larafw says so and follows it.
 * larafw never resets the module (§5.7) and never cancels an install (it cannot be, §5.5).
 *
 * Products without +UFOTACONFIG (LARA-R6 "00B", LARA-L6) never ask: their download starts at
 * once; `reject` and a closed `window` can only cancel it while it runs (AT+UFOTA=0, §5.3). */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli_net.h"
#include "larafw/ufota.h"
#include "session.h"

int lfw_cmd_ufota_watch(struct lfw_session *s);

enum policy { POLICY_AUTO, POLICY_ACK, POLICY_WINDOW, POLICY_REJECT };

struct watch {
    struct lfw_session *s;
    struct lfw_info info;
    enum policy policy;
    struct lfw_window window;
    uint32_t defer_s;
    bool has_config; /* +UFOTACONFIG / +UFOTAACK (LARA-R6 "01B") */
    /* eDRX as it was before larafw turned it off (§5.7, §5.8.3) */
    bool edrx_off_done, edrx_was_on;
    char edrx_value[8];
    bool rejected;    /* we answered AT+UFOTAACK=0 or cancelled */
    bool accepted;    /* we answered AT+UFOTAACK=<s>: the download starts without us */
    bool downloading; /* a download runs or is paused (URCs, or AT+UFOTA? at the start) */
    bool paused;      /* …and it is paused (0,2,<pct>, or AT+UFOTA? state 1) */
    bool downloaded;  /* AT+UFOTA? said downloaded at the start: the server's install is due */
    int percent;      /* of the download, as last seen */
};

static void json_note(struct lfw_session *s, const char *state, const char *decision, long defer_s)
{
    if (!s->opts->json)
        return;
    char buf[256];
    struct lfw_json j;
    lfw_json_begin(&j, buf, sizeof buf);
    lfw_json_str(&j, "event", "ufota");
    lfw_json_str(&j, "state", state);
    if (decision)
        lfw_json_str(&j, "decision", decision);
    if (defer_s >= 0)
        lfw_json_int(&j, "defer_s", defer_s);
    const char *t = lfw_json_end(&j);
    if (t)
        printf("%s\n", t);
    fflush(stdout);
}

static int at_fail(struct watch *w, const char *step, int rc)
{
    struct lfw_error e;
    lfw_error_clear(&e);
    e.code = rc;
    const char *text = NULL;
    e.cme_code = lfw_at_last_cme(&w->s->at, &text);
    if (text)
        snprintf(e.cme_text, sizeof e.cme_text, "%s", text);
    return lfw_session_fail(w->s, step, rc, &e);
}

/* §5.7, §5.8.3: eDRX off during the FOTA process; the previous setting is remembered. */
static int edrx_off(struct watch *w)
{
    if (w->edrx_off_done)
        return 0;
    char answer[64] = "";
    int rc = lfw_at_cmd(&w->s->at, "AT+CEDRXS?", "+CEDRXS:", answer, sizeof answer, 10000);
    if (rc != 0 && rc != LFW_EOVERFLOW) {
        lfw_session_say(w->s, "note: the module does not report eDRX (AT+CEDRXS?); leaving it");
        w->edrx_off_done = true;
        return 0;
    }
    /* "+CEDRXS: 4,\"0010\"" when on, "+CEDRXS:" when off */
    const char *q = strchr(answer, '"');
    w->edrx_was_on = q != NULL;
    if (q) {
        size_t n = strcspn(q + 1, "\"");
        if (n >= sizeof w->edrx_value)
            n = sizeof w->edrx_value - 1;
        memcpy(w->edrx_value, q + 1, n);
        w->edrx_value[n] = '\0';
        rc = lfw_at_cmd(&w->s->at, "AT+CEDRXS=0", NULL, NULL, 0, 10000);
        if (rc != 0)
            return at_fail(w, "turning eDRX off for the update (§5.7)", rc);
        lfw_session_say(w->s, "eDRX off for the update (was on, value %s; §5.7)", w->edrx_value);
    }
    w->edrx_off_done = true;
    return 0;
}

/* Puts eDRX back as it was; after an update the module has its factory value (§5.7.6). */
static void edrx_restore(struct watch *w)
{
    if (!w->edrx_off_done || !w->edrx_was_on)
        return;
    char cmd[40];
    snprintf(cmd, sizeof cmd, "AT+CEDRXS=1,4,\"%s\"", w->edrx_value);
    int rc = lfw_at_cmd(&w->s->at, cmd, NULL, NULL, 0, 10000);
    if (rc == 0)
        lfw_session_say(w->s, "eDRX restored (value %s)", w->edrx_value);
    else
        fprintf(stderr, "larafw: note: restoring eDRX failed (%s): set it again with %s\n",
                lfw_strerror(rc), cmd);
    w->edrx_off_done = false;
}

/* The update goes on without larafw (interrupt, --timeout with a download paused): eDRX stays
 * off for the whole FOTA (§5.7, §5.8.3), and the user learns how to put it back afterwards. */
static void edrx_leave_off(struct watch *w)
{
    if (!w->edrx_off_done || !w->edrx_was_on)
        return;
    lfw_progress_finish(&w->s->progress);
    fprintf(stderr,
            "larafw: note: eDRX stays off while the update runs (§5.7, §5.8.3); once it has "
            "ended, turn it back on with AT+CEDRXS=1,4,\"%s\"\n",
            w->edrx_value);
}

static long local_seconds_of_day(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec;
}

/* +UFOTASTAT: 0,3,0 — the server asks; the policy answers (§5.4.2). */
static int answer_ack(struct watch *w)
{
    struct lfw_session *s = w->s;
    struct lfw_proc_config pc;
    lfw_session_proc(s, &pc, w->info.product);
    struct lfw_error e;
    lfw_error_clear(&e);
    if (w->policy == POLICY_REJECT) {
        w->rejected = true;
        json_note(s, "wait_ack", "reject", -1);
        lfw_session_say(s, "the server asks to update; policy reject: AT+UFOTAACK=0");
        int rc = lfw_ufota_ack(&pc, 0, &e);
        if (rc)
            return lfw_session_fail(s, "rejecting the update", rc, &e);
        /* +UFOTASTAT: 2,3,100 follows (§5.4.2.2), possibly before the OK (then the command
         * took it): the answer is final either way */
        json_note(s, "cancelled", "reject", -1);
        return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                 "uFOTA: the update was rejected by policy (AT+UFOTAACK=0, "
                                 "§5.4.2.2); the module keeps firmware %s; the server needs a "
                                 "new campaign to try again",
                                 w->info.version);
    }
    long delay = w->defer_s;
    if (w->policy == POLICY_WINDOW) {
        long wait = lfw_window_wait_s(&w->window, local_seconds_of_day());
        if (wait > 0) {
            delay = wait > 86400 ? 86400 : wait;
            lfw_session_say(s,
                            "the server asks to update; outside the window %02d:%02d-%02d:%02d: "
                            "deferred by %ld s until it opens",
                            w->window.start_min / 60, w->window.start_min % 60,
                            w->window.end_min / 60, w->window.end_min % 60, delay);
        }
    }
    int rc = edrx_off(w);
    if (rc)
        return rc;
    json_note(s, "wait_ack", delay > (long)w->defer_s ? "defer" : "accept", delay);
    if (delay == (long)w->defer_s)
        lfw_session_say(s,
                        "the server asks to update; accepted: the download starts in %ld s "
                        "(AT+UFOTAACK=%ld)",
                        delay, delay);
    rc = lfw_ufota_ack(&pc, (uint32_t)delay, &e);
    if (rc)
        return lfw_session_fail(s, "accepting the update", rc, &e);
    w->accepted = true;
    return 0;
}

/* Download complete (2,2,100): the server executes /5/0/2, the module resets and installs;
 * or, download only, the host installs later (§5.4.1). */
static int after_download(struct watch *w, bool install_seen)
{
    struct lfw_session *s = w->s;
    if (s->opts->no_install && !install_seen) {
        edrx_restore(w);
        lfw_session_json_result(s, "ufota", -1, w->info.version, NULL);
        lfw_session_say(s, "downloaded (download only, §5.4.1); install it with 'larafw install'");
        return LFW_EXIT_OK;
    }
    if (!install_seen)
        lfw_session_say(s, "downloaded; waiting for the server to start the install (the module "
                           "resets and answers no AT command until it is done, §5.5)");
    char new_version[LFW_INFO_TEXT_MAX] = "";
    struct lfw_proc_config pc;
    lfw_session_proc(s, &pc, w->info.product);
    pc.timeouts.install_ms = 0; /* --timeout bounds the wait for a campaign only */
    /* §5.7.1: the URCs must be on again before the client restarts: poll AT briskly */
    pc.timeouts.poll_ms = 300;
    pc.version_out = new_version;
    pc.version_out_size = sizeof new_version;
    struct lfw_error e;
    lfw_error_clear(&e);
    /* final code, reboot, AT polling, AT+CGMR, URCs enabled again (§5.7.1, §5.7.4) */
    int rc = lfw_ufota_wait_install(&pc, 115200, &e);
    lfw_progress_finish(&s->progress);
    if (rc != 0 && lfw_cli_interrupted) {
        edrx_leave_off(w); /* the install goes on (§5.5): it cannot be cancelled */
        return lfw_session_fail(s, "uFOTA install", rc, &e);
    }
    edrx_restore(w);
    if (rc != 0)
        return lfw_session_fail(s, "uFOTA install", rc, &e);
    return lfw_session_done(s, "ufota", e.result_code >= 0 ? e.result_code : 128, w->info.version,
                            new_version);
}

/* One +UFOTASTAT URC. Returns -1 to go on, else the exit status. */
static int on_status(struct watch *w, const struct lfw_ufota_status *st)
{
    struct lfw_session *s = w->s;
    int rc;
    switch (st->state) {
    case LFW_UFOTA_CLIENT_STARTED:
        lfw_session_debug(s, "LwM2M client started (+UFOTASTAT: 3,1,0)");
        return -1;
    case LFW_UFOTA_WAIT_ACK:
        rc = answer_ack(w);
        return rc ? rc : -1;
    case LFW_UFOTA_DOWNLOAD_START:
    case LFW_UFOTA_DOWNLOADING:
    case LFW_UFOTA_PAUSED:
        if (w->policy == POLICY_REJECT ||
            (w->policy == POLICY_WINDOW &&
             lfw_window_wait_s(&w->window, local_seconds_of_day()) > 0)) {
            if (!w->has_config && st->state == LFW_UFOTA_DOWNLOADING && !w->rejected) {
                /* no ack on this product: a download it did not want is cancelled (§5.3) */
                w->rejected = true;
                lfw_session_say(s,
                                "a download started without asking (no +UFOTACONFIG on "
                                "%s); policy says no: AT+UFOTA=0",
                                lfw_session_product(s, &w->info));
                struct lfw_proc_config pc;
                lfw_session_proc(s, &pc, w->info.product);
                struct lfw_error e;
                lfw_error_clear(&e);
                rc = lfw_ufota_control(&pc, LFW_UFOTA_CANCEL, &e);
                if (rc)
                    return lfw_session_fail(s, "cancelling the download", rc, &e);
                return -1;
            }
            if (w->policy == POLICY_REJECT || !w->has_config)
                return -1;
        }
        if ((rc = edrx_off(w)) != 0)
            return rc;
        w->downloading = true;
        w->paused = st->state == LFW_UFOTA_PAUSED;
        w->percent = st->percent;
        if (st->state == LFW_UFOTA_PAUSED) {
            lfw_progress_finish(&s->progress);
            lfw_session_say(s, "download paused at %d %% (continue with 'larafw ufota resume')",
                            st->percent);
            json_note(s, "paused", NULL, -1);
            return -1;
        }
        lfw_progress_event(&s->progress, "download",
                           st->state == LFW_UFOTA_DOWNLOAD_START ? 0 : st->percent, 0, 0, -1,
                           lfw_posix_now_ms());
        return -1;
    case LFW_UFOTA_DOWNLOADED:
        lfw_progress_event(&s->progress, "download", 100, 0, 0, -1, lfw_posix_now_ms());
        lfw_progress_finish(&s->progress);
        return after_download(w, false);
    case LFW_UFOTA_CANCELLED:
        lfw_progress_finish(&s->progress);
        edrx_restore(w);
        json_note(s, "cancelled", w->rejected ? "reject" : NULL, -1);
        if (w->rejected)
            return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                     "uFOTA: the update was rejected by policy (+UFOTASTAT: "
                                     "2,3,100); the module keeps firmware %s; the server needs "
                                     "a new campaign to try again",
                                     w->info.version);
        return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                 "uFOTA: the update was cancelled (+UFOTASTAT: 2,3,100: "
                                 "AT+UFOTA=0, or uFOTA disabled by AT+UFOTACONFIG mode 3); the "
                                 "module keeps firmware %s; the server needs a new campaign",
                                 w->info.version);
    case LFW_UFOTA_FAILED:
        lfw_progress_finish(&s->progress);
        edrx_restore(w);
        json_note(s, "failed", NULL, -1);
        return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                 "uFOTA: the download failed at %d %% after the module's retries "
                                 "(§5.2.2); the module keeps firmware %s and reports the failure "
                                 "to the server: check the network and the package URL of the "
                                 "campaign",
                                 st->percent, w->info.version);
    case LFW_UFOTA_UNKNOWN:
        return -1;
    }
    return -1;
}

static int set_up(struct watch *w)
{
    struct lfw_session *s = w->s;
    const struct lfw_cli_opts *o = s->opts;
    struct lfw_proc_config pc;
    lfw_session_proc(s, &pc, w->info.product);
    struct lfw_error e;
    lfw_error_clear(&e);
    int rc = lfw_ufota_enable_urcs(&pc, 115200, &e); /* §5.2: off by default */
    if (rc)
        return lfw_session_fail(s, "enabling the uFOTA URCs (§5.2)", rc, &e);
    const char *product = lfw_session_product(s, &w->info);
    if (!w->has_config) {
        if (o->no_install)
            return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                     "ufota watch --no-install: %s has no download-only mode "
                                     "(AT+UFOTACONFIG, LARA-R6 \"01B\" only, §5.4, MODULE.md "
                                     "§1); run without --no-install",
                                     product);
        if (w->policy != POLICY_AUTO)
            lfw_session_say(s,
                            "note: %s has no AT+UFOTACONFIG (§5.4): it does not ask before "
                            "downloading; %s",
                            product,
                            w->policy == POLICY_ACK
                                ? "updates are accepted as they come"
                                : "an unwanted download is cancelled with AT+UFOTA=0 (§5.3)");
    } else {
        enum lfw_ufota_mode mode = o->no_install              ? LFW_UFOTA_MODE_DOWNLOAD_ONLY
                                   : w->policy == POLICY_AUTO ? LFW_UFOTA_MODE_DEFAULT
                                                              : LFW_UFOTA_MODE_WAIT_ACK;
        rc = lfw_ufota_configure(&pc, mode, &e);
        if (rc)
            return lfw_session_fail(s, "AT+UFOTACONFIG (§5.4)", rc, &e);
    }
    /* auto: the module downloads without asking, so eDRX goes off now (§5.8.3) */
    if (w->policy == POLICY_AUTO || (w->policy == POLICY_ACK && !w->has_config))
        return edrx_off(w);
    return 0;
}

/* §5.3: what the module does already, from AT+UFOTA? (LARA-R6 "01B"): a download under way
 * is followed, a paused one is named with what to do. Returns 0 or an exit status. */
static int read_start_state(struct watch *w)
{
    struct lfw_session *s = w->s;
    if (!lfw_product_has(w->info.product, LFW_FEAT_UFOTA_CONTROL))
        return 0;
    char answer[96] = "";
    int rc = lfw_at_cmd(&s->at, "AT+UFOTA?", "+UFOTA:", answer, sizeof answer, 10000);
    if (rc != 0)
        return at_fail(w, "reading the uFOTA state (AT+UFOTA?, §5.3)", rc);
    int st = -1;
    unsigned long long total = 0, done = 0;
    if (sscanf(answer, "%d,%llu,%llu", &st, &total, &done) != 3) {
        lfw_session_debug(s, "AT+UFOTA?: unexpected answer '%s'", answer);
        return 0;
    }
    w->percent = total ? (int)(done * 100ull / total) : 0;
    switch (st) {
    case 1: /* paused (§5.3) */
    case 2: /* downloading (docs/simulator.md) */
        w->downloading = true;
        w->paused = st == 1;
        if (w->policy != POLICY_REJECT && (rc = edrx_off(w)) != 0)
            return rc;
        if (w->paused) {
            lfw_session_say(s,
                            "a uFOTA download is paused at %d %% (%llu of %llu bytes): it goes "
                            "on only after 'larafw ufota resume' (stop this watch first, or use "
                            "another AT port of the module)",
                            w->percent, done, total);
            json_note(s, "paused", NULL, -1);
        } else {
            lfw_session_say(s, "a uFOTA download is under way (%d %%): following it", w->percent);
            json_note(s, "downloading", NULL, -1);
        }
        return 0;
    case 3: /* downloaded (docs/simulator.md): the server's execute starts the install */
        w->downloaded = true;
        lfw_session_say(s, "a uFOTA package is downloaded: waiting for the server to start the "
                           "install (§5.1)");
        json_note(s, "downloaded", NULL, -1);
        return 0;
    default:
        return 0;
    }
}

/* --timeout passed with no download running: say why, without blaming the campaign when the
 * update is only paused or waits for the server. */
static int timed_out(struct watch *w)
{
    struct lfw_session *s = w->s;
    unsigned t = s->opts->timeout_s;
    if (w->paused) {
        edrx_leave_off(w);
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "ufota watch: the download stayed paused at %d %% for %u s "
                                 "(--timeout); resume it with 'larafw ufota resume' (stop this "
                                 "watch first, or use another AT port), then watch again",
                                 w->percent, t);
    }
    if (w->downloaded) {
        edrx_leave_off(w);
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "ufota watch: the package is downloaded but the server did not "
                                 "start the install within %u s (--timeout); check the "
                                 "campaign on the server (it executes /5/0/2, §5.1), then watch "
                                 "again",
                                 t);
    }
    edrx_restore(w);
    return lfw_session_error(s, LFW_EXIT_IO, -1,
                             "ufota watch: no uFOTA update within %u s (--timeout); check that "
                             "the module is registered with the server (+ULWM2MSTAT: 1,…) and "
                             "that a campaign targets its IMEI",
                             t);
}

/* Ctrl-C / SIGTERM: an update under way goes on without larafw and keeps eDRX off (§5.7,
 * §5.8.3); with nothing under way, eDRX is put back as it was. */
static int interrupted(struct watch *w)
{
    struct lfw_session *s = w->s;
    if (w->downloading || w->accepted || w->downloaded) {
        edrx_leave_off(w);
        return lfw_session_error(s, LFW_EXIT_IO, -1,
                                 "ufota watch: interrupted; the module goes on with the update "
                                 "by itself (%s): run 'larafw ufota watch' again to follow it",
                                 w->paused       ? "download paused"
                                 : w->downloaded ? "downloaded, install due"
                                                 : "downloading");
    }
    lfw_session_cleanup(s); /* a moment more on the line to put eDRX back */
    edrx_restore(w);
    return lfw_session_error(s, LFW_EXIT_IO, -1, "ufota watch: interrupted");
}

int lfw_cmd_ufota_watch(struct lfw_session *s)
{
    const struct lfw_cli_opts *o = s->opts;
    static struct watch w;
    memset(&w, 0, sizeof w);
    w.s = s;
    w.defer_s = o->defer_set ? o->defer_s : 1; /* AT+UFOTAACK=0 would reject (§5.4.2.2) */
    const char *policy = o->policy ? o->policy : "auto";
    if (strcmp(policy, "ack") == 0)
        w.policy = POLICY_ACK;
    else if (strcmp(policy, "reject") == 0)
        w.policy = POLICY_REJECT;
    else if (strncmp(policy, "window=", 7) == 0 && lfw_window_parse(policy + 7, &w.window) == 0)
        w.policy = POLICY_WINDOW;

    int rc = lfw_session_info(s, &w.info, 0);
    if (rc)
        return rc;
    w.has_config = lfw_product_has(w.info.product, LFW_FEAT_UFOTACONFIG);
    lfw_session_say(s, "module: %s, firmware %s", lfw_session_product(s, &w.info), w.info.version);
    if ((rc = set_up(&w)) != 0 || (rc = read_start_state(&w)) != 0) {
        if (!lfw_cli_interrupted)
            edrx_restore(&w);
        return rc;
    }
    lfw_session_say(s, "watching for a uFOTA update (policy %s%s); Ctrl-C stops watching", policy,
                    o->no_install ? ", download only" : "");
    json_note(s, "watching", NULL, -1);

    uint64_t t0 = lfw_posix_now_ms();
    for (;;) {
        if (lfw_cli_interrupted)
            return interrupted(&w);
        /* --timeout bounds the wait for something to happen, not a running download */
        if (o->timeout_s && (!w.downloading || w.paused) &&
            lfw_posix_now_ms() - t0 >= (uint64_t)o->timeout_s * 1000u)
            return timed_out(&w);
        const char *line;
        int n = lfw_at_read_line(&s->at, 500, &line);
        if (n == LFW_ETIMEDOUT)
            continue;
        if (n < 0 && lfw_cli_interrupted)
            return interrupted(&w);
        if (n < 0) {
            edrx_restore(&w);
            return lfw_session_fail(s, "ufota watch", n, NULL);
        }
        struct lfw_ufota_status st;
        if (lfw_ufota_parse(line, &st)) {
            rc = on_status(&w, &st);
            if (rc >= 0)
                return rc;
            continue;
        }
        if (strncmp(line, "+ULWM2MSTAT: 1,", 15) == 0) {
            lfw_session_debug(s, "registered with the LwM2M server (%s)", line);
            json_note(s, "registered", NULL, -1);
        } else if (strncmp(line, "+UUFWPREVAL:", 12) == 0 ||
                   strncmp(line, "+UUFWINSTALL:", 13) == 0) {
            /* the install began without a download URC seen here (watch started late) */
            return after_download(&w, true);
        }
    }
}
