/* SPDX-License-Identifier: MulanPSL-2.0 */
/* swapcache.h - keeping the system's swap cache under the project's watermarks
 * (swapcache_high_wmark / swapcache_low_wmark, percent of MemTotal), for the reclaim
 * backends' reclaim_swapcache (action.h). Internal to the kernel layer.
 *
 * openEuler: etmem_swap.ko takes the watermarks and reclaims the swap cache itself, through
 * ioctls on /proc/<pid>/swap_pages (magic 0x77): SET_SWAPCACHE_WMARK with a pointer to
 * (low & 0xff) | ((high << 8) & 0xff00), then RECLAIM_SWAPCACHE_ON.
 * Upstream: a process's resident pages that are also in the swap cache (pagemap PFN ->
 * /proc/kpageflags KPF_SWAPCACHE) are already in swap; paging them out again
 * (MADV_PAGEOUT) frees their RAM, without I/O when they are clean. swapcache_plan() picks
 * them coldest first by the heat map until the excess over the low watermark is covered. */
#ifndef ETMEM_KERNEL_SWAPCACHE_H
#define ETMEM_KERNEL_SWAPCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "action.h"

#define RECLAIM_SWAPCACHE_MAGIC 0x77
#define RECLAIM_SWAPCACHE_ON _IOW(RECLAIM_SWAPCACHE_MAGIC, 0x1, unsigned int)
#define SET_SWAPCACHE_WMARK _IOW(RECLAIM_SWAPCACHE_MAGIC, 0x2, unsigned int)

struct heat_map;

/* The SET_SWAPCACHE_WMARK argument (the value its pointer points at). */
unsigned int swapcache_wmark_arg(unsigned low_pct, unsigned high_pct);

/* The ioctl the swap_pages backend uses (tests replace it to see the calls). */
extern int (*swapcache_ioctl)(int fd, unsigned long cmd, unsigned int *arg);

/* Read /proc/meminfo into res: SwapCached, the watermarks in kB, triggered = SwapCached is
 * above the high watermark. 0 or -errno. */
int swapcache_check(const struct swapcache_wmark *wm, struct swapcache_result *res);

/* A resident page of the target that is in the swap cache. */
struct swapcache_cand {
    uint64_t addr;
    uint16_t count;  /* its heat (0 without a heat map) */
    bool dirty;      /* written since it was read back: paging it out writes it again */
};

/* Choose up to need pages of cand[0..n) coldest first (count, then clean before dirty,
 * then address) and turn them into address-sorted, merged ranges (*ranges malloc'ed, the
 * caller frees). Reorders cand. Returns the number of pages chosen. Pure. */
uint64_t swapcache_select(struct swapcache_cand *cand, size_t n, uint64_t need,
                          long page_size, struct page_range **ranges, size_t *nranges);

/* The candidates of pid: resident pages the process maps alone (pagemap PM_EXCLUSIVE: the
 * only ones MADV_PAGEOUT acts on) whose kpageflags show KPF_SWAPCACHE and not writeback.
 * Only pages the heat map reports resident when hm is given (their counts give the order),
 * else every page of the process's VMAs (count 0). Needs pagemap PFNs and /proc/kpageflags
 * (root). *cand malloc'ed. 0 or -errno (-ESRCH: gone, -EPERM: PFNs hidden). */
int swapcache_candidates(pid_t pid, const struct heat_map *hm, struct swapcache_cand **cand,
                         size_t *n);

#endif
