/* The module's virtual clock and its timers. Module time = host time elapsed / time_scale
 * (--time-scale 0.01 runs every module timer 100x faster). Nothing in the simulator reads the
 * wall clock for a module timer: the XMODEM window (§3.1), install bounds and download
 * timeouts all go through sim_now_ms() and sim_timer_add().
 * The simulator's own work (verifying a signature, patching an image, fsync) takes no module
 * time: the main loop freezes the clock while it works outside ppoll() (sim_clock_freeze/thaw), so
 * module time advances only while the module waits for the host or for a timer. Without that,
 * a loaded test machine at --time-scale 0.001 would see a millisecond of hashing as a second
 * of module time and push installs past the product's bound. */
#define _DEFAULT_SOURCE
#include "sim_platform.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* At most this many timers run per sim_timers_run(), so that a timer that re-arms itself
 * with a zero delay cannot starve the interfaces. */
#define SIM_TIMERS_PER_RUN 256

uint64_t sim_host_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0; /* cannot happen with CLOCK_MONOTONIC on Linux */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sim_clock_start(struct sim *s)
{
    s->clock_base_ns = sim_host_ns();
}

void sim_clock_freeze(struct sim *s)
{
    s->clock_frozen_ms = sim_now_ms(s);
    s->clock_frozen_at_ns = sim_host_ns();
    s->clock_frozen = true;
}

void sim_clock_thaw(struct sim *s)
{
    if (!s->clock_frozen)
        return;
    uint64_t now = sim_host_ns();
    if (now > s->clock_frozen_at_ns)
        s->clock_base_ns += now - s->clock_frozen_at_ns;
    s->clock_frozen = false;
}

uint64_t sim_now_ms(const struct sim *s)
{
    if (s->clock_frozen)
        return s->clock_frozen_ms;
    uint64_t host = sim_host_ns();
    uint64_t elapsed_ns = host > s->clock_base_ns ? host - s->clock_base_ns : 0;
    double ms = (double)elapsed_ns / 1e6 / s->time_scale;
    if (ms > 1e15)
        ms = 1e15; /* ~31 000 years: keeps the conversion defined */
    return s->clock_offset_ms + (uint64_t)ms;
}

int sim_clock_host_ms(const struct sim *s, uint64_t module_ms)
{
    if (module_ms == UINT64_MAX)
        return -1;
    double host = (double)module_ms * s->time_scale;
    if (host > 60000.0)
        return 60000; /* wake up now and then anyway; harmless */
    int ms = (int)host;
    if ((double)ms < host)
        ms++;
    return ms;
}

int64_t sim_clock_host_ns(const struct sim *s, uint64_t module_ms)
{
    if (module_ms == UINT64_MAX)
        return -1;
    double ns = (double)module_ms * s->time_scale * 1e6;
    if (ns > 60e9)
        return (int64_t)60000000000; /* wake up now and then anyway; harmless */
    return (int64_t)ns;
}

uint64_t sim_clock_module_ms(const struct sim *s, uint64_t host_ms)
{
    /* module time runs 1/time_scale as fast as host time */
    double module_ms = (double)host_ms / (s->time_scale > 0 ? s->time_scale : 1.0);
    uint64_t m = module_ms > 1e15 ? UINT64_MAX : (uint64_t)module_ms;
    if (host_ms > 0 && m == 0)
        m = 1;
    return m;
}

unsigned sim_timer_add(struct sim *s, uint64_t delay_ms, sim_timer_fn fn, void *arg)
{
    uint64_t now = sim_now_ms(s);
    return sim_timer_add_at(s, delay_ms > UINT64_MAX - now ? UINT64_MAX : now + delay_ms, fn, arg);
}

unsigned sim_timer_add_at(struct sim *s, uint64_t due_ms, sim_timer_fn fn, void *arg)
{
    if (!fn)
        return 0;
    for (size_t i = 0; i < SIM_TIMERS_MAX; i++) {
        struct sim_timer *t = &s->timers[i];
        if (t->id != 0)
            continue;
        if (++s->next_timer_id == 0)
            s->next_timer_id = 1;
        t->id = s->next_timer_id;
        t->due_ms = due_ms;
        t->fn = fn;
        t->arg = arg;
        return t->id;
    }
    fprintf(stderr, "larafw-sim: all %d timers in use; timer dropped\n", SIM_TIMERS_MAX);
    return 0;
}

void sim_timer_cancel(struct sim *s, unsigned id)
{
    if (id == 0)
        return;
    for (size_t i = 0; i < SIM_TIMERS_MAX; i++) {
        if (s->timers[i].id == id) {
            memset(&s->timers[i], 0, sizeof s->timers[i]);
            return;
        }
    }
}

void sim_timers_clear(struct sim *s)
{
    memset(s->timers, 0, sizeof s->timers);
}

/* Index of the earliest timer (ties: lowest id, i.e. added first modulo wrap), or -1. */
static int sim_timer_earliest(const struct sim *s)
{
    int best = -1;
    for (int i = 0; i < SIM_TIMERS_MAX; i++) {
        const struct sim_timer *t = &s->timers[i];
        if (t->id == 0)
            continue;
        if (best < 0 || t->due_ms < s->timers[best].due_ms ||
            (t->due_ms == s->timers[best].due_ms && t->id < s->timers[best].id))
            best = i;
    }
    return best;
}

uint64_t sim_timer_next_ms(const struct sim *s)
{
    int i = sim_timer_earliest(s);
    if (i < 0)
        return UINT64_MAX;
    uint64_t now = sim_now_ms(s);
    return s->timers[i].due_ms > now ? s->timers[i].due_ms - now : 0;
}

void sim_timers_run(struct sim *s)
{
    for (int n = 0; n < SIM_TIMERS_PER_RUN; n++) {
        int i = sim_timer_earliest(s);
        if (i < 0 || s->timers[i].due_ms > sim_now_ms(s))
            return;
        struct sim_timer t = s->timers[i];
        memset(&s->timers[i], 0, sizeof s->timers[i]); /* before the call: it may re-arm */
        t.fn(s, t.arg);
    }
}
