/* SPDX-License-Identifier: MulanPSL-2.0 */
/* damon_writer.h - every write under DAMON's sysfs admin directory, made by a small process
 * of etmemd's own ("etmemd-damon") so that no thread etmemd's exit waits for ever sits in
 * one. A DAMON command written to a kdamond's state (update_schemes_tried_regions, commit,
 * ...) is answered by the kdamond at its next sampling or aggregation, and the writer waits
 * for it uninterruptibly (6.12: TASK_IDLE, not even SIGKILL ends the wait); a process cannot
 * exit while one of its threads is in such a write.
 *
 * The writer is forked at etmemd's start, before any thread, and holds nothing but its end
 * of a socketpair (and stdio: /dev/null, and stderr for its log lines). A request names a
 * file under kernel/mm/damon/admin/ (checked by the writer, which writes nothing else) and
 * the value; the answer is 0 or -errno. etmemd's caller waits for it in poll, in short
 * slices, and gives up when its stopper is raised or etmemd exits (-ECANCELED); the write
 * under way is still made, and its late answer is dropped. The writer ignores SIGTERM,
 * SIGINT and SIGHUP: its life ends with etmemd's. When etmemd is gone (its end of the socket
 * closes, after SIGTERM or SIGKILL alike) the writer finishes the write under way, skips
 * whatever was still queued, turns the kdamond it created off, removes it and the owner
 * record (damon_owner.h), and exits.
 *
 * Without a writer (the scan library, tests that link the kernel layer), the calling
 * thread writes itself, as before. Callers serialise their requests (tracker_damon.c's
 * lock); damon_writer_detach may come from any thread. */
#ifndef ETMEM_KERNEL_DAMON_WRITER_H
#define ETMEM_KERNEL_DAMON_WRITER_H

#include <stdbool.h>
#include <sys/types.h>

struct stopper;

/* Fork the writer (etmemd's start, before any thread is made) when this kernel has DAMON's
 * sysfs; 0 (also when there is nothing to start) or -errno, said in the log. */
int damon_writer_start(void);
/* The writer's pid, or 0 when DAMON writes are made in-process. */
pid_t damon_writer_pid(void);
/* Write val to the file rel (relative to the sysfs root, under kernel/mm/damon/admin/).
 * 0 or -errno; -ECANCELED when stop (may be NULL) was raised or etmemd is exiting before
 * the answer came; -EPIPE when the writer is gone. */
int damon_writer_write(const char *rel, const char *val, struct stopper *stop);
/* etmemd exits: no write is waited for, nor sent, any more (the writer turns the kdamond
 * off once etmemd is gone). */
void damon_writer_detach(void);

#endif
