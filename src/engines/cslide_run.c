/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide_run.c - the cslide engine at work: tiering between the fast and slow node of each
 * node pair. This file runs the cycle, its thread and the engine_ops; a process's scan and
 * units are in cslide_units.c, the moves in cslide_move.c, the commands in cslide_show.c.
 *
 * DESIGN. Node capacity is shared by every task of an engine, so the engine (not each
 * task) has one cycle, run by the shared task threads (taskrun.h) while any of its tasks
 * is started. Each cycle it:
 *   1. resolves every started task's processes (targets.c) into tk->pids;
 *   2. hands each process to one of max_threads workers, which claims it (one scan of a
 *      process at a time), primes its tracker, takes `loop` samples `interval` seconds
 *      apart into a heat map (pidrun.c, shared with slide), and turns the map into units
 *      (cslide_units.c); in a region project it monitors the process's regions until an
 *      aggregation completes and makes units of the regions, with no per-page state;
 *   3. reads each pair's free memory (node MemFree, free 2 MiB hugepages) and lets the pure
 *      policy (cslide_policy.c) decide what to demote and promote in every pair, within
 *      the demotion budgets of the tasks the feedback guard throttles (cslide_guard.c);
 *   4. moves, per process, demotions first and then promotions (cslide_move.c), and
 *      updates the guarded tasks' controllers;
 *   5. publishes per-node hot/cold usage for the commands and `project show`, and comes
 *      again `sleep` seconds later (region projects: at once, a cycle is one aggregation).
 * Locking: rt->lock guards the member list, every member's tk->pids and all published
 * numbers. A cycle works on its own snapshot of the members; start_task adds a member
 * (picked up at the next cycle); stop_task stops the engine's cycles (waiting for one under
 * way), removes the member and starts them again if members remain, so no task is freed
 * while a cycle uses it. Sleeps and batches end early on stop. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "cslide_rt.h"
#include "log.h"
#include "monotime.h"
#include "proc.h"
#include "xalloc.h"

/* ---- node state ---- */

/* A node's free memory per pool, as the policy counts it. */
static int node_read(int id, struct node_now *n)
{
    struct numa_node_info info;
    int rc = numa_node_read(id, &info);

    if (rc < 0)
        return rc;
    *n = (struct node_now){ .id = id, .mem_total_kb = info.mem_total_kb,
                            .huge_total = info.huge2m_total };
    n->free[CS_POOL_PAGE] = info.mem_free_kb * 1024;
    n->free[CS_POOL_HUGETLB] = info.huge2m_free * HUGE_BYTES;
    return 0;
}

/* Every node of the machine (the probe's list), read now. */
static void nodes_read(struct cslide_rt *rt, struct node_now *out, int *nr)
{
    const struct kernel_caps *caps = engines_caps();

    *nr = 0;
    for (int i = 0; caps != NULL && i < caps->nr_nodes; i++) {
        if (node_read(caps->nodes[i].id, &out[*nr]) == 0)
            (*nr)++;
    }
}

static const struct node_now *node_get(const struct node_now *n, int nr, int id)
{
    for (int i = 0; i < nr; i++) {
        if (n[i].id == id)
            return &n[i];
    }
    return NULL;
}

/* ---- the cycle ---- */

/* Snapshot the members' processes into rt->work; returns the number of threads to use. */
static unsigned collect_work(struct cslide_rt *rt)
{
    unsigned threads = 1;
    struct task_pid **pids = NULL;
    size_t cap = 0;

    rt->nwork = 0;
    pthread_mutex_lock(&rt->lock);
    for (struct cslide_member *m = rt->members; m != NULL; m = m->next) {
        char why[160] = "";
        size_t n = 0;

        targets_update(&m->targets, m->tk, why, sizeof(why));
        targets_append(m->tk, &pids, &n, &cap);
        if (n == 0) {
            m->rep.state = "waiting";
            snprintf(m->rep.note, sizeof(m->rep.note), "%s", why);
        }
        for (size_t i = 0; i < n; i++) {
            if (rt->nwork == rt->capwork) {
                rt->capwork = rt->capwork ? rt->capwork * 2 : 16;
                rt->work = xreallocarray(rt->work, rt->capwork, sizeof(*rt->work));
            }
            rt->work[rt->nwork++] = (struct work){ m, pids[i] };
        }
        if (m->tk->max_threads > 0 && (unsigned)m->tk->max_threads > threads)
            threads = (unsigned)m->tk->max_threads;
        if (m->be.tracker->shared_handles)
            threads = 1;    /* one process at a time */
    }
    pthread_mutex_unlock(&rt->lock);
    pid_run_close_taken(&rt->closing);
    free(pids);
    return threads;
}

