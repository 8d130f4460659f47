/* SPDX-License-Identifier: MulanPSL-2.0 */
/* guard_task.c - the guard as engines use it: per task, the envelope before the cycle and
 * the controller after it; per process, what came back, cold ages, and the narrowing of the
 * engine's cold ranges to what the guard allows.
 *
 * Threads: a guard_proc is used by the worker of its process only; guard_task by the task's
 * thread only (guard_task_add runs there, after the workers are done). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "action.h"
#include "guard.h"
#include "heatmap.h"
#include "pagemap.h"
#include "pageout.h"
#include "proc.h"
#include "xalloc.h"

static const char *const stop_names[] = {
    [GUARD_GO] = NULL,
    [GUARD_STOP_SWAP_FULL] = "swap nearly full",
    [GUARD_STOP_POOR_COMPRESSION] = "poor compression",
};

void guard_task_init(struct guard_task *gt, const struct guard_conf *conf)
{
    memset(gt, 0, sizeof(*gt));
    gt->conf = *conf;
    guard_ctl_init(&gt->ctl, &conf->t);
    guard_envelope_init(&gt->env, &conf->env);
}

enum guard_stop guard_task_begin(struct guard_task *gt)
{
    gt->stop_why[0] = '\0';
    gt->env.own_bytes = gt->counts_out ? gt->out_cycle : UINT64_MAX;
    gt->out_cycle = 0;
    gt->stop = guard_envelope_check(&gt->env, gt->stop_why, sizeof(gt->stop_why));
    memset(&gt->win, 0, sizeof(gt->win));
    gt->held = gt->comebacks = 0;
    return gt->stop;
}

void guard_task_add(struct guard_task *gt, struct guard_proc *gp)
{
    gt->held += guard_pages_held_count(&gp->pages);
    gt->comebacks += gp->pages.comebacks_cycle;
    gt->recalled_bytes += gp->recalled_bytes;
    gp->recalled_bytes = 0;
    gt->out_cycle += gp->out_cycle;
    gp->out_cycle = 0;
    if (!gp->have_cur)
        return;
    if (gp->have_prev)
        guard_window_add(&gt->win, &gp->prev, &gp->cur);
    gp->prev = gp->cur;
    gp->have_prev = true;
    gp->have_cur = false;
}

void guard_task_probes(struct guard_task *gt, uint64_t comebacks)
{
    gt->win.probe_refaults += comebacks;
}

double guard_probe_budget_pct(const struct guard_targets *t)
{
    return t->refault_pct * GUARD_PROBE_SHARE;
}

void guard_task_end(struct guard_task *gt)
{
    if (gt->win.procs == 0)
        return;   /* first cycle: nothing to compare with yet */
    guard_history_push(&gt->hist, &gt->win);
    guard_history_measure(&gt->hist, &gt->last);
    gt->measured = true;
    guard_ctl_update(&gt->ctl, &gt->last);
}

void guard_task_report(const struct guard_task *gt, struct guard_report *r)
{
    struct vmstat_swap vs;

    memset(r, 0, sizeof(*r));
    r->on = guard_targets_any(&gt->conf.t);
    r->t = gt->conf.t;
    r->m = gt->last;
    r->measured = gt->measured;
    r->share = gt->ctl.share;
    r->cold_cycles = gt->ctl.cold_cycles;
    r->verdict = guard_verdict_name(gt->ctl.verdict);
    snprintf(r->why, sizeof(r->why), "%s", gt->ctl.why);
    r->held_pages = gt->held;
    r->comebacks = gt->comebacks;
    r->recalled_bytes = gt->recalled_bytes;
    if (vmstat_read(&vs) == 0)
        r->vmstat_pswpin = vs.pswpin;
    r->stop = stop_names[gt->stop];
    snprintf(r->stop_why, sizeof(r->stop_why), "%s", gt->stop_why);
    r->has_zram = gt->env.zram >= 0;
    r->zram = gt->env.zram;
    r->zram_mm = gt->env.zram_now;
    r->zram_judged = gt->env.judged;
    r->zram_unjudged_shared = gt->env.unjudged_shared;
}

