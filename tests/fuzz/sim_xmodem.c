/* libFuzzer target: the simulator's XMODEM receiver (sim/sim_xmodem.c) on arbitrary input.
 * The first byte drives the schedule: each following byte < 0x08 in a "timer" position is
 * read as a timeout event instead of data, so that timeouts interleave with input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim_xmodem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    uint64_t delivered;
    uint32_t next;
};

static void fz_send(void *user, const uint8_t *buf, size_t len)
{
    (void)user;
    (void)buf;
    (void)len;
}

static int fz_block(void *user, uint32_t index, const uint8_t *buf, size_t len)
{
    struct fz *f = user;
    if (index != f->next || (len != 128 && len != 1024) || !buf)
        __builtin_trap(); /* blocks must arrive in order, whole */
    f->next++;
    f->delivered += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct fz f;
    memset(&f, 0, sizeof f);
    struct sim_xmodem_config cfg = sim_xmodem_module_defaults;
    cfg.send = fz_send;
    cfg.block = fz_block;
    cfg.user = &f;
    struct sim_xmodem x;
    sim_xmodem_init(&x, &cfg);
    sim_xmodem_start(&x);
    unsigned period = (unsigned)(data[0] % 64) + 8;
    size_t i = 1;
    while (i < size && !sim_xmodem_finished(&x)) {
        size_t chunk = period;
        if (chunk > size - i)
            chunk = size - i;
        sim_xmodem_feed(&x, data + i, chunk);
        i += chunk;
        if (i < size && data[i] < 0x08) {
            sim_xmodem_timeout(&x);
            i++;
        }
    }
    if (f.delivered != x.bytes)
        __builtin_trap();
    return 0;
}
