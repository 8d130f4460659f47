/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pageout.h - process_madvise(MADV_PAGEOUT) over an iovec array with partial progress and
 * per-iovec failures handled; used by the madvise reclaimer and the fallback tracker. */
#ifndef ETMEM_KERNEL_PAGEOUT_H
#define ETMEM_KERNEL_PAGEOUT_H

#include <stddef.h>
#include <sys/uio.h>

#include "action.h"

/* Page out iov[0..n) of the process behind pidfd (n any size; calls are cut at 1024
 * iovecs). iov is consumed (modified). An iovec the kernel refuses (range vanished,
 * locked, ...) is counted in c by reason and skipped. Returns 0, -ESRCH, or a negative
 * errno that makes going on pointless (-EPERM, -ENOSYS, -EBADF). */
int pageout_iov(int pidfd, struct iovec *iov, size_t n, long page_size,
                struct action_counters *c);
/* The same with another advice process_madvise takes (MADV_COLD, MADV_WILLNEED, ...). */
int advise_iov(int pidfd, struct iovec *iov, size_t n, int advice, long page_size,
               struct action_counters *c);

#endif
