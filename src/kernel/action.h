/* SPDX-License-Identifier: MulanPSL-2.0 */
/* action.h - page actions on a target process: reclaim (swap-out) and NUMA migration,
 * each behind an ops struct chosen by reclaim_select()/migrate_select() (probe.h).
 *
 * Reclaim backends: swap_pages (openEuler etmem_swap.ko: "0x<addr>\n" lines written with
 * write(2), whole lines only) and madvise (process_madvise(MADV_PAGEOUT) through a pidfd,
 * up to 1024 iovecs per call). Migrate backend: move_pages (move_pages(2) in batches;
 * nodes==NULL query mode too).
 *
 * Contract
 * - open() takes the identity (pid + start time) the action was decided for and copies
 *   limits; it fails with -ESRCH when the pid is gone or is another process now. Every
 *   call then acts on that process only: through its pidfd, through a /proc file checked
 *   to be its after opening, or by pid after checking before each batch that it still
 *   lives (proc_pin). close() releases the pidfd/fd and never fails.
 *   A handle is used by one thread at a time; handles are independent.
 * - Calls block: for the kernel work (MADV_PAGEOUT compresses/writes each page) and for
 *   the byte-rate limit (they sleep to keep bytes/s under limits->bytes_per_sec).
 * - Per-page failures are counted by reason in struct action_counters and are NOT errors:
 *   pages vanish, are busy or pinned all the time. Return values: 0 (done, maybe with
 *   per-page failures), -ESRCH (target exited: stop), other negative errno for failures
 *   that make further calls pointless (-EPERM, -ENODEV node offline, -ENOSYS...).
 * - Counters are added to, never reset, so one struct can sum a whole cycle. */
#ifndef ETMEM_KERNEL_ACTION_H
#define ETMEM_KERNEL_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel_caps;
struct proc_identity;

struct action_limits {
    uint64_t bytes_per_sec; /* 0: unlimited */
};

enum action_fail {
    ACT_FAIL_BUSY,        /* EBUSY/EAGAIN: page pinned, locked or under I/O */
    ACT_FAIL_NOT_PRESENT, /* ENOENT / ENOMEM(pageout): page or range no longer mapped */
    ACT_FAIL_NOMEM,       /* ENOMEM (migrate): no memory on the target node */
    ACT_FAIL_ACCESS,      /* EACCES/EPERM: shared page or not permitted */
    ACT_FAIL_FAULT,       /* EFAULT: address not accessible / zero page */
    ACT_FAIL_INVAL,       /* EINVAL: unsuitable range (VM_LOCKED, hugetlb, PFNMAP...) */
    ACT_FAIL_OTHER,
    ACT_FAIL_COUNT
};

struct action_counters {
    uint64_t pages_tried;
    uint64_t pages_done;  /* reclaim: advised/written; migrate: on the target node after */
    uint64_t pages_failed[ACT_FAIL_COUNT];
    uint64_t syscalls;
    uint64_t ns_throttled; /* time slept by the rate limit */
};

const char *action_fail_name(enum action_fail f);
enum action_fail action_fail_from_errno(int err, bool migrate);

struct page_range {
    uint64_t start; /* page aligned */
    uint64_t len;   /* bytes, page multiple */
};

/* Swap cache watermarks (project keys swapcache_low_wmark / swapcache_high_wmark), percent
 * of MemTotal: above high, the swap cache is brought back to low. */
struct swapcache_wmark {
    unsigned low_pct;
    unsigned high_pct;
};

struct swapcache_result {
    bool triggered;              /* SwapCached was above the high watermark */
    bool by_kernel;              /* the kernel was asked to reclaim it (openEuler) */
    uint64_t swapcached_kb;      /* /proc/meminfo SwapCached before */
    uint64_t swapcached_after_kb;/* ... after (openEuler: its kernel thread may need longer) */
    uint64_t low_kb, high_kb;    /* the watermarks in kB of MemTotal */
    uint64_t pages_found;        /* upstream: this process's resident pages in the swap cache */
    uint64_t pages_reclaimed;    /* upstream: of which paged out */
    uint64_t syscalls;
};

struct heat_map;
struct reclaimer;

struct reclaim_ops {
    const char *name;
    const char *summary;
    bool (*usable)(const struct kernel_caps *caps, char *why, size_t why_len);
    struct reclaimer *(*open)(const struct proc_identity *id, const struct action_limits *lim,
                              int *err);
    /* Reclaim the ranges (any order; sorted ones batch better). */
    int (*reclaim)(struct reclaimer *r, const struct page_range *ranges, size_t n,
                   struct action_counters *c);
    /* Keep the system's swap cache (/proc/meminfo SwapCached) under the watermarks, with
     * what this process can do: nothing while it is not above high; above it, swap_pages
     * hands the watermarks to etmem_swap.ko (SET_SWAPCACHE_WMARK once per process, then
     * RECLAIM_SWAPCACHE_ON: its kernel thread reclaims down to low), madvise pages out
     * this process's resident pages that are in the swap cache, coldest first by hm (NULL:
     * address order), until SwapCached should be at low. Blocks (pagemap, kpageflags,
     * MADV_PAGEOUT). 0, -ESRCH, or -errno (-EPERM: no access to PFNs / kpageflags). */
    int (*reclaim_swapcache)(struct reclaimer *r, const struct swapcache_wmark *wm,
                             const struct heat_map *hm, struct swapcache_result *res);
    void (*close)(struct reclaimer *r);
};

struct migrator;

struct migrate_ops {
    const char *name;
    const char *summary;
    bool (*usable)(const struct kernel_caps *caps, char *why, size_t why_len);
    struct migrator *(*open)(const struct proc_identity *id, const struct action_limits *lim,
                             int *err);
    /* Move base pages (addresses) to node. */
    int (*move)(struct migrator *m, const uint64_t *pages, size_t n, int node,
                struct action_counters *c);
    /* Where are they now: nodes_out[i] = node, or -errno (e.g. -ENOENT not present). */
    int (*query)(struct migrator *m, const uint64_t *pages, size_t n, int *nodes_out,
                 struct action_counters *c);
    void (*close)(struct migrator *m);
};

extern const struct reclaim_ops reclaim_swap_pages_ops;
extern const struct reclaim_ops reclaim_madvise_ops;
/* A reclaimer of reclaim_madvise_ops giving ranges another advice process_madvise takes
 * (MADV_COLD, MADV_WILLNEED, MADV_PAGEOUT), in the same batches and under the same limit. */
int reclaim_madvise_advise(struct reclaimer *r, const struct page_range *ranges, size_t n,
                           int advice, struct action_counters *c);
extern const struct migrate_ops migrate_move_pages_ops;

extern const struct reclaim_ops *const reclaim_registry[]; /* auto order, NULL-ended */
extern const struct migrate_ops *const migrate_registry[];

/* Choices for a config key naming a reclaim backend: "auto", then reclaim_registry's names,
 * NULL-ended; filled before main() runs. */
extern const char *reclaim_choices[];

#endif
