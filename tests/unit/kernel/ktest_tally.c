/* SPDX-License-Identifier: MulanPSL-2.0 */
/* ktest_tally.c - what a tracker's heat map says of a child's hot and cold parts, counted
 * page by page, with the runs it found idle gathered for a reclaim (ktest.h). */
#include <stdlib.h>
#include <time.h>

#include "action.h"
#include "heatmap.h"
#include "ktest.h"

void ktest_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static int tally_run(const struct heat_run *r, void *arg)
{
    struct ktest_tally *t = arg;
    if (!(r->flags & HEAT_PRESENT))
        return 0;
    uint64_t cut = r->start < t->hot_end ? (r->end < t->hot_end ? r->end : t->hot_end) : r->start;
    size_t hot = (cut - r->start) / 4096, cold = (r->end - cut) / 4096;
    t->hot_pages += hot;
    t->hot_accessed += r->count ? hot : 0;
    t->cold_pages += cold;
    t->cold_idle += r->count ? 0 : cold;
    if (r->flags & HEAT_HUGE)
        t->huge_pages += hot + cold;
    if (r->count == 0) {
        struct page_range *grown = realloc(t->cold, (t->ncold + 1) * sizeof(*t->cold));
        if (!grown)
            abort();
        t->cold = grown;
        t->cold[t->ncold++] = (struct page_range){ r->start, r->end - r->start };
    }
    return 0;
}

void ktest_tally(const struct heat_map *hm, const struct kchild *c, struct ktest_tally *t)
{
    ktest_tally_free(t);
    *t = (struct ktest_tally){ .hot_end = c->base + c->hot };
    heat_map_for_each_run_in(hm, c->base, c->base + c->len, tally_run, t);
}

void ktest_tally_free(struct ktest_tally *t)
{
    free(t->cold);
    t->cold = NULL;
    t->ncold = 0;
}
