/* Fault injection (--fault, repeatable):
 *   power-cut=PHASE:PERCENT    the process dies like SIGKILL at that point of the phase
 *   flash-write=PHASE:PERCENT  sim_fault_flash_write() is true once there (160/230 upstream)
 *   noise=BER                  bit flips on bytes the module receives
 *   drop=RATE                  received bytes lost
 *   net-drop=PERCENT[:COUNT]   an FTP/HTTP transfer attempt is cut after PERCENT % of the file,
 *                              COUNT attempts (sim_net.c applies it)
 *   seed=N                     seed of the noise/drop generator (default fixed: reproducible)
 * PHASE is download, validation or install. Each kind fires at most once per process start. */
#include "sim_platform.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sim_phase_names[SIM_PH_COUNT] = {"download", "validation", "install"};

#define SIM_FAULT_DEFAULT_SEED 0x9e3779b97f4a7c15ull

void sim_faults_init(struct sim_faults *f)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < SIM_PH_COUNT; i++) {
        f->power_cut_pct[i] = -1;
        f->flash_write_pct[i] = -1;
    }
    f->net_drop_pct = -1;
    f->rng = SIM_FAULT_DEFAULT_SEED;
}

static int sim_fault_int(const char *t, long lo, long hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(t, &end, 10);
    if (errno || end == t || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int sim_fault_prob(const char *t, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(t, &end);
    if (errno || end == t || *end || !(v >= 0.0 && v <= 1.0))
        return -1;
    *out = v;
    return 0;
}

/* "PHASE:PERCENT" */
static int sim_fault_phase_pct(const char *v, int pct[SIM_PH_COUNT], char *err, size_t errlen,
                               const char *kind)
{
    const char *colon = strchr(v, ':');
    if (!colon) {
        snprintf(err, errlen, "%s needs PHASE:PERCENT (PHASE = download, validation, install)",
                 kind);
        return -1;
    }
    size_t plen = (size_t)(colon - v);
    int ph = -1;
    for (int i = 0; i < SIM_PH_COUNT; i++) {
        if (strlen(sim_phase_names[i]) == plen && strncmp(v, sim_phase_names[i], plen) == 0)
            ph = i;
    }
    if (ph < 0) {
        snprintf(err, errlen, "%s: unknown phase '%.*s' (download, validation, install)", kind,
                 (int)plen, v);
        return -1;
    }
    int p;
    if (sim_fault_int(colon + 1, 0, 100, &p) != 0) {
        snprintf(err, errlen, "%s: PERCENT must be an integer 0..100, not '%s'", kind, colon + 1);
        return -1;
    }
    pct[ph] = p;
    return 0;
}

int sim_fault_parse(struct sim_faults *f, const char *spec, char *err, size_t errlen)
{
    const char *eq = spec ? strchr(spec, '=') : NULL;
    if (!eq || eq == spec) {
        snprintf(err, errlen, "fault '%s': expected KIND=VALUE", spec ? spec : "");
        return -1;
    }
    size_t klen = (size_t)(eq - spec);
    const char *v = eq + 1;
#define SIM_KIND(k) (klen == strlen(k) && strncmp(spec, k, klen) == 0)
    if (SIM_KIND("power-cut"))
        return sim_fault_phase_pct(v, f->power_cut_pct, err, errlen, "power-cut");
    if (SIM_KIND("flash-write"))
        return sim_fault_phase_pct(v, f->flash_write_pct, err, errlen, "flash-write");
    if (SIM_KIND("noise")) {
        if (sim_fault_prob(v, &f->noise_ber) != 0) {
            snprintf(err, errlen, "noise: BER must be a number 0..1, not '%s'", v);
            return -1;
        }
        return 0;
    }
    if (SIM_KIND("drop")) {
        if (sim_fault_prob(v, &f->drop_rate) != 0) {
            snprintf(err, errlen, "drop: RATE must be a number 0..1, not '%s'", v);
            return -1;
        }
        return 0;
    }
    if (SIM_KIND("net-drop")) {
        char pct[32];
        const char *colon = strchr(v, ':');
        size_t plen = colon ? (size_t)(colon - v) : strlen(v);
        int count = 1;
        if (plen >= sizeof pct || (colon && sim_fault_int(colon + 1, 1, 1000000, &count) != 0)) {
            snprintf(err, errlen, "net-drop: expected PERCENT[:COUNT], not '%s'", v);
            return -1;
        }
        memcpy(pct, v, plen);
        pct[plen] = '\0';
        if (sim_fault_int(pct, 0, 100, &f->net_drop_pct) != 0) {
            snprintf(err, errlen, "net-drop: PERCENT must be an integer 0..100, not '%s'", pct);
            return -1;
        }
        f->net_drop_count = count;
        return 0;
    }
    if (SIM_KIND("seed")) {
        char *end = NULL;
        errno = 0;
        unsigned long long seed = strtoull(v, &end, 0);
        if (errno || end == v || *end) {
            snprintf(err, errlen, "seed: expected an integer, not '%s'", v);
            return -1;
        }
        f->rng = seed ? (uint64_t)seed : SIM_FAULT_DEFAULT_SEED;
        return 0;
    }
#undef SIM_KIND
    snprintf(err, errlen,
             "unknown fault '%.*s' (power-cut, flash-write, noise, drop, net-drop, seed)",
             (int)klen, spec);
    return -1;
}

void sim_fault_progress(struct sim *s, enum sim_phase ph, double percent)
{
    struct sim_faults *f = &s->faults;
    if ((unsigned)ph >= SIM_PH_COUNT || f->power_cut_fired || f->power_cut_pct[ph] < 0 ||
        percent < (double)f->power_cut_pct[ph])
        return;
    f->power_cut_fired = true;
    sim_report(s, "fault", "power-cut %s at %.1f%% (asked %d%%)", sim_phase_names[ph], percent,
               f->power_cut_pct[ph]);
    fprintf(stderr, "larafw-sim: fault: power cut during %s at %.1f%%\n", sim_phase_names[ph],
            percent);
    /* a power cut: no cleanup, no state save, nothing flushed but what is already on disk */
    raise(SIGKILL);
    _Exit(137); /* not reached */
}

bool sim_fault_flash_write(struct sim *s, enum sim_phase ph, double percent)
{
    struct sim_faults *f = &s->faults;
    if ((unsigned)ph >= SIM_PH_COUNT || f->flash_write_fired || f->flash_write_pct[ph] < 0 ||
        percent < (double)f->flash_write_pct[ph])
        return false;
    f->flash_write_fired = true;
    sim_report(s, "fault", "flash-write %s at %.1f%% (asked %d%%)", sim_phase_names[ph], percent,
               f->flash_write_pct[ph]);
    return true;
}

/* xorshift64*: a fast reproducible generator; quality is ample for line noise. */
static uint64_t sim_rng(struct sim_faults *f)
{
    uint64_t x = f->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    f->rng = x;
    return x * 0x2545f4914f6cdd1dull;
}

static double sim_rng_unit(struct sim_faults *f)
{
    return (double)(sim_rng(f) >> 11) * (1.0 / 9007199254740992.0);
}

size_t sim_fault_line(struct sim *s, uint8_t *buf, size_t len)
{
    struct sim_faults *f = &s->faults;
    if (f->noise_ber <= 0.0 && f->drop_rate <= 0.0)
        return len;
    size_t out = 0;
    for (size_t i = 0; i < len; i++) {
        if (f->drop_rate > 0.0 && sim_rng_unit(f) < f->drop_rate)
            continue;
        uint8_t b = buf[i];
        if (f->noise_ber > 0.0) {
            for (int bit = 0; bit < 8; bit++) {
                if (sim_rng_unit(f) < f->noise_ber)
                    b ^= (uint8_t)(1u << bit);
            }
        }
        buf[out++] = b;
    }
    return out;
}
