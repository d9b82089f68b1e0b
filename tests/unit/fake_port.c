/* Scripted fake port (see fake_port.h). */
#include "fake_port.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum step_kind { STEP_EXPECT, STEP_READ, STEP_JUMP };

struct step {
    enum step_kind kind;
    size_t off; /* into arena */
    size_t len;
    size_t pos; /* bytes matched / delivered */
    uint32_t ms;
    bool done;
};

#define MAX_STEPS 4096
#define ARENA     (1u << 22)
#define QUEUE     65536
#define WRITTEN   (1u << 22)

struct fake_port {
    struct lfw_port port;
    struct step steps[MAX_STEPS];
    size_t nsteps;
    uint8_t *arena;
    size_t arena_len;
    uint32_t now;
    size_t read_cap;
    fake_peer_fn peer;
    void *peer_ctx;
    uint8_t queue[QUEUE];
    size_t q_off, q_len;
    uint8_t *written;
    size_t written_len;
    unsigned fail_reads;
    char why[512];
    bool bad;
    uint32_t bauds[8];
    size_t nbauds;
    int fail_rc;
    /* flood: bytes that arrive whenever the script has nothing to read */
    uint8_t flood[256];
    size_t flood_len, flood_pos;
    uint32_t flood_ms;
    unsigned long flood_reads;
};

static void fail(struct fake_port *fp, const char *msg)
{
    if (!fp->bad) {
        fp->bad = true;
        snprintf(fp->why, sizeof fp->why, "%s", msg);
    }
}

static int fp_write(void *user, const uint8_t *data, size_t len)
{
    struct fake_port *fp = user;
    if (fp->written_len + len <= WRITTEN) {
        memcpy(fp->written + fp->written_len, data, len);
        fp->written_len += len;
    }
    if (fp->peer != NULL) {
        fp->peer(fp, data, len, fp->peer_ctx);
        return (int)len;
    }
    size_t i = 0;
    while (i < len) {
        struct step *s = NULL;
        for (size_t k = 0; k < fp->nsteps; k++) {
            if (fp->steps[k].kind == STEP_EXPECT && !fp->steps[k].done) {
                s = &fp->steps[k];
                break;
            }
        }
        if (s == NULL) {
            char msg[256];
            snprintf(msg, sizeof msg, "unexpected write of %zu bytes: \"%.*s\"", len - i,
                     (int)(len - i > 60 ? 60 : len - i), (const char *)data + i);
            fail(fp, msg);
            return (int)len;
        }
        const uint8_t *want = fp->arena + s->off;
        while (i < len && s->pos < s->len) {
            if (data[i] != want[s->pos]) {
                char msg[400];
                snprintf(msg, sizeof msg,
                         "write mismatch at byte %zu of step %zu: got 0x%02x want 0x%02x; "
                         "step expects \"%.*s\"",
                         s->pos, (size_t)(s - fp->steps), data[i], want[s->pos],
                         (int)(s->len > 60 ? 60 : s->len), (const char *)want);
                fail(fp, msg);
                s->done = true;
                return (int)len;
            }
            i++;
            s->pos++;
        }
        if (s->pos == s->len) {
            s->done = true;
        }
    }
    return (int)len;
}

static int fp_read(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    struct fake_port *fp = user;
    if (fp->fail_reads > 0) {
        fp->fail_reads--;
        return fp->fail_rc != 0 ? fp->fail_rc : -1;
    }
    size_t limit = cap;
    if (fp->read_cap != 0 && limit > fp->read_cap) {
        limit = fp->read_cap;
    }
    if (fp->q_len > fp->q_off) {
        size_t n = fp->q_len - fp->q_off;
        n = n < limit ? n : limit;
        memcpy(buf, fp->queue + fp->q_off, n);
        fp->q_off += n;
        if (fp->q_off == fp->q_len) {
            fp->q_off = fp->q_len = 0;
        }
        return (int)n;
    }
    for (size_t k = 0; k < fp->nsteps; k++) {
        struct step *s = &fp->steps[k];
        if (s->done) {
            continue;
        }
        if (s->kind == STEP_EXPECT) {
            break; /* the module waits for the command */
        }
        if (s->kind == STEP_JUMP) {
            /* The read waited (or the system slept) that long and nothing came. */
            fp->now += s->ms;
            s->done = true;
            return 0;
        }
        size_t n = s->len - s->pos;
        n = n < limit ? n : limit;
        memcpy(buf, fp->arena + s->off + s->pos, n);
        s->pos += n;
        if (s->pos == s->len) {
            s->done = true;
        }
        return (int)n;
    }
    if (fp->flood_len > 0) {
        /* a sender that never stops: every read returns at once, and time passes */
        for (size_t i = 0; i < limit; i++) {
            buf[i] = fp->flood[fp->flood_pos];
            fp->flood_pos = (fp->flood_pos + 1) % fp->flood_len;
        }
        fp->now += fp->flood_ms;
        fp->flood_reads++;
        return (int)limit;
    }
    fp->now += timeout_ms;
    return 0;
}

