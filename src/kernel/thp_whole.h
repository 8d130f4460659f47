/* SPDX-License-Identifier: MulanPSL-2.0 */
/* thp_whole.h - swap-out ranges that never split a transparent huge page. */
#ifndef ETMEM_KERNEL_THP_WHOLE_H
#define ETMEM_KERNEL_THP_WHOLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "action.h"

/* Cut the ranges of pid (page aligned, each maximal: adjacent ranges merged) so that none
 * ends inside a PMD-mapped THP: a THP a range covers whole stays in it (out whole), one it
 * covers in part is left out (kept whole). Ranges cut to nothing are removed; *n is
 * updated. Returns the bytes left out, or -errno (-EPERM: PFNs hidden, -ESRCH): the ranges
 * are then as far as they could be checked. Reads pagemap and /proc/kpageflags (root). */
int64_t thp_whole_ranges(pid_t pid, struct page_range *ranges, size_t *n);

/* The /proc/kpageflags word of a PFN (one descriptor for the whole process). 0, -EPERM
 * (pfn 0: PFNs hidden), or -errno. */
int kpageflags_of(uint64_t pfn, uint64_t *flags);
/* Is the page part of a large folio (a THP or mTHP: compound)? 1, 0 or -errno. Paging
 * out one page of a large folio splits it. */
int pfn_in_large_folio(uint64_t pfn);

#endif
