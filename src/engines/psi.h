/* SPDX-License-Identifier: MulanPSL-2.0 */
/* psi.h - the psi engine: proactive reclaim of cgroups through memory.reclaim, at a rate
 * that adapts to hold their memory pressure under a target. */
#ifndef ETMEM_PSI_H
#define ETMEM_PSI_H

#include <stdint.h>

#include "guard_keys.h"

struct psi_runtime;

struct psi_task_params {
    char *cg_dir;               /* glob below the cgroup v2 mount, e.g. "isulad/ *" */
    double pressure;            /* target: "some" stall, percent of wall time */
    double reclaim_rate;        /* share of the reclaimable memory asked for per step */
    double reclaim_rate_max;
    double reclaim_rate_min;
    uint64_t limit_min_bytes;   /* never below this many bytes */
    double limit_min_ratio;     /* ... nor below this share of memory.max */
    uint64_t reclaim_max_bytes; /* cap per step */
    struct guard_task_keys guard; /* the safety envelope's keys (targets unused) */
    struct psi_runtime *rt;
};

/* Reclaim rate of a cgroup from the controller's share (pure, for tests). */
double psi_rate_of(const struct psi_task_params *p, double share);
/* Bytes to ask memory.reclaim for: (current - floor) x rate, at most reclaim_max_bytes,
 * whole pages; floor = the largest of limit_min_bytes, limit_min_ratio x max (when max is
 * set), the protection floor and what cannot be reclaimed (pure, for tests). */
uint64_t psi_step_bytes(const struct psi_task_params *p, double rate, uint64_t current,
                        uint64_t max, uint64_t protect, uint64_t reclaimable, uint64_t *floor);

struct engine_ops;
struct task;
struct task_report;
extern struct engine_ops psi_engine_ops;
void psi_report_task(struct task *tk, struct task_report *rep);
/* Why cgroups cannot be reclaimed here (no v2 hierarchy, no memory controller, no
 * memory.reclaim), or NULL when they can; buf holds the sentence. */
const char *psi_unsupported(char *buf, size_t len);

#endif
