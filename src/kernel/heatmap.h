/* SPDX-License-Identifier: MulanPSL-2.0 */
/* heatmap.h - per-process access weights accumulated over the `loop` scans of one cycle.
 *
 * Every tracked base page has a count (sum of weights: accessed 1, dirty 3 where the
 * tracker can tell, idle 0; so up to 3*120 = 360 over 120 scans) and state flags.
 * Storage is sparse: lazily allocated chunks of 512 uint16 entries (one per base page of a
 * 2 MiB-aligned window when pages are 4 KiB), i.e. 0.05% of the tracked memory; nothing is
 * stored for windows no tracker reported. Trackers that see ranges (DAMON, fallback) add
 * the same weight to every page of the range, so engines see one scale.
 *
 * Contract: the map is owned by whoever created it (heat_map_new/heat_map_free). Not
 * thread-safe: one writer (the tracker sample) or readers, never both at once. Nothing
 * here blocks or does I/O. */
#ifndef ETMEM_KERNEL_HEATMAP_H
#define ETMEM_KERNEL_HEATMAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAT_W_IDLE 0
#define HEAT_W_ACCESS 1
#define HEAT_W_DIRTY 3
#define HEAT_COUNT_MAX 511 /* saturation; 3 * 120 scans = 360 fits */

enum heat_flag {
    HEAT_PRESENT = 1u << 0, /* resident at the last observation */
    HEAT_HUGE = 1u << 1,    /* part of a huge-page unit (PMD/PUD or a THP) */
    HEAT_SWAPPED = 1u << 2, /* in swap at the last observation */
};
#define HEAT_FLAGS_MASK 0x7u

struct heat_map;

struct heat_map *heat_map_new(void);           /* page size from sysconf */
struct heat_map *heat_map_new_ps(long page_size); /* explicit page size (tests) */
void heat_map_free(struct heat_map *hm);
void heat_map_clear(struct heat_map *hm);        /* drop everything, free chunks */

/* Add weight to every base page of [start, start+len) (page-aligned outward) and set the
 * pages' state flags to flags (the latest observation wins). Counts saturate. */
void heat_map_add(struct heat_map *hm, uint64_t start, uint64_t len, unsigned weight,
                  unsigned flags);

/* A maximal run of consecutive tracked pages with equal (count, flags). */
struct heat_run {
    uint64_t start;
    uint64_t end;
    unsigned count;
    unsigned flags;
};
/* Visit runs in ascending address order. fn returns 0 to go on; its non-zero return stops
 * the walk and is returned. */
typedef int (*heat_run_fn)(const struct heat_run *run, void *arg);
int heat_map_for_each_run(const struct heat_map *hm, heat_run_fn fn, void *arg);
/* Same, limited to [start, end). */
int heat_map_for_each_run_in(const struct heat_map *hm, uint64_t start, uint64_t end,
                             heat_run_fn fn, void *arg);

/* Look up one page: returns 0 and fills count/flags, or -ENOENT if not tracked. */
int heat_map_get(const struct heat_map *hm, uint64_t addr, unsigned *count, unsigned *flags);

uint64_t heat_map_pages(const struct heat_map *hm);  /* tracked base pages */
size_t heat_map_bytes(const struct heat_map *hm);    /* memory used by the map itself */
long heat_map_page_size(const struct heat_map *hm);

#endif
