/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tracker.h - access trackers: each observes which pages of one process were accessed
 * during an observation window and adds weights to a heat map. Engines see only this
 * interface; tracker_select() (probe.h) picks the backend for the running kernel.
 *
 * Backends: idle_pages (openEuler etmem_scan.ko), page_idle (upstream idle page
 * tracking), damon (DAMON vaddr via sysfs, a kdamond the daemon creates and owns),
 * fallback (clear_refs + smaps Referenced per VMA, plus sampled MADV_PAGEOUT probes).
 *
 * Life cycle (one engine thread per handle; handles of different pids are independent):
 *   t = ops->open(pid, &opts, &err);     may block (procfs, sysfs set-up); NULL + err
 *   ops->prime(t);                        start the first window
 *   loop times: sleep(interval); ops->sample(t, hm, &stats);  add the window's weights and
 *                                        start the next window
 *   ops->close(t);                        releases everything, never fails
 * A handle is not thread-safe. open() copies what it needs from opts. sample() re-reads
 * the target's VMAs each time (targets remap), so it blocks for the scan's duration.
 * Return values are 0 or a negative errno: -ESRCH means the target exited (a normal
 * outcome), -EBUSY a resource owned by someone else (DAMON), -ECANCELED a sample that
 * opts.stop ended, others are real failures.
 * Two trackers on the same pid interfere (both clear accessed bits); the engine layer
 * must not do that. */
#ifndef ETMEM_KERNEL_TRACKER_H
#define ETMEM_KERNEL_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct heat_map;
struct kernel_caps;
struct mon_region;
struct stopper;

struct damon_attrs {
    uint64_t sample_us;      /* default 5000 */
    uint64_t aggr_us;        /* default 100000 */
    uint64_t update_us;      /* default 1000000 */
    uint64_t min_nr_regions; /* default 10 */
    uint64_t max_nr_regions; /* default 1000 */
};

struct fallback_limits {
    unsigned max_probes;     /* pageout probes per window, hard cap (default 1000) */
    unsigned min_region_kb;  /* regions are never split below this (default 64) */
    unsigned hot_skip;       /* windows a region found accessed is not probed (default 3) */
    bool observe_only;       /* no probes, so nothing leaves memory (dry runs): only VMAs
                                left untouched for a whole window are found idle */
};

/* A DAMOS scheme the kernel applies itself to one target's regions (the damon engine where
 * the kernel has DAMON vaddr). Strings must be static (they are kept, not copied). */
struct damos_spec {
    uint64_t min_size, max_size;  /* bytes */
    uint64_t min_acc, max_acc;    /* nr_accesses of one aggregation */
    uint64_t min_age, max_age;    /* aggregation intervals */
    const char *action;           /* DAMOS's name: pageout, cold, willneed, hugepage, ... */
    int target_nid;               /* migrate_hot, migrate_cold: the node; else -1 */
    uint64_t quota_ms, quota_bytes, quota_reset_ms;   /* quota_ms, quota_bytes 0: none */
    const char *wmarks_metric;    /* "none" (always active) or "free_mem_rate" */
    uint64_t wmarks_interval_us, wmarks_high, wmarks_mid, wmarks_low; /* permil */
};

/* What a kernel scheme did (DAMOS's stats): regions and bytes that qualified (tried), that
 * the action was applied to, and how often the quota was used up. */
struct damos_stats {
    uint64_t nr_tried, sz_tried, nr_applied, sz_applied, qt_exceeds;
};

struct scan_opts {
    bool anon_only;          /* the original's is_anonymous rule (vma.h) */
    const char *vm_flags;    /* space-separated 2-char VmFlags that must all be set; NULL */
    bool swap_flag_only;     /* only VMAs the app marked (openEuler VMA_SCAN_FLAG; upstream:
                                [anon:<swap_flag_name>]) */
    const char *swap_flag_name; /* default "etmem_swap" */
    bool ign_host;           /* openEuler SCAN_IGN_HOST (VM guests); ignored elsewhere */
    bool scan_as_huge;       /* openEuler SCAN_AS_HUGE; ignored elsewhere */
    struct damon_attrs damon;
    struct fallback_limits fallback;
    const struct damos_spec *scheme; /* damon: the kernel applies it to the target (its
                                regions are then not read); NULL: a "stat" scheme that
                                matches every region, read by sample and regions. Copied. */
    double probe_budget_pct; /* what sensing may cost the target, for trackers whose probes
                                make it fault (fallback): probe pages back per minute, %
                                of its resident pages; 0: the tracker's default. Engines
                                set it from the guard's refault target; others ignore it */
    struct stopper *stop;    /* the engine's: a sample waiting for the kernel (DAMON's next
                                aggregation) ends early with -ECANCELED when it is raised;
                                NULL: nothing stops it. Must outlive the handle. */
};

