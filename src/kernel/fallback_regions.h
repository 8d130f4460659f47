/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fallback_regions.h - the adaptive regions of the fallback tracker (pure logic, no I/O):
 * kept inside the tracked VMAs, merged when neighbours agree, split to use the probe
 * budget where it can still learn something, so the number of probes per window stays
 * bounded (DAMON-like). */
#ifndef ETMEM_KERNEL_FALLBACK_REGIONS_H
#define ETMEM_KERNEL_FALLBACK_REGIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vma.h"

#define FB_IDLE_STABLE 2  /* idle windows in a row that make an idle verdict firm */
#define FB_IDLE_MERGE 3   /* ... and that let idle neighbours merge: memory touched every
                             2-3 windows (warm) must not melt into the cold mass, where
                             its next touch would make the whole merged region accessed */
#define FB_BACKOFF_MAX 4  /* the hot list doubles up to hot_skip << this */
#define FB_HOT_SLACK 256  /* pages of slack in the stale hot list check */
#define FB_IDLE_STALE 8   /* windows an idle verdict outlives its last conclusive probe: a
                             region the probe budget did not reach for longer is no longer
                             known idle (FB_UNKNOWN, so not acted on) */
#define FB_HOLD_BASE 4    /* probe rotation turns (windows at full budget) a region whose
                             swapped-out pages came back is held accessed (not probed, not
                             judged idle), doubled at each further comeback up to
                             FB_HOLD_BASE << FB_BACKOFF_MAX */

enum fb_result {
    FB_UNKNOWN = 0, /* never probed, or no probe gave a conclusive answer */
    FB_IDLE,        /* every conclusive probe page stayed out for a whole window */
    FB_ACCESSED,    /* a probe page came back (refault), or on the hot list */
};

struct fb_region {
    uint64_t start;
    uint64_t end;
    uint64_t resident;   /* resident pages at the last count (estimated for new regions) */
    uint32_t vma;        /* index of the containing VMA in the last sync */
    uint16_t pending;    /* probe pages paged out at the window's start */
    uint16_t nprobes;    /* conclusive probes of the window being resolved */
    uint16_t hits;       /* of which came back (counted while resolving) */
    uint16_t idle_age;   /* consecutive idle windows */
    uint8_t mixed;       /* the last window's probes disagreed: partly hot, partly cold */
    uint8_t result;      /* enum fb_result of the last window */
    uint8_t hot_left;    /* windows left on the hot list (not probed) */
    uint8_t hot_streak;  /* all-hit verdicts in a row: the hot list backs off with it */
    uint8_t seen_accessed; /* was found accessed once: an idle verdict must be firm */
    uint8_t stale;       /* windows since its last conclusive probe (idle verdicts age) */
    uint8_t hold_left;   /* windows left of a comeback hold (not probed, accessed) */
    uint8_t comebacks;   /* windows in which its swapped-out pages came back */
    uint32_t swapped;    /* its swapped-out pages at the window's start (0: not counted) */
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
 * FB_UNKNOWN regions (their resident pages estimated from the VMA's smaps Rss, or the
 * whole size without smaps). Probes are found again by address when resolved. */
void fb_set_sync(struct fb_set *s, const struct vma_list *vmas, uint64_t page_size);

/* Record the outcome of a window for region r. FB_ACCESSED puts it on the hot list for
 * hot_skip << (all-hit verdicts in a row - 1) windows (at most hot_skip << FB_BACKOFF_MAX,
 * 255), so a region that stays hot costs ever fewer refaults. */
void fb_region_resolve(struct fb_region *r, enum fb_result res, unsigned hot_skip);
/* From its conclusive probes: no hit -> idle; every probe hit -> accessed and on the hot
 * list; some hit -> accessed but partly hot, so it stays probed (and is split first)
 * instead of hiding its cold part on the hot list. No conclusive probe: no verdict
 * (FB_UNKNOWN, or FB_ACCESSED while on the hot list). */
void fb_region_resolve_probes(struct fb_region *r, unsigned hot_skip);

/* A window without a conclusive probe of r (the budget did not reach it, or it is on the
 * hot list or held): on the hot list or held it stays accessed; an idle verdict stands
 * for FB_IDLE_STALE such windows, then it is FB_UNKNOWN: no verdict without evidence. */
void fb_region_unprobed(struct fb_region *r);

/* Pages of r that were swapped out came back in the window (the target touched memory
 * judged idle, or the kernel's reclaim took): r is accessed and held for FB_HOLD_BASE
 * windows, twice as long at each further comeback, so memory paged out wrongly is not
 * judged idle and paged out again at the next window. */
void fb_region_hold(struct fb_region *r);

/* Is the region's idle verdict firm enough to act on? Idle, and either never seen
 * accessed or idle for FB_IDLE_STABLE windows in a row: one window in which a region that
 * was hot looked idle may just be a target that did not run (a loaded machine). */
bool fb_region_idle(const struct fb_region *r);

/* The hot list against the working set smaps measured: in a VMA whose hot-listed regions
 * hold more resident pages than 2 x its Referenced pages + FB_HOT_SLACK, part of the hot
 * list went cold; its regions there are taken off the list (probed again next window).
 * Returns the number of regions taken off. VMAs without smaps are left alone. */
size_t fb_set_check_hot(struct fb_set *s, const struct vma_list *vmas, uint64_t page_size);

/* Merge neighbours (same VMA, agreeing results; idle ones after FB_IDLE_MERGE idle windows
 * each), force-merge pairs while above
 * max_regions, then split regions into equal parts (boundaries jittered by up to a quarter
 * part) until the set holds max_regions, sharing the extra regions by resident pages among
 * those where a probe can still learn something: partly hot ones (4x), unknown ones, not
 * yet firmly idle ones. Wholly accessed regions are not split: every probe there is a
 * refault, and their own probes tell when they turn partly cold. Never below min_size. */
void fb_set_adapt(struct fb_set *s, size_t max_regions, uint64_t min_size, uint64_t page_size);

/* Indexes of up to budget regions to probe, round-robin, skipping hot-listed and held
 * ones and those skip(arg, region) rejects. Returns the count. */
typedef int (*fb_skip_fn)(void *arg, const struct fb_region *r);
size_t fb_set_pick(struct fb_set *s, size_t budget, fb_skip_fn skip, void *arg, size_t *out);

uint64_t fb_rand(struct fb_set *s);

/* Index of the region containing addr, or -1. */
long fb_set_find(const struct fb_set *s, uint64_t addr);

#endif
