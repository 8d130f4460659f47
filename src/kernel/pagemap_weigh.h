/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pagemap_weigh.h - add one weight to the resident pages of a range (pagemap tells which
 * are resident or swapped), for trackers that judge whole ranges (fallback, DAMON). */
#ifndef ETMEM_KERNEL_PAGEMAP_WEIGH_H
#define ETMEM_KERNEL_PAGEMAP_WEIGH_H

#include "heatmap.h"
#include "pagemap.h"
#include "tracker.h"

/* Resident pages get weight + HEAT_PRESENT, swapped ones weight 0 + HEAT_SWAPPED, others
 * nothing. present (may be NULL) is set to the number of resident pages. */
int pagemap_weigh_range(struct pagemap *pm, struct heat_map *hm, struct scan_stats *st,
                        uint64_t start, uint64_t end, unsigned weight, uint64_t *present);

#endif
