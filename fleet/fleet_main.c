/* larafw-fleet: N simulated LARA modules in one process against an LwM2M server.
 *
 *   larafw-fleet --server coap://H:P --devices N [--rate R] [--firmware IMG --fota-key PUB]
 *                [--product P] [--state DIR] [--time-scale F] [--report FILE] [--duration S]
 *
 * Each module is a larafw-sim module (struct sim, every part of sim/ linked from lfwsim) with
 * its own UDP socket, state directory DIR/mNNNNNN and IMEI. docs/fleet.md has the details and
 * what a fleet module simplifies. Exit status: 0 every module registered and none failed or
 * was mid-update, 1 otherwise, 2 usage or set-up error. */
#define _GNU_SOURCE
#include "fleet.h"
#include "sim_lwm2m.h"
#include "sim_platform.h"
#include "sim_signals.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLEET_EXIT_USAGE         2
#define FLEET_DEFAULT_IMAGE_SIZE (64u * 1024u)
#define FLEET_FDS_PER_MODULE     4 /* libcoap's socket, epoll fd and timerfd; a download */

static volatile sig_atomic_t fleet_stop_signal;

static void fleet_on_signal(int sig)
{
    fleet_stop_signal = sig;
}

static void fleet_usage(FILE *out)
{
    char list[256];
    sim_product_list(list, sizeof list);
    fprintf(out,
            "usage: larafw-fleet --server coap://HOST:PORT --devices N [--rate R]\n"
            "                    [--firmware IMG --fota-key PUB] [--product P] [--state DIR]\n"
            "                    [--time-scale F] [--report FILE] [--duration S] [--quiet]\n"
            "N simulated LARA modules in one process, each a larafw-sim module (LwM2M client,\n"
            "object 5, HTTP(S) download, install) with its own UDP socket and IMEI.\n"
            "  --server URI     the LwM2M server, coap://HOST:PORT (coaps:// not yet)\n"
            "  --devices N      how many modules, 1..%u\n"
            "  --rate R         module power-ups per second, open loop (default 100; 0 = all\n"
            "                   at once)\n"
            "  --firmware IMG   factory image of every new module (default: a synthesised\n"
            "                   %u-byte image, the product's default version)\n"
            "  --fota-key PUB   FOTA public key (32-byte Ed25519) of every new module; without\n"
            "                   it a module rejects every package (Update Result 5)\n"
            "  --product P      %s\n"
            "                   (default: the product of --firmware, else LARA-R6001D-01B)\n"
            "  --state DIR      module storage, DIR/mNNNNNN per module, kept: a second run\n"
            "                   continues the same modules (default: a temporary directory,\n"
            "                   removed at exit)\n"
            "  --time-scale F   module time runs 1/F times as fast as host time (default 1);\n"
            "                   the start rate and --duration are host time\n"
            "  --report FILE    JSON report at the end: per module IMEI, registered, time to\n"
            "                   register, firmware, result (docs/fleet.md)\n"
            "  --duration S     stop after S seconds (default: run until SIGTERM or SIGINT)\n"
            "  --quiet          no live progress line on a terminal\n"
            "stdout gets 'started N' once every module is up and 'registered N' once every one\n"
            "has registered. Exit status: 0 every module registered and no update failed or was\n"
            "unfinished, 1 otherwise, 2 bad usage or set-up error.\n",
            FLEET_MAX_DEVICES, FLEET_DEFAULT_IMAGE_SIZE, list);
}

static int fleet_number(const char *opt, const char *arg, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v) || v < lo || v > hi) {
        fprintf(stderr, "larafw-fleet: %s: expected a number in %.9g..%.9g, not '%s'\n", opt, lo,
                hi, arg);
        return -1;
    }
    *out = v;
    return 0;
}

