/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide_policy.c - the cslide placement policy (rules in cslide_policy.h): rank the units
 * of one node pair by heat and spend the per-direction quota and each node's room on them. */
#include "cslide_policy.h"

#include <stdbool.h>
#include <stdlib.h>

#include "xalloc.h"

enum { DOWN, UP };

struct plan {
    const struct cs_params *p;
    struct cs_unit *u;
    uint64_t quota[2];                  /* left per direction */
    int64_t fast_room[CS_POOL_COUNT];   /* free bytes above the reserve; may be < 0 */
    int64_t slow_room[CS_POOL_COUNT];
    struct cs_plan_stats *st;
};

/* Sort keys: heat and input index, so ties keep input order. */
struct key {
    size_t idx;
    unsigned heat;
};

static int cmp_heat_up(const void *a, const void *b)
{
    const struct key *x = a, *y = b;

    if (x->heat != y->heat)
        return x->heat < y->heat ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_heat_down(const void *a, const void *b)
{
    const struct key *x = a, *y = b;

    if (x->heat != y->heat)
        return x->heat > y->heat ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sort n indexes of units by heat; cmp says which way. */
static void sort_by_heat(const struct cs_unit *u, size_t *idx, size_t n,
                         int (*cmp)(const void *, const void *))
{
    struct key *k = xcalloc(n + 1, sizeof(*k));

    for (size_t i = 0; i < n; i++)
        k[i] = (struct key){ idx[i], u[idx[i]].heat };
    qsort(k, n, sizeof(*k), cmp);
    for (size_t i = 0; i < n; i++)
        idx[i] = k[i].idx;
    free(k);
}

unsigned cs_margin_for(unsigned hot_threshold)
{
    return 1 + hot_threshold / 4;
}

int cs_wants_fast(const struct cs_params *p, const struct cs_unit *u)
{
    unsigned thr = p->hot_threshold;

    if (u->last == CS_LAST_DEMOTED)
        thr += p->margin;
    else if (u->last == CS_LAST_PROMOTED)
        thr = thr > p->margin ? thr - p->margin : 0;
    return u->heat >= thr;
}

static uint64_t left_of(const struct cs_unit *u)
{
    return u->bytes - u->move_bytes;
}

/* Move up to limit bytes of u (whole granules) in direction d, within the quota and the
 * destination's room; returns the bytes taken. Demotions run before promotions, so the
 * room a demotion frees on the fast node counts for this cycle's promotions. */
static uint64_t take(struct plan *pl, struct cs_unit *u, enum cs_move d, uint64_t limit)
{
    int dir = d == CS_PROMOTE ? UP : DOWN;
    int64_t room = d == CS_PROMOTE ? pl->fast_room[u->pool] : pl->slow_room[u->pool];
    uint64_t *budget = d == CS_DEMOTE && pl->p->demote_budget ? &pl->p->demote_budget[u->owner]
                                                               : NULL;
    uint64_t b = left_of(u);

    if (room <= 0)
        return 0;
    if (b > limit)
        b = limit;
    if (budget != NULL && b > *budget)
        b = *budget;
    if (b > pl->quota[dir])
        b = pl->quota[dir];
    if (b > (uint64_t)room)
        b = (uint64_t)room;
    b -= b % u->granule;
    if (b == 0)
        return 0;
    u->move = (uint8_t)d;
    u->move_bytes += b;
    pl->quota[dir] -= b;
    if (budget != NULL)
        *budget -= b;
    if (d == CS_DEMOTE) {
        pl->slow_room[u->pool] -= (int64_t)b;
        pl->fast_room[u->pool] += (int64_t)b;
        pl->st->demote_bytes += b;
    } else {
        pl->fast_room[u->pool] -= (int64_t)b;
        pl->st->promote_bytes += b;
    }
    return b;
}

struct lists {
    size_t *cold_fast, n_cold_fast;     /* on the fast node, cold: coldest first */
    size_t *hot_fast, n_hot_fast;       /* on the fast node, hot, movable: coldest first */
    size_t *hot_slow, n_hot_slow;       /* on the slow node, hot: hottest first */
};

static void lists_build(struct plan *pl, const struct cs_pair *pair, size_t n, struct lists *l)
{
    const struct cs_params *p = pl->p;

    l->cold_fast = xcalloc(n + 1, sizeof(size_t));
    l->hot_fast = xcalloc(n + 1, sizeof(size_t));
    l->hot_slow = xcalloc(n + 1, sizeof(size_t));
    l->n_cold_fast = l->n_hot_fast = l->n_hot_slow = 0;
    for (size_t i = 0; i < n; i++) {
        struct cs_unit *u = &pl->u[i];
        bool fast = cs_wants_fast(p, u), hot = u->heat >= p->hot_threshold;

        if (u->node != pair->fast && u->node != pair->slow)
            continue;   /* another pair's, or in none: untouched */
        u->move = CS_STAY;
        u->move_bytes = 0;
        if (u->pool >= CS_POOL_COUNT || u->granule == 0 || u->bytes % u->granule != 0)
            continue;   /* malformed: never moved */
        if (u->node == pair->fast) {
            if (!fast && u->young)
                pl->st->held_bytes += u->bytes;     /* not cold long enough for the guard */
            else if (!fast)
                l->cold_fast[l->n_cold_fast++] = i;
            else if (u->last != CS_LAST_PROMOTED)
                l->hot_fast[l->n_hot_fast++] = i;
            if (fast && !hot)
                pl->st->held_bytes += u->bytes;
        } else if (u->node == pair->slow) {
            if (fast)
                l->hot_slow[l->n_hot_slow++] = i;
            else if (hot)
                pl->st->held_bytes += u->bytes;
        }
    }
    sort_by_heat(pl->u, l->cold_fast, l->n_cold_fast, cmp_heat_up);
    sort_by_heat(pl->u, l->hot_fast, l->n_hot_fast, cmp_heat_up);
    sort_by_heat(pl->u, l->hot_slow, l->n_hot_slow, cmp_heat_down);
}

static void lists_free(struct lists *l)
{
    free(l->cold_fast);
    free(l->hot_fast);
    free(l->hot_slow);
}

/* The fast node has less than the reserve free in pool k: its coldest hot units go down
 * until the reserve is back (or the quota or the slow node's room runs out). */
static void restore_reserve(struct plan *pl, const struct lists *l, int k)
{
    for (size_t i = 0; i < l->n_hot_fast && pl->fast_room[k] < 0; i++) {
        struct cs_unit *u = &pl->u[l->hot_fast[i]];
        uint64_t need = (uint64_t)-pl->fast_room[k];

        if (u->pool != k)
            continue;
        need += (u->granule - need % u->granule) % u->granule;
        take(pl, u, CS_DEMOTE, need);
    }
}

/* Room ran out with hot units still on the slow node: one granule at a time, a slow-node
 * unit at least `margin` hotter than the coldest movable hot unit on the fast node takes
 * its place. */
static void displace(struct plan *pl, const struct lists *l, int k)
{
    size_t si = 0, fi = 0;

    for (;;) {
        struct cs_unit *s = NULL, *f = NULL;

        for (; si < l->n_hot_slow; si++) {
            s = &pl->u[l->hot_slow[si]];
            if (s->pool == k && left_of(s) >= s->granule)
                break;
        }
        for (; fi < l->n_hot_fast; fi++) {
            f = &pl->u[l->hot_fast[fi]];
            if (f->pool == k && left_of(f) >= f->granule)
                break;
        }
        if (si >= l->n_hot_slow || pl->quota[UP] < s->granule)
            return;
        if (pl->fast_room[k] >= (int64_t)s->granule) {
            /* the room a displacement made for s */
            if (take(pl, s, CS_PROMOTE, s->granule) == 0)
                return;
            continue;
        }
        if (fi >= l->n_hot_fast || (unsigned)s->heat < (unsigned)f->heat + pl->p->margin)
            return;
        uint64_t b = take(pl, f, CS_DEMOTE, f->granule);

        if (b == 0)
            return;
        pl->st->displaced_bytes += b;
    }
}

static void count_waiting(struct plan *pl, const size_t *idx, size_t n, int dir)
{
    for (size_t i = 0; i < n; i++) {
        const struct cs_unit *u = &pl->u[idx[i]];

        bool no_budget = dir == DOWN && pl->p->demote_budget != NULL &&
                         pl->p->demote_budget[u->owner] < u->granule;

        if (left_of(u) > 0)
            pl->st->waiting_bytes[pl->quota[dir] < u->granule || no_budget ? 0 : 1] +=
                left_of(u);
    }
}

int cs_plan(const struct cs_params *p, const struct cs_pair *pair, struct cs_unit *u, size_t n,
            struct cs_plan_stats *st)
{
    struct cs_plan_stats dummy;
    struct plan pl = { .p = p, .u = u, .quota = { p->quota, p->quota } };
    struct lists l;

    pl.st = st != NULL ? st : &dummy;
    *pl.st = (struct cs_plan_stats){ 0 };
    for (int k = 0; k < CS_POOL_COUNT; k++) {
        pl.fast_room[k] = (int64_t)pair->fast_free[k] - (int64_t)p->reserve;
        pl.slow_room[k] = (int64_t)pair->slow_free[k];
    }
    lists_build(&pl, pair, n, &l);
    for (size_t i = 0; i < l.n_cold_fast; i++)
        take(&pl, &u[l.cold_fast[i]], CS_DEMOTE, UINT64_MAX);
    for (int k = 0; k < CS_POOL_COUNT; k++)
        restore_reserve(&pl, &l, k);
    for (size_t i = 0; i < l.n_hot_slow; i++)
        take(&pl, &u[l.hot_slow[i]], CS_PROMOTE, UINT64_MAX);
    for (int k = 0; k < CS_POOL_COUNT; k++)
        displace(&pl, &l, k);
    count_waiting(&pl, l.cold_fast, l.n_cold_fast, DOWN);
    count_waiting(&pl, l.hot_slow, l.n_hot_slow, UP);
    lists_free(&l);
    return 0;
}

/* Stripe i of n over a region of `pages` pages: its first page and its page count. */
static void stripe_of(uint64_t pages, size_t n, size_t i, uint64_t *first, uint64_t *count)
{
    *first = pages * i / n;
    *count = pages * (i + 1) / n - *first;
}

static size_t stripe_count(const struct cs_region *r, uint64_t page)
{
    uint64_t pages = r->end > r->start ? (r->end - r->start) / page : 0;

    return pages < CS_REGION_STRIPES ? (size_t)pages : CS_REGION_STRIPES;
}

size_t cs_region_stripes(const struct cs_region *r, uint64_t page, uint64_t *at)
{
    size_t n = stripe_count(r, page);
    uint64_t pages = n ? (r->end - r->start) / page : 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t first, count;

        stripe_of(pages, n, i, &first, &count);
        at[i] = r->start + (i % 2 ? first + count - 1 : first) * page;
    }
    return n;
}

size_t cs_region_units(const struct cs_region *r, uint64_t page, const int *node,
                       const uint8_t *last, struct cs_unit *out)
{
    size_t n = stripe_count(r, page), nu = 0;
    uint64_t pages = n ? (r->end - r->start) / page : 0;
    uint16_t heat = r->nr_accesses > UINT16_MAX ? UINT16_MAX : (uint16_t)r->nr_accesses;

    for (size_t i = 0; i < n; i++) {
        uint64_t first, count;
        struct cs_unit *t = nu ? &out[nu - 1] : NULL;

        if (node[i] < 0 || node[i] > INT16_MAX)
            continue;
        stripe_of(pages, n, i, &first, &count);
        if (t != NULL && t->node == node[i] && t->last == last[i] &&
            t->addr + t->bytes == r->start + first * page) {
            t->bytes += count * page;
            continue;
        }
        out[nu++] = (struct cs_unit){ .addr = r->start + first * page, .bytes = count * page,
                                      .granule = (uint32_t)page, .heat = heat,
                                      .node = (int16_t)node[i], .pool = CS_POOL_PAGE,
                                      .last = last[i] };
    }
    return nu;
}

void cs_budget_split(uint64_t quota, const uint64_t *cold, size_t n, uint64_t page,
                     uint64_t *out)
{
    uint64_t total = 0;

    for (size_t i = 0; i < n; i++)
        total += cold[i];
    for (size_t i = 0; i < n; i++) {
        /* quota * cold[i] / total, rounded up to a page, without overflowing */
        double share = total ? (double)quota * ((double)cold[i] / (double)total) : 0;
        uint64_t b = (uint64_t)share + page - 1;

        b -= b % page;
        out[i] = b < cold[i] ? b : cold[i];
    }
}
