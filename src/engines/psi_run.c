/* SPDX-License-Identifier: MulanPSL-2.0 */
/* psi_run.c - the psi engine at work: a cycle per task every `interval` seconds, run by
 * the shared task threads (taskrun.h):
 *   1. match cg_dir below the cgroup v2 mount (cgroups come and go);
 *   2. check the safety envelope (swap nearly full, zram gaining nothing): if it stops,
 *      nothing is reclaimed this cycle;
 *   3. for each cgroup: its "some" stall over the last interval (memory.pressure total)
 *      feeds the guard's controller, whose share sets the reclaim rate between
 *      reclaim_rate_min and reclaim_rate_max (halved above the pressure target, crept back
 *      below it; Senpai/TMO style); over the target nothing is reclaimed this step; else
 *      (current - floor) x rate, at most reclaim_max_bytes, goes to memory.reclaim.
 * The floor is the largest of limit_min_bytes, limit_min_ratio x memory.max,
 * memory.min/memory.low, and what cannot be reclaimed (current - file - anon that fits in
 * swap). The report is updated under rt->lock after each cycle. */
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "engine.h"
#include "guard.h"
#include "log.h"
#include "memsig.h"
#include "monotime.h"
#include "proc.h"
#include "psi.h"
#include "ratelimit.h"
#include "runtime.h"
#include "taskrun.h"
#include "xalloc.h"

#define PSI_CG_MAX 1024

struct psi_cg {
    char path[512];
    ino_t ino;
    bool seen;
    struct guard_ctl ctl;
    uint64_t prev_total_us, prev_ns;
    bool have_prev;
    double stall_pct;       /* last interval, -1 before the first */
    uint64_t reclaimed;     /* since the task started */
    uint64_t dry_bytes;     /* dry run: what this cycle would have asked memory.reclaim for */
    char note[160];
};

struct psi_runtime {
    struct task *tk;
    struct taskrun *run;    /* its cycles */
    pthread_mutex_t lock;   /* rep */
    struct psi_cg *cg;
    size_t n;
    char mnt[256];
    struct guard_task guard;
    uint64_t reclaimed_gone;
    struct task_report rep;
};

static struct psi_cg *cg_find(struct psi_runtime *rt, const char *path, ino_t ino)
{
    for (size_t i = 0; i < rt->n; i++)
        if (rt->cg[i].ino == ino && strcmp(rt->cg[i].path, path) == 0)
            return &rt->cg[i];
    return NULL;
}

/* Match cg_dir again: new cgroups start at reclaim_rate, gone ones are forgotten. */
static int cg_refresh(struct psi_runtime *rt, const struct psi_task_params *p, char *why,
                      size_t len)
{
    char pattern[800];
    glob_t g;
    int rc;
    size_t w = 0;

    snprintf(pattern, sizeof(pattern), "%s/%s", rt->mnt, p->cg_dir);
    for (size_t i = 0; i < rt->n; i++)
        rt->cg[i].seen = false;
    rc = glob(pattern, GLOB_ONLYDIR | GLOB_BRACE | GLOB_NOSORT, NULL, &g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
        snprintf(why, len, "cannot match cg_dir %.160s: %s", pattern,
                 rc == GLOB_NOSPACE ? "out of memory" : "read error");
        return -1;
    }
    for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
        struct stat st;
        struct psi_cg *c;

        if (stat(g.gl_pathv[i], &st) != 0 || !S_ISDIR(st.st_mode) ||
            !cgroup_has_memory(g.gl_pathv[i]))
            continue;
        c = cg_find(rt, g.gl_pathv[i], st.st_ino);
        if (c == NULL && rt->n < PSI_CG_MAX &&
            strlen(g.gl_pathv[i]) < sizeof(c->path)) {
            struct guard_targets t = { .psi_us = p->pressure * 10000.0 };

            rt->cg = xreallocarray(rt->cg, rt->n + 1, sizeof(*rt->cg));
            c = &rt->cg[rt->n++];
            memset(c, 0, sizeof(*c));
            snprintf(c->path, sizeof(c->path), "%s", g.gl_pathv[i]);
            c->ino = st.st_ino;
            guard_ctl_init(&c->ctl, &t);
            c->ctl.share = p->reclaim_rate / p->reclaim_rate_max;
            c->stall_pct = -1;
        }
        if (c != NULL)
            c->seen = true;
    }
    if (rc == 0)
        globfree(&g);
    for (size_t i = 0; i < rt->n; i++) {
        if (rt->cg[i].seen)
            rt->cg[w++] = rt->cg[i];
        else
            rt->reclaimed_gone += rt->cg[i].reclaimed;
    }
    rt->n = w;
    if (rt->n == 0)
        snprintf(why, len, "no cgroup with the memory controller matches cg_dir %.160s",
                 pattern);
    return 0;
}