static int fleet_parse_args(int argc, char **argv, struct fleet_opts *o)
{
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 'S'},
        {"devices", required_argument, NULL, 'n'},
        {"rate", required_argument, NULL, 'r'},
        {"firmware", required_argument, NULL, 'F'},
        {"fota-key", required_argument, NULL, 'k'},
        {"product", required_argument, NULL, 'p'},
        {"state", required_argument, NULL, 's'},
        {"time-scale", required_argument, NULL, 't'},
        {"report", required_argument, NULL, 'R'},
        {"duration", required_argument, NULL, 'd'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->rate = 100;
    o->time_scale = 1;
    double v;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'S':
            o->server = optarg;
            break;
        case 'n':
            if (fleet_number("--devices", optarg, 1, FLEET_MAX_DEVICES, &v) != 0 || v != floor(v)) {
                if (v != floor(v))
                    fprintf(stderr, "larafw-fleet: --devices: a whole number, not '%s'\n", optarg);
                return -1;
            }
            o->devices = (unsigned)v;
            break;
        case 'r':
            if (fleet_number("--rate", optarg, 0, 1e6, &o->rate) != 0)
                return -1;
            break;
        case 't':
            if (fleet_number("--time-scale", optarg, 1e-6, 1e6, &o->time_scale) != 0)
                return -1;
            break;
        case 'd':
            if (fleet_number("--duration", optarg, 0.001, 1e9, &o->duration) != 0)
                return -1;
            break;
        case 'F':
            o->firmware = optarg;
            break;
        case 'k':
            o->fota_key = optarg;
            break;
        case 'p':
            o->product = optarg;
            break;
        case 's':
            o->state = optarg;
            break;
        case 'R':
            o->report = optarg;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            fleet_usage(stdout);
            exit(0);
        default:
            fprintf(stderr, "larafw-fleet: unknown or incomplete option '%s' (see --help)\n",
                    argv[optind - 1] ? argv[optind - 1] : "?");
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "larafw-fleet: unexpected argument '%s' (see --help)\n", argv[optind]);
        return -1;
    }
    if (!o->server || !o->devices) {
        fprintf(stderr, "larafw-fleet: --server and --devices are required (see --help)\n");
        return -1;
    }
    if (strncmp(o->server, "coaps://", 8) == 0) {
        fprintf(stderr, "larafw-fleet: --server: coaps:// (DTLS-PSK per module) is not "
                        "supported yet; use coap://HOST:PORT\n");
        return -1;
    }
    if (o->product && !sim_product_find(o->product)) {
        char list[256];
        sim_product_list(list, sizeof list);
        fprintf(stderr, "larafw-fleet: unknown product '%s'; known products: %s\n", o->product,
                list);
        return -1;
    }
    return 0;
}

/* Every module needs a few descriptors: raise the soft limit to the hard one, then check. */
static int fleet_fd_limit(unsigned n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    rlim_t need = (rlim_t)n * FLEET_FDS_PER_MODULE + 64;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        fprintf(stderr,
                "larafw-fleet: %u modules need about %llu open files, this process may have "
                "%llu: run fewer modules per process (several larafw-fleet processes) or raise "
                "the hard limit (ulimit -Hn)\n",
                n, (unsigned long long)need, (unsigned long long)rl.rlim_cur);
        return -1;
    }
    return 0;
}

static int fleet_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* The state directory, the product and the factory image every new module starts from. */
static int fleet_prepare(struct fleet *f, const struct sim_product **product)
{
    if (f->o.state) {
        if (snprintf(f->state_dir, sizeof f->state_dir, "%s", f->o.state) >= 4000) {
            fprintf(stderr, "larafw-fleet: --state path too long\n");
            return -1;
        }
        if (mkdir(f->state_dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "larafw-fleet: --state %s: %s\n", f->state_dir, strerror(errno));
            return -1;
        }
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(f->state_dir, sizeof f->state_dir, "%s/larafw-fleet-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(f->state_dir)) {
            fprintf(stderr, "larafw-fleet: temporary state directory %s: %s\n", f->state_dir,
                    strerror(errno));
            return -1;
        }
        f->state_temp = true;
    }
    *product = f->o.product ? sim_product_find(f->o.product) : NULL;
    if (f->o.firmware) {
        struct pkg_image_info info;
        int rc = pkg_image_info_file(f->o.firmware, &info);
        if (rc != 0) {
            fprintf(stderr, "larafw-fleet: --firmware %s: %s\n", f->o.firmware, pkg_strerror(rc));
            return -1;
        }
        if (!*product && !(*product = sim_product_find(info.product))) {
            fprintf(stderr,
                    "larafw-fleet: --firmware %s is for %s, a product the simulator "
                    "does not know\n",
                    f->o.firmware, info.product);
            return -1;
        }
        snprintf(f->factory_image, sizeof f->factory_image, "%s", f->o.firmware);
        return 0;
    }
    if (!*product)
        *product = sim_product_default();
    snprintf(f->factory_image, sizeof f->factory_image, "%s/factory.img", f->state_dir);
    struct pkg_image_params prm = {
        .product = (*product)->name,
        .version = sim_default_version(*product),
        .size = FLEET_DEFAULT_IMAGE_SIZE,
        .seed = 1,
    };
    int rc = pkg_image_synth(&prm, f->factory_image);
    if (rc != 0) {
        fprintf(stderr, "larafw-fleet: synthesising %s: %s\n", f->factory_image, pkg_strerror(rc));
        return -1;
    }
    return 0;
}

