/* SPDX-License-Identifier: MulanPSL-2.0 */
/* region_tracker.h - region sources: trackers that see memory as adaptive regions rather
 * than pages. Kernel DAMON vaddr (tracker_damon.c, the kdamond etmemd owns) and the
 * user-space region monitor over page_idle or over pageout probes (tracker_region.c).
 * idle_pages (openEuler) is not a region source: region_idle_pages_why says why. */
#ifndef ETMEM_KERNEL_REGION_TRACKER_H
#define ETMEM_KERNEL_REGION_TRACKER_H

#include <stdbool.h>
#include <stddef.h>

#include "region_monitor.h"
#include "tracker.h"

struct kernel_caps;

extern const struct tracker_ops tracker_region_page_idle_ops;
extern const struct tracker_ops tracker_region_probe_ops;

/* Region sources in auto-selection order (damon, region_page_idle, region_probe),
 * NULL-ended. */
extern const struct tracker_ops *const region_registry[];
extern const char region_idle_pages_why[];

/* Pick a region source: name NULL or "auto" for the first usable one (region_probe only
 * when allow_fallback: each of its probes of a hot page costs the target a refault), or
 * the named one; NULL + why otherwise. */
const struct tracker_ops *region_select(const struct kernel_caps *caps, const char *name,
                                        bool allow_fallback, char *why, size_t why_len);

/* The region source over the access tracker a task's scan_backend names: auto (NULL or
 * "auto": region_select's pick), page_idle -> region_page_idle, damon -> damon, fallback ->
 * region_probe; idle_pages and unknown names get NULL + why. */
const struct tracker_ops *region_select_over(const struct kernel_caps *caps, const char *tracker,
                                             bool allow_fallback, char *why, size_t why_len);

/* Can this kernel run ops as a region source? */
bool region_source_usable(const struct tracker_ops *ops, const struct kernel_caps *caps,
                          char *why, size_t len);

/* Can kernel DAMON apply a DAMOS action (its sysfs name) to a process's memory here? false +
 * why naming what the kernel lacks. */
bool damon_action_usable(const struct kernel_caps *caps, const char *action, char *why,
                         size_t len);

/* The regions of a user-space region tracker (valid until its next sample), or NULL for
 * any other tracker. */
const struct region_monitor *region_tracker_monitor(const struct tracker_ops *ops,
                                                    const struct tracker *t);

/* A region whose last aggregation found no access; a region that has not been through an
 * aggregation yet is not idle. */
static inline bool region_is_idle(const struct mon_region *r)
{
    return !r->fresh && r->last_acc == 0;
}

#endif
