/* SPDX-License-Identifier: MulanPSL-2.0 */
/* memsig.h - the memory signals a feedback guard steers by: pressure stall information
 * (/proc/pressure/memory, a cgroup v2 memory.pressure), /proc/vmstat swap counters,
 * /proc/swaps, zram's mm_stat, and a process's cgroup v2 memory files (memory.stat,
 * memory.min/low/current, memory.reclaim).
 *
 * Contract: as proc.h. Paths go through procfs_root()/sysfs_root(), so fixture trees stand
 * in for the kernel in tests; the cgroup v2 mount is found in <procfs root>/mounts.
 * Readers return 0 or a negative errno (-ENOENT: the kernel does not provide the file);
 * the parse_* functions are pure. Nothing here sleeps or allocates beyond what it says. */
#ifndef ETMEM_KERNEL_MEMSIG_H
#define ETMEM_KERNEL_MEMSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One line of a pressure file: "some avg10=0.12 avg60=0.05 avg300=0.01 total=12345". */
struct psi_line {
    double avg10, avg60, avg300; /* percent of wall time */
    uint64_t total_us;           /* stalled time since boot (or since the cgroup began) */
};
struct psi_memory {
    struct psi_line some;
    struct psi_line full;
    bool has_full; /* the system-wide file of old kernels had no "full" line for cpu only;
                      memory always has it, but a cgroup file may be cut short */
};
/* -EINVAL unless a well-formed "some" line is there. */
int psi_parse(const char *text, struct psi_memory *out);
int psi_read_system(struct psi_memory *out);           /* <proc>/pressure/memory */
int psi_read_cgroup(const char *cgdir, struct psi_memory *out); /* <cgdir>/memory.pressure */

/* /proc/vmstat counters (pages or events since boot); 0 when absent. */
struct vmstat_swap {
    uint64_t pswpin;
    uint64_t pswpout;
    uint64_t pgmajfault;
    uint64_t workingset_refault_anon;
};
int vmstat_parse(const char *text, struct vmstat_swap *out);
int vmstat_read(struct vmstat_swap *out);

/* /proc/swaps, sizes in kB. A device whose name is /dev/zramN has zram = N, else -1. */
struct swap_area {
    char name[128];
    bool partition;
    uint64_t size_kb, used_kb;
    int priority;
    int zram;
};
/* Fills up to max areas; *n is how many there are (can be > max). -EINVAL on a bad line. */
int swaps_parse(const char *text, struct swap_area *areas, size_t max, size_t *n);
int swaps_read(struct swap_area *areas, size_t max, size_t *n);

/* /sys/block/zramN/mm_stat: the first five fields are bytes (mem_limit 0: none), then pages. */
struct zram_mm_stat {
    uint64_t orig_data_size;  /* what was stored, uncompressed */
    uint64_t compr_data_size; /* what it compressed to */
    uint64_t mem_used_total;  /* what the allocator really holds (overhead, fragmentation) */
    uint64_t mem_limit;
    uint64_t mem_used_max;
    uint64_t same_pages;
    uint64_t pages_compacted;
    uint64_t huge_pages;      /* stored uncompressed: they did not compress */
};
int zram_parse_mm_stat(const char *text, struct zram_mm_stat *out);
int zram_read_mm_stat(int dev, struct zram_mm_stat *out);
/* The device's comp_algorithm line names the one in use in brackets: "lzo [lz4] zstd". */
int zram_read_algorithm(int dev, char *buf, size_t len);

/* cgroup v2 memory.stat in bytes (events for the refault/swap counters); 0 when absent.
 * pswpin/pswpout are there from Linux 6.x on; has_pswp says whether they were. */
struct memcg_stat {
    uint64_t anon;
    uint64_t file;
    uint64_t swapcached;
    uint64_t workingset_refault_anon;
    uint64_t workingset_refault_file;
    uint64_t pgmajfault;
    uint64_t pswpin;
    uint64_t pswpout;
    bool has_pswp;
};
int memcg_parse_stat(const char *text, struct memcg_stat *out);

/* The mount point of the cgroup v2 hierarchy (first "cgroup2" line of <proc>/mounts). */
int cgroup2_mount(char *buf, size_t len);
/* The mount point of the cgroup v1 memory controller's hierarchy. */
int cgroup1_memory_mount(char *buf, size_t len);
/* The cgroup v2 directory of a process ("0::/path" of /proc/PID/cgroup under the v2
 * mount). -ENOENT when there is no v2 hierarchy, -ESRCH when the process is gone. */
int cgroup2_dir_of(pid_t pid, char *buf, size_t len);
/* Read a cgroup v2 memory value file ("max" reads as UINT64_MAX). */
int cgroup_read_value(const char *cgdir, const char *file, uint64_t *out);
/* true when the cgroup has the memory controller (memory.current exists). */
bool cgroup_has_memory(const char *cgdir);
/* The memory floor the kernel protects: max(memory.min, memory.low), 0 when neither. */
int cgroup_memory_floor(const char *cgdir, uint64_t *floor_bytes);
int cgroup_read_memstat(const char *cgdir, struct memcg_stat *out);
/* Ask the kernel to reclaim bytes from the cgroup (memory.reclaim, Linux 5.19+).
 * -ENOENT when the kernel lacks memory.reclaim; -EAGAIN when it reclaimed less than asked
 * (the kernel's own answer for a cgroup with little left to give). */
int cgroup_reclaim(const char *cgdir, uint64_t bytes);

#endif
