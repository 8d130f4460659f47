/* SPDX-License-Identifier: MulanPSL-2.0 */
/* damon.h - the damon engine: one DAMOS scheme (an access pattern and an action) applied to
 * the regions of a region project's processes. */
#ifndef ETMEM_DAMON_H
#define ETMEM_DAMON_H

#include <stdbool.h>

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
};

struct mon_region;
bool damos_matches(const struct damos_params *s, const struct mon_region *r);
extern const char *const damos_action_names[];

#endif
