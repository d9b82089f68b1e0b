/* Firmware images: the version record, and synthetic images for tests and demos.
 *
 * A synthetic image looks like a Cortex-M firmware: a vector table, the version record,
 * then sections of Thumb-like code with literal pools, string tables, structured tables,
 * a little high-entropy data and erased-flash padding. It compresses like real firmware,
 * so zstd deltas between close versions are small. */
#include "pkg_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int pkg_image_info_mem(const uint8_t *img, size_t len, struct pkg_image_info *out)
{
    if (!img || !out)
        return PKG_E_ARG;
    memset(out, 0, sizeof *out);
    if (len < PKG_IMG_REC_OFFSET + PKG_IMG_REC_SIZE || (uint64_t)len > PKG_SIZE_CAP)
        return PKG_E_IMAGE;
    const uint8_t *rec = img + PKG_IMG_REC_OFFSET;
    if (memcmp(rec + PKG_IMG_OFF_MAGIC, PKG_IMG_MAGIC, 8) != 0 ||
        pkg_get_u16(rec + PKG_IMG_OFF_RECVER) != PKG_IMG_REC_VERSION)
        return PKG_E_IMAGE;
    struct pkg_image_info info;
    memset(&info, 0, sizeof info);
    memcpy(info.product, rec + PKG_IMG_OFF_PRODUCT, PKG_NAME_MAX);
    memcpy(info.version, rec + PKG_IMG_OFF_VERSION, PKG_NAME_MAX);
    if (!pkg_text_valid(info.product, PKG_NAME_MAX, false) ||
        !pkg_text_valid(info.version, PKG_NAME_MAX, false))
        return PKG_E_IMAGE;
    if (pkg_sodium_init() != 0)
        return PKG_E_NOMEM;
    info.size = len;
    crypto_hash_sha256(info.sha256, img, len);
    *out = info;
    return PKG_OK;
}

int pkg_image_info_file(const char *path, struct pkg_image_info *out)
{
    if (!path || !out)
        return PKG_E_ARG;
    uint8_t *buf;
    size_t len;
    int rc = pkg_read_file(path, PKG_SIZE_CAP, &buf, &len);
    if (rc == PKG_E_SIZE)
        return PKG_E_IMAGE;
    if (rc)
        return rc;
    rc = pkg_image_info_mem(buf, len, out);
    free(buf);
    return rc;
}

/* ---- deterministic content generator ---- */

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return n ? (uint32_t)(rng_next(r) % n) : 0;
}

/* Small values are far more common than large ones in real immediates and offsets. */
static uint32_t rng_small(struct rng *r, uint32_t max)
{
    uint32_t v = rng_below(r, 4) ? rng_below(r, 8) : rng_below(r, max + 1);
    return v > max ? max : v;
}

static uint32_t reg_lo(struct rng *r)
{
    return rng_below(r, 3) ? rng_below(r, 4) : rng_below(r, 8);
}

static void put16(uint8_t *buf, size_t len, size_t *pos, uint16_t v)
{
    if (*pos + 2 <= len) {
        pkg_put_u16(buf + *pos, v);
        *pos += 2;
    }
}

static void put32(uint8_t *buf, size_t len, size_t *pos, uint32_t v)
{
    if (*pos + 4 <= len) {
        pkg_put_u32(buf + *pos, v);
        *pos += 4;
    }
}

