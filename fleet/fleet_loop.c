/* larafw-fleet's main loop: the open-loop start schedule and one wait over every module.
 *
 * Module i powers up at t0 + i / rate (host time), whether or not the modules before it have
 * registered (open loop: the load a real fleet puts on a server does not wait for it).
 * A module is serviced exactly as larafw-sim's loop does it (sim_main.c): clock frozen, its
 * parts' service hooks, its timers, clock thawed; only when one of its sockets is ready or its
 * deadline has passed. Its sockets (libcoap's epoll fd, libcurl's sockets) are in one epoll
 * set, one-shot, tagged with the module; its deadline (next timer, libcoap's next
 * retransmission, in host time) is in a heap (fleet_heap.c). Only a module that ran is asked
 * again for both. So a turn costs what the ready and due modules cost, not the fleet's size. */
#define _GNU_SOURCE
#include "fleet.h"
#include "sim_lwm2m.h"
#include "sim_platform.h"
#include "sim_ufota.h"

#include <errno.h>
#include <sys/epoll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* The loop's state for one fleet_run(). */
struct fleet_loop {
    struct pollfd *fds; /* `slots` entries per module: its sockets, then fd -1 */
    int slots;
    int ep; /* epoll set of every module's sockets */
    struct fleet_heap heap;
    unsigned *dirty, ndirty; /* modules that ran since they were last asked */
    unsigned *queue, nqueue; /* modules to service this turn */
};

static void fleet_mark_dirty(struct fleet_loop *L, struct fleet_mod *mods, unsigned i)
{
    if (!mods[i].dirty) {
        mods[i].dirty = true;
        L->dirty[L->ndirty++] = i;
    }
}

static void fleet_enqueue(struct fleet_loop *L, struct fleet_mod *mods, unsigned i)
{
    if (!mods[i].queued) {
        mods[i].queued = true;
        L->queue[L->nqueue++] = i;
    }
}

static uint32_t fleet_ep_events(short ev)
{
    return (ev & POLLIN ? (uint32_t)EPOLLIN : 0u) | (ev & POLLOUT ? (uint32_t)EPOLLOUT : 0u) |
           (ev & POLLPRI ? (uint32_t)EPOLLPRI : 0u);
}

static short fleet_poll_events(uint32_t ev)
{
    return (short)((ev & EPOLLIN ? POLLIN : 0) | (ev & EPOLLOUT ? POLLOUT : 0) |
                   (ev & EPOLLPRI ? POLLPRI : 0) | (ev & EPOLLERR ? POLLERR : 0) |
                   (ev & EPOLLHUP ? POLLHUP : 0));
}

/* Module i's sockets and host deadline, after it ran. Its sockets are armed one-shot in the
 * epoll set (a socket it no longer asks for fires at most once more: a harmless extra
 * service); a closed socket leaves the set by itself, so nothing is ever deleted and a number
 * another module reuses is never taken from it. */
static int fleet_setup_mod(struct fleet_loop *L, struct fleet_mod *mods, unsigned i)
{
    struct fleet_mod *m = &mods[i];
    struct pollfd *fds = L->fds + (size_t)i * (size_t)L->slots;
    struct sim *s = m->s;
    uint64_t wait = sim_timer_next_ms(s);
    m->fd_n = sim_parts_poll_setup(s, fds, L->slots, &wait, m->counts);
    for (int k = 0; k < L->slots; k++) {
        fds[k].revents = 0;
        if (k >= m->fd_n) {
            fds[k].fd = -1;
            continue;
        }
        struct epoll_event ev = {
            .events = fleet_ep_events(fds[k].events) | EPOLLONESHOT,
            .data.u64 = ((uint64_t)i << 32) | (uint32_t)fds[k].fd,
        };
        if (epoll_ctl(L->ep, EPOLL_CTL_MOD, fds[k].fd, &ev) != 0 &&
            (errno != ENOENT || epoll_ctl(L->ep, EPOLL_CTL_ADD, fds[k].fd, &ev) != 0)) {
            fprintf(stderr, "larafw-fleet: epoll_ctl fd %d: %s\n", fds[k].fd, strerror(errno));
            return -1;
        }
    }
    uint64_t next = sim_timer_next_ms(s); /* a setup step may have armed a timer */
    if (next < wait)
        wait = next;
    int64_t host_ns = sim_clock_host_ns(s, wait);
    fleet_heap_set(&L->heap, mods, i, host_ns < 0 ? UINT64_MAX : sim_host_ns() + (uint64_t)host_ns);
    m->dirty = false;
    return 0;
}

static void fleet_service_mod(struct fleet *f, struct fleet_loop *L, unsigned i)
{
    struct fleet_mod *m = &f->mods[i];
    struct pollfd *fds = L->fds + (size_t)i * (size_t)L->slots;
    struct sim *s = m->s;
    sim_clock_freeze(s);
    sim_parts_service(s, fds, m->counts);
    sim_timers_run(s);
    sim_clock_thaw(s);
    for (int k = 0; k < L->slots; k++)
        fds[k].revents = 0;
    m->queued = false;
    fleet_observe(f, m);
    fleet_mark_dirty(L, f->mods, i);
}

