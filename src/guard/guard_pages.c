/* SPDX-License-Identifier: MulanPSL-2.0 */
/* guard_pages.c - the pages an engine sent out, seen back or not: a page that came back
 * was not really cold, so it is left alone for a while (GUARD_HOLD_BASE cycles, doubled at
 * each further comeback: memory that keeps coming back soon stays in).
 *
 * A sorted array of pages; pages sent in a cycle are appended and merged in (sort, then
 * one pass) before the next look-up, so a cycle costs O(n log n) whatever the order. */
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "guard.h"
#include "xalloc.h"

#define HOLD_SHIFT_MAX 10

void guard_pages_init(struct guard_pages *g)
{
    memset(g, 0, sizeof(*g));
}

void guard_pages_free(struct guard_pages *g)
{
    free(g->v);
    memset(g, 0, sizeof(*g));
}

static int page_cmp(const void *a, const void *b)
{
    const struct guard_page *x = a, *y = b;

    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return 0;
}

/* Sort and fold duplicates: a page sent again keeps its history and is out again. */
static void pages_settle(struct guard_pages *g)
{
    size_t w = 0;

    if (g->n == 0)
        return;         /* g->v may still be NULL, which qsort must not be given */
    qsort(g->v, g->n, sizeof(*g->v), page_cmp);
    for (size_t r = 0; r < g->n; r++) {
        if (w > 0 && g->v[w - 1].addr == g->v[r].addr) {
            struct guard_page *k = &g->v[w - 1];

            k->out = k->out || g->v[r].out;
            if (g->v[r].comebacks > k->comebacks)
                k->comebacks = g->v[r].comebacks;
            if (g->v[r].hold_until > k->hold_until)
                k->hold_until = g->v[r].hold_until;
            continue;
        }
        g->v[w++] = g->v[r];
    }
    g->n = w;
    g->sorted = w;
}

void guard_pages_next_cycle(struct guard_pages *g)
{
    pages_settle(g);
    for (size_t i = 0; i < g->n; i++)
        g->v[i].back_now = false;
    g->cycle++;
    g->comebacks_cycle = 0;
}

void guard_pages_sent(struct guard_pages *g, uint64_t start, uint64_t len, long page_size)
{
    for (uint64_t a = start; a < start + len && g->n < GUARD_PAGES_MAX; a += (uint64_t)page_size) {
        if (g->n == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 1024;
            g->v = xreallocarray(g->v, g->cap, sizeof(*g->v));
        }
        g->v[g->n++] = (struct guard_page){ .addr = a, .out = true };
    }
}

/* First page at or after addr among the settled ones (pages sent since the last settle
 * are out and not held: look-ups need not see them). */
static size_t pages_lower_bound(const struct guard_pages *g, uint64_t addr)
{
    size_t lo = 0, hi = g->sorted;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (g->v[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint64_t guard_pages_seen(struct guard_pages *g, uint64_t start, uint64_t end, bool present,
                          long page_size)
{
    uint64_t back = 0;

    (void)page_size;
    if (!present)
        return 0;   /* still out (or unmapped): nothing learnt */
    for (size_t i = pages_lower_bound(g, start); i < g->sorted && g->v[i].addr < end; i++) {
        struct guard_page *p = &g->v[i];

        if (!p->out)
            continue;
        p->out = false;
        p->back_now = true;
        if (p->comebacks < UINT16_MAX)
            p->comebacks++;
        unsigned shift = p->comebacks - 1u > HOLD_SHIFT_MAX ? HOLD_SHIFT_MAX : p->comebacks - 1u;

        p->hold_until = g->cycle + ((uint32_t)GUARD_HOLD_BASE << shift);
        back++;
    }
    g->comebacks_cycle += back;
    return back;
}

bool guard_pages_held(const struct guard_pages *g, uint64_t addr)
{
    size_t i = pages_lower_bound(g, addr);

    return i < g->sorted && g->v[i].addr == addr && g->v[i].hold_until > g->cycle;
}

size_t guard_pages_held_count(const struct guard_pages *g)
{
    size_t held = 0;

    for (size_t i = 0; i < g->n; i++)
        held += g->v[i].hold_until > g->cycle;
    return held;
}

struct recall_out {
    struct page_range *r;
    size_t n, cap;
};

static void recall_add(struct recall_out *o, uint64_t addr, long page_size)
{
    if (o->n > 0 && o->r[o->n - 1].start + o->r[o->n - 1].len == addr) {
        o->r[o->n - 1].len += (uint64_t)page_size;
        return;
    }
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->r = xreallocarray(o->r, o->cap, sizeof(*o->r));
    }
    o->r[o->n++] = (struct page_range){ addr, (uint64_t)page_size };
}

size_t guard_pages_recall(const struct guard_pages *g, long page_size, struct page_range **out)
{
    struct recall_out o = { 0 };
    size_t i = 0;

    while (i < g->sorted) {
        uint64_t span = g->v[i].addr / GUARD_RECALL_SPAN;
        size_t end = i, back = 0, still_out = 0;

        for (; end < g->sorted && g->v[end].addr / GUARD_RECALL_SPAN == span; end++) {
            back += g->v[end].back_now;
            still_out += g->v[end].out;
        }
        if (still_out > 0 && back >= GUARD_RECALL_MIN_BACK &&
            back * GUARD_RECALL_SHARE >= back + still_out)
            for (size_t k = i; k < end; k++)
                if (g->v[k].out)
                    recall_add(&o, g->v[k].addr, page_size);
        i = end;
    }
    *out = o.r;
    return o.n;
}
