/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pagemap.h - batched reads of /proc/<pid>/pagemap (one 64-bit entry per virtual page).
 * One handle per target, used by one thread; reads block on the kernel's page-table walk
 * (~10-100 ns per page). */
#ifndef ETMEM_KERNEL_PAGEMAP_H
#define ETMEM_KERNEL_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sys_compat.h"

#define PAGEMAP_BATCH 16384 /* entries per pread: 128 KiB, 64 MiB of address space */

struct pagemap {
    int fd;
    int scan_ok;         /* PAGEMAP_SCAN works: 1 yes, 0 no, -1 not tried yet */
    struct etmem_page_region *regions;
    long page_size;
    unsigned page_shift;
    uint64_t *buf;       /* PAGEMAP_BATCH entries */
    uint64_t bytes_read;
    uint64_t syscalls;
};

/* -ESRCH if the process is gone. */
int pagemap_open(struct pagemap *pm, pid_t pid);
void pagemap_close(struct pagemap *pm);

/* Read n entries starting at virtual address addr into out (n <= any). Returns the number
 * of entries read (short at the end of the address space) or a negative errno. */
ssize_t pagemap_read(struct pagemap *pm, uint64_t addr, size_t n, uint64_t *out);

/* Walk [start, end) in PAGEMAP_BATCH pieces: fn gets the address of entry 0 and n
 * entries. A non-zero return of fn stops the walk and is returned. */
typedef int (*pagemap_fn)(void *arg, uint64_t addr, const uint64_t *e, size_t n);
int pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_fn fn, void *arg);

/* Only the populated (resident or swapped) parts of [start, end): fn gets each maximal
 * range. With PAGEMAP_SCAN (6.7+) empty page tables are skipped by the kernel, so sparse
 * reservations of terabytes (sanitizer shadows, runtimes' arenas) cost nothing; without
 * it the range is read entry by entry (flags: HEAT-like 1 present, 2 swapped). */
#define PAGEMAP_RANGE_PRESENT 1u
#define PAGEMAP_RANGE_SWAPPED 2u
typedef int (*pagemap_range_fn)(void *arg, uint64_t start, uint64_t end, unsigned flags);
int pagemap_populated(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_range_fn fn,
                      void *arg);
/* pagemap_walk over the populated ranges only (fn sees entries of populated ranges). */
int pagemap_walk_populated(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_fn fn,
                           void *arg);

/* One entry (8-byte pread). */
int pagemap_entry(struct pagemap *pm, uint64_t addr, uint64_t *entry);

#endif
