/* larafw: updates the firmware of a u-blox LARA-R6 / LARA-L6 module (docs/cli.md). */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_ports.h"
#include "cli_util.h"
#include "session.h"

#ifndef LARAFW_VERSION
#define LARAFW_VERSION "0.0.0"
#endif

/* When the first interrupt came (CLOCK_MONOTONIC seconds). */
static volatile sig_atomic_t first_interrupt_s;

static sig_atomic_t monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* async-signal-safe (POSIX) */
    return (sig_atomic_t)ts.tv_sec;
}

/* First interrupt: cancel a transfer cleanly (session.c); a second one, later: leave at once.
 * A repeat within the same two seconds is the same request: `timeout` and a kill of the
 * process group both signal larafw twice at once. */
static void on_sigint(int sig)
{
    if (lfw_cli_interrupted) {
        if (monotonic_s() - first_interrupt_s < 2)
            return;
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    first_interrupt_s = monotonic_s();
    lfw_cli_interrupted = 1;
}

int main(int argc, char **argv)
{
    struct lfw_cli_opts o;
    char err[2048]; /* -p auto lists the candidates */
    /* A closed stdout (larafw info | head -1) must not kill an install half-way. */
    signal(SIGPIPE, SIG_IGN);

    int rc = lfw_cli_parse(argc, argv, getenv("LARAFW_PORT"), &o, err, sizeof err);
    if (rc) {
        fprintf(stderr, "larafw: %s\n", err);
        return rc;
    }
    if (o.help) {
        lfw_cli_usage(stdout, o.cmd);
        return LFW_EXIT_OK;
    }
    if (o.version) {
        printf("larafw %s\n", LARAFW_VERSION);
        return LFW_EXIT_OK;
    }

    if (o.cmd == LFW_CMD_PORTS)
        return lfw_cmd_ports(&o);
    static char auto_port[4096];
    if (strcmp(o.port, "auto") == 0) {
        rc = lfw_cli_port_auto(&o, auto_port, sizeof auto_port, err, sizeof err);
        if (rc) {
            fprintf(stderr, "larafw: %s\n", err);
            return rc;
        }
        o.port = auto_port;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    static struct lfw_session s;
    rc = lfw_session_open(&s, &o);
    if (rc == 0) {
        switch (o.cmd) {
        case LFW_CMD_INFO:
            rc = lfw_cmd_info(&s);
            break;
        case LFW_CMD_FOAT:
            rc = lfw_cmd_foat(&s);
            break;
        case LFW_CMD_PUSH:
            rc = lfw_cmd_push(&s);
            break;
        case LFW_CMD_INSTALL:
            rc = lfw_cmd_install(&s);
            break;
        case LFW_CMD_FOTA:
            rc = lfw_cmd_fota(&s);
            break;
        case LFW_CMD_UFOTA:
            rc = lfw_cmd_ufota(&s);
            break;
        case LFW_CMD_LWM2M:
            rc = lfw_cmd_lwm2m(&s);
            break;
        case LFW_CMD_NONE:
        case LFW_CMD_PORTS: /* handled before the session */
            rc = LFW_EXIT_USAGE;
            break;
        }
    }
    lfw_session_close(&s);
    return rc;
}