/* The processes' units, one array: each process's units stay together, in address order. */
static void gather_units(struct cslide_rt *rt)
{
    rt->nunits = 0;
    for (size_t i = 0; i < rt->nwork; i++) {
        struct cslide_pid *sp = rt->work[i].tp->params;

        sp->first = rt->nunits;
        if (rt->nunits + sp->nu > rt->capunits) {
            rt->capunits = (rt->nunits + sp->nu) * 2;
            rt->units = xreallocarray(rt->units, rt->capunits, sizeof(*rt->units));
        }
        for (size_t k = 0; k < sp->nu; k++) {
            rt->units[rt->nunits] = sp->u[k];
            rt->units[rt->nunits].owner = (uint32_t)i;
            rt->nunits++;
        }
        sp->end = rt->nunits;
        free(sp->u);    /* rebuilt each cycle: do not keep twice the memory */
        sp->u = NULL;
        sp->nu = sp->capu = 0;
    }
    free(rt->done);
    rt->done = xcalloc(rt->nunits + 1, sizeof(*rt->done));
}

static void plan_pairs(struct cslide_rt *rt, const struct node_now *nodes, int nr,
                       struct cs_plan_stats *total)
{
    const struct cslide_engine_params *ep = rt->ep;
    struct cs_params p = {
        .hot_threshold = (unsigned)ep->hot_threshold,
        .margin = cs_margin_for((unsigned)ep->hot_threshold),
        .quota = (uint64_t)ep->node_mig_quota << 20,
        .reserve = (uint64_t)ep->node_hot_reserve << 20,
        .demote_budget = rt->budget,
    };

    *total = (struct cs_plan_stats){ 0 };
    for (int i = 0; i < ep->pairs.nr; i++) {
        const struct node_now *f = node_get(nodes, nr, ep->pairs.pair[i].hot_node);
        const struct node_now *s = node_get(nodes, nr, ep->pairs.pair[i].cold_node);
        struct cs_pair pr = { .fast = ep->pairs.pair[i].hot_node,
                              .slow = ep->pairs.pair[i].cold_node };
        struct cs_plan_stats st;

        if (f == NULL || s == NULL)
            continue;   /* a node went offline: leave its pair alone */
        memcpy(pr.fast_free, f->free, sizeof(pr.fast_free));
        memcpy(pr.slow_free, s->free, sizeof(pr.slow_free));
        cs_plan(&p, &pr, rt->units, rt->nunits, &st);
        total->demote_bytes += st.demote_bytes;
        total->promote_bytes += st.promote_bytes;
        total->displaced_bytes += st.displaced_bytes;
        total->held_bytes += st.held_bytes;
        total->waiting_bytes[0] += st.waiting_bytes[0];
        total->waiting_bytes[1] += st.waiting_bytes[1];
    }
}

static void use_add(struct cslide_pid *sp, int node, bool hot, uint64_t bytes)
{
    int i;

    if (bytes == 0)
        return;
    for (i = 0; i < sp->nuse && sp->use_node[i] != node; i++)
        ;
    if (i == sp->nuse) {
        if (sp->nuse == KERNEL_MAX_NODES)
            return;
        sp->use_node[sp->nuse] = node;
        sp->use[sp->nuse] = (struct node_use){ 0 };
        sp->nuse++;
    }
    if (hot)
        sp->use[i].hot += bytes;
    else
        sp->use[i].cold += bytes;
}