/* Fill opts with the defaults above (anon_only true as slide does). */
void scan_opts_default(struct scan_opts *opts);

/* DAMON's attributes for an engine whose samples are window_s seconds apart: one access
 * check per region spanning the whole window, aggregated once per window, so a region is
 * accessed if its sampled page was touched at any time in the window (page_idle's meaning,
 * on one page per region). With DAMON's own 5 ms checks a page is caught only if touched
 * within one of them: a hot set swept every second looked idle most of the time. */
void scan_opts_damon_window(struct scan_opts *opts, unsigned window_s);

/* Counters of one sample (added to, never reset by the tracker). */
struct scan_stats {
    uint64_t vmas;            /* VMAs scanned */
    uint64_t pages;           /* base pages reported to the heat map */
    uint64_t pages_accessed;
    uint64_t pages_dirty;
    uint64_t pages_absent;    /* not resident (hole or swapped): not reported */
    uint64_t bytes_read;      /* from the kernel interface */
    uint64_t syscalls;
    uint64_t probes;          /* fallback: pageout probes issued */
    uint64_t probes_refaulted;    /* probe pages back at the window's end */
    uint64_t probes_late;         /* probe pages out at a window's end, back one later */
    uint64_t probes_inconclusive; /* probe page never left memory (no swap, pinned, busy) */
    uint64_t swapins_seen;    /* fallback: swapped-out pages back in regions (not probes) */
    /* set by the last sample, not added: the probe budget in force (0: the tracker does
     * not probe) and the probes it allows the next window */
    double probe_budget_pct;
    uint64_t probes_next;
    uint64_t records_skipped; /* idle_pages: misaligned records; damon: regions outside VMAs */
};

struct tracker;

struct tracker_ops {
    const char *name;
    const char *summary;     /* one line for --probe: what it sees and costs */
    bool per_page;           /* true: per-page resolution; false: per region */
    bool sees_writes;        /* reports dirty (weight 3) separately from reads */
    bool has_history;        /* the kernel keeps accessed bits from before open(), so a
                                sample without prime reports them (idle_pages) */
    bool sees_hugetlb;       /* reports hugetlb pages truly (page_idle cannot: they are not
                                on the LRU lists its bitmap covers, so all look accessed) */
    bool pages_out;          /* its probes page memory out: unfit for engines that must
                                leave memory in place (cslide migrates between nodes) */
    bool shared_handles;     /* every handle is part of one kernel object (DAMON's single
                                kdamond): engines that follow many processes scan them one
                                after the other and close each handle after its scan */
    bool swap_flag_marks;    /* swap_flag_only follows madvise(MADV_SWAPFLAG) marks
                                (openEuler); the others follow [anon:<swap_flag_name>] */
    /* Can this kernel run it? false + why naming what the kernel lacks. */
    bool (*usable)(const struct kernel_caps *caps, char *why, size_t why_len);
    struct tracker *(*open)(pid_t pid, const struct scan_opts *opts, int *err);
    int (*prime)(struct tracker *t);
    int (*sample)(struct tracker *t, struct heat_map *hm, struct scan_stats *st);
    void (*close)(struct tracker *t);
    /* Region sources only (NULL for the others): one sample interval of the process's
     * regions, without a heat map. *aggregated says an aggregation completed; then
     * *regions and *n describe it (region_monitor.h; valid until the next call). Call it
     * about opts.damon.sample_us apart; a call sooner than the source can sample is a
     * no-op. */
    int (*regions)(struct tracker *t, bool *aggregated, const struct mon_region **regions,
                   size_t *n, struct scan_stats *st);
    /* Sources that hand schemes to the kernel (damon; NULL for the others): what the
     * target's opts.scheme did since the last call, as the kernel counts it (the first
     * call after open, or after another target joined or left, only sets the baseline).
     * Blocks until the kdamond refreshed its counters (at most an aggregation or two). */
    int (*scheme_stats)(struct tracker *t, struct damos_stats *since_last);
};

extern const struct tracker_ops tracker_idle_pages_ops;
extern const struct tracker_ops tracker_page_idle_ops;
extern const struct tracker_ops tracker_damon_ops;
extern const struct tracker_ops tracker_fallback_ops;

/* All trackers in auto-selection order (idle_pages, page_idle, damon, fallback), NULL-ended. */
extern const struct tracker_ops *const tracker_registry[];

/* Choices for a config key naming a tracker: "auto", then the registered trackers in auto
 * order, NULL-ended; filled from tracker_registry before main() runs, so engines' key
 * tables follow the registry. tracker_choices_in_place leaves out those with pages_out. */
extern const char *tracker_choices[];
extern const char *tracker_choices_in_place[];

#endif
