/* Block1 reassembly with a cap (srv_block1.h). A fixed table of slots: the cost of a block is
 * bounded by max_entries whatever the number of peers, and so is the memory. */
#define _GNU_SOURCE
#include "srv_block1.h"

#include <stdlib.h>
#include <string.h>

struct slot {
    bool used;
    uint8_t key[SRV_BLOCK1_KEY_MAX];
    size_t key_len;
    uint8_t *buf;
    size_t len, cap;
    uint32_t next_num; /* the block expected next */
    unsigned szx;
    time_t last_used;
    uint64_t order; /* for least-recently-used eviction */
};

struct srv_block1 {
    struct srv_block1_config cfg;
    struct slot *slots;
    uint64_t clock;
};

struct srv_block1 *srv_block1_new(const struct srv_block1_config *cfg)
{
    if (cfg->max_body == 0 || cfg->max_entries == 0)
        return NULL;
    struct srv_block1 *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->cfg = *cfg;
    b->slots = calloc(cfg->max_entries, sizeof *b->slots);
    if (!b->slots) {
        free(b);
        return NULL;
    }
    return b;
}

static void slot_clear(struct slot *s)
{
    free(s->buf);
    memset(s, 0, sizeof *s);
}

void srv_block1_free(struct srv_block1 *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->cfg.max_entries; i++)
        slot_clear(&b->slots[i]);
    free(b->slots);
    free(b);
}

static struct slot *find(struct srv_block1 *b, const void *key, size_t key_len)
{
    for (size_t i = 0; i < b->cfg.max_entries; i++) {
        struct slot *s = &b->slots[i];
        if (s->used && s->key_len == key_len && memcmp(s->key, key, key_len) == 0)
            return s;
    }
    return NULL;
}

/* A free slot, or the least recently used one emptied. */
static struct slot *take(struct srv_block1 *b)
{
    struct slot *oldest = &b->slots[0];
    for (size_t i = 0; i < b->cfg.max_entries; i++) {
        struct slot *s = &b->slots[i];
        if (!s->used)
            return s;
        if (s->order < oldest->order)
            oldest = s;
    }
    slot_clear(oldest);
    return oldest;
}

/* Makes room for `need` bytes in the slot (need ≤ max_body). */
static int reserve(struct slot *s, size_t need, size_t max_body)
{
    if (need <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > max_body)
        cap = max_body;
    uint8_t *grown = realloc(s->buf, cap + 1);
    if (!grown)
        return SRV_BLOCK1_NOMEM;
    s->buf = grown;
    s->cap = cap;
    return 0;
}

int srv_block1_feed(struct srv_block1 *b, const void *key, size_t key_len,
                    const struct srv_block1_in *in, time_t now, uint8_t **body, size_t *body_len)
{
    *body = NULL;
    *body_len = 0;
    if (key_len > SRV_BLOCK1_KEY_MAX || in->szx > 6)
        return SRV_BLOCK1_BAD;
    size_t block = (size_t)1 << (in->szx + 4);
    if (in->len > block || (in->more && in->len != block))
        return SRV_BLOCK1_BAD;
    struct slot *s = find(b, key, key_len);
    uint64_t offset = (uint64_t)in->num * block;
    if (in->size1 > b->cfg.max_body || offset + in->len > b->cfg.max_body) {
        if (s)
            slot_clear(s);
        return SRV_BLOCK1_TOO_LARGE;
    }
    if (in->num == 0) {
        if (s)
            slot_clear(s);
        if (!in->more) { /* a body of one block: no state */
            uint8_t *copy = malloc(in->len + 1);
            if (!copy)
                return SRV_BLOCK1_NOMEM;
            if (in->len)
                memcpy(copy, in->data, in->len);
            copy[in->len] = '\0';
            *body = copy;
            *body_len = in->len;
            return SRV_BLOCK1_DONE;
        }
        s = take(b);
        s->used = true;
        memcpy(s->key, key, key_len);
        s->key_len = key_len;
        s->szx = in->szx;
    } else if (!s || in->szx != s->szx || (in->num != s->next_num && in->num + 1 != s->next_num)) {
        /* a block of a body we do not hold, or not the next one (the previous one again is a
         * retransmission and is taken again) */
        if (s)
            slot_clear(s);
        return SRV_BLOCK1_INCOMPLETE;
    }
    int rc = reserve(s, (size_t)offset + in->len, b->cfg.max_body);
    if (rc != 0) {
        slot_clear(s);
        return rc;
    }
    if (in->len)
        memcpy(s->buf + offset, in->data, in->len);
    s->len = (size_t)offset + in->len;
    s->next_num = in->num + 1;
    s->last_used = now;
    s->order = ++b->clock;
    if (in->more)
        return SRV_BLOCK1_CONTINUE;
    s->buf[s->len] = '\0';
    *body = s->buf;
    *body_len = s->len;
    s->buf = NULL; /* handed over */
    slot_clear(s);
    return SRV_BLOCK1_DONE;
}

void srv_block1_expire(struct srv_block1 *b, time_t now)
{
    for (size_t i = 0; i < b->cfg.max_entries; i++) {
        struct slot *s = &b->slots[i];
        if (s->used && now - s->last_used > b->cfg.timeout_s)
            slot_clear(s);
    }
}

size_t srv_block1_count(const struct srv_block1 *b, size_t *bytes)
{
    size_t n = 0, total = 0;
    for (size_t i = 0; i < b->cfg.max_entries; i++) {
        if (b->slots[i].used) {
            n++;
            total += b->slots[i].cap;
        }
    }
    if (bytes)
        *bytes = total;
    return n;
}
