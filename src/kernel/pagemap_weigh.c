/* pagemap_weigh.c - turn a range verdict into per-page heat: runs of resident (or
 * swapped) pages found in pagemap are added to the heat map in one call each. */
#include "pagemap_weigh.h"

struct weigh_ctx {
    struct heat_map *hm;
    struct scan_stats *st;
    unsigned weight;
    uint64_t ps;
    uint64_t run_start, run_end;
    unsigned run_flags;
};

static void weigh_flush(struct weigh_ctx *c)
{
    if (c->run_end > c->run_start)
        heat_map_add(c->hm, c->run_start, c->run_end - c->run_start,
                     c->run_flags & HEAT_PRESENT ? c->weight : 0, c->run_flags);
    c->run_start = c->run_end = 0;
}

static int weigh_batch(void *arg, uint64_t addr, const uint64_t *e, size_t n)
{
    struct weigh_ctx *c = arg;
    for (size_t i = 0; i < n; i++, addr += c->ps) {
        unsigned flags = (e[i] & PM_PRESENT) ? HEAT_PRESENT : (e[i] & PM_SWAPPED) ? HEAT_SWAPPED : 0;
        if (!flags) {
            c->st->pages_absent++;
            weigh_flush(c);
            continue;
        }
        c->st->pages++;
        c->st->pages_accessed += (flags & HEAT_PRESENT) && c->weight;
        if (c->run_end != addr || c->run_flags != flags) {
            weigh_flush(c);
            c->run_start = addr;
            c->run_flags = flags;
        }
        c->run_end = addr + c->ps;
    }
    return 0;
}

int pagemap_weigh_range(struct pagemap *pm, struct heat_map *hm, struct scan_stats *st,
                        uint64_t start, uint64_t end, unsigned weight)
{
    struct weigh_ctx c = { .hm = hm, .st = st, .weight = weight, .ps = (uint64_t)pm->page_size };
    int rc = pagemap_walk(pm, start, end, weigh_batch, &c);
    weigh_flush(&c);
    return rc;
}