/* The pressure over the last interval into the cgroup's controller. */
static void cg_measure(struct psi_cg *c)
{
    struct psi_memory pm;
    uint64_t now = monotonic_ns();

    if (psi_read_cgroup(c->path, &pm) < 0)
        return;
    if (c->have_prev && now > c->prev_ns && pm.some.total_us >= c->prev_total_us) {
        struct guard_measured m = {
            .secs = (double)(now - c->prev_ns) / 1e9,
            .psi_known = true,
            .psi_cgroup = true,
        };

        m.psi_us = (double)(pm.some.total_us - c->prev_total_us) / m.secs;
        c->stall_pct = m.psi_us / 10000.0;
        guard_ctl_update(&c->ctl, &m);
    }
    c->prev_total_us = pm.some.total_us;
    c->prev_ns = now;
    c->have_prev = true;
}

/* What memory.reclaim could take: file pages, and anon pages that fit in swap. */
static uint64_t cg_reclaimable(const char *path)
{
    struct memcg_stat ms;
    struct meminfo mi;
    uint64_t room = 0, smax, scur;

    if (cgroup_read_memstat(path, &ms) < 0)
        return 0;
    if (proc_read_meminfo(&mi) == 0)
        room = mi.swap_free * 1024;
    if (cgroup_read_value(path, "memory.swap.max", &smax) == 0 &&
        cgroup_read_value(path, "memory.swap.current", &scur) == 0 && smax != UINT64_MAX) {
        uint64_t cg_room = smax > scur ? smax - scur : 0;

        if (cg_room < room)
            room = cg_room;
    }
    return ms.file + (ms.anon < room ? ms.anon : room);
}

static void cg_step(struct psi_runtime *rt, const struct psi_task_params *p, struct psi_cg *c)
{
    uint64_t current, max = UINT64_MAX, protect = 0, floor, step, after;
    double rate = psi_rate_of(p, c->ctl.share);
    int rc;

    c->dry_bytes = 0;
    cg_measure(c);
    if (c->ctl.verdict == GUARD_BACKING_OFF) {
        snprintf(c->note, sizeof(c->note), "stall %.3f%% over pressure %g%%: rate %.3f, "
                 "nothing reclaimed this step", c->stall_pct, p->pressure, rate);
        return;
    }
    if (cgroup_read_value(c->path, "memory.current", &current) < 0)
        return;
    (void)cgroup_read_value(c->path, "memory.max", &max);
    (void)cgroup_memory_floor(c->path, &protect);
    step = psi_step_bytes(p, rate, current, max, protect, cg_reclaimable(c->path), &floor);
    if (step == 0) {
        snprintf(c->note, sizeof(c->note), "at its floor (%llu MiB of %llu MiB)",
                 (unsigned long long)(floor >> 20), (unsigned long long)(current >> 20));
        return;
    }
    if (task_ext_of(rt->tk)->dry_run) {
        c->dry_bytes = step;
        snprintf(c->note, sizeof(c->note), "dry run: would ask memory.reclaim for %llu KiB at "
                 "rate %.3f", (unsigned long long)(step >> 10), rate);
        return;
    }
    rc = cgroup_reclaim(c->path, step);
    if (rc < 0 && rc != -EAGAIN) {
        snprintf(c->note, sizeof(c->note), "memory.reclaim of %llu bytes failed: %s",
                 (unsigned long long)step, strerror(-rc));
        return;
    }
    if (cgroup_read_value(c->path, "memory.current", &after) == 0 && after < current)
        c->reclaimed += current - after;
    snprintf(c->note, sizeof(c->note), "asked %llu KiB at rate %.3f (stall %.3f%%, target "
             "%g%%)%s", (unsigned long long)(step >> 10), rate, c->stall_pct, p->pressure,
             rc == -EAGAIN ? "; the kernel found less to reclaim" : "");
}

