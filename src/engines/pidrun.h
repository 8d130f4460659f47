/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pidrun.h - what every engine does for one target process: the backends it opens on it
 * (a tracker, and the reclaim or migrate action the engine takes), its heat map, the
 * one-scan-per-process claim, and the scan itself: prime the tracker, then take `loop`
 * samples `interval` seconds apart into the heat map, ending early on stop.
 *
 * An engine embeds a struct pid_run in its per-process record (task_pid->params): set up
 * in alloc_pid_params with pid_run_init, torn down in free_pid_params with pid_run_close
 * and pid_run_fini.
 * The handles stay open as long as the process stays a target and its scans succeed; a
 * failure closes them, and the next cycle opens them again. A pid_run is used by one
 * thread at a time (the engine's worker for that process). */
#ifndef ETMEM_PIDRUN_H
#define ETMEM_PIDRUN_H

#include <stdbool.h>
#include <sys/types.h>

#include "tracker.h"

struct heat_map;
struct mon_region;
struct migrate_ops;
struct migrator;
struct page_scan;
struct proc_identity;
struct reclaim_ops;
struct reclaimer;
struct stopper;

/* The backends a task uses on each of its processes; reclaim or migrate NULL: not used. */
struct pid_backends {
    const struct tracker_ops *tracker;
    const struct reclaim_ops *reclaim;
    const struct migrate_ops *migrate;
    struct scan_opts opts;          /* for the tracker's open (which copies what it needs);
                                       opts.stop: the stopper given to pid_run_scan */
};

struct pid_run {
    struct tracker *tracker;
    struct reclaimer *reclaimer;
    struct migrator *migrator;
    struct heat_map *hm;            /* the last scan's window */
    char note[160];                 /* what went wrong with the process this cycle, or "" */
};

void pid_run_init(struct pid_run *pr);
/* Free the heat map; the handles are closed (pid_run_close) before. */
void pid_run_fini(struct pid_run *pr);
/* Open the handles not open yet on the process id names (its actions stay bound to that
 * identity); 0 or a positive errno. */
int pid_run_open(struct pid_run *pr, const struct pid_backends *b,
                 const struct proc_identity *id);
void pid_run_close(struct pid_run *pr, const struct pid_backends *b);
/* Close the tracker only (b->tracker->shared_handles: the next process needs it). */
void pid_run_close_tracker(struct pid_run *pr, const struct pid_backends *b);

/* The handles of processes that are no longer targets, closed later: a process is dropped
 * under its engine's lock, which `project show` waits for with the model locked, and
 * closing a DAMON tracker waits for the kernel. */
struct pid_run_closing {
    struct closing_handles *h;
    size_t n, cap;
};
/* Take pr's handles (pr has none after) to close with pid_run_close_taken. */
void pid_run_close_later(struct pid_run_closing *c, struct pid_run *pr,
                         const struct pid_backends *b);
/* Close every handle taken so far, outside the engine's locks; c stays usable. */
void pid_run_close_taken(struct pid_run_closing *c);
/* The same, and free c's own memory. */
void pid_run_closing_free(struct pid_run_closing *c);
/* Start the process's cycle: clear the note and claim the process (no two scans of one
 * process at once, whichever task asks); false, with the note saying so, when another
 * scan has it. pid_run_release gives it back. */
bool pid_run_claim(struct pid_run *pr, pid_t pid);
void pid_run_release(pid_t pid);

enum pid_scan_result {
    PID_SCAN_DONE,                  /* pr->hm holds the window */
    PID_SCAN_STOPPED,               /* stop was raised: the handles stay as they are */
    PID_SCAN_FAILED,                /* the note says why; the handles are closed */
};

/* Open what is missing, clear the heat map, prime the tracker and take scan->loop samples
 * scan->interval seconds apart, adding to st. */
enum pid_scan_result pid_run_scan(struct pid_run *pr, const struct pid_backends *b,
                                  const struct page_scan *scan, struct stopper *stop,
                                  const struct proc_identity *id, struct scan_stats *st);

/* Region projects (b->tracker is a region source): open what is missing and monitor the
 * process's regions, one sample interval (b->opts.damon.sample_us) after the other, until
 * an aggregation completes; *regions and *n then describe it (valid until the next call).
 * The monitor runs on between calls: its regions are what it learned so far. */
enum pid_scan_result pid_run_regions(struct pid_run *pr, const struct pid_backends *b,
                                     struct stopper *stop, const struct proc_identity *id,
                                     struct scan_stats *st, const struct mon_region **regions,
                                     size_t *n);

/* The damon engine where the kernel applies the scheme (b->tracker->scheme_stats, and
 * b->opts.scheme set): open what is missing (the open hands the scheme to the kernel), wait
 * one aggregation interval and read what the scheme did since the last call. */
enum pid_scan_result pid_run_scheme_stats(struct pid_run *pr, const struct pid_backends *b,
                                          struct stopper *stop, const struct proc_identity *id,
                                          struct damos_stats *since_last);

/* The note for a failed step with the process (engine_note_errno); err a positive errno. */
void pid_run_note_errno(struct pid_run *pr, pid_t pid, const char *what, int err);

#endif