void guard_proc_init(struct guard_proc *gp)
{
    memset(gp, 0, sizeof(*gp));
    guard_pages_init(&gp->pages);
    guard_ages_init(&gp->ages);
    gp->floor_budget = UINT64_MAX;
}

void guard_proc_free(struct guard_proc *gp)
{
    guard_pages_free(&gp->pages);
    guard_ages_free(&gp->ages);
}

/* The process's cgroup v2 directory (NULL: none of its own), looked up once. */
static const char *proc_cgroup(struct guard_proc *gp, pid_t pid)
{
    if (!gp->cg_looked) {
        if (!guard_cgroup_of(pid, gp->cgdir, sizeof(gp->cgdir)))
            gp->cgdir[0] = '\0';
        gp->cg_looked = true;
    }
    return gp->cgdir[0] != '\0' ? gp->cgdir : NULL;
}

void guard_proc_floor(struct guard_proc *gp, pid_t pid)
{
    const char *cg = proc_cgroup(gp, pid);
    uint64_t floor, current;

    gp->floor_budget = UINT64_MAX;
    gp->floor_why[0] = '\0';
    if (cg == NULL || cgroup_memory_floor(cg, &floor) < 0 || floor == 0 ||
        cgroup_read_value(cg, "memory.current", &current) < 0)
        return;
    gp->floor_budget = guard_floor_budget(current, floor);
    snprintf(gp->floor_why, sizeof(gp->floor_why), "cgroup at %llu MiB, its memory.min/low "
             "floor %llu MiB: at most %llu MiB may go", (unsigned long long)(current >> 20),
             (unsigned long long)(floor >> 20), (unsigned long long)(gp->floor_budget >> 20));
}

int guard_proc_sample(struct guard_proc *gp, pid_t pid)
{
    int rc = guard_counters_read(pid, proc_cgroup(gp, pid), gp->bytes_out, &gp->cur);

    gp->have_cur = rc == 0;
    return rc;
}

struct observe {
    struct guard_proc *gp;
    unsigned T;
    long ps;
};

static int observe_run(const struct heat_run *run, void *arg)
{
    struct observe *o = arg;
    bool present = (run->flags & HEAT_PRESENT) != 0;

    guard_pages_seen(&o->gp->pages, run->start, run->end, present, o->ps);
    if (present && run->count < o->T)
        guard_ages_cold(&o->gp->ages, run->start, run->end);
    return 0;
}

void guard_proc_observe(struct guard_proc *gp, const struct heat_map *hm, unsigned T)
{
    struct observe o = { gp, T, heat_map_page_size(hm) };

    guard_pages_next_cycle(&gp->pages);
    heat_map_for_each_run(hm, observe_run, &o);
    guard_ages_commit(&gp->ages);
}

void guard_proc_observe_ranges(struct guard_proc *gp, const struct page_range *r, size_t n)
{
    guard_pages_next_cycle(&gp->pages);
    for (size_t i = 0; i < n; i++)
        guard_ages_cold(&gp->ages, r[i].start, r[i].start + r[i].len);
    guard_ages_commit(&gp->ages);
}

/* A candidate piece: cold for `age` cycles, none of its pages held. */
struct piece {
    uint64_t start, end;
    unsigned age;
};
struct pieces {
    const struct guard_proc *gp;
    long ps;
    struct piece *v;
    size_t n, cap;
    uint64_t pages;
};

static void piece_push(struct pieces *p, uint64_t s, uint64_t e, unsigned age)
{
    if (s >= e)
        return;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
    }
    p->v[p->n++] = (struct piece){ s, e, age };
    p->pages += (e - s) / (uint64_t)p->ps;
}

/* Split an old-enough range around the held pages. */
static void add_unheld(void *arg, uint64_t s, uint64_t e, unsigned age)
{
    struct pieces *p = arg;
    uint64_t run = s;

    for (uint64_t a = s; a < e; a += (uint64_t)p->ps) {
        if (!guard_pages_held(&p->gp->pages, a))
            continue;
        piece_push(p, run, a, age);
        run = a + (uint64_t)p->ps;
    }
    piece_push(p, run, e, age);
}

