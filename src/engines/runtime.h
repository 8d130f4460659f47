/* SPDX-License-Identifier: MulanPSL-2.0 */
/* runtime.h - services the daemon gives engines at run time: the kernel's capabilities
 * (probed once at start-up), a way to report errors to the client whose command started a
 * task, stoppable sleeps (stopper.h) and the one-scan-per-process guard; the task threads
 * are taskrun.h. */
#ifndef ETMEM_RUNTIME_H
#define ETMEM_RUNTIME_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stopper.h"

struct diag;
struct kernel_caps;
struct project;
struct scan_opts;

/* "page", "region", "psi" (enum scan_type), for messages. */
const char *scan_type_name(int type);

/* The monitoring attributes of a project's trackers: a region project's own, or for a page
 * project one check per region per scan interval (scan_opts_damon_window). */
void engine_scan_attrs(struct scan_opts *opts, const struct project *proj);

/* Seconds an engine's thread waits after a cycle of a page or region project: worked, the
 * project's `sleep` (region projects monitor on without pause: a cycle is one aggregation);
 * with nothing to work on (no process, plenty of memory), `sleep` or one aggregation
 * interval, never a busy loop. */
double engine_cycle_pause(const struct project *proj, bool worked);

/* Set once by etmemd before any engine runs. */
void engines_set_caps(const struct kernel_caps *caps);
const struct kernel_caps *engines_caps(void);

/* While a command runs engine hooks in this thread, errors the engine reports go to that
 * command's diag (and so to the client); otherwise only to the log. */
void engine_diag_begin(struct diag *d);
void engine_diag_end(void);
void engine_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A note for reports on a failed step with a process: "process P exited" for ESRCH/ENOENT,
 * else "process P: <what> failed: <strerror>". err is a positive errno. */
void engine_note_errno(char *buf, size_t len, pid_t pid, const char *what, int err);

/* CPU time the calling thread has used, in seconds (what scans cost, for metrics). */
double thread_cpu_secs(void);
/* A process's resident and swapped memory in bytes (VmRSS, VmSwap); 0 when it is gone. */
void proc_memory_bytes(pid_t pid, uint64_t *rss, uint64_t *swap);

/* The guide forbids two scans of one process at once, even from different tasks. */
bool scan_guard_claim(pid_t pid);
void scan_guard_release(pid_t pid);

#endif
