/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide_units.c - cslide's view of one process: scan it into a heat map (pidrun.c) and
 * turn the map into units, runs of granules (a base page, or a whole 2 MiB THP or hugetlb
 * page) of equal heat, node, pool and last move, the node asked from move_pages(2) in
 * query mode. Region projects: monitor its regions until an aggregation completes and
 * make units of their stripes (cs_region_units), a query per stripe, nothing per page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "action.h"
#include "cslide_rt.h"
#include "heatmap.h"
#include "proc.h"
#include "region_monitor.h"
#include "vma.h"
#include "xalloc.h"

/* Builds units from a heat map: granules in address order go through a batch whose nodes
 * one move_pages query answers, then merge into runs. */
struct builder {
    struct cslide_member *m;
    struct cslide_pid *sp;
    const struct migrate_ops *mig;
    long ps;
    const struct vma_list *huge;    /* the process's hugetlb VMAs */
    size_t hv;                      /* cursor in huge */
    size_t hc;                      /* cursor in sp->hist */
    uint64_t addr[QUERY_BATCH];
    int node[QUERY_BATCH];
    uint32_t granule[QUERY_BATCH];
    uint16_t heat[QUERY_BATCH];
    uint8_t pool[QUERY_BATCH];
    uint8_t last[QUERY_BATCH];
    size_t n;
    int err;                        /* negative errno of a failed query */
    struct action_counters ac;
};

static uint8_t last_move_at(struct builder *b, uint64_t addr)
{
    const struct cslide_pid *sp = b->sp;

    while (b->hc < sp->nhist && sp->hist[b->hc].end <= addr)
        b->hc++;
    if (b->hc < sp->nhist && sp->hist[b->hc].start <= addr)
        return sp->hist[b->hc].last;
    return CS_LAST_NONE;
}

static void unit_append(struct cslide_pid *sp, const struct cs_unit *g)
{
    struct cs_unit *t = sp->nu ? &sp->u[sp->nu - 1] : NULL;

    if (t != NULL && t->addr + t->bytes == g->addr && t->heat == g->heat &&
        t->node == g->node && t->pool == g->pool && t->granule == g->granule &&
        t->last == g->last) {
        t->bytes += g->bytes;
        return;
    }
    if (sp->nu == sp->capu) {
        sp->capu = sp->capu ? sp->capu * 2 : 256;
        sp->u = xreallocarray(sp->u, sp->capu, sizeof(*sp->u));
    }
    sp->u[sp->nu++] = *g;
}

static int builder_flush(struct builder *b)
{
    int rc;

    if (b->n == 0)
        return 0;
    rc = b->mig->query(b->sp->run.migrator, b->addr, b->n, b->node, &b->ac);
    if (rc < 0) {
        b->err = rc;
        return rc;
    }
    for (size_t i = 0; i < b->n; i++) {
        struct cs_unit g = { .addr = b->addr[i], .bytes = b->granule[i],
                             .granule = b->granule[i], .heat = b->heat[i], .pool = b->pool[i],
                             .last = b->last[i] };

        if (b->node[i] < 0 || b->node[i] >= MAX_NODE_ID)
            continue;   /* not present any more, or the zero page */
        g.node = (int16_t)b->node[i];
        unit_append(b->sp, &g);
    }
    b->n = 0;
    return 0;
}

static int builder_add(struct builder *b, uint64_t addr, uint32_t granule, unsigned heat,
                       int pool)
{
    /* A 2 MiB granule several runs cover (DAMON regions end inside huge pages): one entry,
     * the hottest heat. */
    if (granule == HUGE_BYTES && b->n > 0 && b->addr[b->n - 1] == addr) {
        if (heat > b->heat[b->n - 1])
            b->heat[b->n - 1] = (uint16_t)heat;
        return 0;
    }
    if (b->n == QUERY_BATCH && builder_flush(b) < 0)
        return b->err;
    if (granule == HUGE_BYTES && b->n == 0 && b->sp->nu > 0) {
        struct cs_unit *t = &b->sp->u[b->sp->nu - 1];

        if (t->granule == HUGE_BYTES && t->addr + t->bytes > addr)
            return 0;   /* already in the last unit (the batch boundary split the run) */
    }
    b->addr[b->n] = addr;
    b->granule[b->n] = granule;
    b->heat[b->n] = (uint16_t)(heat > UINT16_MAX ? UINT16_MAX : heat);
    b->pool[b->n] = (uint8_t)pool;
    b->last[b->n] = last_move_at(b, addr);
    b->n++;
    return 0;
}

