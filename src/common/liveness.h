/* SPDX-License-Identifier: MulanPSL-2.0 */
/* liveness.h - which of etmemd's threads are working and for how long, so the systemd
 * watchdog is fed only while they make progress. A thread is judged only while busy: one
 * waiting for time or work (a stopper sleep, poll) is idle and never stuck. Engine task
 * threads become known at their first stopper_sleep; plug-in call threads and the server
 * loop say so themselves. A thread's entry goes away when it exits. */
#ifndef ETMEM_LIVENESS_H
#define ETMEM_LIVENESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The calling thread works from now on; what names it in reports (a string literal). */
void liveness_busy(const char *what);
/* The calling thread waits for time or work: not judged until it is busy again. */
void liveness_idle(void);
/* true when no thread has been busy for limit_ms or more; otherwise false with *what and
 * *busy_ms describing the longest busy one. */
bool liveness_ok(int64_t limit_ms, const char **what, int64_t *busy_ms);

#endif
