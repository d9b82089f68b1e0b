/* larafw-fleet: the modules' host deadlines in a binary min-heap, so that a loop turn finds the
 * modules whose time has come without a walk over the fleet (docs/fleet.md, "How the loop
 * works"). Each module knows its position (heap_pos) for an update or a removal in O(log n). */
#define _GNU_SOURCE
#include "fleet.h"

#include <stdlib.h>

int fleet_heap_init(struct fleet_heap *h, unsigned cap)
{
    h->n = 0;
    h->idx = calloc(cap ? cap : 1, sizeof *h->idx);
    return h->idx ? 0 : -1;
}

void fleet_heap_free(struct fleet_heap *h)
{
    free(h->idx);
    h->idx = NULL;
    h->n = 0;
}

static uint64_t fleet_heap_key(const struct fleet_heap *h, const struct fleet_mod *mods,
                               unsigned pos)
{
    return mods[h->idx[pos]].due_ns;
}

static void fleet_heap_swap(struct fleet_heap *h, struct fleet_mod *mods, unsigned a, unsigned b)
{
    unsigned t = h->idx[a];
    h->idx[a] = h->idx[b];
    h->idx[b] = t;
    mods[h->idx[a]].heap_pos = a;
    mods[h->idx[b]].heap_pos = b;
}

static void fleet_heap_up(struct fleet_heap *h, struct fleet_mod *mods, unsigned pos)
{
    while (pos > 0) {
        unsigned parent = (pos - 1) / 2;
        if (fleet_heap_key(h, mods, parent) <= fleet_heap_key(h, mods, pos))
            break;
        fleet_heap_swap(h, mods, parent, pos);
        pos = parent;
    }
}

static void fleet_heap_down(struct fleet_heap *h, struct fleet_mod *mods, unsigned pos)
{
    for (;;) {
        unsigned l = 2 * pos + 1, r = l + 1, min = pos;
        if (l < h->n && fleet_heap_key(h, mods, l) < fleet_heap_key(h, mods, min))
            min = l;
        if (r < h->n && fleet_heap_key(h, mods, r) < fleet_heap_key(h, mods, min))
            min = r;
        if (min == pos)
            return;
        fleet_heap_swap(h, mods, pos, min);
        pos = min;
    }
}

void fleet_heap_remove(struct fleet_heap *h, struct fleet_mod *mods, unsigned i)
{
    unsigned pos = mods[i].heap_pos;
    if (pos == FLEET_NO_POS)
        return;
    mods[i].heap_pos = FLEET_NO_POS;
    h->n--;
    if (pos == h->n)
        return;
    h->idx[pos] = h->idx[h->n];
    mods[h->idx[pos]].heap_pos = pos;
    fleet_heap_up(h, mods, pos);
    fleet_heap_down(h, mods, mods[h->idx[pos]].heap_pos);
}

void fleet_heap_set(struct fleet_heap *h, struct fleet_mod *mods, unsigned i, uint64_t due_ns)
{
    if (mods[i].heap_pos != FLEET_NO_POS)
        fleet_heap_remove(h, mods, i);
    mods[i].due_ns = due_ns;
    if (due_ns == UINT64_MAX)
        return; /* nothing to wait for but its sockets */
    unsigned pos = h->n++;
    h->idx[pos] = i;
    mods[i].heap_pos = pos;
    fleet_heap_up(h, mods, pos);
}

bool fleet_heap_top(const struct fleet_heap *h, const struct fleet_mod *mods, unsigned *i,
                    uint64_t *due_ns)
{
    if (h->n == 0)
        return false;
    *i = h->idx[0];
    *due_ns = mods[*i].due_ns;
    return true;
}
