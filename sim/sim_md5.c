/* MD5 as RFC 1321 §3 describes it: 512-bit blocks, four rounds of 16 steps, little-endian
 * words, the sine-derived constant table T, padding with 0x80, zeros and the bit length. */
#include "sim_md5.h"

#include <math.h>
#include <string.h>

/* Per-step left rotations of the four rounds (RFC 1321 §3.4). */
static const uint8_t sim_md5_shift[4][4] = {
    {7, 12, 17, 22},
    {5, 9, 14, 20},
    {4, 11, 16, 23},
    {6, 10, 15, 21},
};

/* T[i] = floor(2^32 * |sin(i + 1)|), i = 0..63 (§3.4), computed once. */
static uint32_t sim_md5_t[64];
static int sim_md5_t_ready;

static void sim_md5_table(void)
{
    if (sim_md5_t_ready)
        return;
    for (int i = 0; i < 64; i++)
        sim_md5_t[i] = (uint32_t)floor(4294967296.0 * fabs(sin((double)(i + 1))));
    sim_md5_t_ready = 1;
}

static uint32_t sim_md5_rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32u - n));
}

static void sim_md5_block(uint32_t st[4], const uint8_t *p)
{
    uint32_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
    for (int i = 0; i < 64; i++) {
        int round = i / 16;
        uint32_t f;
        int k;
        switch (round) {
        case 0:
            f = (b & c) | (~b & d);
            k = i;
            break;
        case 1:
            f = (b & d) | (c & ~d);
            k = (5 * i + 1) % 16;
            break;
        case 2:
            f = b ^ c ^ d;
            k = (3 * i + 5) % 16;
            break;
        default:
            f = c ^ (b | ~d);
            k = (7 * i) % 16;
            break;
        }
        uint32_t sum = a + f + sim_md5_t[i] + x[k];
        a = d;
        d = c;
        c = b;
        b = b + sim_md5_rotl(sum, sim_md5_shift[round][i % 4]);
    }
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
}

void sim_md5_init(struct sim_md5 *m)
{
    sim_md5_table();
    m->state[0] = 0x67452301u; /* §3.3 */
    m->state[1] = 0xefcdab89u;
    m->state[2] = 0x98badcfeu;
    m->state[3] = 0x10325476u;
    m->bytes = 0;
    m->used = 0;
}

void sim_md5_update(struct sim_md5 *m, const void *data, size_t len)
{
    const uint8_t *p = data;
    m->bytes += len;
    if (m->used) {
        size_t take = 64 - m->used < len ? 64 - m->used : len;
        memcpy(m->block + m->used, p, take);
        m->used += take;
        p += take;
        len -= take;
        if (m->used < 64)
            return;
        sim_md5_block(m->state, m->block);
        m->used = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        sim_md5_block(m->state, p);
    memcpy(m->block, p, len);
    m->used = len;
}

void sim_md5_final(struct sim_md5 *m, uint8_t out[SIM_MD5_LEN])
{
    uint64_t bits = m->bytes * 8u;
    static const uint8_t pad0x80 = 0x80;
    static const uint8_t zeros[64];
    sim_md5_update(m, &pad0x80, 1); /* §3.1 */
    size_t fill = m->used <= 56 ? 56 - m->used : 120 - m->used;
    sim_md5_update(m, zeros, fill);
    uint8_t len_le[8]; /* §3.2: the length in bits, low-order word first */
    for (int i = 0; i < 8; i++)
        len_le[i] = (uint8_t)(bits >> (8 * i));
    sim_md5_update(m, len_le, 8);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(m->state[i] >> (8 * j));
}
