/* larafw lwm2m srlt SECONDS | register | deregister (§5.6): the registration of the module's
 * LwM2M client with the uFOTA server (short server id 721, object instance /1/10). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

static int lwm2m_fail(struct lfw_session *s, const char *step, int rc)
{
    const char *text = NULL;
    struct lfw_error e;
    lfw_error_clear(&e);
    e.code = rc;
    e.cme_code = lfw_at_last_cme(&s->at, &text);
    if (text)
        snprintf(e.cme_text, sizeof e.cme_text, "%s", text);
    if (rc == LFW_ECME && strstr(e.cme_text, "not allowed"))
        return lfw_session_error(s, LFW_EXIT_MODULE, -1,
                                 "%s: the module refused: +CME ERROR: %s; the LwM2M client is "
                                 "not in a state for this (not started yet, or already "
                                 "(de)registered): check with 'larafw ufota watch' or retry later",
                                 step, e.cme_text);
    return lfw_session_fail(s, step, rc, &e);
}

int lfw_cmd_lwm2m(struct lfw_session *s)
{
    const struct lfw_cli_opts *o = s->opts;
    struct lfw_info info;
    int rc = lfw_session_info(s, &info, 0);
    if (rc)
        return rc;
    char cmd[200];
    const char *done;
    if (strcmp(o->action, "srlt") == 0) {
        unsigned long v = strtoul(o->target, NULL, 10);
        /* §5.6: the lifetime is resource 1 of the server object instance /1/10; a change
         * triggers a registration update */
        snprintf(cmd, sizeof cmd,
                 "AT+ULWM2MWRITE=\"{\\\"bn\\\": \\\"/1/10/\\\", \\\"e\\\": [{\\\"n\\\": "
                 "\\\"1\\\", \\\"v\\\": %lu}]}\"",
                 v);
        done = "registration lifetime (SRLT) set; the module sends a registration update";
    } else if (strcmp(o->action, "register") == 0) {
        snprintf(cmd, sizeof cmd, "AT+ULWM2MREG");
        done = "registering with the LwM2M server";
    } else {
        snprintf(cmd, sizeof cmd, "AT+ULWM2MDEREG");
        done = "deregistered from the LwM2M server until reboot or 'larafw lwm2m register'";
    }
    rc = lfw_at_cmd(&s->at, cmd, NULL, NULL, 0, 10000);
    if (rc != 0) {
        char step[32];
        snprintf(step, sizeof step, "lwm2m %s", o->action);
        return lwm2m_fail(s, step, rc);
    }
    if (s->opts->json) {
        char buf[256];
        struct lfw_json j;
        lfw_json_begin(&j, buf, sizeof buf);
        lfw_json_str(&j, "event", "result");
        lfw_json_str(&j, "command", "lwm2m");
        lfw_json_str(&j, "action", o->action);
        lfw_json_str(&j, "result", "success");
        if (o->target)
            lfw_json_int(&j, "srlt", strtol(o->target, NULL, 10));
        const char *t = lfw_json_end(&j);
        if (t)
            printf("%s\n", t);
        fflush(stdout);
    }
    lfw_session_say(s, "%s", done);
    return LFW_EXIT_OK;
}
