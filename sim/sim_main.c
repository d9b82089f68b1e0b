/* larafw-sim: one process = one simulated LARA-R6/L6 module on pseudo-terminals.
 *
 *   larafw-sim --state DIR --uart LINK [--usb LINK] [--product NAME] [--time-scale F] [--pace]
 *              [--fault SPEC]... [--report FILE] [--firmware IMG --fota-key PUB]
 *
 * Prints "ready" (or "bricked") on stdout once the interfaces exist. SIGTERM/SIGINT = clean
 * power-off (state saved, exit 0); SIGKILL = power cut; a new start on the same DIR = the next
 * power-up. The loop is single-threaded: ppoll() on the pty masters with the timeout of the
 * nearest module timer or pacing deadline. docs/simulator.md describes the behaviour. */
#define _GNU_SOURCE
#include "sim_platform.h"
#include "sim_signals.h"
#include "sim_lwm2m.h"
#include "sim_net.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SIM_EXIT_USAGE 2

static volatile sig_atomic_t sim_stop_signal;

static void sim_on_signal(int sig)
{
    sim_stop_signal = sig;
}

static void sim_usage(FILE *out)
{
    char list[256];
    sim_product_list(list, sizeof list);
    fprintf(out,
            "usage: larafw-sim --state DIR --uart LINK [--usb LINK] [--product NAME]\n"
            "                  [--time-scale F] [--pace] [--fault SPEC]... [--report FILE]\n"
            "                  [--firmware IMG --fota-key PUB] [--ca-file FILE]\n"
            "  --state DIR      module storage (created and factory-programmed when empty)\n"
            "  --uart LINK      symlink to create for the primary UART pty\n"
            "  --usb LINK       symlink for the USB pty (optional)\n"
            "  --product NAME   %s (default LARA-R6001D-01B)\n"
            "  --time-scale F   module time runs 1/F times as fast as host time (default 1)\n"
            "  --pace           limit each interface to its +IPR rate (10 bits per byte)\n"
            "  --fault SPEC     power-cut=PHASE:PCT, flash-write=PHASE:PCT, noise=BER,\n"
            "                   drop=RATE, net-drop=PCT[:COUNT], seed=N; PHASE: download,\n"
            "                   validation, install (repeatable)\n"
            "  --report FILE    JSON timeline of the session\n"
            "  --firmware IMG   factory image for an empty DIR (default: synthesised)\n"
            "  --fota-key PUB   FOTA public key (32-byte Ed25519) for an empty DIR\n"
            "  --ca-file FILE   trust anchors (PEM) for HTTPS downloads; without it the server\n"
            "                   certificate is not validated (factory security profile)\n"
            "  --lwm2m-server URI  uFOTA LwM2M server, coap://HOST:PORT or coaps://HOST:PORT\n"
            "  --psk-identity ID, --psk-key HEX  DTLS-PSK credentials for coaps://\n"
            "  --psk-key-file FILE  the key (hex) from a file only its owner may read\n"
            "                   (chmod 600): unlike --psk-key, not visible in ps\n"
            "  --lwm2m-port N   UDP port the client's objects are served on for peers\n"
            "  --help           this text\n"
            "  --version        print the version of larafw-sim\n",
            list);
}

struct sim_opts {
    const char *state, *uart, *usb, *product, *report, *firmware, *key;
    double time_scale;
    bool pace;
};

