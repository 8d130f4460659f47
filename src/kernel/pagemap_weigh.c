/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pagemap_weigh.c - turn a range verdict into per-page heat: each populated (resident or
 * swapped) part of the range, as pagemap_populated() finds it, is one heat map call. */
#include "pagemap_weigh.h"

struct weigh_ctx {
    struct heat_map *hm;
    struct scan_stats *st;
    unsigned weight;
    unsigned page_shift;
    uint64_t present;
};

static int weigh_range(void *arg, uint64_t start, uint64_t end, unsigned flags)
{
    struct weigh_ctx *c = arg;
    uint64_t pages = (end - start) >> c->page_shift;
    bool present = flags & PAGEMAP_RANGE_PRESENT;
    c->st->pages += pages;
    c->st->pages_accessed += present && c->weight ? pages : 0;
    c->present += present ? pages : 0;
    heat_map_add(c->hm, start, end - start, present ? c->weight : 0,
                 present ? HEAT_PRESENT : HEAT_SWAPPED);
    return 0;
}

int pagemap_weigh_range(struct pagemap *pm, struct heat_map *hm, struct scan_stats *st,
                        uint64_t start, uint64_t end, unsigned weight, uint64_t *present)
{
    struct weigh_ctx c = { .hm = hm, .st = st, .weight = weight, .page_shift = pm->page_shift };
    int rc = pagemap_populated(pm, start, end, weigh_range, &c);
    if (present)
        *present = c.present;
    return rc;
}
