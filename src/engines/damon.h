/* SPDX-License-Identifier: MulanPSL-2.0 */
/* damon.h - the damon engine: one DAMOS scheme (an access pattern and an action) applied to
 * the regions of a region project's processes. */
#ifndef ETMEM_DAMON_H
#define ETMEM_DAMON_H

#include <stdbool.h>
#include <stddef.h>

enum damos_action {
    DAMOS_WILLNEED,
    DAMOS_COLD,
    DAMOS_PAGEOUT,
    DAMOS_HUGEPAGE,
    DAMOS_NOHUGEPAGE,
    DAMOS_STAT,
    DAMOS_MIGRATE_HOT,
    DAMOS_MIGRATE_COLD,
};

/* DAMOS semantics: a region qualifies when its size (bytes), its access count (checks of
 * one aggregation interval that found it accessed) and its age (aggregation intervals its
 * count held) are each within [min, max]. */
struct damos_params {
    unsigned long min_size, max_size;
    unsigned long min_acc, max_acc;
    unsigned long min_age, max_age;
    int action;                 /* enum damos_action */
    int target_nid;             /* migrate_hot, migrate_cold: the node; -1 none */
    unsigned long quota_ms, quota_bytes, quota_reset_ms;  /* 0: no quota */
    int wmarks_metric;          /* enum damos_wmark_metric */
    unsigned long wmarks_interval, wmarks_high, wmarks_mid, wmarks_low;
};

enum damos_wmark_metric {
    DAMOS_WMARK_NONE,
    DAMOS_WMARK_FREE_MEM_RATE,
};

struct damos_spec;
struct mon_region;
bool damos_matches(const struct damos_params *s, const struct mon_region *r);
extern const char *const damos_action_names[];

/* The first key of s that only the kernel's DAMOS can carry out (an action process_madvise
 * does not take for another process, a time quota, watermarks), why in why[len]; NULL
 * when etmemd can apply s itself. */
const char *damos_kernel_only(const struct damos_params *s, char *why, size_t len);

/* s as the kernel's DAMOS takes it; dry_run: action "stat" (count, change nothing). */
void damos_spec_from(const struct damos_params *s, bool dry_run, struct damos_spec *out);

/* Does action send cold memory away (pageout, cold, migrate_cold)? Under a quota those
 * regions go coldest first, the others hottest first. */
bool damos_action_is_cold(int action);

#endif
