/* SPDX-License-Identifier: MulanPSL-2.0 */
/* slide_run.c - the slide engine at work.
 *
 * DESIGN. Each started task has a cycle that the shared task threads run (taskrun.h):
 *   1. resolve its target processes (targets.c) into tk->pids;
 *   2. if sysmem_threshold is set and available memory is not below it, do nothing;
 *   3. hand each process to one of max_threads workers, which: claims the process (no two
 *      scans of one process at once), skips it if it uses less than swap_threshold, primes
 *      the tracker, takes `loop` samples `interval` seconds apart into a heat map, calls
 *      pages whose summed weight is below T cold (with dram_percent: coldest first until
 *      at most that share of the process stays in RAM), and swaps them out in bounded
 *      batches, checking for stop between batches; with both swapcache watermarks set,
 *      then brings the swap cache back under them through the reclaim backend;
 *   4. comes again `sleep` seconds later.
 * The feedback guard (src/guard) is asked before the swap-outs: its safety envelope can
 * stop them for the cycle (swap nearly full, zram gaining nothing), the cgroup floor bounds
 * them, and with targets set (guard_refault_pct, guard_psi_us, guard_rate_mib) it narrows
 * the cold pages to those cold long enough and not held for coming back, within its quota,
 * and brings back in one go the rest of memory evidently read again (page projects);
 * after the cycle it measures the processes and updates its throttle.
 * Sleeps end at once when the task is stopped. The tracker, reclaimer and heat map of a
 * process (pidrun.c, shared with cslide) live as long as the process stays a target
 * (task_pid->params). The report for
 * `project show` is updated after each cycle under rt->lock, which also guards tk->pids. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "damon.h"
#include "engine.h"
#include "guard.h"
#include "heatmap.h"
#include "log.h"
#include "monotime.h"
#include "pidrun.h"
#include "probe.h"
#include "proc.h"
#include "region_monitor.h"
#include "ratelimit.h"
#include "runtime.h"
#include "slide.h"
#include "taskrun.h"
#include "targets.h"
#include "thp_whole.h"
#include "tracker.h"
#include "xalloc.h"

#define RECLAIM_BATCH_BYTES (16u << 20)    /* stop is checked between batches */

struct slide_pid {
    struct pid_run run;
    struct guard_proc gp;
    uint64_t majflt_base;
    bool majflt_known;
    /* results of its last job, read by the task thread after the pool run */
    uint64_t scanned, hot, cold, swapped_bytes, refaults;
    uint64_t rss, swap;             /* its memory at the end of the job */
    double cpu_secs;                /* the job's CPU time */
    uint64_t dry_bytes, dry_regions;    /* dry run: what this cycle would have swapped out */
    bool scanned_now;
    uint64_t probes, probes_back;   /* the tracker's probes this cycle, and those back */
    uint64_t probes_next;           /* probes its budget allows the next window */
    double probe_budget_pct;        /* in force; 0: the tracker does not probe */
    /* the damon engine's size quota applied by etmemd: bytes charged since quota_from */
    uint64_t quota_charged;
    struct timespec quota_from;
    bool quota_exceeded;            /* in this reset interval */
};

struct slide_runtime {
    struct task *tk;
    struct taskrun *run;            /* its cycles */
    struct stopper *stop;           /* run's */
    pthread_mutex_t lock;           /* report and tk->pids */
    struct task_pid **pids;         /* the cycle's snapshot of tk->pids */
    size_t pids_cap;
    struct pid_run_closing closing; /* of processes dropped under lock */
    struct targets targets;
    struct pid_backends be;
    struct guard_task guard;        /* used by its cycles only */
    struct task_report rep;
    uint64_t damos_nr_tried, damos_sz_tried, damos_nr_applied, damos_sz_applied;
    uint64_t damos_qt_exceeds;
    struct damos_spec spec;         /* the scheme the kernel applies (kernel_scheme) */
    uint64_t swapped_gone;          /* totals of processes no longer targets */
    uint64_t refaults_gone;
    struct timespec last_cycle;     /* when the last cycle's report was made */
    char standing_note[192];        /* shown when a cycle has nothing more specific */
};

struct cycle {
    struct slide_runtime *rt;
    const struct slide_task_params *p;
    const struct page_scan *scan;   /* page projects; NULL for region projects */
    const struct damos_params *scheme; /* the damon engine's; NULL for slide */
    bool kernel_scheme;             /* the kernel applies it (DAMOS): etmemd reads its stats */
    struct task_pid **pids;
    enum guard_stop stop;           /* the safety envelope's verdict for this cycle */
    bool guarded;                   /* targets set: the guard narrows the cold pages */
};

struct cold_ranges {
    long ps;
    unsigned T;
    struct page_range *r;
    size_t n, cap;
    uint64_t hot, cold;
    /* dram_percent: pages with count < cutoff go, and `partial` of those with count == cutoff */
    bool limited;
    unsigned cutoff;
    uint64_t partial;
    uint64_t hist[HEAT_COUNT_MAX + 1];
};

static void ranges_add(struct cold_ranges *cr, uint64_t start, uint64_t end)
{
    if (cr->n > 0 && cr->r[cr->n - 1].start + cr->r[cr->n - 1].len == start) {
        cr->r[cr->n - 1].len += end - start;
        return;
    }
    if (cr->n == cr->cap) {
        cr->cap = cr->cap ? cr->cap * 2 : 64;
        cr->r = xreallocarray(cr->r, cr->cap, sizeof(*cr->r));
    }
    cr->r[cr->n++] = (struct page_range){ start, end - start };
}

