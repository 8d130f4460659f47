/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pidrun.c - the per-process part every engine shares: backends, heat map, claim, scan. */
#include "pidrun.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "action.h"
#include "etmemd_project_exp.h"
#include "heatmap.h"
#include "proc.h"
#include "runtime.h"
#include "xalloc.h"

void pid_run_init(struct pid_run *pr)
{
    *pr = (struct pid_run){ .hm = heat_map_new() };
}

void pid_run_fini(struct pid_run *pr)
{
    heat_map_free(pr->hm);
    pr->hm = NULL;
}

void pid_run_close_tracker(struct pid_run *pr, const struct pid_backends *b)
{
    if (pr->tracker != NULL)
        b->tracker->close(pr->tracker);
    pr->tracker = NULL;
}

struct closing_handles {
    struct pid_run run;             /* its handles only */
    struct pid_backends b;          /* their ops only */
};

void pid_run_close_later(struct pid_run_closing *c, struct pid_run *pr,
                         const struct pid_backends *b)
{
    struct closing_handles *h;

    if (pr->tracker == NULL && pr->reclaimer == NULL && pr->migrator == NULL)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->h = xreallocarray(c->h, c->cap, sizeof(*c->h));
    }
    h = &c->h[c->n++];
    *h = (struct closing_handles){
        .run = { .tracker = pr->tracker, .reclaimer = pr->reclaimer, .migrator = pr->migrator },
        .b = { .tracker = b->tracker, .reclaim = b->reclaim, .migrate = b->migrate },
    };
    pr->tracker = NULL;
    pr->reclaimer = NULL;
    pr->migrator = NULL;
}

void pid_run_close_taken(struct pid_run_closing *c)
{
    for (size_t i = 0; i < c->n; i++)
        pid_run_close(&c->h[i].run, &c->h[i].b);
    c->n = 0;
}

void pid_run_closing_free(struct pid_run_closing *c)
{
    pid_run_close_taken(c);
    free(c->h);
    *c = (struct pid_run_closing){ 0 };
}

void pid_run_close(struct pid_run *pr, const struct pid_backends *b)
{
    pid_run_close_tracker(pr, b);
    if (pr->reclaimer != NULL)
        b->reclaim->close(pr->reclaimer);
    if (pr->migrator != NULL)
        b->migrate->close(pr->migrator);
    pr->reclaimer = NULL;
    pr->migrator = NULL;
}

int pid_run_open(struct pid_run *pr, const struct pid_backends *b,
                 const struct proc_identity *id)
{
    struct action_limits lim = { 0 };
    int err = 0;

    if (pr->tracker == NULL)
        pr->tracker = b->tracker->open(id->pid, &b->opts, &err);
    if (pr->tracker == NULL)
        return err ? abs(err) : EIO;
    if (b->reclaim != NULL && pr->reclaimer == NULL)
        pr->reclaimer = b->reclaim->open(id, &lim, &err);
    if (b->reclaim != NULL && pr->reclaimer == NULL)
        return err ? abs(err) : EIO;
    if (b->migrate != NULL && pr->migrator == NULL)
        pr->migrator = b->migrate->open(id, &lim, &err);
    if (b->migrate != NULL && pr->migrator == NULL)
        return err ? abs(err) : EIO;
    return 0;
}

bool pid_run_claim(struct pid_run *pr, pid_t pid)
{
    pr->note[0] = '\0';
    if (scan_guard_claim(pid))
        return true;
    snprintf(pr->note, sizeof(pr->note), "process %d is being scanned by another task; "
             "skipped this cycle", (int)pid);
    return false;
}

void pid_run_release(pid_t pid)
{
    scan_guard_release(pid);
}

void pid_run_note_errno(struct pid_run *pr, pid_t pid, const char *what, int err)
{
    engine_note_errno(pr->note, sizeof(pr->note), pid, what, err);
}

/* Open what is missing; false (the note says why, the handles are closed) on failure. */
static bool open_or_note(struct pid_run *pr, const struct pid_backends *b,
                         const struct proc_identity *id)
{
    int rc = pid_run_open(pr, b, id);

    if (rc == 0)
        return true;
    pid_run_note_errno(pr, id->pid, "opening its tracker", rc);
    pid_run_close(pr, b);
    return false;
}

/* A failed scan: the note says why, the handles are closed. A wait of the tracker's that
 * stop ended (opts.stop) is no failure: the handles stay for the task's teardown. */
static enum pid_scan_result scan_failed(struct pid_run *pr, const struct pid_backends *b,
                                        pid_t pid, int rc)
{
    if (rc == -ECANCELED)
        return PID_SCAN_STOPPED;
    pid_run_note_errno(pr, pid, "scanning", -rc);
    pid_run_close(pr, b);
    return PID_SCAN_FAILED;
}

enum pid_scan_result pid_run_regions(struct pid_run *pr, const struct pid_backends *b,
                                     struct stopper *stop, const struct proc_identity *id,
                                     struct scan_stats *st, const struct mon_region **regions,
                                     size_t *n)
{
    bool aggregated = false;
    int rc = 0;

    if (!open_or_note(pr, b, id))
        return PID_SCAN_FAILED;
    while (rc == 0 && !aggregated) {
        if (!stopper_sleep(stop, (double)b->opts.damon.sample_us / 1e6))
            return PID_SCAN_STOPPED;
        rc = b->tracker->regions(pr->tracker, &aggregated, regions, n, st);
    }
    return rc < 0 ? scan_failed(pr, b, id->pid, rc) : PID_SCAN_DONE;
}

enum pid_scan_result pid_run_scan(struct pid_run *pr, const struct pid_backends *b,
                                  const struct page_scan *scan, struct stopper *stop,
                                  const struct proc_identity *id, struct scan_stats *st)
{
    if (!open_or_note(pr, b, id))
        return PID_SCAN_FAILED;
    heat_map_clear(pr->hm);
    int rc = b->tracker->prime(pr->tracker);
    for (int l = 0; rc == 0 && l < scan->loop; l++) {
        if (!stopper_sleep(stop, scan->interval))
            return PID_SCAN_STOPPED;
        rc = b->tracker->sample(pr->tracker, pr->hm, st);
    }
    return rc < 0 ? scan_failed(pr, b, id->pid, rc) : PID_SCAN_DONE;
}

enum pid_scan_result pid_run_scheme_stats(struct pid_run *pr, const struct pid_backends *b,
                                          struct stopper *stop, const struct proc_identity *id,
                                          struct damos_stats *since_last)
{
    if (!open_or_note(pr, b, id))
        return PID_SCAN_FAILED;
    if (!stopper_sleep(stop, (double)b->opts.damon.aggr_us / 1e6))
        return PID_SCAN_STOPPED;
    int rc = b->tracker->scheme_stats(pr->tracker, since_last);
    return rc < 0 ? scan_failed(pr, b, id->pid, rc) : PID_SCAN_DONE;
}