static uint16_t thumb_insn(struct rng *r)
{
    switch (rng_below(r, 12)) {
    case 0:
        return (uint16_t)(0x2000 | reg_lo(r) << 8 | rng_small(r, 255)); /* movs rd,#imm */
    case 1:
        return (uint16_t)(0x6800 | rng_small(r, 31) << 6 | reg_lo(r) << 3 | reg_lo(r)); /* ldr */
    case 2:
        return (uint16_t)(0x6000 | rng_small(r, 31) << 6 | reg_lo(r) << 3 | reg_lo(r)); /* str */
    case 3:
        return (uint16_t)(0x1800 | reg_lo(r) << 6 | reg_lo(r) << 3 | reg_lo(r)); /* adds */
    case 4:
        return (uint16_t)(0x2800 | reg_lo(r) << 8 | rng_small(r, 255)); /* cmp rn,#imm */
    case 5:
        return (uint16_t)(0xd000 | rng_below(r, 14) << 8 | rng_small(r, 255)); /* b<cond> */
    case 6:
        return (uint16_t)(0x4600 | reg_lo(r) << 3 | reg_lo(r)); /* mov */
    case 7:
        return (uint16_t)(0x4800 | reg_lo(r) << 8 | rng_small(r, 255)); /* ldr rt,[pc,#] */
    case 8:
        return (uint16_t)(0x3000 | reg_lo(r) << 8 | rng_small(r, 255)); /* adds rd,#imm */
    case 9:
        return (uint16_t)(0x7800 | rng_small(r, 31) << 6 | reg_lo(r) << 3 | reg_lo(r)); /* ldrb */
    case 10:
        return (uint16_t)(0x4200 | rng_below(r, 16) << 6 | reg_lo(r) << 3 | reg_lo(r)); /* alu */
    default:
        return 0xbf00; /* nop */
    }
}

/* Functions: push, body with occasional bl, pop, literal pool. */
static void gen_code(struct rng *r, uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos + 2 <= len) {
        put16(buf, len, &pos, (uint16_t)(0xb500 | (0x0f & ((1u << (1 + rng_below(r, 4))) - 1))));
        uint32_t body = 4 + rng_small(r, 60);
        for (uint32_t i = 0; i < body && pos + 2 <= len; i++) {
            if (rng_below(r, 10) == 0) {
                uint32_t off = rng_small(r, 0x3fffff);
                put16(buf, len, &pos, (uint16_t)(0xf000 | (off >> 11 & 0x7ff)));
                put16(buf, len, &pos, (uint16_t)(0xf800 | (off & 0x7ff)));
            } else {
                put16(buf, len, &pos, thumb_insn(r));
            }
        }
        put16(buf, len, &pos, (uint16_t)(0xbd00 | (0x0f & ((1u << (1 + rng_below(r, 4))) - 1))));
        if (pos % 4)
            put16(buf, len, &pos, 0xbf00);
        uint32_t pool = rng_below(r, 5);
        for (uint32_t i = 0; i < pool; i++)
            put32(buf, len, &pos,
                  (rng_below(r, 2) ? 0x08000000u : 0x20000000u) | rng_small(r, 0xfffff) << 2);
    }
    if (pos < len)
        memset(buf + pos, 0, len - pos);
}

static const char *const words[] = {
    "AT",     "+UFWUPD", "+CGMR",  "error",   "modem",   "flash",   "install", "LwM2M",
    "socket", "timeout", "NVM",    "profile", "MNO",     "network", "%s",      "%d",
    "failed", "ok",      "update", "PDP",     "context", "APN",     "SIM",     "reg",
    "uFOTA",  "FOAT",    "XMODEM", "CRC",     "bytes",   "state",   "=",       "\r\n",
};

static void gen_strings(struct rng *r, uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        uint32_t n = 1 + rng_below(r, 7);
        for (uint32_t i = 0; i < n && pos < len; i++) {
            const char *w = words[rng_below(r, sizeof words / sizeof words[0])];
            size_t wl = strlen(w);
            if (wl > len - pos)
                wl = len - pos;
            memcpy(buf + pos, w, wl);
            pos += wl;
            if (pos < len && i + 1 < n)
                buf[pos++] = ' ';
        }
        while (pos < len) { /* NUL terminate and align to 4 */
            buf[pos++] = 0;
            if (pos % 4 == 0)
                break;
        }
    }
}

