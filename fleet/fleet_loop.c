/* larafw-fleet's main loop: the open-loop start schedule and one ppoll() over every module.
 *
 * Module i powers up at t0 + i / rate (host time), whether or not the modules before it have
 * registered (open loop: the load a real fleet puts on a server does not wait for it). Each
 * turn asks every started module for its sockets and its next deadline (the sim's parts:
 * libcoap's fd and retransmission time, libcurl's sockets, timers on the module's virtual
 * clock), waits once for all of them, then services only the modules that have a ready socket
 * or a deadline that passed. A module is serviced exactly as larafw-sim's loop does it
 * (sim_main.c): clock frozen, parts' service hooks, timers, clock thawed. */
#define _GNU_SOURCE
#include "fleet.h"
#include "sim_lwm2m.h"
#include "sim_platform.h"
#include "sim_ufota.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t fleet_stop_signal;

static void fleet_on_signal(int sig)
{
    fleet_stop_signal = sig;
}

static int fleet_setup_signals(sigset_t *loop_mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fleet_on_signal;
    sigemptyset(&sa.sa_mask);
    sigset_t block;
    sigemptyset(&block);
    int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (sigaction(sigs[i], &sa, NULL) != 0)
            return -1;
        sigaddset(&block, sigs[i]);
    }
    signal(SIGPIPE, SIG_IGN);
    /* delivered only inside ppoll(): no race between the check and the wait */
    if (sigprocmask(SIG_BLOCK, &block, loop_mask) != 0)
        return -1;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigdelset(loop_mask, sigs[i]);
    return 0;
}

/* Powers module m up: the network is attached at once, so the client registers now (a
 * larafw-sim module waits SIM_LWM2M_START_MS of module time for its attach, §5.1). */
static void fleet_start(struct fleet_mod *m)
{
    m->started = true;
    m->start_ns = sim_host_ns();
    sim_clock_start(m->s);
    sim_power_up(m->s);
    (void)sim_lwm2m_register(m->s);
}

/* What changed in a module since the last look: registrations, a campaign. */
static void fleet_observe(struct fleet *f, struct fleet_mod *m)
{
    bool reg = sim_lwm2m_reg_state(m->s) == SIM_REG_DONE;
    if (reg && !m->was_registered) {
        m->registrations++;
        if (!m->registered_once) {
            m->registered_once = true;
            m->register_ns = sim_host_ns() - m->start_ns;
            f->progress.registered++;
        }
    }
    m->was_registered = reg;
    if (m->s->ufota && m->s->ufota->phase != SIM_UF_IDLE)
        m->campaign = true;
}

struct fleet_counts {
    unsigned started, registered, downloading, updated, failed;
};

static void fleet_count(const struct fleet *f, struct fleet_counts *c)
{
    memset(c, 0, sizeof *c);
    for (unsigned i = 0; i < f->n; i++) {
        const struct fleet_mod *m = &f->mods[i];
        if (!m->started)
            continue;
        c->started++;
        enum fleet_result r = fleet_mod_result(m);
        if (r != FLEET_NOT_REGISTERED)
            c->registered++;
        if (r == FLEET_UPDATED)
            c->updated++;
        else if (r == FLEET_FAILED)
            c->failed++;
        if (m->s->ufota && m->s->ufota->phase >= SIM_UF_DOWNLOADING &&
            m->s->ufota->phase <= SIM_UF_DOWNLOADED)
            c->downloading++;
    }
}

/* The events a script can wait for, on stdout at once: "started N" once every module is up,
 * "registered N" once every one has registered (counted as they happen, not by a walk). */
static void fleet_events(struct fleet *f, unsigned started)
{
    struct fleet_progress *ps = &f->progress;
    if (started == f->n && !ps->all_started) {
        ps->all_started = true;
        printf("started %u\n", f->n);
        fflush(stdout);
    }
    if (ps->registered == f->n && !ps->all_registered) {
        ps->all_registered = true;
        printf("registered %u\n", f->n);
        fflush(stdout);
    }
}

/* The live line (a TTY on stderr only), at most every 250 ms. */
static void fleet_progress(struct fleet *f, bool final)
{
    static const uint64_t every_ns = 250000000u;
    struct fleet_progress *ps = &f->progress;
    uint64_t now = sim_host_ns();
    if (!final && ps->last_ns && now - ps->last_ns < every_ns)
        return;
    ps->last_ns = now;
    struct fleet_counts c;
    fleet_count(f, &c);
    fprintf(stderr,
            "\r\033[K%.1f s  started %u/%u  registered %u  downloading %u  updated %u  "
            "failed %u%s",
            (double)(now - f->t0_ns) / 1e9, c.started, f->n, c.registered, c.downloading, c.updated,
            c.failed, final ? "\n" : "");
}