/* Per process and node: hot and cold bytes after this cycle's moves (under rt->lock). */
static void publish_use(struct cslide_rt *rt)
{
    unsigned T = (unsigned)rt->ep->hot_threshold;

    for (size_t w = 0; w < rt->nwork; w++) {
        struct cslide_pid *sp = rt->work[w].tp->params;

        if (!sp->scanned)
            continue;
        sp->nuse = 0;
        sp->have_use = true;
        for (size_t i = sp->first; i < sp->end; i++) {
            const struct cs_unit *u = &rt->units[i];
            uint64_t done = rt->done[i];
            int dest = u->node;

            if (done > 0 && u->node >= 0 && u->node < MAX_NODE_ID &&
                rt->pair_of[u->node] > 0) {
                const struct node_pair *np = &rt->ep->pairs.pair[rt->pair_of[u->node] - 1];

                dest = u->move == CS_DEMOTE ? np->cold_node : np->hot_node;
            }
            use_add(sp, dest, u->heat >= T, done);
            use_add(sp, u->node, u->heat >= T, u->bytes - done);
        }
    }
}

static void human(uint64_t bytes, char *buf, size_t len)
{
    if (bytes >= (10ull << 30))
        snprintf(buf, len, "%" PRIu64 "G", bytes >> 30);
    else if (bytes >= (10ull << 20))
        snprintf(buf, len, "%" PRIu64 "M", bytes >> 20);
    else
        snprintf(buf, len, "%" PRIu64 "K", bytes >> 10);
}