/* The hugetlb VMA holding addr, or NULL (runs come in address order: a moving cursor). */
static const struct vma_entry *huge_vma_at(struct builder *b, uint64_t addr)
{
    while (b->hv < b->huge->n && b->huge->v[b->hv].end <= addr)
        b->hv++;
    if (b->hv < b->huge->n && b->huge->v[b->hv].start <= addr)
        return &b->huge->v[b->hv];
    return NULL;
}

static int build_run(const struct heat_run *run, void *arg)
{
    struct builder *b = arg;
    uint64_t ps = (uint64_t)b->ps, a = run->start;

    if (!(run->flags & HEAT_PRESENT))
        return 0;
    while (a < run->end) {
        const struct vma_entry *hv = huge_vma_at(b, a);
        uint64_t end = run->end;
        int rc = 0;

        if (hv != NULL) {
            if (end > hv->end)
                end = hv->end;
            if (!b->m->be.tracker->sees_hugetlb) {
                a = end;    /* the tracker cannot see hugetlb pages: leave them alone */
                continue;
            }
            for (uint64_t g = a & ~(uint64_t)(HUGE_BYTES - 1); g < end && rc == 0; g += HUGE_BYTES)
                rc = builder_add(b, g, HUGE_BYTES, run->count, CS_POOL_HUGETLB);
        } else {
            const struct vma_entry *next = b->hv < b->huge->n ? &b->huge->v[b->hv] : NULL;

            if (next != NULL && next->start > a && next->start < end)
                end = next->start;
            for (uint64_t p = a; p < end && rc == 0;) {
                bool thp = (run->flags & HEAT_HUGE) && (p & (HUGE_BYTES - 1)) == 0 &&
                           end - p >= HUGE_BYTES;

                rc = builder_add(b, p, thp ? HUGE_BYTES : (uint32_t)ps, run->count,
                                 CS_POOL_PAGE);
                p += thp ? HUGE_BYTES : ps;
            }
        }
        if (rc < 0)
            return rc;
        a = end;
    }
    return 0;
}

/* The hugetlb VMAs of a process (smaps VmFlags "ht"). */
static int read_hugetlb_vmas(pid_t pid, struct vma_list *out)
{
    const struct vma_filter f = { .vm_flags = "ht" };
    int rc = vma_list_read(pid, VMA_SRC_SMAPS, out);

    if (rc < 0)
        return rc == -ENOENT ? -ESRCH : rc;
    vma_list_filter(out, &f);
    return 0;
}

static int build_units(struct cslide_rt *rt, struct cslide_member *m, struct cslide_pid *sp,
                       pid_t pid)
{
    struct vma_list huge = VMA_LIST_INIT;
    struct builder *b;
    int rc = read_hugetlb_vmas(pid, &huge);

    sp->nu = 0;
    if (rc < 0)
        return rc;
    b = xcalloc(1, sizeof(*b));
    b->m = m;
    b->sp = sp;
    b->mig = rt->migrate;
    b->ps = heat_map_page_size(sp->run.hm);
    b->huge = &huge;
    rc = heat_map_for_each_run(sp->run.hm, build_run, b);
    if (rc == 0)
        rc = builder_flush(b);
    vma_list_free(&huge);
    free(b);
    return rc;
}

static struct cs_region region_in(const struct mon_region *r)
{
    return (struct cs_region){ r->start, r->end, r->last_acc };
}

/* Query the nodes of the stripes collected for regions r[from, to) and make their units.
 * A fresh region (no aggregation has told anything about it yet) is left where it is. */
static int region_flush(struct builder *b, const struct mon_region *r, size_t from, size_t to)
{
    struct cs_unit out[CS_REGION_STRIPES];
    uint64_t at[CS_REGION_STRIPES];
    size_t k = 0;
    int rc;

    if (b->n == 0)
        return 0;
    rc = b->mig->query(b->sp->run.migrator, b->addr, b->n, b->node, &b->ac);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < b->n; i++) {
        if (b->node[i] >= MAX_NODE_ID)
            b->node[i] = -1;
    }
    for (size_t i = from; i < to; i++) {
        struct cs_region cr = region_in(&r[i]);
        size_t ns, nu;

        if (r[i].fresh)
            continue;
        ns = cs_region_stripes(&cr, (uint64_t)b->ps, at);
        nu = cs_region_units(&cr, (uint64_t)b->ps, &b->node[k], &b->last[k], out);
        for (size_t u = 0; u < nu; u++)
            unit_append(b->sp, &out[u]);
        k += ns;
    }
    b->n = 0;
    return 0;
}