static uint32_t fp_now(void *user)
{
    struct fake_port *fp = user;
    return fp->now;
}

static int fp_set_baud(void *user, uint32_t baud)
{
    struct fake_port *fp = user;
    if (fp->nbauds < 8) {
        fp->bauds[fp->nbauds++] = baud;
    }
    return 0;
}

struct fake_port *fake_port_new(void)
{
    struct fake_port *fp = calloc(1, sizeof *fp);
    if (fp == NULL) {
        abort();
    }
    fp->arena = malloc(ARENA);
    fp->written = malloc(WRITTEN);
    if (fp->arena == NULL || fp->written == NULL) {
        abort();
    }
    fp->port.write = fp_write;
    fp->port.read = fp_read;
    fp->port.now_ms = fp_now;
    fp->port.set_baud = fp_set_baud;
    fp->port.user = fp;
    return fp;
}

void fake_port_free(struct fake_port *fp)
{
    if (fp != NULL) {
        free(fp->arena);
        free(fp->written);
        free(fp);
    }
}

const struct lfw_port *fake_port_port(struct fake_port *fp)
{
    return &fp->port;
}

static void add(struct fake_port *fp, enum step_kind kind, const void *data, size_t len,
                uint32_t ms)
{
    if (fp->nsteps == MAX_STEPS || fp->arena_len + len > ARENA) {
        abort();
    }
    struct step *s = &fp->steps[fp->nsteps++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->off = fp->arena_len;
    s->len = len;
    s->ms = ms;
    if (len > 0) {
        memcpy(fp->arena + fp->arena_len, data, len);
    }
    fp->arena_len += len;
    if (len == 0 && kind != STEP_JUMP) {
        s->done = true;
    }
}

void fake_port_expect(struct fake_port *fp, const void *data, size_t len)
{
    add(fp, STEP_EXPECT, data, len, 0);
}

void fake_port_expect_str(struct fake_port *fp, const char *s)
{
    fake_port_expect(fp, s, strlen(s));
}

void fake_port_read(struct fake_port *fp, const void *data, size_t len)
{
    add(fp, STEP_READ, data, len, 0);
}

void fake_port_read_str(struct fake_port *fp, const char *s)
{
    fake_port_read(fp, s, strlen(s));
}

void fake_port_jump(struct fake_port *fp, uint32_t ms)
{
    add(fp, STEP_JUMP, NULL, 0, ms);
}

void fake_port_flood(struct fake_port *fp, const void *pattern, size_t len, uint32_t ms_per_read)
{
    if (len > sizeof fp->flood) {
        abort();
    }
    memcpy(fp->flood, pattern, len);
    fp->flood_len = len;
    fp->flood_pos = 0;
    fp->flood_ms = ms_per_read;
}

unsigned long fake_port_flood_reads(const struct fake_port *fp)
{
    return fp->flood_reads;
}

void fake_port_fail_reads_with(struct fake_port *fp, unsigned n, int rc)
{
    fp->fail_reads = n;
    fp->fail_rc = rc;
}

void fake_port_set_read_cap(struct fake_port *fp, size_t cap)
{
    fp->read_cap = cap;
}

void fake_port_set_now(struct fake_port *fp, uint32_t now)
{
    fp->now = now;
}

uint32_t fake_port_now(const struct fake_port *fp)
{
    return fp->now;
}

void fake_port_set_peer(struct fake_port *fp, fake_peer_fn peer, void *ctx)
{
    fp->peer = peer;
    fp->peer_ctx = ctx;
}

void fake_port_push(struct fake_port *fp, const void *data, size_t len)
{
    if (fp->q_off > 0) {
        memmove(fp->queue, fp->queue + fp->q_off, fp->q_len - fp->q_off);
        fp->q_len -= fp->q_off;
        fp->q_off = 0;
    }
    if (fp->q_len + len > QUEUE) {
        abort();
    }
    memcpy(fp->queue + fp->q_len, data, len);
    fp->q_len += len;
}

void fake_port_fail_reads(struct fake_port *fp, unsigned n)
{
    fp->fail_rc = 0;
    fp->fail_reads = n;
}

bool fake_port_ok(const struct fake_port *fp, const char **why)
{
    if (why != NULL) {
        *why = fp->why;
    }
    return !fp->bad;
}

bool fake_port_done(const struct fake_port *fp)
{
    for (size_t k = 0; k < fp->nsteps; k++) {
        if (!fp->steps[k].done) {
            return false;
        }
    }
    return fp->q_len == fp->q_off;
}

const uint8_t *fake_port_written(const struct fake_port *fp, size_t *len)
{
    *len = fp->written_len;
    return fp->written;
}

size_t fake_port_bauds(const struct fake_port *fp, const uint32_t **bauds)
{
    *bauds = fp->bauds;
    return fp->nbauds;
}

bool fake_port_finish(struct fake_port *fp)
{
    const char *why = NULL;
    bool ok = fake_port_ok(fp, &why);
    if (!ok)
        fprintf(stderr, "fake port: %s\n", why);
    fake_port_free(fp);
    return ok;
}