/* A started module's sockets (its fixed slots in the pollfd array, unused ones -1) and its
 * host deadline. Only a module that ran code (power-up, service) can have new ones. */
static void fleet_setup_mod(struct fleet_mod *m, struct pollfd *fds, int slots)
{
    struct sim *s = m->s;
    uint64_t wait = sim_timer_next_ms(s);
    m->fd_n = sim_parts_poll_setup(s, fds, slots, &wait, m->counts);
    for (int k = m->fd_n; k < slots; k++) {
        fds[k].fd = -1;
        fds[k].revents = 0;
    }
    uint64_t next = sim_timer_next_ms(s); /* a setup step may have armed a timer */
    if (next < wait)
        wait = next;
    int64_t host_ns = sim_clock_host_ns(s, wait);
    m->due_ns = host_ns < 0 ? UINT64_MAX : sim_host_ns() + (uint64_t)host_ns;
    m->dirty = false;
}

static void fleet_service_mod(struct fleet *f, struct fleet_mod *m, const struct pollfd *fds)
{
    struct sim *s = m->s;
    sim_clock_freeze(s);
    sim_parts_service(s, fds, m->counts);
    sim_timers_run(s);
    sim_clock_thaw(s);
    fleet_observe(f, m);
    m->dirty = true;
}

/* Most sockets one module watches at once: the sum of its parts' (each part's slots). */
static int fleet_slots(const struct sim *s)
{
    int n = 0;
    for (size_t i = 0; s->parts[i]; i++)
        n += s->parts[i]->fds_max;
    return n < SIM_PARTS_FDS_MAX ? n : SIM_PARTS_FDS_MAX;
}

int fleet_run(struct fleet *f)
{
    sigset_t loop_mask;
    if (fleet_setup_signals(&loop_mask) != 0) {
        fprintf(stderr, "larafw-fleet: signals: %s\n", strerror(errno));
        return -1;
    }
    int slots = f->n ? fleet_slots(f->mods[0].s) : 1;
    struct pollfd *fds = calloc((size_t)f->n * (size_t)slots + 1, sizeof *fds);
    if (!fds) {
        fprintf(stderr, "larafw-fleet: out of memory (%u modules)\n", f->n);
        return -1;
    }
    bool tty = !f->o.quiet && isatty(STDERR_FILENO);
    double gap_ns = f->o.rate > 0 ? 1e9 / f->o.rate : 0;
    f->t0_ns = sim_host_ns();
    uint64_t end_ns = f->o.duration > 0 ? f->t0_ns + (uint64_t)(f->o.duration * 1e9) : UINT64_MAX;
    unsigned next_start = 0;
    while (!fleet_stop_signal) {
        uint64_t now = sim_host_ns();
        if (now >= end_ns)
            break;
        /* the open-loop schedule: every start that is due, now */
        while (next_start < f->n && now >= f->t0_ns + (uint64_t)(next_start * gap_ns)) {
            fleet_start(&f->mods[next_start]);
            f->mods[next_start++].dirty = true;
        }
        uint64_t due = end_ns;
        if (next_start < f->n) {
            uint64_t t = f->t0_ns + (uint64_t)(next_start * gap_ns);
            if (t < due)
                due = t;
        }
        /* O(started modules) per turn without a system call for the idle ones (cached) */
        for (unsigned i = 0; i < next_start; i++) {
            struct fleet_mod *m = &f->mods[i];
            if (m->dirty)
                fleet_setup_mod(m, fds + (size_t)i * (size_t)slots, slots);
            if (m->due_ns < due)
                due = m->due_ns;
        }
        now = sim_host_ns();
        struct timespec ts, *tsp = NULL;
        if (due != UINT64_MAX) {
            uint64_t left = due > now ? due - now : 0;
            if (tty && left > 250000000u)
                left = 250000000u; /* the live line moves even when nothing happens */
            ts.tv_sec = (time_t)(left / 1000000000u);
            ts.tv_nsec = (long)(left % 1000000000u);
            tsp = &ts;
        }
        int r = ppoll(fds, (nfds_t)next_start * (nfds_t)slots, tsp, &loop_mask);
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "larafw-fleet: ppoll: %s\n", strerror(errno));
            free(fds);
            return -1;
        }
        now = sim_host_ns();
        for (unsigned i = 0; i < next_start; i++) {
            struct fleet_mod *m = &f->mods[i];
            struct pollfd *mf = fds + (size_t)i * (size_t)slots;
            bool ready = now >= m->due_ns;
            for (int k = 0; !ready && r > 0 && k < m->fd_n; k++)
                ready = mf[k].revents != 0;
            if (ready)
                fleet_service_mod(f, m, mf);
        }
        fleet_events(f, next_start);
        if (tty)
            fleet_progress(f, false);
    }
    if (tty)
        fleet_progress(f, true);
    free(fds);
    return 0;
}