static int build_region_units(struct cslide_rt *rt, struct cslide_pid *sp,
                              const struct mon_region *r, size_t n)
{
    struct builder *b = xcalloc(1, sizeof(*b));
    size_t from = 0;
    int rc = 0;

    sp->nu = 0;
    b->sp = sp;
    b->mig = rt->migrate;
    b->ps = sysconf(_SC_PAGESIZE);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct cs_region cr = region_in(&r[i]);
        size_t ns;

        if (r[i].fresh)
            continue;
        if (b->n + CS_REGION_STRIPES > QUERY_BATCH) {
            rc = region_flush(b, r, from, i);
            from = i;
        }
        ns = cs_region_stripes(&cr, (uint64_t)b->ps, &b->addr[b->n]);
        for (size_t k = 0; k < ns; k++)
            b->last[b->n + k] = last_move_at(b, b->addr[b->n + k]);
        b->n += ns;
    }
    if (rc == 0)
        rc = region_flush(b, r, from, n);
    sp->regions = n;
    free(b);
    return rc;
}

/* Building the units failed (rc a negative errno): the note says why, the handles are
 * closed (the next cycle opens them again). Returns false. */
static bool units_failed(const struct work *w, pid_t pid, const char *what, int rc)
{
    struct cslide_pid *sp = w->tp->params;

    pid_run_note_errno(&sp->run, pid, what, -rc);
    pid_run_close(&sp->run, &w->m->be);
    sp->nu = 0;
    return false;
}

/* One process, region project: monitor until an aggregation completes, build its units.
 * The process is claimed; released here. */
static bool scan_regions(struct cslide_rt *rt, const struct work *w,
                         const struct proc_identity *id, struct scan_stats *st)
{
    struct cslide_pid *sp = w->tp->params;
    const struct mon_region *regions;
    size_t n;
    enum pid_scan_result res = pid_run_regions(&sp->run, &w->m->be, rt->stop, id, st,
                                               &regions, &n);
    int rc;

    pid_run_release(id->pid);
    if (res != PID_SCAN_DONE)
        return false;
    rc = build_region_units(rt, sp, regions, n);
    return rc == 0 || units_failed(w, id->pid, "querying its regions' nodes", rc);
}

/* One process, page project: scan `loop` times, build its units. The process is claimed;
 * released here. */
static bool scan_pages(struct cslide_rt *rt, const struct work *w,
                       const struct proc_identity *id, struct scan_stats *st)
{
    struct cslide_pid *sp = w->tp->params;
    const struct pid_backends *be = &w->m->be;
    enum pid_scan_result res = pid_run_scan(&sp->run, be, rt->eng->proj->scan_param,
                                            rt->stop, id, st);
    int rc;

    if (res == PID_SCAN_DONE && be->tracker->shared_handles && rt->nwork > 1)
        pid_run_close_tracker(&sp->run, be);    /* let the next process have it */
    pid_run_release(id->pid);
    if (res != PID_SCAN_DONE)
        return false;
    rc = build_units(rt, w->m, sp, id->pid);
    return rc == 0 || units_failed(w, id->pid, "scanning", rc);
}

/* One process: scan it and build its units. */
void cslide_scan_job(void *arg, size_t i)
{
    struct cslide_rt *rt = arg;
    struct work *w = &rt->work[i];
    struct cslide_pid *sp = w->tp->params;
    const struct proc_identity id = { (pid_t)w->tp->pid, w->tp->starttime };
    struct scan_stats st = { 0 };
    double cpu0 = thread_cpu_secs();

    sp->scanned = false;
    sp->cpu_secs = 0;
    sp->nu = 0;
    sp->hot_slow = sp->cold_fast = 0;   /* the guard's view counts this cycle only */
    if (!pid_run_claim(&sp->run, id.pid))
        return;
    if (!(rt->regions ? scan_regions : scan_pages)(rt, w, &id, &st))
        return;
    cslide_guard_ages(rt, w->m, sp);
    sp->scanned = true;
    proc_memory_bytes(id.pid, &sp->rss, &sp->swap);
    sp->cpu_secs = thread_cpu_secs() - cpu0;
}