static void report_cycle(struct cslide_rt *rt, time_t begin, double secs, const uint64_t moved[2],
                         const struct cs_plan_stats *ps, const struct action_counters *ac)
{
    long page = sysconf(_SC_PAGESIZE);
    char down[24], up[24], hold[24], wq[24], wr[24];   /* UINT64_MAX >> 10 is 17 digits */
    uint64_t dry_all[2] = { 0, 0 };     /* bytes, regions of its dry-run tasks */

    human(moved[0], down, sizeof(down));
    human(moved[1], up, sizeof(up));
    human(ps->held_bytes, hold, sizeof(hold));
    human(ps->waiting_bytes[0], wq, sizeof(wq));
    human(ps->waiting_bytes[1], wr, sizeof(wr));
    pthread_mutex_lock(&rt->lock);
    publish_use(rt);
    for (struct cslide_member *m = rt->members; m != NULL; m = m->next) {
        struct task_report *rep = &m->rep;
        uint64_t hot = 0, cold = 0, mdown = m->moved_gone[0], mup = m->moved_gone[1];
        uint64_t rss = 0, swap = 0, scanned_now = 0, dry_bytes = 0, dry_regions = 0;
        uint64_t regions = 0;
        double cpu = 0;
        const char *note = "";

        targets_measure(&m->targets);
        for (struct task_pid *tp = m->tk->pids; tp != NULL; tp = tp->next) {
            struct cslide_pid *sp = tp->params;

            rss += sp->rss;
            swap += sp->swap;
            regions += sp->regions;
            dry_bytes += sp->dry_bytes;
            dry_regions += sp->dry_regions;
            if (sp->scanned) {
                cpu += sp->cpu_secs;
                for (int i = 0; i < sp->nuse; i++)
                    scanned_now += sp->use[i].hot + sp->use[i].cold;
            }

            for (int i = 0; i < sp->nuse; i++) {
                hot += sp->use[i].hot;
                cold += sp->use[i].cold;
            }
            mdown += sp->moved[0];
            mup += sp->moved[1];
            if (sp->run.note[0] != '\0')
                note = sp->run.note;
        }
        if (m->tk->pids == NULL)
            continue;   /* still "waiting" */
        rep->state = "running";
        rep->cycles++;
        rep->last_scan = begin;
        rep->last_scan_secs = secs;
        rep->pages_scanned = (hot + cold) / (uint64_t)page;
        rep->pages_scanned_total += scanned_now / (uint64_t)page;
        rep->scan_cpu_secs += cpu;
        rep->bytes_moved[0] = mdown;
        rep->bytes_moved[1] = mup;
        rep->rss_bytes = rss;
        rep->swap_bytes = swap;
        rep->dry_bytes_last = dry_bytes;
        rep->dry_regions_last = dry_regions;
        rep->dry_bytes_total += dry_bytes;
        rep->dry_regions_total += dry_regions;
        dry_all[0] += dry_bytes;
        dry_all[1] += dry_regions;
        rep->pages_hot = hot / (uint64_t)page;
        rep->pages_cold = cold / (uint64_t)page;
        if (m->guarded) {
            guard_task_report(&m->guard, &rep->guard);
            rep->guard.has_zram = false;    /* cslide does not swap */
        }
        if (note[0] != '\0') {
            snprintf(rep->note, sizeof(rep->note), "%s", note);
        } else {
            char td[16], tu[16], on[48] = "", buf[560];
            size_t len;

            human(mdown, td, sizeof(td));
            human(mup, tu, sizeof(tu));
            if (rt->regions)
                snprintf(on, sizeof(on), "on %" PRIu64 " regions; ", regions);
            snprintf(buf, sizeof(buf), "%smoved to slow %s, to fast %s since start; engine last "
                     "cycle: %s down, %s up, %s held (hysteresis, guard), waiting %s (quota) %s "
                     "(room), %" PRIu64 " pages failed", on, td, tu, down, up, hold, wq, wr,
                     ac->pages_tried - ac->pages_done);
            len = strnlen(buf, sizeof(rep->note) - 1);  /* a long note is cut short */
            memcpy(rep->note, buf, len);
            rep->note[len] = '\0';
        }
    }
    rt->moved_total[0] += moved[0];
    rt->moved_total[1] += moved[1];
    rt->have_stats = true;
    rt->stat_time = time(NULL);
    rt->cycles++;
    pthread_mutex_unlock(&rt->lock);
    if (dry_all[1] > 0)
        log_info("engine %s: dry run: would move %" PRIu64 " bytes in %" PRIu64 " regions "
                 "between NUMA nodes this cycle", rt->eng->name, dry_all[0], dry_all[1]);
}

/* One cycle; false when no task had a process to work on. */
static bool cycle(struct cslide_rt *rt)
{
    struct node_now *nodes = xcalloc(KERNEL_MAX_NODES, sizeof(*nodes));
    unsigned threads = collect_work(rt);
    struct cs_plan_stats ps;
    struct action_counters ac = { 0 };
    uint64_t moved[2] = { 0, 0 };
    struct timespec t0, t1;
    time_t begin = time(NULL);
    int nr;

    if (rt->nwork == 0) {
        free(nodes);
        return false;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    taskrun_fanout(threads, rt->nwork, cslide_scan_job, rt, rt->stop);
    if (stopper_raised(rt->stop)) {
        free(nodes);
        return true;
    }
    gather_units(rt);
    nodes_read(rt, nodes, &nr);
    cslide_guard_budgets(rt);
    plan_pairs(rt, nodes, nr, &ps);
    cslide_move_all(rt, moved, &ac);
    cslide_guard_end(rt);
    for (size_t w = 0; w < rt->nwork; w++)
        cslide_history_roll(rt->work[w].tp->params);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!stopper_raised(rt->stop)) {
        nodes_read(rt, nodes, &nr);
        pthread_mutex_lock(&rt->lock);
        memcpy(rt->nodes, nodes, (size_t)nr * sizeof(*nodes));
        rt->nr_nodes = nr;
        pthread_mutex_unlock(&rt->lock);
        report_cycle(rt, begin, timespec_secs(&t0, &t1),
                     moved, &ps, &ac);
    }
    log_debug("engine %s: %zu processes, %zu units, planned %" PRIu64 " KiB down %" PRIu64
              " KiB up, moved %" PRIu64 " KiB down %" PRIu64 " KiB up (%" PRIu64 " pages "
              "tried, %" PRIu64 " busy, %" PRIu64 " no memory)", rt->eng->name, rt->nwork,
              rt->nunits, ps.demote_bytes >> 10, ps.promote_bytes >> 10, moved[0] >> 10,
              moved[1] >> 10, ac.pages_tried, ac.pages_failed[ACT_FAIL_BUSY],
              ac.pages_failed[ACT_FAIL_NOMEM]);
    free(nodes);
    return true;
}