/* The modules whose sockets are ready: their slots get the revents, they join the queue. */
static void fleet_collect_ready(struct fleet *f, struct fleet_loop *L)
{
    struct epoll_event evs[256];
    int n = epoll_wait(L->ep, evs, (int)(sizeof evs / sizeof evs[0]), 0);
    for (int e = 0; e < n; e++) {
        unsigned i = (unsigned)(evs[e].data.u64 >> 32);
        int fd = (int)(uint32_t)evs[e].data.u64;
        if (i >= f->n)
            continue;
        struct pollfd *fds = L->fds + (size_t)i * (size_t)L->slots;
        for (int k = 0; k < f->mods[i].fd_n; k++) {
            if (fds[k].fd == fd)
                fds[k].revents = fleet_poll_events(evs[e].events);
        }
        fleet_enqueue(L, f->mods, i); /* a stale socket: serviced once with nothing ready */
    }
}

static void fleet_loop_free(struct fleet_loop *L)
{
    free(L->fds);
    free(L->dirty);
    free(L->queue);
    fleet_heap_free(&L->heap);
    if (L->ep >= 0)
        close(L->ep);
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
    struct fleet_loop L = {.ep = -1};
    L.slots = f->n ? fleet_slots(f->mods[0].s) : 1;
    L.fds = calloc((size_t)f->n * (size_t)L.slots + 1, sizeof *L.fds);
    L.dirty = calloc((size_t)f->n + 1, sizeof *L.dirty);
    L.queue = calloc((size_t)f->n + 1, sizeof *L.queue);
    L.ep = epoll_create1(EPOLL_CLOEXEC);
    if (!L.fds || !L.dirty || !L.queue || fleet_heap_init(&L.heap, f->n) != 0 || L.ep < 0) {
        fprintf(stderr, "larafw-fleet: loop set-up for %u modules: %s\n", f->n,
                strerror(errno ? errno : ENOMEM));
        fleet_loop_free(&L);
        return -1;
    }
    for (unsigned i = 0; i < f->n; i++)
        f->mods[i].heap_pos = FLEET_NO_POS;
    bool tty = !f->o.quiet && isatty(STDERR_FILENO);
    double gap_ns = f->o.rate > 0 ? 1e9 / f->o.rate : 0;
    f->t0_ns = sim_host_ns();
    uint64_t end_ns = f->o.duration > 0 ? f->t0_ns + (uint64_t)(f->o.duration * 1e9) : UINT64_MAX;
    unsigned next_start = 0;
    int rc = 0;
    while (!*f->stop) {
        uint64_t now = sim_host_ns();
        if (now >= end_ns)
            break;
        /* the open-loop schedule: every start that is due, now */
        while (next_start < f->n && now >= f->t0_ns + (uint64_t)(next_start * gap_ns)) {
            fleet_start(&f->mods[next_start]);
            fleet_mark_dirty(&L, f->mods, next_start++);
        }
        for (unsigned d = 0; d < L.ndirty; d++) {
            if (fleet_setup_mod(&L, f->mods, L.dirty[d]) != 0) {
                rc = -1;
                break;
            }
        }
        L.ndirty = 0;
        if (rc != 0)
            break;
        uint64_t due = end_ns, top_due;
        unsigned top;
        if (next_start < f->n) {
            uint64_t t = f->t0_ns + (uint64_t)(next_start * gap_ns);
            if (t < due)
                due = t;
        }
        if (fleet_heap_top(&L.heap, f->mods, &top, &top_due) && top_due < due)
            due = top_due;
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
        /* ppoll on the epoll set: a timeout in nanoseconds (module timers at a small
         * --time-scale are finer than epoll_wait's milliseconds) */
        struct pollfd pe = {.fd = L.ep, .events = POLLIN};
        int r = ppoll(&pe, 1, tsp, &f->loop_mask);
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "larafw-fleet: ppoll: %s\n", strerror(errno));
            rc = -1;
            break;
        }
        if (r > 0)
            fleet_collect_ready(f, &L);
        now = sim_host_ns();
        while (fleet_heap_top(&L.heap, f->mods, &top, &top_due) && top_due <= now) {
            fleet_heap_remove(&L.heap, f->mods, top);
            fleet_enqueue(&L, f->mods, top);
        }
        for (unsigned q = 0; q < L.nqueue; q++)
            fleet_service_mod(f, &L, L.queue[q]);
        L.nqueue = 0;
        fleet_events(f, next_start);
        if (tty)
            fleet_progress(f, false);
    }
    if (tty)
        fleet_progress(f, true);
    fleet_loop_free(&L);
    return rc;
}