static int count_run(const struct heat_run *run, void *arg)
{
    struct cold_ranges *cr = arg;
    uint64_t pages = (run->end - run->start) / (uint64_t)cr->ps;

    if (!(run->flags & HEAT_PRESENT))
        return 0;
    if (run->count >= cr->T)
        cr->hot += pages;
    else
        cr->hist[run->count] += pages;
    return 0;
}

static int select_run(const struct heat_run *run, void *arg)
{
    struct cold_ranges *cr = arg;
    uint64_t end = run->end;

    if (!(run->flags & HEAT_PRESENT) || run->count >= cr->T)
        return 0;
    if (cr->limited && run->count > cr->cutoff)
        return 0;
    if (cr->limited && run->count == cr->cutoff) {
        uint64_t pages = (run->end - run->start) / (uint64_t)cr->ps;

        if (cr->partial == 0)
            return 0;
        if (pages > cr->partial)
            end = run->start + cr->partial * (uint64_t)cr->ps;
        cr->partial -= (end - run->start) / (uint64_t)cr->ps;
    }
    ranges_add(cr, run->start, end);
    return 0;
}

/* With dram_percent: keep at most pct% of the process (resident + swapped) in RAM, so
 * swap out (resident - keep) pages, coldest first, never a page at or above T. */
static void limit_by_dram_percent(struct cold_ranges *cr, pid_t pid, int pct)
{
    struct proc_status st;
    uint64_t keep_kb, need, cum = 0;

    cr->limited = true;
    cr->cutoff = 0;
    cr->partial = 0;
    if (proc_read_status(pid, &st) < 0)
        return;
    keep_kb = (st.vm_rss + st.vm_swap) * (uint64_t)pct / 100;
    if (st.vm_rss <= keep_kb)
        return;
    need = (st.vm_rss - keep_kb) * 1024 / (uint64_t)cr->ps;
    for (unsigned c = 0; c < cr->T; c++) {
        if (cum + cr->hist[c] >= need) {
            cr->cutoff = c;
            cr->partial = need - cum;
            return;
        }
        cum += cr->hist[c];
    }
    cr->limited = false;    /* all cold pages together are not enough: take them all */
}

static void classify(const struct cycle *cy, struct slide_pid *sp, pid_t pid,
                     struct cold_ranges *cr)
{
    memset(cr, 0, sizeof(*cr));
    cr->ps = heat_map_page_size(sp->run.hm);
    cr->T = (unsigned)cy->p->T;
    heat_map_for_each_run(sp->run.hm, count_run, cr);
    for (unsigned c = 0; c < cr->T && c <= HEAT_COUNT_MAX; c++)
        cr->cold += cr->hist[c];
    if (cy->p->dram_percent > 0)
        limit_by_dram_percent(cr, pid, cy->p->dram_percent);
    heat_map_for_each_run(sp->run.hm, select_run, cr);
}

/* Region projects: the same classification on whole regions, with the count of a region
 * the checks of its last aggregation that found it accessed; a region nothing is known
 * about yet counts as hot. No per-page state: the regions are all there is. */
static void classify_regions(const struct cycle *cy, const struct mon_region *r, size_t n,
                             pid_t pid, struct cold_ranges *cr)
{
    memset(cr, 0, sizeof(*cr));
    cr->ps = sysconf(_SC_PAGESIZE);
    cr->T = (unsigned)cy->p->T;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            unsigned count = r[i].fresh ? cr->T : r[i].last_acc;
            struct heat_run run = { r[i].start, r[i].end,
                                    count > HEAT_COUNT_MAX ? HEAT_COUNT_MAX : count,
                                    HEAT_PRESENT };
            if (pass == 0)
                count_run(&run, cr);
            else
                select_run(&run, cr);
        }
        if (pass == 0) {
            for (unsigned c = 0; c < cr->T && c <= HEAT_COUNT_MAX; c++)
                cr->cold += cr->hist[c];
            if (cy->p->dram_percent > 0)
                limit_by_dram_percent(cr, pid, cy->p->dram_percent);
        }
    }
}

/* A huge page goes out whole or stays whole: paging out part of one splits it for good. */
static void keep_huge_pages_whole(const struct cycle *cy, pid_t pid, struct cold_ranges *cr)
{
    int64_t left_out = thp_whole_ranges(pid, cr->r, &cr->n);

    if (left_out < 0)
        log_debug("task %s pid %d: huge pages not told apart: %s", cy->rt->tk->name,
                  (int)pid, strerror((int)-left_out));
}

struct quota_pick {
    const struct mon_region *r;
    uint64_t take;                  /* bytes of it the scheme acts on */
};

/* Under a size quota DAMOS goes coldest first for actions that send memory away, hottest
 * first for the others (fewer/more accesses, then older). */
static int by_coldest(const void *a, const void *b)
{
    const struct mon_region *x = ((const struct quota_pick *)a)->r;
    const struct mon_region *y = ((const struct quota_pick *)b)->r;
    if (x->last_acc != y->last_acc)
        return x->last_acc < y->last_acc ? -1 : 1;
    return x->age > y->age ? -1 : x->age < y->age;
}

static int by_hottest(const void *a, const void *b)
{
    const struct mon_region *x = ((const struct quota_pick *)a)->r;
    const struct mon_region *y = ((const struct quota_pick *)b)->r;
    if (x->last_acc != y->last_acc)
        return x->last_acc > y->last_acc ? -1 : 1;
    return x->age > y->age ? -1 : x->age < y->age;
}

