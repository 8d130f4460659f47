/* SPDX-License-Identifier: MulanPSL-2.0 */
/* etmemd_scan_exp.h - the public scan API of libetmemd_scan.so (same names, structs and
 * constants as the original openEuler etmem).
 *
 * Contract
 * - etmemd_scan_init() once before etmemd_get_page_refs(); etmemd_scan_exit() closes every
 *   per-process tracker the library opened. Both return/act on process-global state.
 * - etmemd_get_vmas() returns a malloc'ed list freed with etmemd_free_vmas(); page lists
 *   are freed with etmemd_free_page_refs(). The caller owns both.
 * - etmemd_get_page_refs() runs one scan pass with the best tracker this kernel offers
 *   (openEuler idle_pages, page_idle, DAMON vaddr, or the fallback) and merges the result
 *   into *page_refs (count += weight per page, list kept sorted), so repeated calls for
 *   the same pid accumulate. Trackers that need an observation window (all but
 *   idle_pages) report every resident page with weight 0 on the first call for a pid and,
 *   on each later call, the accesses since the previous call.
 * - Calls are serialised by an internal lock; they block for the scan's duration.
 * - Errors return -1 (or NULL); the reason goes to syslog. */
#ifndef ETMEMD_SCAN_EXP_H
#define ETMEMD_SCAN_EXP_H

#include <stdbool.h>
#include <stdint.h>

#include "etmemd_exp.h"

#define VMA_PATH_STR_LEN 256
#define VMA_MAJOR_MINOR_LEN 8

/* flags of etmemd_get_page_refs() (the openEuler idle_pages ioctl flags) */
#define SCAN_AS_HUGE 0100000000  /* treat normal VM pages as huge pages (VM guests) */
#define SCAN_IGN_HOST 0200000000 /* ignore host accesses when scanning a VM */
#define VMA_SCAN_FLAG 0x1000     /* only VMAs the app marked with MADV_SWAPFLAG */
#define ALL_SCAN_FLAGS (SCAN_AS_HUGE | SCAN_IGN_HOST | VMA_SCAN_FLAG)

enum {
    VMA_STAT_READ = 0,
    VMA_STAT_WRITE,
    VMA_STAT_EXEC,
    VMA_STAT_MAY_SHARE,
    VMA_STAT_INIT,
};

struct vma {
    uint64_t start;
    uint64_t end;
    bool stat[VMA_STAT_INIT];
    uint64_t offset;
    uint64_t inode;
    char path[VMA_PATH_STR_LEN];
    char major[VMA_MAJOR_MINOR_LEN];
    char minor[VMA_MAJOR_MINOR_LEN];
    struct vma *next;
};

struct vmas {
    uint64_t vma_cnt;
    struct vma *vma_list;
};

/* 0, or -1 if already initialised or the page size cannot be read. */
int etmemd_scan_init(void);
void etmemd_scan_exit(void);

/* VMAs of pid (decimal string). vmflags_array: vmflags_num flags of exactly 2 chars each
 * (no spaces) that must all be set (smaps VmFlags); is_anon_only applies the anonymous
 * rule. NULL on error. Does not need etmemd_scan_init(). */
struct vmas *etmemd_get_vmas(const char *pid, char **vmflags_array, int vmflags_num,
                             bool is_anon_only);
void etmemd_free_vmas(struct vmas *vmas);

/* One scan pass over vmas of pid, merged into *page_refs. flags: ALL_SCAN_FLAGS bits.
 * 0 or -1. */
int etmemd_get_page_refs(const struct vmas *vmas, const char *pid, struct page_refs **page_refs,
                         int flags);
void etmemd_free_page_refs(struct page_refs *page_refs);

#endif
