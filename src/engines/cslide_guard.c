/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide_guard.c - the feedback guard (src/guard) on cslide's demotions. A wrong demotion
 * costs the task accesses to slow memory until its pages are promoted back, so the
 * guard's refault signal for cslide is the memory found hot on a slow node each cycle; its
 * stall signal the processes' memory pressure, its rate the bytes demoted. From them the
 * controller keeps a share per task: the task demotes at most share x its cold bytes on
 * fast nodes per cycle (and with guard_rate_mib at most the cap x the cycle's length), and
 * at share 1/2^k only memory cold 2k+1 cycles in a row goes down (the guard's cold ages,
 * per process, by address ranges: nothing per page in a region project).
 * Threads: cslide_guard_ages runs in a process's scan job, on that process's state; the
 * rest in the engine's cycle (one at a time), which alone touches the tasks' guards. */
#include <stdlib.h>
#include <unistd.h>

#include "cslide_rt.h"
#include "xalloc.h"

/* Splits a cold unit into the parts cold long enough and the young rest. */
struct ager {
    const struct cs_unit *u;
    uint64_t at;                    /* end of what was emitted */
    struct cs_unit *out;
    size_t n, cap;
};

static void emit(struct ager *a, uint64_t end, bool young)
{
    if (end <= a->at)
        return;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 256;
        a->out = xreallocarray(a->out, a->cap, sizeof(*a->out));
    }
    a->out[a->n] = *a->u;
    a->out[a->n].addr = a->at;
    a->out[a->n].bytes = end - a->at;
    a->out[a->n].young = young;
    a->n++;
    a->at = end;
}

/* guard_ages_old_enough's callback: [s, e) is old enough; granules stay whole. */
static void old_part(void *arg, uint64_t s, uint64_t e, unsigned age)
{
    struct ager *a = arg;
    uint64_t g = a->u->granule, base = a->u->addr;

    (void)age;
    s = base + (s - base + g - 1) / g * g;
    e = base + (e - base) / g * g;
    if (s >= e)
        return;
    emit(a, s, true);
    emit(a, e, false);
}

static bool on_node_of(const struct cslide_rt *rt, int node, bool slow)
{
    const struct node_pair *np;

    if (node < 0 || node >= MAX_NODE_ID || rt->pair_of[node] == 0)
        return false;
    np = &rt->ep->pairs.pair[rt->pair_of[node] - 1];
    return node == (slow ? np->cold_node : np->hot_node);
}

void cslide_guard_ages(struct cslide_rt *rt, struct cslide_member *m, struct cslide_pid *sp)
{
    unsigned T = (unsigned)rt->ep->hot_threshold, min_age = m->guard.ctl.cold_cycles;
    struct ager a = { 0 };

    if (!m->guarded)
        return;
    for (size_t i = 0; i < sp->nu; i++) {
        if (sp->u[i].heat < T)
            guard_ages_cold(&sp->gp.ages, sp->u[i].addr, sp->u[i].addr + sp->u[i].bytes);
    }
    guard_ages_commit(&sp->gp.ages);
    for (size_t i = 0; i < sp->nu; i++) {
        uint64_t end = sp->u[i].addr + sp->u[i].bytes;

        a.u = &sp->u[i];
        a.at = sp->u[i].addr;
        if (sp->u[i].heat < T && min_age > 1)
            guard_ages_old_enough(&sp->gp.ages, a.at, end, min_age, old_part, &a);
        else
            emit(&a, end, false);
        emit(&a, end, true);
    }
    free(sp->u);
    sp->u = a.out;
    sp->nu = a.n;
    sp->capu = a.cap;
    sp->hot_slow = sp->cold_fast = 0;
    for (size_t i = 0; i < sp->nu; i++) {
        const struct cs_unit *u = &sp->u[i];

        if (u->heat >= T && on_node_of(rt, u->node, true))
            sp->hot_slow += u->bytes;
        else if (u->heat < T && !u->young && on_node_of(rt, u->node, false))
            sp->cold_fast += u->bytes;
    }
}

/* The length of a cycle: loop x interval + sleep, or a region project's aggregation. */
static double cycle_secs(const struct project *proj)
{
    const struct page_scan *ps = proj->scan_param;

    if (proj->type == REGION_SCAN)
        return (double)((const struct region_scan *)proj->scan_param)->aggr_interval / 1e6;
    return (double)ps->loop * ps->interval + ps->sleep;
}

/* A guarded task's quota, shared by its processes (their rt->work indexes in idx). */
static void member_budgets(struct cslide_rt *rt, struct cslide_member *m, size_t *idx,
                           uint64_t *cold, uint64_t *out)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), total = 0, quota;
    size_t n = 0;

    for (size_t w = 0; w < rt->nwork; w++) {
        if (rt->work[w].m != m)
            continue;
        idx[n] = w;
        cold[n] = ((struct cslide_pid *)rt->work[w].tp->params)->cold_fast;
        total += cold[n++];
    }
    quota = guard_ctl_quota(&m->guard.ctl, total / page) * page;
    if (m->guard.conf.t.rate_mib_s > 0) {
        double cap = m->guard.conf.t.rate_mib_s * 1048576.0 * cycle_secs(rt->eng->proj);

        if ((double)quota > cap)
            quota = (uint64_t)cap;
    }
    cs_budget_split(quota, cold, n, page, out);
    for (size_t i = 0; i < n; i++)
        rt->budget[idx[i]] = out[i];
}

void cslide_guard_budgets(struct cslide_rt *rt)
{
    size_t *idx;
    uint64_t *cold, *out;
    bool any = false;

    free(rt->budget);
    rt->budget = NULL;
    for (struct cslide_member *m = rt->members; m != NULL; m = m->next)
        any = any || m->guarded;
    if (!any)
        return;
    rt->budget = xcalloc(rt->nwork + 1, sizeof(*rt->budget));
    for (size_t w = 0; w < rt->nwork; w++)
        rt->budget[w] = UINT64_MAX;
    idx = xcalloc(rt->nwork + 1, sizeof(*idx));
    cold = xcalloc(rt->nwork + 1, sizeof(*cold));
    out = xcalloc(rt->nwork + 1, sizeof(*out));
    for (struct cslide_member *m = rt->members; m != NULL; m = m->next) {
        if (m->guarded)
            member_budgets(rt, m, idx, cold, out);
    }
    free(idx);
    free(cold);
    free(out);
}

void cslide_guard_end(struct cslide_rt *rt)
{
    long page = sysconf(_SC_PAGESIZE);

    for (struct cslide_member *m = rt->members; m != NULL; m = m->next) {
        uint64_t hot_slow = 0;

        if (!m->guarded)
            continue;
        guard_task_begin(&m->guard);
        for (size_t w = 0; w < rt->nwork; w++) {
            struct cslide_pid *sp = rt->work[w].tp->params;

            if (rt->work[w].m != m || !sp->scanned)
                continue;
            sp->gp.bytes_out = sp->moved[0];
            guard_proc_sample(&sp->gp, (pid_t)rt->work[w].tp->pid);
            guard_task_add(&m->guard, &sp->gp);
            hot_slow += sp->hot_slow;
        }
        m->guard.win.refaults = hot_slow / (uint64_t)page;  /* cslide's refaults */
        guard_task_end(&m->guard);
    }
}