static int sim_parse_args(int argc, char **argv, struct sim *s, struct sim_opts *o)
{
    static const struct option longopts[] = {
        {"state", required_argument, NULL, 's'},
        {"uart", required_argument, NULL, 'u'},
        {"usb", required_argument, NULL, 'U'},
        {"product", required_argument, NULL, 'p'},
        {"time-scale", required_argument, NULL, 't'},
        {"pace", no_argument, NULL, 'P'},
        {"fault", required_argument, NULL, 'f'},
        {"report", required_argument, NULL, 'r'},
        {"firmware", required_argument, NULL, 'F'},
        {"fota-key", required_argument, NULL, 'k'},
        {"ca-file", required_argument, NULL, 'C'},
        {"lwm2m-server", required_argument, NULL, 'L'},
        {"psk-identity", required_argument, NULL, 'I'},
        {"psk-key", required_argument, NULL, 'K'},
        {"psk-key-file", required_argument, NULL, 'Q'},
        {"lwm2m-port", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->time_scale = 1.0;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char err[512];
        char *end = NULL;
        switch (c) {
        case 's':
            o->state = optarg;
            break;
        case 'u':
            o->uart = optarg;
            break;
        case 'U':
            o->usb = optarg;
            break;
        case 'p':
            o->product = optarg;
            break;
        case 'r':
            o->report = optarg;
            break;
        case 'F':
            o->firmware = optarg;
            break;
        case 'k':
            o->key = optarg;
            break;
        case 'C':
            sim_net_set_ca_file(s, optarg);
            break;
        case 'P':
            o->pace = true;
            break;
        case 'L':
        case 'I':
        case 'K':
        case 'Q':
        case 'O': /* uFOTA LwM2M client (sim_lwm2m.c) */
            if ((c == 'L'   ? sim_lwm2m_opt_server(s, optarg, err, sizeof err)
                 : c == 'I' ? sim_lwm2m_opt_psk_identity(s, optarg, err, sizeof err)
                 : c == 'K' ? sim_lwm2m_opt_psk_key(s, optarg, err, sizeof err)
                 : c == 'Q' ? sim_lwm2m_opt_psk_key_file(s, optarg, err, sizeof err)
                            : sim_lwm2m_opt_port(s, optarg, err, sizeof err)) != 0) {
                fprintf(stderr, "larafw-sim: %s\n", err);
                return -1;
            }
            break;
        case 't':
            errno = 0;
            o->time_scale = strtod(optarg, &end);
            if (errno || end == optarg || *end || !isfinite(o->time_scale) ||
                o->time_scale < 1e-6 || o->time_scale > 1e6) {
                fprintf(stderr,
                        "larafw-sim: --time-scale: expected a number in 1e-6..1e6, not '%s'\n",
                        optarg);
                return -1;
            }
            break;
        case 'f':
            if (sim_fault_parse(&s->faults, optarg, err, sizeof err) != 0) {
                fprintf(stderr, "larafw-sim: --fault: %s\n", err);
                return -1;
            }
            break;
        case 'h':
            sim_usage(stdout);
            exit(0);
        case 'V':
            printf("larafw-sim %s\n", LARAFW_VERSION);
            exit(0);
        default: {
            /* the option's name only: "--psk-kye=<key>" must not print the key */
            const char *opt = argv[optind - 1] ? argv[optind - 1] : "?";
            fprintf(stderr, "larafw-sim: unknown or incomplete option '%.*s'\n",
                    (int)strcspn(opt, "="), opt);
            sim_usage(stderr);
            return -1;
        }
        }
    }
    if (optind < argc) {
        fprintf(stderr, "larafw-sim: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    char lerr[256];
    if (sim_lwm2m_opt_check(s, lerr, sizeof lerr) != 0) {
        fprintf(stderr, "larafw-sim: %s\n", lerr);
        return -1;
    }
    if (!o->state || !o->uart) {
        fprintf(stderr, "larafw-sim: --state and --uart are required\n");
        sim_usage(stderr);
        return -1;
    }
    if (strlen(o->state) >= sizeof s->dir) {
        fprintf(stderr, "larafw-sim: --state path too long\n");
        return -1;
    }
    if (o->product && !sim_product_find(o->product)) {
        char list[256];
        sim_product_list(list, sizeof list);
        fprintf(stderr, "larafw-sim: unknown product '%s'; known products: %s\n", o->product, list);
        return -1;
    }
    /* --firmware and --fota-key are independent: an image without a key makes a module that
     * rejects every package with 227 (Appendix A); a key alone gets the default image */
    return 0;
}

static int sim_loop(struct sim *s, const sigset_t *loop_mask)
{
    while (!sim_stop_signal) {
        uint64_t wait = sim_timer_next_ms(s);
        struct pollfd fds[SIM_IF_COUNT + SIM_PARTS_FDS_MAX];
        enum sim_if ifs[SIM_IF_COUNT];
        int counts[SIM_PARTS_MAX];
        int n = sim_uart_poll_setup(s, fds, ifs, &wait);
        int np = sim_parts_poll_setup(s, fds + n, SIM_PARTS_FDS_MAX, &wait, counts);
        /* a setup step may have armed a timer */
        uint64_t next = sim_timer_next_ms(s);
        if (next < wait)
            wait = next;
        int64_t host_ns = sim_clock_host_ns(s, wait);
        struct timespec ts, *tsp = NULL;
        if (host_ns >= 0) {
            ts.tv_sec = (time_t)(host_ns / 1000000000);
            ts.tv_nsec = (long)(host_ns % 1000000000);
            tsp = &ts;
        }
        int r = ppoll(fds, (nfds_t)(n + np), tsp, loop_mask);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "larafw-sim: ppoll: %s\n", strerror(errno));
            return -1;
        }
        sim_clock_freeze(s);
        for (int i = 0; i < n; i++) {
            if (fds[i].revents)
                sim_uart_service(s, ifs[i], fds[i].revents);
        }
        sim_parts_service(s, fds + n, counts); /* FTP/HTTP transfers, LwM2M */
        sim_timers_run(s);
        sim_uart_flush_all(s);
        sim_clock_thaw(s);
    }
    return 0;
}

/* One module from the options to the clean power-off. The exit status. */
static int sim_run(struct sim *s, int argc, char **argv)
{
    struct sim_opts o;
    if (sim_parse_args(argc, argv, s, &o) != 0)
        return SIM_EXIT_USAGE;
    snprintf(s->dir, sizeof s->dir, "%s", o.state);
    s->time_scale = o.time_scale;
    s->pace = o.pace;
    if (o.product)
        s->product = sim_product_find(o.product);
    sim_clock_start(s);

    if (sim_state_exists(s)) {
        if (sim_state_load(s) != 0)
            return 1;
        if (o.product && s->product != sim_product_find(o.product)) {
            fprintf(stderr, "larafw-sim: %s holds a %s, not a %s\n", s->dir, s->product->name,
                    o.product);
            return 1;
        }
        if (o.firmware || o.key)
            fprintf(stderr,
                    "larafw-sim: note: %s already holds a module; --firmware and "
                    "--fota-key ignored\n",
                    s->dir);
        if (sim_state_dirs(s) != 0)
            return 1;
        sim_state_clean_tmp(s);
    } else if (sim_state_factory(s, o.firmware, o.key) != 0) {
        return 1;
    }

    sigset_t loop_mask;
    if (sim_stop_signals_setup(sim_on_signal, &loop_mask) != 0) {
        fprintf(stderr, "larafw-sim: signals: %s\n", strerror(errno));
        return 1;
    }
    if (sim_report_open(s, o.report) != 0)
        return 1;
    if (sim_uart_open(s, SIM_IF_UART, o.uart) != 0 ||
        (o.usb && sim_uart_open(s, SIM_IF_USB, o.usb) != 0)) {
        sim_uart_close(s, SIM_IF_UART);
        return 1;
    }
    sim_power_up(s); /* the LwM2M endpoint is bound before "ready" */
    sim_announce(s);
    int rc = sim_loop(s, &loop_mask);
    sim_power_off(s, (int)sim_stop_signal);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct sim *s = malloc(sizeof *s); /* large (paths, line buffers): not on the stack */
    if (!s || sim_init(s) != 0) {
        fprintf(stderr, "larafw-sim: out of memory\n");
        free(s);
        return 1;
    }
    int rc = sim_run(s, argc, argv);
    sim_fini(s);
    free(s);
    return rc;
}
