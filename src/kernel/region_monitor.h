/* SPDX-License-Identifier: MulanPSL-2.0 */
/* region_monitor.h - DAMON's access monitoring algorithm in user space: the target's
 * address ranges are covered by adaptive regions; each sample interval one page of every
 * region is checked for access (through a region_sampler: page_idle, pageout probes, or a
 * simulation in tests); each aggregation interval the checks are summed per region
 * (nr_accesses), neighbours whose counts differ by at most a tenth of the maximum merge,
 * every region's age grows while its count holds, and regions split at random points so
 * the next interval can find where access differs; each update interval the regions follow
 * the target's mappings. The number of regions stays within [min_nr_regions,
 * max_nr_regions] (as in DAMON, min is a target that holds while the ranges have enough
 * pages), so the cost of a sample is bounded by max_nr_regions whatever the target's size.
 *
 * Contract: a monitor is used by one thread. Nothing here sleeps; the sampler's calls may
 * block on procfs/sysfs I/O. The caller paces the steps (one per sample interval). */
#ifndef ETMEM_KERNEL_REGION_MONITOR_H
#define ETMEM_KERNEL_REGION_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tracker.h"

enum region_access {
    RA_UNKNOWN = 0, /* the sampler could not tell: the check does not count */
    RA_IDLE,
    RA_ACCESSED,
};

/* One page checked for one region during one sample interval. addr is chosen by the
 * monitor; pfn and state are the sampler's to keep between prepare and check. */
struct region_sample {
    uint64_t addr;
    uint64_t pfn;
    uint8_t state;
    uint8_t result; /* enum region_access, set by check */
};

struct region_range {
    uint64_t start;
    uint64_t end;
};

struct region_sampler_ops {
    const char *name;
    /* The ranges to monitor now (sorted, disjoint, page aligned); *out stays owned by the
     * sampler until its next call. 0, -ESRCH (target gone) or a negative errno. */
    int (*ranges)(void *ctx, const struct region_range **out, size_t *n);
    /* Start the access check of s[0..n): afterwards an access by the target is seen. */
    int (*prepare)(void *ctx, struct region_sample *s, size_t n);
    /* Fill s[i].result for the checks prepared before. */
    int (*check)(void *ctx, struct region_sample *s, size_t n);
};

struct region_sampler {
    const struct region_sampler_ops *ops;
    void *ctx;
};

struct mon_region {
    uint64_t start;
    uint64_t end;
    uint32_t nr_accesses; /* checks that found it accessed in the aggregation so far */
    uint32_t nr_checked;  /* conclusive checks in the aggregation so far; at its end
                             nr_accesses is scaled to a full aggregation's checks, and a
                             region no check could tell about keeps its last verdict */
    uint32_t last_acc;    /* nr_accesses of the last completed aggregation */
    uint32_t age;         /* aggregations since last_acc last changed by more than the
                             merge threshold */
    bool fresh;           /* created by an update and no aggregation completed since:
                             last_acc means nothing yet */
};

struct region_monitor {
    struct damon_attrs a;
    uint64_t page_size;
    struct mon_region *r;
    size_t n;
    size_t cap;
    struct region_sample *samples; /* samples[i] belongs to r[i] while prepared */
    size_t samples_cap;
    bool prepared;
    uint64_t rng;
    uint32_t samples_per_aggr;   /* checks per aggregation as run, at least 1 */
    uint32_t acc_max;            /* counts' scale: configured aggr_us / sample_us */
    uint32_t samples_per_update; /* update_us / sample_us, at least 1 */
    uint32_t since_aggr;
    uint32_t since_update;
    size_t last_nr_regions;      /* after the previous split (DAMON: 3 pieces when stable) */
    uint64_t total_size;         /* bytes in the current ranges */
    uint64_t aggregations;       /* completed */
    uint64_t checks;             /* samples checked */
    uint64_t checks_unknown;     /* of which the sampler could not tell */
};

/* attrs as configured (1 <= min <= max); for a sampler that cannot sample faster than
 * min_sample_us the sample and aggregation intervals are stretched by the same factor, so
 * an aggregation still holds aggr_us/sample_us checks (counts keep their scale and
 * precision; ages count the longer aggregations); the update interval stays. seed the random choices of sample pages and split points. */
void region_monitor_init(struct region_monitor *m, const struct damon_attrs *attrs,
                         uint64_t min_sample_us, uint64_t page_size, uint64_t seed);
void region_monitor_free(struct region_monitor *m);

/* Fit the regions to ranges (sorted, disjoint): regions outside are dropped, those across
 * an edge are clipped, uncovered parts get fresh regions; with no regions yet every range
 * is cut into equal parts, min_nr_regions in all (by size, at least one per range). More
 * ranges than max_nr_regions: the closest neighbours are joined across their gap (a
 * sample there finds nothing mapped: idle). */
void region_monitor_set_ranges(struct region_monitor *m, const struct region_range *ranges,
                               size_t n);

/* One sample interval: check the pages prepared by the previous step and count accesses;
 * at the end of an aggregation interval scale the counts to a full aggregation in the
 * configured scale (checks the sampler could not tell about do not count), merge, age and
 * split (*aggregated = true: the
 * regions' last_acc and age describe the interval just ended until the next aggregation);
 * at the end of an update interval (and at the first step) ask the sampler for the ranges;
 * then pick one random page per region and prepare its check. Returns 0 or the sampler's
 * error (the step can be retried). */
int region_monitor_step(struct region_monitor *m, const struct region_sampler *s,
                        bool *aggregated);

/* Largest nr_accesses an aggregation can give (configured aggr_us / sample_us). */
uint32_t region_monitor_max_acc(const struct region_monitor *m);

/* The pieces, exposed for tests. */
void region_monitor_merge(struct region_monitor *m, uint32_t threshold, uint64_t sz_limit);
void region_monitor_split(struct region_monitor *m);
void region_monitor_age(struct region_monitor *m, uint32_t threshold);
uint64_t region_monitor_rand(struct region_monitor *m);

#endif
