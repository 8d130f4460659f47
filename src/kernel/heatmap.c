/* SPDX-License-Identifier: MulanPSL-2.0 */
/* heatmap.c - sparse per-page access counts: a sorted index of lazily allocated chunks of
 * 512 uint16 entries (count in bits 0-8, state flags in 9-11, "tracked" in bit 15).
 * DESIGN: trackers add in ascending address order, so the last chunk touched is cached and
 * new chunks are usually appended; lookups otherwise binary-search the index. */
#include "heatmap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

#define CHUNK_PAGES 512u
#define E_COUNT_MASK 0x1ffu
#define E_FLAGS_SHIFT 9
#define E_TRACKED 0x8000u

struct heat_chunk {
    uint64_t idx;    /* first page number / CHUNK_PAGES */
    uint16_t *e;
};

struct heat_map {
    long page_size;
    unsigned page_shift;
    struct heat_chunk *c;
    size_t n, cap;
    size_t last;     /* cache: index of the last chunk used */
    uint64_t tracked;
};

struct heat_map *heat_map_new_ps(long page_size)
{
    struct heat_map *hm = xcalloc(1, sizeof(*hm));
    hm->page_size = page_size;
    while ((1L << hm->page_shift) < page_size)
        hm->page_shift++;
    return hm;
}

struct heat_map *heat_map_new(void)
{
    return heat_map_new_ps(sysconf(_SC_PAGESIZE));
}

void heat_map_clear(struct heat_map *hm)
{
    for (size_t i = 0; i < hm->n; i++)
        free(hm->c[i].e);
    free(hm->c);
    hm->c = NULL;
    hm->n = hm->cap = hm->last = 0;
    hm->tracked = 0;
}

void heat_map_free(struct heat_map *hm)
{
    if (!hm)
        return;
    heat_map_clear(hm);
    free(hm);
}

/* Position of the first chunk with idx >= want. */
static size_t chunk_lower_bound(const struct heat_map *hm, uint64_t want)
{
    size_t lo = 0, hi = hm->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (hm->c[mid].idx < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct heat_chunk *chunk_get(struct heat_map *hm, uint64_t idx)
{
    if (hm->last < hm->n && hm->c[hm->last].idx == idx)
        return &hm->c[hm->last];
    size_t pos = (hm->n && hm->c[hm->n - 1].idx < idx) ? hm->n : chunk_lower_bound(hm, idx);
    if (pos == hm->n || hm->c[pos].idx != idx) {
        if (hm->n == hm->cap) {
            hm->cap = hm->cap ? hm->cap * 2 : 64;
            hm->c = xreallocarray(hm->c, hm->cap, sizeof(*hm->c));
        }
        memmove(&hm->c[pos + 1], &hm->c[pos], (hm->n - pos) * sizeof(*hm->c));
        hm->c[pos].idx = idx;
        hm->c[pos].e = xcalloc(CHUNK_PAGES, sizeof(uint16_t));
        hm->n++;
    }
    hm->last = pos;
    return &hm->c[pos];
}

void heat_map_add(struct heat_map *hm, uint64_t start, uint64_t len, unsigned weight,
                  unsigned flags)
{
    if (len == 0)
        return;
    uint64_t first = start >> hm->page_shift;
    uint64_t last = (start + len - 1) >> hm->page_shift;
    uint16_t fbits = (uint16_t)((flags & HEAT_FLAGS_MASK) << E_FLAGS_SHIFT);

    for (uint64_t pg = first; pg <= last;) {
        struct heat_chunk *ch = chunk_get(hm, pg / CHUNK_PAGES);
        unsigned i = (unsigned)(pg % CHUNK_PAGES);
        uint64_t stop = last - pg + i + 1 < CHUNK_PAGES ? last - pg + i + 1 : CHUNK_PAGES;
        for (; i < stop; i++, pg++) {
            uint16_t e = ch->e[i];
            unsigned count = e & E_COUNT_MASK;
            if (!(e & E_TRACKED))
                hm->tracked++;
            count = count + weight > HEAT_COUNT_MAX ? HEAT_COUNT_MAX : count + weight;
            ch->e[i] = (uint16_t)(E_TRACKED | fbits | count);
        }
    }
}

int heat_map_get(const struct heat_map *hm, uint64_t addr, unsigned *count, unsigned *flags)
{
    uint64_t pg = addr >> hm->page_shift;
    size_t pos = chunk_lower_bound(hm, pg / CHUNK_PAGES);
    if (pos == hm->n || hm->c[pos].idx != pg / CHUNK_PAGES)
        return -ENOENT;
    uint16_t e = hm->c[pos].e[pg % CHUNK_PAGES];
    if (!(e & E_TRACKED))
        return -ENOENT;
    *count = e & E_COUNT_MASK;
    *flags = (e >> E_FLAGS_SHIFT) & HEAT_FLAGS_MASK;
    return 0;
}

int heat_map_for_each_run_in(const struct heat_map *hm, uint64_t start, uint64_t end,
                             heat_run_fn fn, void *arg)
{
    uint64_t pg_start = start >> hm->page_shift;
    uint64_t pg_end = (end + (uint64_t)hm->page_size - 1) >> hm->page_shift;
    struct heat_run run = { 0 };
    bool open = false;
    int rc;

    for (size_t ci = chunk_lower_bound(hm, pg_start / CHUNK_PAGES); ci < hm->n; ci++) {
        const struct heat_chunk *ch = &hm->c[ci];
        uint64_t base = ch->idx * CHUNK_PAGES;
        if (base >= pg_end)
            break;
        for (unsigned i = 0; i < CHUNK_PAGES; i++) {
            uint64_t pg = base + i;
            uint16_t e = ch->e[i];
            if (pg < pg_start || pg >= pg_end)
                continue;
            uint64_t addr = pg << hm->page_shift;
            unsigned count = e & E_COUNT_MASK;
            unsigned flags = (e >> E_FLAGS_SHIFT) & HEAT_FLAGS_MASK;
            bool tracked = e & E_TRACKED;
            if (open && (!tracked || run.end != addr || run.count != count ||
                         run.flags != flags)) {
                if ((rc = fn(&run, arg)) != 0)
                    return rc;
                open = false;
            }
            if (!tracked)
                continue;
            if (!open) {
                run = (struct heat_run){ addr, addr, count, flags };
                open = true;
            }
            run.end = addr + (uint64_t)hm->page_size;
        }
    }
    return open ? fn(&run, arg) : 0;
}

int heat_map_for_each_run(const struct heat_map *hm, heat_run_fn fn, void *arg)
{
    return heat_map_for_each_run_in(hm, 0, UINT64_MAX - (uint64_t)hm->page_size, fn, arg);
}

uint64_t heat_map_pages(const struct heat_map *hm)
{
    return hm->tracked;
}

size_t heat_map_bytes(const struct heat_map *hm)
{
    return sizeof(*hm) + hm->cap * sizeof(*hm->c) + hm->n * CHUNK_PAGES * sizeof(uint16_t);
}

long heat_map_page_size(const struct heat_map *hm)
{
    return hm->page_size;
}
