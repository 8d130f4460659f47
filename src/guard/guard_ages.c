/* SPDX-License-Identifier: MulanPSL-2.0 */
/* guard_ages.c - for how many cycles in a row each cold range has been cold. The guard
 * asks for more of them when it backs off: memory idle for one window is the memory most
 * likely to be read again soon. Kept as sorted ranges (the cold parts of a process are
 * long runs), merged with last cycle's in one pass. */
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "xalloc.h"

#define AGE_MAX 255

void guard_ages_init(struct guard_ages *a)
{
    memset(a, 0, sizeof(*a));
}

void guard_ages_free(struct guard_ages *a)
{
    free(a->v);
    free(a->next);
    memset(a, 0, sizeof(*a));
}

static void next_push(struct guard_ages *a, uint64_t s, uint64_t e, unsigned age)
{
    struct guard_age_run *last = a->next_n ? &a->next[a->next_n - 1] : NULL;

    if (s >= e)
        return;
    if (last != NULL && last->end == s && last->age == age) {
        last->end = e;
        return;
    }
    if (a->next_n == a->next_cap) {
        a->next_cap = a->next_cap ? a->next_cap * 2 : 256;
        a->next = xreallocarray(a->next, a->next_cap, sizeof(*a->next));
    }
    a->next[a->next_n++] = (struct guard_age_run){ s, e, (uint8_t)age };
}

/* First run of v that ends after addr. */
static size_t runs_after(const struct guard_age_run *v, size_t n, uint64_t addr)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void guard_ages_cold(struct guard_ages *a, uint64_t start, uint64_t end)
{
    uint64_t at = start;

    for (size_t i = runs_after(a->v, a->n, start); i < a->n && a->v[i].start < end && at < end;
         i++) {
        const struct guard_age_run *o = &a->v[i];
        uint64_t os = o->start > at ? o->start : at;
        uint64_t oe = o->end < end ? o->end : end;

        next_push(a, at, os, 1);                 /* newly cold */
        next_push(a, os, oe, o->age < AGE_MAX ? o->age + 1u : AGE_MAX);
        at = oe;
    }
    next_push(a, at, end, 1);
}

void guard_ages_commit(struct guard_ages *a)
{
    struct guard_age_run *v = a->v;
    size_t cap = a->cap;

    a->v = a->next;
    a->n = a->next_n;
    a->cap = a->next_cap;
    a->next = v;
    a->next_cap = cap;
    a->next_n = 0;
}

void guard_ages_old_enough(const struct guard_ages *a, uint64_t start, uint64_t end,
                           unsigned min_age,
                           void (*fn)(void *arg, uint64_t s, uint64_t e, unsigned age),
                           void *arg)
{
    for (size_t i = runs_after(a->v, a->n, start); i < a->n && a->v[i].start < end; i++) {
        uint64_t s = a->v[i].start > start ? a->v[i].start : start;
        uint64_t e = a->v[i].end < end ? a->v[i].end : end;

        if (a->v[i].age >= min_age && s < e)
            fn(arg, s, e, a->v[i].age);
    }
}
