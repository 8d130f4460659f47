/* fallback_regions.h - the adaptive regions of the fallback tracker (pure logic, no I/O):
 * kept inside the tracked VMAs, merged when neighbours agree, split while there is probe
 * budget, so the number of probes per window stays bounded (DAMON-like). */
#ifndef ETMEM_KERNEL_FALLBACK_REGIONS_H
#define ETMEM_KERNEL_FALLBACK_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "vma.h"

enum fb_result {
    FB_UNKNOWN = 0, /* never probed, or no probe page could be paged out */
    FB_IDLE,        /* every probe page stayed out for a whole window */
    FB_ACCESSED,    /* a probe page came back (refault), or on the hot list */
};

struct fb_region {
    uint64_t start;
    uint64_t end;
    uint32_t vma;      /* index of the containing VMA in the last sync */
    uint16_t nprobes;  /* probe pages paged out at window start, pending */
    uint16_t hits;     /* probe pages that came back (counted while resolving) */
    uint8_t mixed;     /* the last window's probes disagreed: partly hot, partly cold */
    uint8_t result;    /* enum fb_result of the last window */
    uint8_t hot_left;  /* windows left on the hot list (not probed) */
    uint16_t idle_age; /* consecutive idle windows */
};

struct fb_set {
    struct fb_region *r;
    size_t n;
    size_t cap;
    size_t cursor;     /* round-robin start of the next probe pick */
    uint64_t rng;
};

void fb_set_init(struct fb_set *s, uint64_t seed);
void fb_set_free(struct fb_set *s);

/* Keep regions inside vmas: clip old regions, drop those outside, cover new gaps with
 * FB_UNKNOWN regions. Pending probes stay with the clipped region (probe addresses that
 * fell outside simply find no region when resolved). */
void fb_set_sync(struct fb_set *s, const struct vma_list *vmas);

/* Record the outcome of a window for region r. */
void fb_region_resolve(struct fb_region *r, enum fb_result res, unsigned hot_skip);
/* From its probes: no hit -> idle; every probe hit -> accessed and on the hot list for
 * hot_skip windows; some hit -> accessed but partly hot, so it stays probed (and split)
 * instead of hiding its cold part on the hot list. */
void fb_region_resolve_probes(struct fb_region *r, unsigned hot_skip);

/* Merge neighbours (same VMA, same result), force-merge pairs while above max_regions,
 * then split regions at a random page boundary while below max_regions/2 (never below
 * min_size bytes). */
void fb_set_adapt(struct fb_set *s, size_t max_regions, uint64_t min_size, uint64_t page_size);

/* Indexes of up to budget regions to probe, round-robin, skipping hot-listed ones and
 * those skip(arg, region) rejects. Returns the count. */
typedef int (*fb_skip_fn)(void *arg, const struct fb_region *r);
size_t fb_set_pick(struct fb_set *s, size_t budget, fb_skip_fn skip, void *arg, size_t *out);

uint64_t fb_rand(struct fb_set *s);

/* Index of the region containing addr, or -1. */
long fb_set_find(const struct fb_set *s, uint64_t addr);

#endif
