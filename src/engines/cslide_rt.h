/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide_rt.h - the cslide engine's runtime state, shared by the files that run it:
 * cslide_run.c (the cycle, engine_ops), cslide_units.c (scan a process and
 * build its units), cslide_move.c (move units between nodes, remember what moved) and
 * cslide_show.c (the showhostpages/showtaskpages commands). Locking: see cslide_run.c. */
#ifndef ETMEM_CSLIDE_RT_H
#define ETMEM_CSLIDE_RT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cslide.h"
#include "cslide_policy.h"
#include "engine.h"
#include "guard.h"
#include "pidrun.h"
#include "probe.h"
#include "runtime.h"
#include "taskrun.h"
#include "targets.h"

#define HUGE_BYTES (2u << 20)
#define QUERY_BATCH 16384   /* granules per move_pages call; stop is checked between */
#define MAX_NODE_ID 1024    /* node ids the config accepts (CSLIDE_MAX_NODES) */

struct node_use {
    uint64_t hot, cold;     /* bytes */
};

/* What the previous cycle moved in one process (sorted, for hysteresis). */
struct moved_range {
    uint64_t start, end;
    uint8_t last;           /* enum cs_last */
};

struct cslide_pid {
    struct pid_run run;
    struct moved_range *hist;       /* the previous cycle's moves */
    size_t nhist;
    struct moved_range *next;       /* this cycle's, becoming hist at its end */
    size_t nnext, capnext;
    struct cs_unit *u;              /* this cycle's units until they join the engine's array */
    size_t nu, capu;
    size_t first, end;              /* its units in the engine's array */
    bool scanned;
    uint64_t moved[2];              /* bytes since start: [0] to slow, [1] to fast; rt->lock */
    uint64_t rss, swap;             /* its memory after its last scan */
    size_t regions;                 /* region projects: its regions at its last scan */
    double cpu_secs;                /* its last scan's CPU time */
    uint64_t dry_bytes, dry_regions;    /* dry run: what its last cycle would have moved */
    struct node_use use[KERNEL_MAX_NODES];  /* published under rt->lock */
    int use_node[KERNEL_MAX_NODES];
    int nuse;
    bool have_use;
    struct guard_proc gp;           /* the guard's view of it (cold ages, counters) */
    uint64_t hot_slow;              /* this cycle: bytes found hot on a slow node */
    uint64_t cold_fast;             /* this cycle: cold bytes on a fast node, old enough */
};

struct cslide_member {
    struct cslide_rt *rt;
    struct task *tk;
    struct targets targets;
    struct pid_backends be;         /* its tracker, the engine's migrate backend */
    struct guard_task guard;        /* its demotions' feedback guard; the cycle's own */
    bool guarded;                   /* a guard target is set */
    struct cslide_member *next;
    /* published under rt->lock */
    struct task_report rep;
    uint64_t moved_gone[2];         /* totals of processes no longer targets */
};

struct node_now {
    int id;
    uint64_t free[CS_POOL_COUNT];   /* bytes */
    uint64_t mem_total_kb;
    uint64_t huge_total;            /* 2 MiB pages */
};

struct work {
    struct cslide_member *m;
    struct task_pid *tp;
};

struct cslide_rt {
    struct engine *eng;
    const struct cslide_engine_params *ep;
    const struct migrate_ops *migrate;
    bool regions;                   /* a region project: units are stripes of regions */
    pthread_mutex_t lock;
    struct cslide_member *members;
    struct taskrun *run;            /* the engine's cycles */
    struct pid_run_closing closing; /* of processes dropped under lock */
    struct stopper *stop;           /* run's */
    /* its cycles' own */
    struct work *work;
    size_t nwork, capwork;
    struct cs_unit *units;
    size_t nunits, capunits;
    uint64_t *done;                 /* verified moved bytes per unit */
    uint64_t *budget;               /* the guard's demotion budget per process (rt->work) */
    int pair_of[MAX_NODE_ID];       /* node -> pair index + 1; 0: in no pair */
    /* published under lock */
    bool have_stats;
    time_t stat_time;
    unsigned long long cycles;
    double move_secs;               /* time in move/verify calls since start */
    uint64_t moved_total[2];
    struct node_now nodes[KERNEL_MAX_NODES];
    int nr_nodes;
    bool hugetlb_only;
};

struct action_counters;

/* Pool job i of rt->work: scan the process `loop` times (region projects: one
 * aggregation) and build its units (sp->u). */
void cslide_scan_job(void *arg, size_t i);
/* Move every scanned process's planned units, demotions first; adds the verified bytes to
 * moved[0] (to slow) and moved[1] (to fast) and the calls' counters to ac. */
void cslide_move_all(struct cslide_rt *rt, uint64_t moved[2], struct action_counters *ac);
/* This cycle's moves become the history the next cycle's hysteresis reads. */
void cslide_history_roll(struct cslide_pid *sp);

/* The feedback guard on a task's demotions (cslide_guard.c). In the scan job of a guarded
 * task's process: its cold units' ages, and the cold units on a fast node not cold for
 * long enough marked young. */
void cslide_guard_ages(struct cslide_rt *rt, struct cslide_member *m, struct cslide_pid *sp);
/* Before the plan: every process's demotion budget (rt->budget; NULL when no task is
 * guarded). */
void cslide_guard_budgets(struct cslide_rt *rt);
/* After the moves: the guarded tasks' windows and controllers. */
void cslide_guard_end(struct cslide_rt *rt);

#endif