/* Module i: its object, its state (factory-programmed with its IMEI, or the one a former run
 * left in DIR/mNNNNNN), its LwM2M server. */
static int fleet_mod_setup(struct fleet *f, unsigned i, const struct sim_product *product)
{
    struct fleet_mod *m = &f->mods[i];
    struct sim *s = malloc(sizeof *s); /* large: paths, line buffers */
    if (!s || sim_init(s) != 0) {
        free(s);
        fprintf(stderr, "larafw-fleet: out of memory at module %u\n", i);
        return -1;
    }
    m->s = s;
    if (snprintf(s->dir, sizeof s->dir, "%.4000s/m%06u", f->state_dir, i) >= (int)sizeof s->dir) {
        fprintf(stderr, "larafw-fleet: --state path too long\n");
        return -1;
    }
    s->time_scale = f->o.time_scale;
    s->product = product;
    s->no_fsync = true; /* a fleet's modules are many; a host crash loses only test state */
    char err[256];
    if (sim_lwm2m_opt_server(s, f->o.server, err, sizeof err) != 0 ||
        sim_lwm2m_opt_check(s, err, sizeof err) != 0) {
        fprintf(stderr, "larafw-fleet: %s\n", err);
        return -1;
    }
    if (sim_state_exists(s)) {
        if (sim_state_load(s) != 0)
            return -1;
        if (s->product != product) {
            fprintf(stderr, "larafw-fleet: %s holds a %s, not a %s (another --state DIR?)\n",
                    s->dir, s->product->name, product->name);
            return -1;
        }
        if (sim_state_dirs(s) != 0)
            return -1;
        sim_state_clean_tmp(s);
    } else {
        if (sim_state_factory(s, f->factory_image, f->o.fota_key) != 0)
            return -1;
        fleet_imei(i, s->st.imei);
        if (sim_state_save(s) != 0)
            return -1;
    }
    if (sim_firmware_refresh(s) != 0)
        return -1;
    snprintf(m->fw_start, sizeof m->fw_start, "%s", s->fw.version);
    return 0;
}

static void fleet_teardown(struct fleet *f, int sig)
{
    for (unsigned i = 0; f->mods && i < f->n; i++) {
        struct fleet_mod *m = &f->mods[i];
        if (!m->s)
            continue;
        if (m->started)
            sim_power_off(m->s, sig);
        sim_fini(m->s);
        free(m->s);
        m->s = NULL;
    }
    free(f->mods);
    f->mods = NULL;
    if (f->state_temp)
        (void)nftw(f->state_dir, fleet_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char **argv)
{
    struct fleet f;
    memset(&f, 0, sizeof f);
    if (fleet_parse_args(argc, argv, &f.o) != 0)
        return FLEET_EXIT_USAGE;
    if (fleet_fd_limit(f.o.devices) != 0)
        return FLEET_EXIT_USAGE;
    const struct sim_product *product = NULL;
    int rc = FLEET_EXIT_USAGE;
    f.mods = calloc(f.o.devices, sizeof *f.mods);
    if (!f.mods) {
        fprintf(stderr, "larafw-fleet: out of memory (%u modules)\n", f.o.devices);
        return FLEET_EXIT_USAGE;
    }
    if (fleet_prepare(&f, &product) != 0)
        goto out;
    for (f.n = 0; f.n < f.o.devices; f.n++) {
        if (fleet_mod_setup(&f, f.n, product) != 0) {
            f.n++; /* its object is freed with the others */
            goto out;
        }
    }
    if (sim_stop_signals_setup(fleet_on_signal, &f.loop_mask) != 0) {
        fprintf(stderr, "larafw-fleet: signals: %s\n", strerror(errno));
        goto out;
    }
    f.stop = &fleet_stop_signal;
    if (fleet_run(&f) != 0)
        goto out;
    rc = fleet_exit_status(&f);
    unsigned reg = 0, upd = 0, failed = 0;
    for (unsigned i = 0; i < f.n; i++) {
        enum fleet_result r = fleet_mod_result(&f.mods[i]);
        reg += r != FLEET_NOT_REGISTERED;
        upd += r == FLEET_UPDATED;
        failed += r == FLEET_FAILED;
    }
    printf("done %u/%u registered, %u updated, %u failed, exit %d\n", reg, f.n, upd, failed, rc);
    fflush(stdout);
    if (f.o.report && fleet_report_write(&f, f.o.report) != 0)
        rc = FLEET_EXIT_USAGE;
out:
    fleet_teardown(&f, fleet_stop_signal ? (int)fleet_stop_signal : SIGTERM);
    return rc;
}
