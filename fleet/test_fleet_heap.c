/* Unit test of larafw-fleet's deadline heap (fleet_heap.c) against a plain array model:
 * random sets, updates, removals and pops keep the earliest deadline on top and every
 * module's heap_pos right; UINT64_MAX takes a module out. And the fleet's IMEIs
 * (sim_imei_compose): 15 digits, Luhn, distinct. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fleet.h"

#define N 257

static uint64_t model[N]; /* UINT64_MAX: not in the heap */

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void check(const struct fleet_heap *h, const struct fleet_mod *mods)
{
    unsigned in = 0, best = FLEET_NO_POS;
    for (unsigned i = 0; i < N; i++) {
        if (model[i] == UINT64_MAX) {
            assert_int_equal(mods[i].heap_pos, FLEET_NO_POS);
            continue;
        }
        in++;
        assert_true(mods[i].heap_pos < h->n);
        assert_int_equal(h->idx[mods[i].heap_pos], i);
        if (best == FLEET_NO_POS || model[i] < model[best])
            best = i;
    }
    assert_int_equal(h->n, in);
    unsigned top;
    uint64_t due;
    if (in == 0) {
        assert_false(fleet_heap_top(h, mods, &top, &due));
        return;
    }
    assert_true(fleet_heap_top(h, mods, &top, &due));
    assert_int_equal(due, model[best]); /* ties: any module with the earliest deadline */
}

static void test_heap_against_model(void **state)
{
    (void)state;
    struct fleet_mod *mods = calloc(N, sizeof *mods);
    assert_non_null(mods);
    struct fleet_heap h;
    assert_int_equal(fleet_heap_init(&h, N), 0);
    for (unsigned i = 0; i < N; i++) {
        mods[i].heap_pos = FLEET_NO_POS;
        model[i] = UINT64_MAX;
    }
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int step = 0; step < 20000; step++) {
        unsigned i = (unsigned)(rnd(&x) % N);
        unsigned op = (unsigned)(rnd(&x) % 8);
        if (op < 5) {
            uint64_t due = rnd(&x) % 1000; /* many ties */
            fleet_heap_set(&h, mods, i, due);
            model[i] = due;
        } else if (op == 5) {
            fleet_heap_set(&h, mods, i, UINT64_MAX);
            model[i] = UINT64_MAX;
        } else if (op == 6) {
            fleet_heap_remove(&h, mods, i);
            model[i] = UINT64_MAX;
        } else {
            unsigned top;
            uint64_t due;
            if (fleet_heap_top(&h, mods, &top, &due)) {
                assert_int_equal(due, model[top]);
                fleet_heap_remove(&h, mods, top);
                model[top] = UINT64_MAX;
            }
        }
        check(&h, mods);
    }
    /* draining pops in order */
    uint64_t last = 0;
    unsigned top;
    uint64_t due;
    while (fleet_heap_top(&h, mods, &top, &due)) {
        assert_true(due >= last);
        last = due;
        fleet_heap_remove(&h, mods, top);
        model[top] = UINT64_MAX;
    }
    check(&h, mods);
    fleet_heap_free(&h);
    free(mods);
}

static bool luhn_ok(const char *d)
{
    unsigned sum = 0;
    for (int i = 0; i < 15; i++) {
        if (d[i] < '0' || d[i] > '9')
            return false;
        unsigned v = (unsigned)(d[i] - '0');
        if (i % 2 == 1 && (v *= 2) > 9)
            v -= 9;
        sum += v;
    }
    return d[15] == '\0' && sum % 10 == 0;
}

static void test_imeis(void **state)
{
    (void)state;
    char a[16], b[16];
    fleet_imei(0, a);
    assert_string_equal(a, "354521990000009");
    for (unsigned i = 0; i < 100000; i += 7) {
        fleet_imei(i, a);
        fleet_imei(i + 1, b);
        assert_true(luhn_ok(a));
        assert_string_not_equal(a, b);
    }
    fleet_imei(999999, a);
    assert_true(luhn_ok(a));
    assert_memory_equal(a, "35452199999999", 14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_against_model),
        cmocka_unit_test(test_imeis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