static int by_age_desc(const void *a, const void *b)
{
    const struct piece *x = a, *y = b;

    if (x->age != y->age)
        return x->age > y->age ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int by_start(const void *a, const void *b)
{
    const struct piece *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

size_t guard_proc_select(struct guard_proc *gp, const struct guard_task *gt,
                         const struct page_range *in, size_t n, long page_size,
                         struct page_range **out)
{
    struct pieces p = { .gp = gp, .ps = page_size };
    bool guarded = guard_targets_any(&gt->conf.t);
    uint64_t quota, left;
    size_t nout = 0;

    for (size_t i = 0; i < n; i++) {
        if (guarded)
            guard_ages_old_enough(&gp->ages, in[i].start, in[i].start + in[i].len,
                                  gt->ctl.cold_cycles, add_unheld, &p);
        else
            piece_push(&p, in[i].start, in[i].start + in[i].len, 0);
    }
    quota = guarded ? guard_ctl_quota(&gt->ctl, p.pages) : p.pages;
    if (gp->floor_budget != UINT64_MAX && gp->floor_budget / (uint64_t)page_size < quota)
        quota = gp->floor_budget / (uint64_t)page_size;
    if (quota < p.pages && p.n > 1)
        qsort(p.v, p.n, sizeof(*p.v), by_age_desc);
    left = quota;
    for (size_t i = 0; i < p.n && left > 0; i++) {
        uint64_t pages = (p.v[i].end - p.v[i].start) / (uint64_t)page_size;

        if (pages > left)
            p.v[i].end = p.v[i].start + left * (uint64_t)page_size;
        left -= pages > left ? left : pages;
        p.v[nout++] = p.v[i];
    }
    if (nout > 1)       /* p.v is NULL when nothing was cold */
        qsort(p.v, nout, sizeof(*p.v), by_start);
    *out = xcalloc(nout ? nout : 1, sizeof(**out));
    for (size_t i = 0; i < nout; i++)
        (*out)[i] = (struct page_range){ p.v[i].start, p.v[i].end - p.v[i].start };
    free(p.v);
    return nout;
}

uint64_t guard_proc_recall(struct guard_proc *gp, const struct proc_identity *id,
                           long page_size)
{
    struct action_counters c = { 0 };
    struct page_range *r;
    struct iovec *iov;
    struct proc_pin pin;
    size_t n = guard_pages_recall(&gp->pages, page_size, &r);

    if (n == 0 || proc_pin_open(id, &pin) != 0) {
        free(r);
        return 0;
    }
    if (pin.pidfd >= 0) {   /* a fixture procfs root has no pidfd to act through */
        iov = xcalloc(n, sizeof(*iov));
        for (size_t i = 0; i < n; i++)
            iov[i] = (struct iovec){ (void *)(uintptr_t)r[i].start, (size_t)r[i].len };
        /* per-range refusals are counted, not errors; a gone process ends it early */
        (void)advise_iov(pin.pidfd, iov, n, MADV_WILLNEED, page_size, &c);
        free(iov);
    }
    proc_pin_close(&pin);
    free(r);
    gp->recalled_bytes += c.pages_done * (uint64_t)page_size;
    return c.pages_done * (uint64_t)page_size;
}

void guard_proc_count_out(struct guard_proc *gp, uint64_t bytes)
{
    gp->bytes_out += bytes;
    gp->out_cycle += bytes;
}

struct sent_walk {
    struct guard_pages *pages;
    long ps;
};

/* Only pages that really left count as sent: a page the kernel kept (busy, pinned) would
 * otherwise look like one that came back. */
static int record_left(void *arg, uint64_t addr, const uint64_t *e, size_t n)
{
    struct sent_walk *w = arg;

    for (size_t i = 0; i < n; i++)
        if (!(e[i] & PM_PRESENT))
            guard_pages_sent(w->pages, addr + i * (uint64_t)w->ps, (uint64_t)w->ps, w->ps);
    return 0;
}

void guard_proc_sent(struct guard_proc *gp, pid_t pid, const struct page_range *r, size_t n,
                     long page_size, uint64_t bytes)
{
    struct sent_walk w = { &gp->pages, page_size };
    struct pagemap pm;

    guard_proc_count_out(gp, bytes);
    if (pagemap_open(&pm, pid) < 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (pagemap_walk(&pm, r[i].start, r[i].start + r[i].len, record_left, &w) < 0)
            break;
    pagemap_close(&pm);
}
