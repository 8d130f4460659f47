/* SPDX-License-Identifier: MulanPSL-2.0 */
/* etmemd_exp.h - page reference types shared by the scan library and engine plug-ins
 * (layout of the original openEuler etmem, upstream variant: keep it binary compatible). */
#ifndef ETMEMD_EXP_H
#define ETMEMD_EXP_H

#include <stdint.h>

enum page_type {
    PTE_TYPE = 0, /* base page */
    PMD_TYPE,     /* 2 MiB unit (4 KiB pages) */
    PUD_TYPE,     /* 1 GiB unit */
    PAGE_TYPE_INVAL,
};

/* One page (or huge-page unit) and its summed access weight: accessed 1, dirty 3, idle 0
 * per scan, so after n scans count is in [0, 3n]. Lists are sorted by addr. */
struct page_refs {
    uint64_t addr;
    int count;
    enum page_type type;
    struct page_refs *next;
};

/* Buckets of page_refs by count (engines' helper; not used by the scan library). */
struct page_sort {
    struct page_refs **page_refs_sort;
    struct page_refs **page_refs;
    int loop;
};

#endif
