/* SPDX-License-Identifier: MulanPSL-2.0 */
/* probe.h - what the running kernel offers etmem: a strictly read-only detection pass, a
 * human table and JSON of the result, and the selectors that pick a tracker or action
 * backend from it.
 *
 * Contract
 * - kernel_probe() only reads files and makes syscalls whose only effect is on the calling
 *   process's own memory (a one-page MADV_PAGEOUT of a private page, naming a private
 *   mapping). It never creates, writes or starts anything under /sys or /proc of others;
 *   in particular it never writes under /sys/kernel/mm/damon.
 * - struct kernel_caps is plain data owned by the caller (stack or heap); nothing inside
 *   needs freeing. kernel_probe() may block on procfs/sysfs reads (milliseconds; it reads
 *   /proc/kallsyms only when DAMON exists but no context shows its operations).
 * - All functions are thread-safe (no shared state besides procfs_root()/sysfs_root()).
 * - The selectors return static ops tables (never freed) or NULL with the reason in why. */
#ifndef ETMEM_KERNEL_PROBE_H
#define ETMEM_KERNEL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KERNEL_MAX_NODES 64
#define KERNEL_MAX_SWAPS 16
#define KERNEL_DETAIL_LEN 160

/* Features that decide which backend can run; each has a yes/no and a one-line detail
 * (what was found, or what is missing and why). */
enum kernel_feature {
    KF_IDLE_PAGES,       /* openEuler /proc/<pid>/idle_pages (etmem_scan.ko) */
    KF_SWAP_PAGES,       /* openEuler /proc/<pid>/swap_pages (etmem_swap.ko) */
    KF_PAGE_IDLE,        /* /sys/kernel/mm/page_idle/bitmap (CONFIG_IDLE_PAGE_TRACKING) */
    KF_PAGEMAP_PFN,      /* /proc/<pid>/pagemap shows PFNs (needs CAP_SYS_ADMIN) */
    KF_DAMON_SYSFS,      /* /sys/kernel/mm/damon/admin (CONFIG_DAMON_SYSFS) */
    KF_DAMON_VADDR,      /* DAMON "vaddr" operations (CONFIG_DAMON_VADDR) */
    KF_PROCESS_MADVISE,  /* process_madvise(2) + pidfd_open(2) */
    KF_MADV_PAGEOUT,     /* MADV_PAGEOUT accepted by process_madvise */
    KF_MOVE_PAGES,       /* move_pages(2) (CONFIG_NUMA + CONFIG_MIGRATION) */
    KF_PAGEMAP_SCAN,     /* PAGEMAP_SCAN ioctl on pagemap (6.7+) */
    KF_CLEAR_REFS,       /* /proc/<pid>/clear_refs + smaps Referenced (fallback tracker) */
    KF_ANON_VMA_NAME,    /* [anon:name] in maps (CONFIG_ANON_VMA_NAME) */
    KF_SWAP_ENABLE_KNOB, /* openEuler /sys/kernel/mm/swap/kernel_swap_enable */
    KF_COUNT
};

struct kernel_feature_state {
    bool ok;
    char detail[KERNEL_DETAIL_LEN];
};

struct numa_node_info {
    int id;
    bool has_cpu;
    uint64_t mem_total_kb;
    uint64_t mem_free_kb;
    uint64_t huge2m_total; /* 2 MiB hugetlb pages, count */
    uint64_t huge2m_free;
};

/* Node id as sysfs shows it now: CPUs, meminfo, and its 2 MiB hugetlb pool (0 where the
 * node has none). 0, or -errno when its meminfo cannot be read (the node went offline). */
int numa_node_read(int id, struct numa_node_info *n);

struct swap_dev_info {
    char path[128];
    char type[16];
    uint64_t size_kb;
    uint64_t used_kb;
    int prio;
};

struct kernel_caps {
    char release[65];   /* uname -r */
    long page_size;
    struct kernel_feature_state feat[KF_COUNT];
    int damon_nr_kdamonds;  /* existing kdamonds (any owner), -1 without DAMON sysfs */
    int nr_nodes;
    struct numa_node_info nodes[KERNEL_MAX_NODES];
    int nr_swaps;
    struct swap_dev_info swaps[KERNEL_MAX_SWAPS];
    uint64_t swap_total_kb;
    uint64_t swap_free_kb;
    char thp_enabled[16];   /* the bracketed word of transparent_hugepage/enabled, or "" */
    int kernel_swap_enable; /* -1 absent, else 0/1 */
};

/* Fill caps from procfs_root()/sysfs_root(). Returns 0; individual failures are recorded
 * per feature (ok=false + detail), never fatal. */
int kernel_probe(struct kernel_caps *caps);

static inline bool kernel_has(const struct kernel_caps *caps, enum kernel_feature f)
{
    return caps->feat[f].ok;
}

const char *kernel_feature_name(enum kernel_feature f);

/* Backends' usable(): true if every listed feature is there, else false with the first
 * missing one's detail in why. n features follow. */
bool kernel_require(const struct kernel_caps *caps, char *why, size_t why_len, int n, ...);

/* Human table for `etmemd --probe`: features, backends (usable or why not), nodes, swap. */
void kernel_caps_print(const struct kernel_caps *caps, FILE *out);
/* One JSON object (no trailing newline). */
void kernel_caps_json(const struct kernel_caps *caps, FILE *out);

struct tracker_ops;
struct reclaim_ops;
struct migrate_ops;

/* Pick a tracker. name NULL or "auto": the best available in the order
 * idle_pages > page_idle > damon > fallback, the fallback only when allow_fallback (then a
 * warning naming its cost is logged). A named backend that is unavailable (or "fallback"
 * with allow_fallback false) returns NULL and why says what the kernel lacks, e.g.
 * "tracker 'page_idle' unavailable: /sys/kernel/mm/page_idle/bitmap missing (kernel built
 * without CONFIG_IDLE_PAGE_TRACKING)". Unknown names list the known ones. */
const struct tracker_ops *tracker_select(const struct kernel_caps *caps, const char *name,
                                         bool allow_fallback, char *why, size_t why_len);
/* Reclaim: auto order swap_pages > madvise. */
const struct reclaim_ops *reclaim_select(const struct kernel_caps *caps, const char *name,
                                         char *why, size_t why_len);
/* Migrate: move_pages only. */
const struct migrate_ops *migrate_select(const struct kernel_caps *caps, const char *name,
                                         char *why, size_t why_len);

#endif
