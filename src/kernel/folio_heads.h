/* SPDX-License-Identifier: MulanPSL-2.0 */
/* folio_heads.h - the head page of each page's folio, from /proc/kpageflags. The kernel
 * keeps a large folio's idle and young state on its head page only and answers for a tail
 * page as if it were accessed, so a tracker must ask the head (page_idle). */
#ifndef ETMEM_KERNEL_FOLIO_HEADS_H
#define ETMEM_KERNEL_FOLIO_HEADS_H

#include <stddef.h>
#include <stdint.h>

/* Read the kpageflags words of pfns [pfn, pfn + n) into flags; 0 or -errno. */
typedef int (*kpf_read_fn)(void *arg, uint64_t pfn, size_t n, uint64_t *flags);

/* head[i] = the PFN of the head page of pfn[i]'s folio (pfn[i] itself for a page that is
 * no compound tail, or when no head is found within 512 pages below it). pfn[] is in
 * virtual-address order: a folio's pages mapped in order are consecutive PFNs, so only
 * runs of two or more consecutive PFNs are looked up (one read per run; a lone page of a
 * partly mapped folio is taken as its own). 0, or the reader's -errno. */
int folio_heads(const uint64_t *pfn, size_t n, kpf_read_fn rd, void *arg, uint64_t *head);

#endif