static void gen_table(struct rng *r, uint8_t *buf, size_t len)
{
    size_t pos = 0;
    uint32_t id = rng_below(r, 1000), base = 0x08000000u | rng_below(r, 0x100000) << 4;
    uint32_t stride = 4u << rng_below(r, 5);
    while (pos + 8 <= len) {
        pkg_put_u16(buf + pos, (uint16_t)id++);
        pkg_put_u16(buf + pos + 2, (uint16_t)(rng_below(r, 8) == 0 ? rng_next(r) : 0x0001));
        pkg_put_u32(buf + pos + 4, base);
        base += stride;
        pos += 8;
    }
    if (pos < len)
        memset(buf + pos, 0, len - pos);
}

static void gen_random(struct rng *r, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)rng_next(r);
}

/* Fills `buf` with a sequence of sections of realistic kinds and sizes. */
static void gen_sections(struct rng *r, uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        size_t n = 512 + rng_below(r, 32 * 1024);
        if (n > len - pos)
            n = len - pos;
        uint32_t kind = rng_below(r, 100);
        if (kind < 55)
            gen_code(r, buf + pos, n);
        else if (kind < 72)
            gen_strings(r, buf + pos, n);
        else if (kind < 87)
            gen_table(r, buf + pos, n);
        else if (kind < 93)
            gen_random(r, buf + pos, n);
        else
            memset(buf + pos, 0xff, n);
        pos += n;
    }
}

static void write_record(uint8_t *img, const char *product, const char *version, uint64_t seed)
{
    uint8_t *rec = img + PKG_IMG_REC_OFFSET;
    memset(rec, 0, PKG_IMG_REC_SIZE);
    memcpy(rec + PKG_IMG_OFF_MAGIC, PKG_IMG_MAGIC, 8);
    pkg_put_u16(rec + PKG_IMG_OFF_RECVER, PKG_IMG_REC_VERSION);
    memcpy(rec + PKG_IMG_OFF_PRODUCT, product, strlen(product));
    memcpy(rec + PKG_IMG_OFF_VERSION, version, strlen(version));
    pkg_put_u64(rec + PKG_IMG_OFF_SEED, seed);
}

static bool name_ok(const char *s)
{
    return s && strlen(s) < PKG_NAME_MAX && pkg_text_valid(s, PKG_NAME_MAX, false);
}

int pkg_image_synth(const struct pkg_image_params *p, const char *out_path)
{
    if (!p || !out_path || !name_ok(p->product) || !name_ok(p->version) ||
        p->size < PKG_IMG_MIN_SIZE || p->size > PKG_SIZE_CAP)
        return PKG_E_ARG;
    size_t size = (size_t)p->size;
    uint8_t *img = malloc(size);
    if (!img)
        return PKG_E_NOMEM;
    struct rng r = {p->seed ^ 0x6c61726166770001u};
    /* Vector table: initial stack pointer, then handlers (Thumb: odd addresses). */
    uint32_t fallback = 0x08000000u | (rng_below(&r, 0x4000) << 2) | 1;
    pkg_put_u32(img, 0x20040000u);
    for (size_t i = 4; i < PKG_IMG_REC_OFFSET; i += 4)
        pkg_put_u32(img + i,
                    rng_below(&r, 3) ? fallback : 0x08000000u | rng_below(&r, 0x40000) << 2 | 1);
    write_record(img, p->product, p->version, p->seed);
    size_t body = PKG_IMG_REC_OFFSET + PKG_IMG_REC_SIZE;
    gen_sections(&r, img + body, size - body);
    struct pkg_iov iov = {img, size};
    int rc = pkg_write_atomic(out_path, &iov, 1, 0644);
    free(img);
    return rc;
}

/* Differing positions of `a` and `b` over [off, off+n). */
static size_t count_diff(const uint8_t *a, const uint8_t *b, size_t off, size_t n)
{
    size_t d = 0;
    for (size_t i = off; i < off + n; i++)
        d += a[i] != b[i];
    return d;
}

