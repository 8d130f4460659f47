/* SPDX-License-Identifier: MulanPSL-2.0 */
/* scan_internal.h - library state shared by the scan API files: the init flag, the
 * tracker chosen at init, and one open tracker per scanned process. */
#ifndef ETMEM_SCAN_INTERNAL_H
#define ETMEM_SCAN_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "heatmap.h"
#include "tracker.h"

extern pthread_mutex_t scan_lock;

/* Parse a decimal pid string strictly. */
bool scan_parse_pid(const char *s, pid_t *pid);

/* With scan_lock held: one sample of pid's tracker (opened, and primed unless the kernel
 * keeps history, on first use or after pid reuse) into hm. Returns 0 or -errno; -1 when
 * the library is not initialised. */
int scan_sample_locked(pid_t pid, int flags, struct heat_map *hm);

#endif