/* One cycle of the engine; returns the pause before the next. */
static double cslide_cycle(void *arg)
{
    struct cslide_rt *rt = arg;

    return engine_cycle_pause(rt->eng->proj, cycle(rt));
}

/* ---- engine_ops ---- */

static struct cslide_rt *rt_get(struct engine *eng, const struct kernel_caps *caps)
{
    struct cslide_engine_params *ep = eng->params;
    struct cslide_rt *rt = ep->rt;
    char why[256];

    if (rt != NULL)
        return rt;
    rt = xcalloc(1, sizeof(*rt));
    rt->eng = eng;
    rt->ep = ep;
    rt->regions = eng->proj->type == REGION_SCAN;
    rt->migrate = migrate_select(caps, NULL, why, sizeof(why));
    if (rt->migrate == NULL) {
        engine_error("engine '%s': %s", eng->name, why);
        free(rt);
        return NULL;
    }
    for (int i = 0; i < ep->pairs.nr; i++) {
        rt->pair_of[ep->pairs.pair[i].hot_node] = i + 1;
        rt->pair_of[ep->pairs.pair[i].cold_node] = i + 1;
    }
    pthread_mutex_init(&rt->lock, NULL);
    rt->run = taskrun_new(cslide_cycle, rt);
    rt->stop = taskrun_stopper(rt->run);
    ep->rt = rt;
    return rt;
}

static void rt_put(struct engine *eng)
{
    struct cslide_engine_params *ep = eng->params;
    struct cslide_rt *rt = ep->rt;

    if (rt == NULL || rt->members != NULL)
        return;
    taskrun_stop(rt->run);
    taskrun_free(rt->run);
    pid_run_closing_free(&rt->closing);
    pthread_mutex_destroy(&rt->lock);
    free(rt->work);
    free(rt->units);
    free(rt->done);
    free(rt->budget);
    free(rt);
    ep->rt = NULL;
}

static bool all_hugetlb(const struct cslide_rt *rt)
{
    for (const struct cslide_member *m = rt->members; m != NULL; m = m->next) {
        if (!cslide_wants_hugetlb(m->tk->params))
            return false;
    }
    return rt->members != NULL;
}

