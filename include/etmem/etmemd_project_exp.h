/* SPDX-License-Identifier: MulanPSL-2.0 */
/* etmemd_project_exp.h - struct project as third-party engines see it.
 * ABI: field order and types are those of the original openEuler etmem; do not change. */
#ifndef ETMEMD_PROJECT_EXP_H
#define ETMEMD_PROJECT_EXP_H

#include <glib.h>
#include <stdbool.h>
#include <sys/queue.h>

enum scan_type {
    PAGE_SCAN = 0,
    REGION_SCAN,
    PSI_SCAN,       /* the newest original's: cgroups reclaimed by the psi engine */
};

/* PSI_SCAN: seconds between reclaim steps. */
struct psi_scan {
    int interval;
};

/* project->scan_param points to one of these, by project->type. Seconds. */
struct page_scan {
    int interval;
    int loop;
    int sleep;
};

/* DAMON-style region monitoring attributes (microseconds, region counts). */
struct region_scan {
    unsigned long sample_interval;
    unsigned long aggr_interval;
    unsigned long update_interval;
    unsigned long min_nr_regions;
    unsigned long max_nr_regions;
};

struct engine;

struct project {
    char *name;
    enum scan_type type;
    void *scan_param;
    int sysmem_threshold;       /* -1 when not set */
    int swapcache_high_wmark;   /* -1 when not set */
    int swapcache_low_wmark;    /* -1 when not set */
    bool start;
    bool wmark_set;
    struct engine *engs;

    SLIST_ENTRY(project) entry;
};

#endif
