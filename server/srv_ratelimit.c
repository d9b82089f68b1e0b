/* Token buckets per address hash (srv_ratelimit.h). */
#include "srv_ratelimit.h"

#include <string.h>

void srv_ratelimit_init(struct srv_ratelimit *rl, double rate, double burst)
{
    memset(rl, 0, sizeof *rl);
    rl->rate = rate;
    rl->burst = burst > 0 ? burst : rate;
}

/* FNV-1a: addresses are not secret and a collision only shares a bucket. */
static size_t hash(const void *addr, size_t len)
{
    const uint8_t *p = addr;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h % SRV_RATELIMIT_BUCKETS;
}

bool srv_ratelimit_take(struct srv_ratelimit *rl, const void *addr, size_t len, uint64_t now_ms)
{
    if (rl->rate <= 0)
        return true;
    size_t i = hash(addr, len);
    if (!rl->bucket[i].used) {
        rl->bucket[i].used = true;
        rl->bucket[i].tokens = rl->burst;
    } else if (now_ms > rl->bucket[i].last_ms) {
        double t =
            rl->bucket[i].tokens + (double)(now_ms - rl->bucket[i].last_ms) * rl->rate / 1000.0;
        rl->bucket[i].tokens = t > rl->burst ? rl->burst : t;
    }
    rl->bucket[i].last_ms = now_ms;
    if (rl->bucket[i].tokens < 1.0)
        return false;
    rl->bucket[i].tokens -= 1.0;
    return true;
}
