/* SPDX-License-Identifier: MulanPSL-2.0 */
/* taskrun.h - the task threads: one daemon-wide scheduler that runs every started task's
 * (or engine's) cycles, and the parallel scans within a cycle, on a bounded set of shared
 * runner threads, however many tasks there are.
 *
 * A task registers a cycle function; the scheduler calls it when it is due and, when it
 * returns, queues it again the number of seconds it asked for later (the pause after the
 * cycle: `sleep`, `interval`). The queue is ordered by due time (CLOCK_MONOTONIC), earlier
 * first, then first come. One task's cycle never runs on two threads at once. Runners are
 * made when work is due and none is free, up to taskrun_max_runners(); one left without
 * work waits for the next due time while another runner is busy or no other waits, and
 * ends otherwise, so etmemd has at most one idle runner and none when no task runs.
 * Within a cycle, taskrun_fanout spreads a task's processes over up to max_threads of the
 * same runners: the calling cycle works through the items itself and free runners join it,
 * so a fan-out never waits for a runner to come free.
 *
 * Stopping a task takes it off the queue at once; a cycle under way is asked to end
 * through the task's stopper (every wait of an engine ends on it) and waited for. A cycle
 * and a fan-out helper count as busy for the watchdog (liveness.h) while they work, so a
 * cycle stuck in a step is still seen. */
#ifndef ETMEM_TASKRUN_H
#define ETMEM_TASKRUN_H

#include <stddef.h>

#include "stopper.h"

struct taskrun;

/* One cycle of a task; returns the seconds until its next cycle, or < 0 when it has no
 * more (it stays registered, stopped). Runs with no lock of the scheduler's held. */
typedef double (*taskrun_cycle_fn)(void *arg);

/* The bound on runner threads: n > 0 sets it (before any task starts), 0 restores the
 * default, 2 x online CPUs + 1 (the guide's bound on a task's max_threads). */
void taskrun_set_max_runners(unsigned n);
unsigned taskrun_max_runners(void);
/* Runner threads that exist now (for tests and reports). */
unsigned taskrun_runners(void);

/* A task's entry, not scheduled yet; what names it in watchdog reports is a literal. */
struct taskrun *taskrun_new(taskrun_cycle_fn cycle, void *arg);
/* The stopper its cycles wait on: raised by taskrun_stop, lowered by taskrun_start. */
struct stopper *taskrun_stopper(struct taskrun *tr);
/* Schedule its first cycle now. 0, or a positive errno when no runner exists and none can
 * be made (the task stays stopped). */
int taskrun_start(struct taskrun *tr);
/* taskrun_start for an engine's task or engine (what: "task", "engine"), telling the
 * client why it could not start (engine_error); 0 or -1. */
int taskrun_start_for(struct taskrun *tr, const char *what, const char *name);
/* No more cycles: off the queue, its stopper raised, and a cycle under way waited for.
 * Must not be called with a lock that a cycle takes held (the model lock is dropped for
 * stop_task), nor from the task's own cycle. A stopped entry may be started again. */
void taskrun_stop(struct taskrun *tr);
/* Free a stopped (or never started) entry. */
void taskrun_free(struct taskrun *tr);

/* Run fn(arg, i) for i in [0, n) on up to threads threads (the caller and free runners);
 * returns when every item started is done. Items not started when s is raised are
 * skipped. */
void taskrun_fanout(unsigned threads, size_t n, void (*fn)(void *arg, size_t i), void *arg,
                    struct stopper *s);

/* etmemd is exiting: every queued cycle is taken off the queue at once (its task stays
 * registered with the model, stopped: taskrun_stop on it returns at once), and a cycle
 * under way is not queued again when it ends, so the runners start no cycle while the
 * tasks are stopped one by one. */
void taskrun_close(void);
/* Wait until every runner has ended (every task stopped before): etmemd's exit. */
void taskrun_shutdown(void);

#endif
