/* SPDX-License-Identifier: MulanPSL-2.0 */
/* probe_internal.h - pieces of the probe split over files (probe.c, probe_sys.c). */
#ifndef ETMEM_KERNEL_PROBE_INTERNAL_H
#define ETMEM_KERNEL_PROBE_INTERNAL_H

#include "probe.h"

void feat_set(struct kernel_caps *caps, enum kernel_feature f, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void probe_damon(struct kernel_caps *caps);
void probe_numa(struct kernel_caps *caps);
void probe_swaps(struct kernel_caps *caps);

/* Read-only: does this kernel offer DAMON "vaddr" operations? why gets the evidence. The
 * DAMON tracker calls it again before every write to sysfs. */
bool damon_vaddr_available(char *why, size_t why_len);

#endif