static void report_cycle(struct psi_runtime *rt, const struct psi_task_params *p, time_t begin,
                         double secs, const char *why)
{
    struct task_report *rep = &rt->rep;
    const struct psi_cg *worst = NULL;
    uint64_t reclaimed = rt->reclaimed_gone, dry_bytes = 0, dry_regions = 0;

    for (size_t i = 0; i < rt->n; i++) {
        reclaimed += rt->cg[i].reclaimed;
        dry_bytes += rt->cg[i].dry_bytes;
        dry_regions += rt->cg[i].dry_bytes > 0;
        if (worst == NULL || rt->cg[i].stall_pct > worst->stall_pct)
            worst = &rt->cg[i];
    }
    pthread_mutex_lock(&rt->lock);
    rep->state = rt->n ? "running" : "waiting";
    rep->cycles++;
    rep->last_scan = begin;
    rep->last_scan_secs = secs;
    rep->bytes_swapped = reclaimed;
    rep->dry_bytes_last = dry_bytes;
    rep->dry_regions_last = dry_regions;
    rep->dry_bytes_total += dry_bytes;
    rep->dry_regions_total += dry_regions;
    guard_task_report(&rt->guard, &rep->guard);
    rep->guard.on = true;
    rep->guard.cold_cycles = 0;     /* no pages of its own: project show says "reclaim rate" */
    rep->guard.t.psi_us = p->pressure * 10000.0;
    if (worst != NULL) {
        rep->guard.measured = worst->stall_pct >= 0;
        rep->guard.m.psi_known = rep->guard.measured;
        rep->guard.m.psi_cgroup = true;
        rep->guard.m.psi_us = worst->stall_pct * 10000.0;
        rep->guard.share = psi_rate_of(p, worst->ctl.share);
        rep->guard.verdict = guard_verdict_name(worst->ctl.verdict);
        snprintf(rep->guard.why, sizeof(rep->guard.why), "%s", worst->ctl.why);
    }
    if (why[0] != '\0')
        snprintf(rep->note, sizeof(rep->note), "%.*s", (int)sizeof(rep->note) - 1, why);
    else if (worst != NULL)
        snprintf(rep->note, sizeof(rep->note), "%zu cgroup(s); %s: %s", rt->n,
                 worst->path + strlen(rt->mnt) + 1, worst->note);
    pthread_mutex_unlock(&rt->lock);
    if (rep->dry_run)
        log_info("task %s: dry run: would reclaim %" PRIu64 " bytes from %" PRIu64 " cgroup(s) "
                 "this cycle", rt->tk->name, dry_bytes, dry_regions);
}

/* One cycle of the task; returns the pause before the next. */
static double psi_cycle(void *arg)
{
    struct psi_runtime *rt = arg;
    const struct psi_task_params *p = rt->tk->params;
    const struct psi_scan *scan = rt->tk->eng->proj->scan_param;
    struct stopper *stop = taskrun_stopper(rt->run);
    char why[256] = "";
    struct timespec t0, t1;
    time_t begin = time(NULL);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (cg_refresh(rt, p, why, sizeof(why)) < 0)
        ;   /* why says it */
    else if (guard_task_begin(&rt->guard) != GUARD_GO)
        snprintf(why, sizeof(why), "%s", rt->guard.stop_why);
    else
        for (size_t i = 0; i < rt->n && !stopper_raised(stop); i++)
            cg_step(rt, p, &rt->cg[i]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    report_cycle(rt, p, begin,
                 timespec_secs(&t0, &t1), why);
    return scan->interval;
}

static void psi_runtime_free(struct psi_runtime *rt)
{
    pthread_mutex_destroy(&rt->lock);
    taskrun_free(rt->run);
    free(rt->cg);
    free(rt);
}

static int psi_start_task(struct engine *eng, struct task *tk)
{
    struct psi_task_params *p = tk->params;
    struct psi_runtime *rt;
    struct guard_conf conf;
    char why[512];

    if (psi_unsupported(why, sizeof(why)) != NULL) {
        engine_error("task '%s': %s", tk->name, why);
        return -1;
    }
    rt = xcalloc(1, sizeof(*rt));
    rt->tk = tk;
    if (cgroup2_mount(rt->mnt, sizeof(rt->mnt)) < 0) {
        engine_error("task '%s': the cgroup v2 mount went away", tk->name);
        free(rt);
        return -1;
    }
    guard_conf_from_keys(&p->guard, &conf);
    guard_task_init(&rt->guard, &conf);
    snprintf(rt->rep.backend, sizeof(rt->rep.backend), "memory.reclaim");
    rt->rep.dry_run = task_ext_of(tk)->dry_run;
    rt->rep.dry_run_to = "memory.reclaim";
    rt->rep.state = "starting";
    pthread_mutex_init(&rt->lock, NULL);
    rt->run = taskrun_new(psi_cycle, rt);
    p->rt = rt;
    if (taskrun_start_for(rt->run, "task", tk->name) != 0) {
        p->rt = NULL;
        psi_runtime_free(rt);
        return -1;
    }
    log_info("task %s: psi reclaim of %s/%s every %d s, pressure target %g%%", tk->name,
             rt->mnt, p->cg_dir, ((const struct psi_scan *)eng->proj->scan_param)->interval,
             p->pressure);
    return 0;
}

static void psi_stop_task(struct engine *eng, struct task *tk)
{
    struct psi_task_params *p = tk->params;
    struct psi_runtime *rt = p->rt;

    if (rt == NULL)
        return;
    taskrun_stop(rt->run);
    p->rt = NULL;
    psi_runtime_free(rt);
}

void psi_report_task(struct task *tk, struct task_report *rep)
{
    struct psi_task_params *p = tk->params;
    struct psi_runtime *rt = p->rt;

    if (rt == NULL)
        return;
    pthread_mutex_lock(&rt->lock);
    *rep = rt->rep;
    pthread_mutex_unlock(&rt->lock);
}

struct engine_ops psi_engine_ops = {
    .start_task = psi_start_task,
    .stop_task = psi_stop_task,
};
