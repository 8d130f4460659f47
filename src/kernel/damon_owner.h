/* SPDX-License-Identifier: MulanPSL-2.0 */
/* damon_owner.h - who created the kdamond. DAMON's sysfs outlives a SIGKILLed etmemd, and
 * its kdamond with it; a record of the creator (pid, start time, boot) lets the next
 * etmemd take back a kdamond whose creator is gone, while one created by anybody else, or
 * by an etmemd that still runs, is never touched. */
#ifndef ETMEM_KERNEL_DAMON_OWNER_H
#define ETMEM_KERNEL_DAMON_OWNER_H

#include <stdbool.h>
#include <stddef.h>

#define DAMON_OWNER_FILE "/run/etmemd-damon.owner"

/* Record this process (and its DAMON writer) as the creator of kdamond 0, before creating
 * it. 0 or -errno. */
int damon_owner_record(void);
/* The kdamond is gone: forget the record. */
void damon_owner_clear(void);
/* true when the record names an etmemd of this boot that is no longer running, nor its
 * DAMON writer (which turns the kdamond off after etmemd), so the one kdamond there is a
 * leftover of ours; why says whose it is either way. */
bool damon_owner_gone(char *why, size_t len);

#endif
