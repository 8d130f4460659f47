/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tracker_region.c - the user-space region monitor (region_monitor.c) behind the tracker
 * interface, over page_idle (region_page_idle) or over pageout probes (region_probe): the
 * region sources for kernels without DAMON vaddr. Each sample() is one sample interval of
 * the monitor; the engines make it their window (scan_opts_damon_window: one check per
 * region per window, aggregated once per window). A region whose last aggregation found
 * no access is idle; a region nothing is known about yet is not (never guess cold).
 * region_tracker_monitor() gives a region consumer the regions themselves. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "heatmap.h"
#include "pagemap.h"
#include "pagemap_weigh.h"
#include "probe.h"
#include "region_sampler.h"
#include "region_tracker.h"
#include "xalloc.h"

struct tracker {
    const struct region_source_ops *src;
    void *ctx;
    struct region_monitor mon;
    struct timespec last_step;
    struct pagemap pm; /* to weigh regions page by page into a heat map */
};

static void region_close(struct tracker *t)
{
    if (!t)
        return;
    if (t->ctx)
        t->src->close(t->ctx);
    pagemap_close(&t->pm);
    region_monitor_free(&t->mon);
    free(t);
}

static struct tracker *region_open(const struct region_source_ops *src, pid_t pid,
                                   const struct scan_opts *opts, int *err)
{
    struct tracker *t = xcalloc(1, sizeof(*t));
    t->src = src;
    t->pm.fd = -1;
    region_monitor_init(&t->mon, &opts->damon, src->min_sample_us,
                        (uint64_t)sysconf(_SC_PAGESIZE),
                        (uint64_t)pid * 0x9e3779b97f4a7c15ull ^ (uint64_t)time(NULL));
    if ((*err = src->open(pid, opts, &t->ctx)) != 0 || (*err = pagemap_open(&t->pm, pid)) != 0) {
        region_close(t);
        return NULL;
    }
    return t;
}

static int region_step(struct tracker *t, bool *aggregated, struct scan_stats *st)
{
    struct region_sampler s = { t->src->sampler, t->ctx };
    int rc = region_monitor_step(&t->mon, &s, aggregated);
    clock_gettime(CLOCK_MONOTONIC, &t->last_step);
    t->src->stats(t->ctx, st);
    return rc;
}

static int region_prime(struct tracker *t)
{
    struct scan_stats st = { 0 };
    bool aggregated;
    return region_step(t, &aggregated, &st);
}

static int region_sample(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    bool aggregated;
    int rc = region_step(t, &aggregated, st);
    if (rc)
        return rc;
    for (size_t i = 0; i < t->mon.n && rc == 0; i++) {
        const struct mon_region *r = &t->mon.r[i];
        rc = pagemap_weigh_range(&t->pm, hm, st, r->start, r->end,
                                 region_is_idle(r) ? HEAT_W_IDLE : HEAT_W_ACCESS, NULL);
    }
    st->vmas += t->mon.n;
    st->bytes_read += t->pm.bytes_read;
    st->syscalls += t->pm.syscalls;
    t->pm.bytes_read = t->pm.syscalls = 0;
    return rc;
}

static int region_regions(struct tracker *t, bool *aggregated, const struct mon_region **r,
                          size_t *n, struct scan_stats *st)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t since_us = (now.tv_sec - t->last_step.tv_sec) * 1000000LL +
                       (now.tv_nsec - t->last_step.tv_nsec) / 1000;
    int rc = 0;
    *aggregated = false;
    /* 90 %: the caller's sleeps are as long as the interval, plus its own work */
    if (since_us < 0 || (uint64_t)since_us * 10 >= t->mon.a.sample_us * 9)
        rc = region_step(t, aggregated, st);
    *r = t->mon.r;
    *n = t->mon.n;
    return rc;
}

const struct region_monitor *region_tracker_monitor(const struct tracker_ops *ops,
                                                    const struct tracker *t)
{
    return ops->sample == region_sample ? &t->mon : NULL;
}

static bool region_page_idle_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    return kernel_require(caps, why, len, 2, KF_PAGE_IDLE, KF_PAGEMAP_PFN);
}

static struct tracker *region_page_idle_open(pid_t pid, const struct scan_opts *opts, int *err)
{
    return region_open(&region_source_page_idle, pid, opts, err);
}

static bool region_probe_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    return kernel_require(caps, why, len, 2, KF_PROCESS_MADVISE, KF_MADV_PAGEOUT);
}

static struct tracker *region_probe_open(pid_t pid, const struct scan_opts *opts, int *err)
{
    return region_open(&region_source_probe, pid, opts, err);
}

const struct tracker_ops tracker_region_page_idle_ops = {
    .name = "region_page_idle",
    .summary = "DAMON's algorithm in user space over page_idle: one page per region per "
               "sample (its idle bit only), cost bounded by max_nr_regions",
    .per_page = false,
    .sees_writes = false,
    .sees_hugetlb = false,
    .pages_out = false,
    .usable = region_page_idle_usable,
    .open = region_page_idle_open,
    .prime = region_prime,
    .sample = region_sample,
    .close = region_close,
    .regions = region_regions,
};

const struct tracker_ops tracker_region_probe_ops = {
    .name = "region_probe",
    .summary = "DAMON's algorithm in user space over MADV_PAGEOUT probes of one page per "
               "region per sample (a hot probe costs the target a refault; needs swap)",
    .per_page = false,
    .sees_writes = false,
    .sees_hugetlb = false,
    .pages_out = true,
    .usable = region_probe_usable,
    .open = region_probe_open,
    .prime = region_prime,
    .sample = region_sample,
    .close = region_close,
    .regions = region_regions,
};