static int cslide_start_task(struct engine *eng, struct task *tk)
{
    struct cslide_task_params *p = tk->params;
    const struct kernel_caps *caps = engines_caps();
    struct cslide_member *m;
    struct cslide_rt *rt;
    struct guard_conf conf;
    char why[1024]; /* one reason per backend tried */

    if (caps == NULL) {
        engine_error("cslide: the kernel was not probed");
        return -1;
    }
    m = xcalloc(1, sizeof(*m));
    m->tk = tk;
    m->be.tracker = cslide_source_pick(caps, eng->proj, p, why, sizeof(why));
    if (m->be.tracker == NULL) {
        engine_error("task '%s': %s", tk->name, why);
        free(m);
        return -1;
    }
    rt = rt_get(eng, caps);
    if (rt == NULL) {
        free(m);
        return -1;
    }
    m->rt = rt;
    m->be.migrate = rt->migrate;
    scan_opts_default(&m->be.opts);
    engine_scan_attrs(&m->be.opts, eng->proj);
    m->be.opts.anon_only = p->anon_only;
    m->be.opts.vm_flags = p->vm_flags;     /* copied by the tracker's open */
    m->be.opts.ign_host = p->ign_host;
    m->be.opts.scan_as_huge = true;
    m->be.opts.stop = rt->stop;
    snprintf(m->rep.backend, sizeof(m->rep.backend), "%s+%s", m->be.tracker->name,
             rt->migrate->name);
    m->rep.state = "starting";
    m->rep.dry_run = task_ext_of(tk)->dry_run;
    m->rep.dry_run_to = "the other node of its pair";
    guard_conf_from_keys(&p->guard, &conf);
    m->be.opts.probe_budget_pct = guard_probe_budget_pct(&conf.t); /* trackers that probe */
    guard_task_init(&m->guard, &conf);
    m->guarded = guard_targets_any(&conf.t);
    pthread_mutex_lock(&rt->lock);
    m->next = rt->members;
    rt->members = m;
    rt->hugetlb_only = all_hugetlb(rt);
    pthread_mutex_unlock(&rt->lock);
    p->rt = m;
    if (taskrun_start_for(rt->run, "task", tk->name) != 0) {   /* no-op while it runs */
        pthread_mutex_lock(&rt->lock);
        rt->members = m->next;
        pthread_mutex_unlock(&rt->lock);
        p->rt = NULL;
        free(m);
        rt_put(eng);
        return -1;
    }
    log_info("task %s: cslide with %s tracking and %s migration", tk->name, m->be.tracker->name,
             rt->migrate->name);
    return 0;
}

static void cslide_stop_task(struct engine *eng, struct task *tk)
{
    struct cslide_task_params *p = tk->params;
    struct cslide_member *m = p->rt, **pp;
    struct cslide_rt *rt;

    if (m == NULL)
        return;
    rt = m->rt;
    taskrun_stop(rt->run);
    for (pp = &rt->members; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    }
    targets_clear(tk);
    pid_run_close_taken(&rt->closing);
    p->rt = NULL;
    free(m);
    rt->hugetlb_only = all_hugetlb(rt);
    if (rt->members == NULL) {
        rt_put(eng);
        return;
    }
    int rc = taskrun_start(rt->run);

    if (rc != 0)
        log_err("engine %s: no task thread can run it again: %s; its other tasks stay idle",
                eng->name, strerror(rc));
}

static int cslide_alloc_pid(struct engine *eng, struct task_pid **tk_pid)
{
    struct cslide_pid *sp = xcalloc(1, sizeof(*sp));

    pid_run_init(&sp->run);
    guard_proc_init(&sp->gp);
    (*tk_pid)->params = sp;
    return 0;
}

static void cslide_free_pid(struct engine *eng, struct task_pid **tk_pid)
{
    struct cslide_pid *sp = (*tk_pid)->params;
    struct cslide_task_params *p = (*tk_pid)->tk->params;

    if (sp == NULL)
        return;
    if (p->rt != NULL) {
        /* keep what the process achieved in the task's totals (rt->lock is held, or the
         * engine's cycles have ended); its handles are closed after the lock */
        p->rt->moved_gone[0] += sp->moved[0];
        p->rt->moved_gone[1] += sp->moved[1];
        pid_run_close_later(&p->rt->rt->closing, &sp->run, &p->rt->be);
    }
    pid_run_fini(&sp->run);
    guard_proc_free(&sp->gp);
    free(sp->hist);
    free(sp->next);
    free(sp->u);
    free(sp);
    (*tk_pid)->params = NULL;
}

void cslide_report_task(struct task *tk, struct task_report *rep)
{
    struct cslide_task_params *p = tk->params;
    struct cslide_member *m = p->rt;

    if (m == NULL)
        return;
    pthread_mutex_lock(&m->rt->lock);
    *rep = m->rep;
    targets_report(&m->targets, tk, rep);
    pthread_mutex_unlock(&m->rt->lock);
}

struct engine_ops cslide_engine_ops = {
    .start_task = cslide_start_task,
    .stop_task = cslide_stop_task,
    .alloc_pid_params = cslide_alloc_pid,
    .free_pid_params = cslide_free_pid,
};