int pkg_image_successor(const char *from_path, const char *version, double change_percent,
                        uint64_t seed, const char *out_path)
{
    if (!from_path || !out_path || !name_ok(version) || !(change_percent >= 0.0) ||
        change_percent > 100.0)
        return PKG_E_ARG;
    uint8_t *old;
    size_t old_len;
    int rc = pkg_read_file(from_path, PKG_SIZE_CAP, &old, &old_len);
    if (rc)
        return rc == PKG_E_SIZE ? PKG_E_IMAGE : rc;
    struct pkg_image_info info;
    rc = pkg_image_info_mem(old, old_len, &info);
    if (rc || old_len < PKG_IMG_MIN_SIZE) {
        free(old);
        return rc ? rc : PKG_E_IMAGE;
    }
    struct rng r = {seed ^ 0x6c61726166770002u};
    const size_t body = PKG_IMG_REC_OFFSET + PKG_IMG_REC_SIZE;
    const size_t editable = old_len - body;
    double want = (double)old_len * change_percent / 100.0;
    if (want > 0.9 * (double)editable) /* random edits cannot change every byte */
        want = 0.9 * (double)editable;
    size_t target = (size_t)want;
    /* A new version usually grows a little: about a tenth of the change is appended. */
    size_t grow = (target / 10) & ~(size_t)15;
    if ((uint64_t)old_len + grow > PKG_SIZE_CAP)
        grow = 0;
    size_t new_len = old_len + grow;
    uint8_t *img = malloc(new_len);
    if (!img) {
        free(old);
        return PKG_E_NOMEM;
    }
    memcpy(img, old, old_len);
    if (grow)
        gen_code(&r, img + old_len, grow);
    write_record(img, info.product, version, seed);
    size_t changed = grow + count_diff(old, img, 0, body);

    /* A few moved blocks: swap two equal ranges, within a fifth of the budget. */
    size_t moves = target >= 512 ? 1 + rng_below(&r, 3) : 0;
    for (size_t m = 0; m < moves; m++) {
        size_t blk = target / 10 / moves;
        if (blk > (size_t)64 * 1024)
            blk = (size_t)64 * 1024;
        blk &= ~(size_t)3;
        if (blk < 64 || 2 * blk > editable)
            break;
        size_t a = body + rng_below(&r, (uint32_t)(editable - 2 * blk + 1));
        size_t b = a + blk + rng_below(&r, (uint32_t)(old_len - (a + blk) - blk + 1));
        size_t before = count_diff(old, img, a, blk) + count_diff(old, img, b, blk);
        uint8_t tmp[256];
        for (size_t i = 0; i < blk; i += sizeof tmp) {
            size_t n = blk - i < sizeof tmp ? blk - i : sizeof tmp;
            memcpy(tmp, img + a + i, n);
            memmove(img + a + i, img + b + i, n);
            memcpy(img + b + i, tmp, n);
        }
        changed = changed - before + count_diff(old, img, a, blk) + count_diff(old, img, b, blk);
    }

    /* Scattered edits: mostly patched instructions, sometimes a rewritten function. */
    size_t ops = 0, max_ops = 4 * old_len + 1000;
    while (changed < target && ops++ < max_ops) {
        size_t n = rng_below(&r, 8) ? 2 + 2 * rng_below(&r, 8) : 32 + 4 * rng_below(&r, 56);
        if (n > target - changed + 1)
            n = (target - changed + 2) & ~(size_t)1;
        if (n > editable)
            n = editable;
        size_t at = body + rng_below(&r, (uint32_t)(editable - n + 1));
        size_t before = count_diff(old, img, at, n);
        gen_code(&r, img + at, n);
        changed = changed - before + count_diff(old, img, at, n);
    }
    free(old);
    struct pkg_iov iov = {img, new_len};
    rc = pkg_write_atomic(out_path, &iov, 1, 0644);
    free(img);
    return rc;
}
