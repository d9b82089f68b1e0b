/* A rate limit per source address for unauthenticated (NoSec) registrations: one token bucket
 * per address hash in a fixed table, so the memory is fixed whatever the number of addresses
 * (two addresses that share a bucket share its rate). The default, 1000 per second per address
 * with a burst of as many, lets a fleet behind a carrier NAT (a handful of public addresses)
 * register at 1 000 per second and stops one address from flooding faster. */
#ifndef LARAFW_SRV_RATELIMIT_H
#define LARAFW_SRV_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SRV_RATELIMIT_BUCKETS 4096

struct srv_ratelimit {
    double rate;  /* tokens per second; 0 = no limit */
    double burst; /* bucket size */
    struct {
        double tokens;
        uint64_t last_ms;
        bool used;
    } bucket[SRV_RATELIMIT_BUCKETS];
};

/* Sets the rate (per second, per address; 0 = unlimited) and the burst (0 = rate). */
void srv_ratelimit_init(struct srv_ratelimit *rl, double rate, double burst);
/* Takes one token of the bucket of `addr` (len bytes: the address without the port) at the
 * monotonic time now_ms. True when allowed. */
bool srv_ratelimit_take(struct srv_ratelimit *rl, const void *addr, size_t len, uint64_t now_ms);

#endif