static int by_address(const void *a, const void *b)
{
    const struct mon_region *x = ((const struct quota_pick *)a)->r;
    const struct mon_region *y = ((const struct quota_pick *)b)->r;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* quota_bytes applied by etmemd, as DAMOS's size quota: within each reset interval the
 * action takes at most quota_bytes, in priority order; the region that crosses the budget
 * is cut to it (whole pages) and the rest wait for the next interval. */
static void quota_apply(const struct cycle *cy, struct slide_pid *sp, struct quota_pick *pk,
                        size_t n, long ps)
{
    const struct damos_params *s = cy->scheme;
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ms = (now.tv_sec - sp->quota_from.tv_sec) * 1000 +
                 (now.tv_nsec - sp->quota_from.tv_nsec) / 1000000;
    if (sp->quota_from.tv_sec == 0 || ms < 0 || (uint64_t)ms >= s->quota_reset_ms) {
        sp->quota_from = now;
        sp->quota_charged = 0;
        sp->quota_exceeded = false;
    }
    qsort(pk, n, sizeof(*pk), damos_action_is_cold(s->action) ? by_coldest : by_hottest);
    for (size_t i = 0; i < n; i++) {
        uint64_t left = s->quota_bytes - sp->quota_charged;
        if (pk[i].take > left)
            pk[i].take = left / (uint64_t)ps * (uint64_t)ps;
        sp->quota_charged += pk[i].take;
        if (pk[i].take < pk[i].r->end - pk[i].r->start && !sp->quota_exceeded) {
            sp->quota_exceeded = true;
            pthread_mutex_lock(&cy->rt->lock);
            cy->rt->damos_qt_exceeds++;
            pthread_mutex_unlock(&cy->rt->lock);
        }
    }
    qsort(pk, n, sizeof(*pk), by_address);
}

/* The damon engine applied by etmemd: the regions its scheme qualifies (within the size
 * quota), counted as DAMOS counts them. */
static void scheme_select(const struct cycle *cy, struct slide_pid *sp,
                          const struct mon_region *r, size_t n, struct cold_ranges *cr)
{
    struct slide_runtime *rt = cy->rt;
    struct quota_pick *pk = xcalloc(n ? n : 1, sizeof(*pk));
    uint64_t nr = 0, sz = 0;
    size_t np = 0;

    memset(cr, 0, sizeof(*cr));
    cr->ps = sysconf(_SC_PAGESIZE);
    for (size_t i = 0; i < n; i++) {
        if (damos_matches(cy->scheme, &r[i]))
            pk[np++] = (struct quota_pick){ &r[i], r[i].end - r[i].start };
        else
            cr->hot += (r[i].end - r[i].start) / (uint64_t)cr->ps;
    }
    if (cy->scheme->quota_bytes > 0)
        quota_apply(cy, sp, pk, np, cr->ps);
    for (size_t i = 0; i < np; i++) {
        uint64_t bytes = pk[i].r->end - pk[i].r->start;
        cr->cold += pk[i].take / (uint64_t)cr->ps;
        cr->hot += (bytes - pk[i].take) / (uint64_t)cr->ps;
        if (pk[i].take == 0)
            continue;
        ranges_add(cr, pk[i].r->start, pk[i].r->start + pk[i].take);
        nr++;
        sz += pk[i].take;
    }
    free(pk);
    pthread_mutex_lock(&rt->lock);
    rt->damos_nr_tried += nr;
    rt->damos_sz_tried += sz;
    pthread_mutex_unlock(&rt->lock);
}

static int swap_out(struct slide_runtime *rt, struct slide_pid *sp, const struct cold_ranges *cr,
                    struct ratelimit *rl, struct action_counters *ac);

/* The scheme's action on the qualified regions: the remote madvise it stands for. */
static int scheme_act(const struct cycle *cy, struct slide_pid *sp, const struct cold_ranges *cr,
                      struct ratelimit *rl, struct action_counters *ac)
{
    static const int advice[] = { [DAMOS_WILLNEED] = MADV_WILLNEED, [DAMOS_COLD] = MADV_COLD };
    struct slide_runtime *rt = cy->rt;
    int rc;

    if (cy->scheme->action == DAMOS_STAT)
        return 0;
    if (cy->scheme->action == DAMOS_PAGEOUT)
        rc = swap_out(rt, sp, cr, rl, ac);
    else
        rc = reclaim_madvise_advise(sp->run.reclaimer, cr->r, cr->n,
                                    advice[cy->scheme->action], ac);
    pthread_mutex_lock(&rt->lock);
    rt->damos_nr_applied += ac->pages_done ? cr->n : 0;
    rt->damos_sz_applied += ac->pages_done * (uint64_t)cr->ps;
    pthread_mutex_unlock(&rt->lock);
    return rc;
}

/* Swap out the cold ranges in batches, paced by rl (guard_rate_mib) on what really went
 * out (pages already out cost nothing); returns 0 or -ESRCH/-errno. */
static int swap_out(struct slide_runtime *rt, struct slide_pid *sp, const struct cold_ranges *cr,
                    struct ratelimit *rl, struct action_counters *ac)
{
    size_t i = 0;
    uint64_t off = 0;
    uint64_t max_batch = ratelimit_batch_bytes(rl, RECLAIM_BATCH_BYTES);

    while (i < cr->n) {
        struct page_range batch[64];
        size_t nb = 0;
        uint64_t bytes = 0;
        uint64_t done = ac->pages_done;
        int rc;

        while (i < cr->n && nb < 64 && bytes < max_batch) {
            uint64_t take = cr->r[i].len - off;

            if (take > max_batch - bytes)
                take = max_batch - bytes;
            batch[nb++] = (struct page_range){ cr->r[i].start + off, take };
            bytes += take;
            off += take;
            if (off == cr->r[i].len) {
                i++;
                off = 0;
            }
        }
        rc = rt->be.reclaim->reclaim(sp->run.reclaimer, batch, nb, ac);
        if (rc < 0)
            return rc;
        if (stopper_raised(rt->stop))
            return 0;
        ratelimit_take(rl, (ac->pages_done - done) * (uint64_t)cr->ps);
    }
    return 0;
}

/* swapcache_high_wmark / swapcache_low_wmark: after the process's swap-out, bring the
 * system's swap cache back under the watermarks with what the backend can do for this
 * process (docs/kernel-backends.md, "Swap cache watermarks"). */
static void reclaim_swapcache(const struct cycle *cy, struct slide_pid *sp, pid_t pid)
{
    const struct project *proj = cy->rt->tk->eng->proj;
    struct swapcache_result res;
    int rc;

    if (proj->swapcache_high_wmark < 0 || proj->swapcache_low_wmark < 0 ||
        cy->rt->be.reclaim->reclaim_swapcache == NULL)
        return;
    struct swapcache_wmark wm = { (unsigned)proj->swapcache_low_wmark,
                                  (unsigned)proj->swapcache_high_wmark };
    rc = cy->rt->be.reclaim->reclaim_swapcache(sp->run.reclaimer, &wm, sp->run.hm, &res);
    if (rc < 0) {
        pid_run_note_errno(&sp->run, pid, "reclaiming the swap cache", -rc);
        return;
    }
    if (res.triggered && res.by_kernel)
        log_info("task %s pid %d: swap cache %llu kB above the high watermark (%llu kB): the "
                 "kernel reclaims it down to %llu kB", cy->rt->tk->name, (int)pid,
                 (unsigned long long)res.swapcached_kb, (unsigned long long)res.high_kb,
                 (unsigned long long)res.low_kb);
    else if (res.triggered)
        log_info("task %s pid %d: swap cache %llu kB above the high watermark (%llu kB): %llu "
                 "of the process's %llu pages in it paged out, %llu kB now (low watermark "
                 "%llu kB)", cy->rt->tk->name, (int)pid, (unsigned long long)res.swapcached_kb,
                 (unsigned long long)res.high_kb, (unsigned long long)res.pages_reclaimed,
                 (unsigned long long)res.pages_found,
                 (unsigned long long)res.swapcached_after_kb, (unsigned long long)res.low_kb);
}

/* What the guard lets go of the cold ranges: nothing while the envelope stops swap-outs,
 * else the guard's narrowing (the cgroup floor always; with targets, cold age, held pages
 * and the quota). */
static void guard_narrow(const struct cycle *cy, struct slide_pid *sp, pid_t pid,
                         struct cold_ranges *cr)
{
    struct page_range *r;

    if (cy->stop != GUARD_GO) {
        cr->n = 0;
        return;
    }
    guard_proc_floor(&sp->gp, pid);
    cr->n = guard_proc_select(&sp->gp, &cy->rt->guard, cr->r, cr->n, cr->ps, &r);
    free(cr->r);
    cr->r = r;
    cr->cap = cr->n;
    if (sp->gp.floor_why[0] != '\0' && sp->gp.floor_budget < sp->cold * (uint64_t)cr->ps)
        snprintf(sp->run.note, sizeof(sp->run.note), "%s", sp->gp.floor_why);
}

/* Major faults of the process since it became a target. */
static void count_refaults(struct slide_pid *sp, pid_t pid)
{
    struct proc_stat ps;

    if (proc_read_stat(pid, &ps) != 0)
        return;
    if (!sp->majflt_known)
        sp->majflt_base = ps.majflt;
    sp->majflt_known = true;
    sp->refaults = ps.majflt - sp->majflt_base;
}

/* The damon engine where the kernel applies the scheme: one aggregation interval, then
 * what DAMOS counted. The regions it tried are this cycle's cold pages; the rest of the
 * resident memory is counted hot. */
static void kernel_scheme_cycle(const struct cycle *cy, struct slide_pid *sp,
                                const struct proc_identity *id)
{
    struct slide_runtime *rt = cy->rt;
    struct damos_stats d;
    struct proc_status before, after;
    uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
    bool known = proc_read_status(id->pid, &before) == 0;

    if (pid_run_scheme_stats(&sp->run, &rt->be, rt->stop, id, &d) != PID_SCAN_DONE)
        return;
    sp->scanned_now = true;
    sp->cold = d.sz_tried / ps;
    if (known && proc_read_status(id->pid, &after) == 0) {
        sp->hot = after.vm_rss * 1024 / ps > sp->cold ? after.vm_rss * 1024 / ps - sp->cold : 0;
        if (after.vm_swap > before.vm_swap)
            sp->swapped_bytes += (after.vm_swap - before.vm_swap) * 1024;
    }
    sp->scanned = sp->hot + sp->cold;
    if (task_ext_of(rt->tk)->dry_run) {
        sp->dry_bytes = d.sz_tried;
        sp->dry_regions = d.nr_tried;
    }
    pthread_mutex_lock(&rt->lock);
    rt->damos_nr_tried += d.nr_tried;
    rt->damos_sz_tried += d.sz_tried;
    rt->damos_nr_applied += d.nr_applied;
    rt->damos_sz_applied += d.sz_applied;
    rt->damos_qt_exceeds += d.qt_exceeds;
    pthread_mutex_unlock(&rt->lock);
}

/* One process, one cycle: scan `loop` times, classify, swap out the cold pages. */
static void slide_pid_cycle(const struct cycle *cy, struct task_pid *tp)
{
    struct slide_runtime *rt = cy->rt;
    struct slide_pid *sp = tp->params;
    const struct proc_identity id = { (pid_t)tp->pid, tp->starttime };
    pid_t pid = id.pid;
    struct scan_stats st = { 0 };
    struct action_counters ac = { 0 };
    struct cold_ranges cr;
    struct proc_status before, after;
    int rc = 0;

    if (cy->p->swap_threshold_kb > 0) {
        if (proc_read_status(pid, &before) < 0) {
            pid_run_note_errno(&sp->run, pid, "reading status", ESRCH);
            return;
        }
        if (before.vm_rss < cy->p->swap_threshold_kb) {
            snprintf(sp->run.note, sizeof(sp->run.note), "process %d uses %llu MiB, below "
                     "swap_threshold %llu GiB", (int)pid, (unsigned long long)before.vm_rss >> 10,
                     (unsigned long long)cy->p->swap_threshold_kb >> 20);
            return;
        }
    }
    if (cy->kernel_scheme) {
        kernel_scheme_cycle(cy, sp, &id);
        count_refaults(sp, pid);
        return;
    }
    if (cy->scan == NULL) {
        const struct mon_region *regions;
        size_t n;
        if (pid_run_regions(&sp->run, &rt->be, rt->stop, &id, &st, &regions, &n) !=
            PID_SCAN_DONE)
            return;
        if (cy->scheme)
            scheme_select(cy, sp, regions, n, &cr);
        else
            classify_regions(cy, regions, n, pid, &cr);
    } else {
        if (pid_run_scan(&sp->run, &rt->be, cy->scan, rt->stop, &id, &st) != PID_SCAN_DONE)
            return;
        classify(cy, sp, pid, &cr);
        sp->probes = st.probes;
        sp->probes_back = st.probes_refaulted + st.probes_late;
        sp->probes_next = st.probes_next;
        sp->probe_budget_pct = st.probe_budget_pct;
    }
    keep_huge_pages_whole(cy, pid, &cr);
    sp->scanned_now = true;
    if (cy->guarded && cy->scan != NULL) {
        guard_proc_observe(&sp->gp, sp->run.hm, (unsigned)cy->p->T);
        if (!task_ext_of(rt->tk)->dry_run)
            guard_proc_recall(&sp->gp, &id, heat_map_page_size(sp->run.hm));
    } else if (cy->guarded)
        guard_proc_observe_ranges(&sp->gp, cr.r, cr.n);
    sp->scanned = cr.hot + cr.cold;
    sp->hot = cr.hot;
    sp->cold = cr.cold;
    guard_narrow(cy, sp, pid, &cr);
    if (cr.n > 0 && task_ext_of(rt->tk)->dry_run) {
        for (size_t i = 0; i < cr.n; i++)
            sp->dry_bytes += cr.r[i].len;
        sp->dry_regions = cr.n;
    } else if (cr.n > 0) {
        bool known = proc_read_status(pid, &before) == 0;
        struct ratelimit rl;

        ratelimit_init(&rl, (uint64_t)(cy->p->guard.rate_mib * 1048576.0 /
                                       (double)cy->rt->tk->max_threads));
        rc = cy->scheme ? scheme_act(cy, sp, &cr, &rl, &ac) : swap_out(rt, sp, &cr, &rl, &ac);
        if (rc < 0)
            pid_run_note_errno(&sp->run, pid, cy->scheme ? "applying the scheme" : "swapping out",
                               -rc);
        else if (known && proc_read_status(pid, &after) == 0 && after.vm_swap > before.vm_swap)
            sp->swapped_bytes += (after.vm_swap - before.vm_swap) * 1024;
        if (cy->guarded)
            guard_proc_sent(&sp->gp, pid, cr.r, cr.n, cr.ps, ac.pages_done * (uint64_t)cr.ps);
        else
            guard_proc_count_out(&sp->gp, ac.pages_done * (uint64_t)cr.ps);
    }
    free(cr.r);
    guard_proc_sample(&sp->gp, pid);
    if (rc >= 0 && !stopper_raised(rt->stop) && !task_ext_of(rt->tk)->dry_run)
        reclaim_swapcache(cy, sp, pid);
    count_refaults(sp, pid);
    log_debug("task %s pid %d: %llu pages scanned, %llu hot, %llu cold, %llu swapped out "
              "(%llu tried, %llu failed busy)", cy->rt->tk->name, (int)pid,
              (unsigned long long)sp->scanned, (unsigned long long)sp->hot,
              (unsigned long long)sp->cold, (unsigned long long)ac.pages_done,
              (unsigned long long)ac.pages_tried,
              (unsigned long long)ac.pages_failed[ACT_FAIL_BUSY]);
}

static void pid_job(void *arg, size_t i)
{
    struct cycle *cy = arg;
    struct task_pid *tp = cy->pids[i];
    struct slide_pid *sp = tp->params;

    double cpu0 = thread_cpu_secs();

    sp->scanned_now = false;
    sp->probes = sp->probes_back = 0;
    sp->cpu_secs = 0;
    sp->dry_bytes = sp->dry_regions = 0;
    if (!pid_run_claim(&sp->run, (pid_t)tp->pid))
        return;
    slide_pid_cycle(cy, tp);
    pid_run_release((pid_t)tp->pid);
    proc_memory_bytes((pid_t)tp->pid, &sp->rss, &sp->swap);
    sp->cpu_secs = thread_cpu_secs() - cpu0;
}

/* Available memory is plentiful: nothing to do this cycle (guide: sysmem_threshold). */
static bool memory_is_plentiful(const struct project *proj, char *why, size_t len)
{
    struct meminfo mi;
    uint64_t pct;

    if (proj->sysmem_threshold < 0 || proc_read_meminfo(&mi) < 0 || mi.mem_total == 0)
        return false;
    pct = mi.mem_available * 100 / mi.mem_total;
    if (pct < (uint64_t)proj->sysmem_threshold)
        return false;
    snprintf(why, len, "available memory is %llu%% of RAM, not below sysmem_threshold %d%%",
             (unsigned long long)pct, proj->sysmem_threshold);
    return true;
}

/* What the tracker's probes cost the processes this cycle (call under rt->lock). */
static void report_probes(struct slide_runtime *rt, struct cycle *cy, size_t n)
{
    struct probe_report *pr = &rt->rep.probes;
    uint64_t rss_pages = 0;
    long ps = sysconf(_SC_PAGESIZE);
    struct timespec now;

    pr->cycle = pr->back_cycle = pr->next = 0;
    for (size_t i = 0; i < n; i++) {
        const struct slide_pid *sp = cy->pids[i]->params;

        if (!sp->scanned_now || sp->probe_budget_pct <= 0)
            continue;
        pr->on = true;
        pr->budget_pct = sp->probe_budget_pct;
        pr->cycle += sp->probes;
        pr->back_cycle += sp->probes_back;
        pr->next += sp->probes_next;
        rss_pages += sp->rss / (uint64_t)(ps > 0 ? ps : 4096);
    }
    pr->from_guard = rt->be.opts.probe_budget_pct > 0;
    pr->total += pr->cycle;
    pr->back_total += pr->back_cycle;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double secs = timespec_secs(&rt->last_cycle, &now);
    pr->back_pct = rt->last_cycle.tv_sec && rss_pages && secs > 0
                       ? (double)pr->back_cycle * 60.0 / secs / (double)rss_pages * 100.0 : 0;
    rt->last_cycle = now;
}

static void report_cycle(struct slide_runtime *rt, struct cycle *cy, size_t n, time_t begin,
                         double secs)
{
    struct task_report *rep = &rt->rep;
    uint64_t scanned = 0, hot = 0, cold = 0, swapped = 0, refaults = 0, rss = 0, swap = 0;
    uint64_t scanned_now = 0;       /* processes skipped this cycle keep their last figures */
    uint64_t dry_bytes = 0, dry_regions = 0;
    double cpu = 0;
    const char *note = "";

    for (size_t i = 0; i < n; i++) {
        struct slide_pid *sp = cy->pids[i]->params;

        scanned += sp->scanned;
        scanned_now += sp->scanned_now ? sp->scanned : 0;
        rss += sp->rss;
        swap += sp->swap;
        cpu += sp->cpu_secs;
        dry_bytes += sp->dry_bytes;
        dry_regions += sp->dry_regions;
        hot += sp->hot;
        cold += sp->cold;
        swapped += sp->swapped_bytes;
        refaults += sp->refaults;
        if (sp->run.note[0] != '\0')
            note = sp->run.note;
    }
    pthread_mutex_lock(&rt->lock);
    targets_measure(&rt->targets);
    rep->state = "running";
    rep->cycles++;
    rep->last_scan = begin;
    rep->last_scan_secs = secs;
    rep->pages_scanned = scanned;
    rep->pages_scanned_total += scanned_now;
    rep->scan_cpu_secs += cpu;
    rep->rss_bytes = rss;
    rep->swap_bytes = swap;
    rep->pages_hot = hot;
    rep->pages_cold = cold;
    rep->bytes_swapped = swapped + rt->swapped_gone;
    rep->refaults = refaults + rt->refaults_gone;
    guard_task_report(&rt->guard, &rep->guard);
    report_probes(rt, cy, n);
    if (rep->guard.stop != NULL && note[0] == '\0')
        note = rep->guard.stop_why;
    rep->dry_bytes_last = dry_bytes;
    rep->dry_regions_last = dry_regions;
    rep->dry_bytes_total += dry_bytes;
    rep->dry_regions_total += dry_regions;
    snprintf(rep->note, sizeof(rep->note), "%.*s", (int)sizeof(rep->note) - 1,
             note[0] ? note : rt->standing_note);
    pthread_mutex_unlock(&rt->lock);
    if (rep->dry_run)
        log_info("task %s: dry run: would swap out %llu bytes in %llu regions this cycle",
                 rt->tk->name, (unsigned long long)dry_bytes, (unsigned long long)dry_regions);
}

/* A cycle with nothing to do: the state and why. */
static void report_idle(struct slide_runtime *rt, const char *state, const char *note)
{
    pthread_mutex_lock(&rt->lock);
    rt->rep.state = state;
    rt->rep.idle_cycles++;
    snprintf(rt->rep.note, sizeof(rt->rep.note), "%s", note);
    pthread_mutex_unlock(&rt->lock);
}

/* One cycle of the task; returns the pause before the next. */
static double slide_cycle(void *arg)
{
    struct slide_runtime *rt = arg;
    struct task *tk = rt->tk;
    const struct project *proj = tk->eng->proj;
    struct cycle cy = {
        .rt = rt,
        .p = tk->params,
        .scan = proj->type == PAGE_SCAN ? proj->scan_param : NULL,
        .guarded = guard_targets_any(&rt->guard.conf.t),
        .scheme = tk->eng->engine_type == DAMON_ENGINE ? tk->eng->params : NULL,
        .kernel_scheme = rt->be.opts.scheme != NULL,
    };
    char why[160] = "";
    struct timespec t0, t1;
    time_t begin;
    size_t n = 0;

    pthread_mutex_lock(&rt->lock);
    targets_update(&rt->targets, tk, why, sizeof(why));
    targets_append(tk, &rt->pids, &n, &rt->pids_cap);
    pthread_mutex_unlock(&rt->lock);
    pid_run_close_taken(&rt->closing);
    cy.pids = rt->pids;
    if (n == 0) {
        report_idle(rt, "waiting", why);
        return engine_cycle_pause(proj, false);
    }
    if (memory_is_plentiful(proj, why, sizeof(why))) {
        report_idle(rt, "idle", why);
        return engine_cycle_pause(proj, false);
    }
    begin = time(NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cy.stop = guard_task_begin(&rt->guard);
    taskrun_fanout((unsigned)tk->max_threads, n, pid_job, &cy, rt->stop);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (stopper_raised(rt->stop))
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct slide_pid *sp = cy.pids[i]->params;

        guard_task_add(&rt->guard, &sp->gp);
        guard_task_probes(&rt->guard, sp->probes_back);
    }
    guard_task_end(&rt->guard);
    report_cycle(rt, &cy, n, begin,
                 timespec_secs(&t0, &t1));
    return engine_cycle_pause(proj, true);
}

static int slide_alloc_pid(struct engine *eng, struct task_pid **tk_pid)
{
    struct slide_pid *sp = xcalloc(1, sizeof(*sp));

    pid_run_init(&sp->run);
    guard_proc_init(&sp->gp);
    (*tk_pid)->params = sp;
    return 0;
}

static void slide_free_pid(struct engine *eng, struct task_pid **tk_pid)
{
    struct slide_pid *sp = (*tk_pid)->params;
    struct slide_task_params *p = (*tk_pid)->tk->params;

    if (sp == NULL)
        return;
    if (p->rt != NULL) {
        /* keep what the process achieved in the task's totals (rt->lock is held, or the
         * task's cycles have ended); its handles are closed after the lock */
        p->rt->swapped_gone += sp->swapped_bytes;
        p->rt->refaults_gone += sp->refaults;
        pid_run_close_later(&p->rt->closing, &sp->run, &p->rt->be);
    }
    pid_run_fini(&sp->run);
    guard_proc_free(&sp->gp);
    free(sp);
    (*tk_pid)->params = NULL;
}

/* swap_flag=yes: the guide's MADV_SWAPFLAG exists only with openEuler's etmem modules.
 * Upstream, the closest equivalent is a name the process gives its memory with
 * prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, "etmem_swap") (CONFIG_ANON_VMA_NAME). */
static void explain_swap_flag(struct slide_runtime *rt, const struct kernel_caps *caps)
{
    const char *why;

    if (rt->be.tracker->swap_flag_marks)
        why = "swap_flag=yes: only memory the process marked with madvise(MADV_SWAPFLAG)";
    else if (kernel_has(caps, KF_ANON_VMA_NAME))
        why = "swap_flag=yes: only memory the process named [anon:etmem_swap] (prctl "
              "PR_SET_VMA_ANON_NAME, the upstream stand-in for MADV_SWAPFLAG)";
    else
        why = "swap_flag=yes, but this kernel cannot mark memory (no MADV_SWAPFLAG, no "
              "CONFIG_ANON_VMA_NAME): nothing is swapped";
    snprintf(rt->standing_note, sizeof(rt->standing_note), "%s", why);
    log_warn("task %s: %s", rt->tk->name, why);
}

/* The damon engine: where the region source hands schemes to the kernel, the kernel applies
 * the task's scheme (written at each process's open); elsewhere etmemd applies it, and a
 * scheme only the kernel can carry out is refused (the kernel's DAMON may have become
 * unusable since the config was checked). */
static int damon_scheme_setup(struct slide_runtime *rt, const struct damos_params *s,
                              const struct kernel_caps *caps)
{
    char why[256];
    const char *key;

    if (rt->be.tracker->scheme_stats != NULL) {
        damos_spec_from(s, task_ext_of(rt->tk)->dry_run, &rt->spec);
        rt->be.opts.scheme = &rt->spec;
        rt->rep.damos.by_kernel = true;
        return 0;
    }
    if ((key = damos_kernel_only(s, why, sizeof(why))) == NULL)
        return 0;
    engine_error("task '%s': engine key %s: %s, and the region source here is %s (etmemd "
                 "applies the scheme itself)", rt->tk->name, key, why, rt->be.tracker->name);
    return -1;
}

static void slide_runtime_free(struct slide_runtime *rt)
{
    pid_run_closing_free(&rt->closing);
    pthread_mutex_destroy(&rt->lock);
    taskrun_free(rt->run);
    free(rt->pids);
    free(rt);
}

static int slide_start_task(struct engine *eng, struct task *tk)
{
    struct slide_task_params *p = tk->params;
    const struct kernel_caps *caps = engines_caps();
    struct slide_runtime *rt;
    char why[1024]; /* one reason per backend tried */
    struct guard_conf conf;

    if (caps == NULL) {
        engine_error("slide: the kernel was not probed");
        return -1;
    }
    rt = xcalloc(1, sizeof(*rt));
    rt->tk = tk;
    rt->be.tracker = slide_tracker_select(caps, eng->proj, p, why, sizeof(why));
    if (rt->be.tracker == NULL) {
        engine_error("task '%s': %s", tk->name, why);
        free(rt);
        return -1;
    }
    rt->run = taskrun_new(slide_cycle, rt);
    rt->stop = taskrun_stopper(rt->run);
    /* the damon engine's actions are remote madvises */
    rt->be.reclaim = reclaim_select(caps, eng->engine_type == DAMON_ENGINE
                                              ? reclaim_madvise_ops.name
                                              : reclaim_choices[p->swap_backend],
                                    why, sizeof(why));
    if (rt->be.reclaim == NULL) {
        engine_error("task '%s': %s", tk->name, why);
        taskrun_free(rt->run);
        free(rt);
        return -1;
    }
    guard_conf_from_keys(&p->guard, &conf);
    scan_opts_default(&rt->be.opts);
    engine_scan_attrs(&rt->be.opts, eng->proj);
    rt->be.opts.probe_budget_pct = guard_probe_budget_pct(&conf.t);
    rt->be.opts.anon_only = true;
    rt->be.opts.swap_flag_only = tk->swap_flag;
    rt->be.opts.stop = rt->stop;
    if (tk->swap_flag)
        explain_swap_flag(rt, caps);
    if (task_ext_of(tk)->dry_run) {
        /* the fallback tracker would move memory with its probes: it watches without; a
         * region source that probes has no other way to see, and says so */
        const char *how = !rt->be.tracker->pages_out
                              ? "counts what it would swap out, changes nothing"
                          : eng->proj->type == REGION_SCAN
                              ? "the region source still pages out its sampled page of each "
                                "region (its only way to see); nothing else moves"
                              : "the tracker without its pageout probes finds only memory "
                                "untouched VMA by VMA";

        rt->be.opts.fallback.observe_only = true;
        rt->rep.dry_run = true;
        rt->rep.dry_run_to = "swap";
        if (rt->standing_note[0] == '\0')
            snprintf(rt->standing_note, sizeof(rt->standing_note), "dry run: %s", how);
    }
    if (eng->engine_type == DAMON_ENGINE && damon_scheme_setup(rt, eng->params, caps) < 0) {
        taskrun_free(rt->run);
        free(rt);
        return -1;
    }
    snprintf(rt->rep.backend, sizeof(rt->rep.backend), "%s+%s", rt->be.tracker->name,
             rt->be.opts.scheme ? "damos" : rt->be.reclaim->name);
    rt->rep.state = "starting";
    guard_task_init(&rt->guard, &conf);
    rt->guard.counts_out = true;
    if (eng->engine_type == DAMON_ENGINE)
        rt->rep.damos.action = damos_action_names[((const struct damos_params *)eng->params)->action];
    if (rt->rep.dry_run && rt->rep.damos.action != NULL)
        rt->rep.dry_run_to = rt->rep.damos.action;     /* what the scheme would have done */
    pthread_mutex_init(&rt->lock, NULL);
    p->rt = rt;
    if (taskrun_start_for(rt->run, "task", tk->name) != 0) {
        p->rt = NULL;
        slide_runtime_free(rt);
        return -1;
    }
    if (rt->be.opts.scheme != NULL)
        log_info("task %s: the kernel's DAMOS applies the scheme (action %s) in etmemd's "
                 "kdamond", tk->name, rt->spec.action);
    else
        log_info("task %s: slide with %s tracking and %s swap-out", tk->name,
                 rt->be.tracker->name, rt->be.reclaim->name);
    return 0;
}

void slide_suspend_task(struct task *tk)
{
    struct slide_runtime *rt = ((struct slide_task_params *)tk->params)->rt;

    if (rt == NULL)
        return;
    taskrun_stop(rt->run);
}

int slide_resume_task(struct task *tk, void *old_params)
{
    struct slide_task_params *p = tk->params, *old = old_params;
    struct slide_runtime *rt = old->rt;

    if (rt == NULL)
        return 0;
    old->rt = NULL;
    p->rt = rt;
    engine_scan_attrs(&rt->be.opts, tk->eng->proj);     /* the project's interval may be new */
    if (taskrun_start_for(rt->run, "task", tk->name) == 0)
        return 0;
    targets_clear(tk);
    p->rt = NULL;
    slide_runtime_free(rt);
    return -1;
}

static void slide_stop_task(struct engine *eng, struct task *tk)
{
    struct slide_task_params *p = tk->params;
    struct slide_runtime *rt = p->rt;

    if (rt == NULL)
        return;
    taskrun_stop(rt->run);
    targets_clear(tk);
    p->rt = NULL;
    slide_runtime_free(rt);
}

void slide_report_task(struct task *tk, struct task_report *rep)
{
    struct slide_task_params *p = tk->params;
    struct slide_runtime *rt = p->rt;

    if (rt == NULL)
        return;
    pthread_mutex_lock(&rt->lock);
    *rep = rt->rep;
    rep->damos.nr_tried = rt->damos_nr_tried;
    rep->damos.sz_tried = rt->damos_sz_tried;
    rep->damos.nr_applied = rt->damos_nr_applied;
    rep->damos.sz_applied = rt->damos_sz_applied;
    rep->damos.qt_exceeds = rt->damos_qt_exceeds;
    targets_report(&rt->targets, tk, rep);
    pthread_mutex_unlock(&rt->lock);
}

struct engine_ops slide_engine_ops = {
    .start_task = slide_start_task,
    .stop_task = slide_stop_task,
    .alloc_pid_params = slide_alloc_pid,
    .free_pid_params = slide_free_pid,
};
