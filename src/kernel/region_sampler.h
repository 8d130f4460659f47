/* SPDX-License-Identifier: MulanPSL-2.0 */
/* region_sampler.h - the samplers the user-space region monitor checks pages with: one
 * process's filtered VMAs as its ranges, and one page per region checked per sample:
 *   page_idle: the sampled page's PFN is marked idle in /sys/kernel/mm/page_idle/bitmap
 *              at prepare and its bit read at check (the head page for a THP);
 *   probe:     the sampled page is paged out with process_madvise(MADV_PAGEOUT) at
 *              prepare; back in memory at check means accessed (a refault). A page that
 *              is already out (swapped, never touched) is its own probe. A page that never
 *              left memory (no swap, shared, pinned) tells nothing: RA_UNKNOWN.
 * Neither walks the whole process per sample: the only per-process reads are the VMA
 * list, once per update interval. */
#ifndef ETMEM_KERNEL_REGION_SAMPLER_H
#define ETMEM_KERNEL_REGION_SAMPLER_H

#include <sys/types.h>

#include "region_monitor.h"

/* Shortest sample interval of the probe sampler: a probe page needs time to be touched,
 * also by a target that waits for a CPU on a loaded machine, and each hot probe costs the
 * target a refault. */
#define REGION_PROBE_MIN_SAMPLE_US 200000

struct region_source_ops {
    const struct region_sampler_ops *sampler;
    uint64_t min_sample_us;
    /* 0 or -errno (-ESRCH: no such process). */
    int (*open)(pid_t pid, const struct scan_opts *opts, void **ctx);
    void (*close)(void *ctx);
    /* Counters since the last call, added to st (syscalls, bytes, probes). */
    void (*stats)(void *ctx, struct scan_stats *st);
};

extern const struct region_source_ops region_source_page_idle;
extern const struct region_source_ops region_source_probe;

#endif
