/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide_run.c - the cslide engine at work: tiering between the fast and slow node of each
 * node pair, and its commands showtaskpages/showhostpages.
 *
 * DESIGN. Node capacity is shared by every task of an engine, so the engine (not each
 * task) runs one thread while any of its tasks is started. Each cycle it:
 *   1. resolves every started task's processes (targets.c) into tk->pids;
 *   2. hands each process to one of max_threads workers, which claims it (one scan of a
 *      process at a time), primes its tracker, takes `loop` samples `interval` seconds
 *      apart into a heat map (pidrun.c, shared with slide), and turns the map into units: runs of granules (a base page,
 *      or a whole 2 MiB THP or hugetlb page) of equal heat, node, pool and last move, the
 *      node asked from move_pages(2) in query mode;
 *   3. reads each pair's free memory (node MemFree, free 2 MiB hugepages) and lets the pure
 *      policy (cslide_policy.c) decide what to demote and promote in every pair;
 *   4. moves, per process, demotions first and then promotions, in batches, checking for
 *      stop between batches, and asks move_pages again where the pages are: only pages
 *      found on the target node count as moved, and they make the next cycle's history;
 *   5. publishes per-node hot/cold usage for the commands and `project show`, and sleeps
 *      `sleep` seconds.
 * Locking: rt->lock guards the member list, every member's tk->pids and all published
 * numbers. The thread works on its own snapshot of the members; start_task adds a member
 * (picked up at the next cycle); stop_task stops and joins the thread, removes the member
 * and restarts the thread if members remain, so no task is freed while the thread uses
 * it. Sleeps and batches end early on stop. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "cslide.h"
#include "cslide_policy.h"
#include "engine.h"
#include "heatmap.h"
#include "log.h"
#include "pidrun.h"
#include "probe.h"
#include "proc.h"
#include "protocol.h"
#include "runtime.h"
#include "strbuf.h"
#include "targets.h"
#include "tracker.h"
#include "vma.h"
#include "xalloc.h"

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
    double cpu_secs;                /* its last scan's CPU time */
    struct node_use use[KERNEL_MAX_NODES];  /* published under rt->lock */
    int use_node[KERNEL_MAX_NODES];
    int nuse;
    bool have_use;
};

struct cslide_member {
    struct cslide_rt *rt;
    struct task *tk;
    struct targets targets;
    struct pid_backends be;         /* its tracker, the engine's migrate backend */
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
    pthread_mutex_t lock;
    struct cslide_member *members;
    struct stopper stop;
    pthread_t thread;
    bool thread_on;
    /* the thread's own */
    struct work *work;
    size_t nwork, capwork;
    struct cs_unit *units;
    size_t nunits, capunits;
    uint64_t *done;                 /* verified moved bytes per unit */
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

/* ---- node state ---- */

/* MemTotal/MemFree of a node from sysfs, and its 2 MiB hugepage pool. */
static int node_read(int id, struct node_now *n)
{
    char path[512], *text = NULL;
    uint64_t huge_free = 0;
    int rc;

    memset(n, 0, sizeof(*n));
    n->id = id;
    if (sys_path(path, sizeof(path), "devices/system/node/node%d/meminfo", id) < 0)
        return -ENAMETOOLONG;
    rc = file_read_all(path, &text, NULL);
    if (rc < 0)
        return rc;
    for (char *l = text; l != NULL && *l != '\0';) {
        char *nl = strchr(l, '\n');
        unsigned long long v;
        int nid;
        char key[32];

        if (sscanf(l, "Node %d %31[^:]: %llu", &nid, key, &v) == 3) {
            if (strcmp(key, "MemTotal") == 0)
                n->mem_total_kb = v;
            else if (strcmp(key, "MemFree") == 0)
                n->free[CS_POOL_PAGE] = (uint64_t)v * 1024;
        }
        l = nl ? nl + 1 : NULL;
    }
    free(text);
    if (sys_path(path, sizeof(path), "devices/system/node/node%d/hugepages/hugepages-2048kB/"
                 "nr_hugepages", id) == 0)
        (void)file_read_u64(path, &n->huge_total);     /* absent: no hugetlb pool */
    if (sys_path(path, sizeof(path), "devices/system/node/node%d/hugepages/hugepages-2048kB/"
                 "free_hugepages", id) == 0 && file_read_u64(path, &huge_free) == 0)
        n->free[CS_POOL_HUGETLB] = huge_free * HUGE_BYTES;
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

/* ---- per process: scan and units ---- */

static void history_add(struct cslide_pid *sp, uint64_t start, uint64_t len, uint8_t last)
{
    if (sp->nnext > 0 && sp->next[sp->nnext - 1].end == start &&
        sp->next[sp->nnext - 1].last == last) {
        sp->next[sp->nnext - 1].end += len;
        return;
    }
    if (sp->nnext == sp->capnext) {
        sp->capnext = sp->capnext ? sp->capnext * 2 : 64;
        sp->next = xreallocarray(sp->next, sp->capnext, sizeof(*sp->next));
    }
    sp->next[sp->nnext++] = (struct moved_range){ start, start + len, last };
}

static int cmp_range(const void *a, const void *b)
{
    const struct moved_range *x = a, *y = b;

    return (x->start > y->start) - (x->start < y->start);
}

/* This cycle's moves become the history the next cycle's hysteresis reads. */
static void history_roll(struct cslide_pid *sp)
{
    free(sp->hist);
    if (sp->nnext > 1)  /* next is NULL after a cycle without moves */
        qsort(sp->next, sp->nnext, sizeof(*sp->next), cmp_range);
    sp->hist = sp->next;
    sp->nhist = sp->nnext;
    sp->next = NULL;
    sp->nnext = sp->capnext = 0;
}

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

/* One process: scan `loop` times and build its units. */
static void scan_job(void *arg, size_t i)
{
    struct cslide_rt *rt = arg;
    struct work *w = &rt->work[i];
    struct cslide_pid *sp = w->tp->params;
    const struct pid_backends *be = &w->m->be;
    const struct proc_identity id = { (pid_t)w->tp->pid, w->tp->starttime };
    pid_t pid = id.pid;
    struct scan_stats st = { 0 };
    double cpu0 = thread_cpu_secs();
    enum pid_scan_result res;
    int rc;

    sp->scanned = false;
    sp->cpu_secs = 0;
    sp->nu = 0;
    if (!pid_run_claim(&sp->run, pid))
        return;
    res = pid_run_scan(&sp->run, be, rt->eng->proj->scan_param, &rt->stop, &id, &st);
    if (res == PID_SCAN_DONE && be->tracker->shared_handles && rt->nwork > 1)
        pid_run_close_tracker(&sp->run, be);    /* let the next process have it */
    pid_run_release(pid);
    if (res != PID_SCAN_DONE)
        return;
    rc = build_units(rt, w->m, sp, pid);
    if (rc < 0) {
        pid_run_note_errno(&sp->run, pid, "scanning", -rc);
        pid_run_close(&sp->run, be);
        sp->nu = 0;
        return;
    }
    sp->scanned = true;
    proc_memory_bytes(pid, &sp->rss, &sp->swap);
    sp->cpu_secs = thread_cpu_secs() - cpu0;
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

/* Moves of one process in one direction to one node, in batches. */
struct mover {
    struct cslide_rt *rt;
    struct cslide_pid *sp;
    int dest;
    uint8_t last;                   /* CS_LAST_DEMOTED or CS_LAST_PROMOTED */
    uint64_t addr[QUERY_BATCH];
    uint32_t granule[QUERY_BATCH];
    size_t unit[QUERY_BATCH];
    int node[QUERY_BATCH];
    size_t n;
    struct action_counters ac;
    uint64_t bytes;                 /* verified moved */
};

static int mover_flush(struct mover *mv)
{
    const struct migrate_ops *mig = mv->rt->migrate;
    struct timespec t0, t1;
    uint64_t done = 0, busy_before = mv->ac.pages_failed[ACT_FAIL_BUSY];
    uint64_t done_before = mv->ac.pages_done;
    int rc;

    if (mv->n == 0)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = mig->move(mv->sp->run.migrator, mv->addr, mv->n, mv->dest, &mv->ac);
    if (rc == 0)
        rc = mig->query(mv->sp->run.migrator, mv->addr, mv->n, mv->node, &mv->ac);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_mutex_lock(&mv->rt->lock);
    mv->rt->move_secs += (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    pthread_mutex_unlock(&mv->rt->lock);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < mv->n; i++) {
        if (mv->node[i] != mv->dest)
            continue;
        mv->rt->done[mv->unit[i]] += mv->granule[i];
        mv->bytes += mv->granule[i];
        history_add(mv->sp, mv->addr[i], mv->granule[i], mv->last);
        done++;
    }
    /* Addresses inside a huge page the kernel had already taken with an earlier address of
     * the batch report busy although they moved with it: count them as moved. */
    if (done > mv->ac.pages_done - done_before) {
        uint64_t extra = done - (mv->ac.pages_done - done_before);
        uint64_t busy = mv->ac.pages_failed[ACT_FAIL_BUSY] - busy_before;

        mv->ac.pages_failed[ACT_FAIL_BUSY] -= extra < busy ? extra : busy;
        mv->ac.pages_done += extra;
    }
    mv->n = 0;
    return 0;
}

/* Move the units of process w (its slice of rt->units) that the plan sends to node dest. */
static int move_units(struct cslide_rt *rt, size_t w, enum cs_move dir, int pair,
                      struct mover *mv)
{
    struct cslide_pid *sp = rt->work[w].tp->params;
    const struct node_pair *np = &rt->ep->pairs.pair[pair];
    int rc;

    mv->sp = sp;
    mv->dest = dir == CS_DEMOTE ? np->cold_node : np->hot_node;
    mv->last = dir == CS_DEMOTE ? CS_LAST_DEMOTED : CS_LAST_PROMOTED;
    mv->n = 0;
    for (size_t i = sp->first; i < sp->end; i++) {
        const struct cs_unit *u = &rt->units[i];

        if (u->move != dir || u->node < 0 || u->node >= MAX_NODE_ID ||
            rt->pair_of[u->node] != pair + 1)
            continue;
        for (uint64_t off = 0; off < u->move_bytes; off += u->granule) {
            if (mv->n == QUERY_BATCH) {
                if ((rc = mover_flush(mv)) < 0)
                    return rc;
                if (stopper_raised(&rt->stop))
                    return 0;
            }
            mv->addr[mv->n] = u->addr + off;
            mv->granule[mv->n] = u->granule;
            mv->unit[mv->n] = i;
            mv->n++;
        }
    }
    return mover_flush(mv);
}

static void move_all(struct cslide_rt *rt, uint64_t moved[2], struct action_counters *ac)
{
    struct mover *mv = xcalloc(1, sizeof(*mv));
    static const enum cs_move order[2] = { CS_DEMOTE, CS_PROMOTE };

    mv->rt = rt;
    for (size_t w = 0; w < rt->nwork && !stopper_raised(&rt->stop); w++) {
        struct cslide_pid *sp = rt->work[w].tp->params;
        int rc = 0;

        if (!sp->scanned || sp->run.migrator == NULL)
            continue;
        for (int d = 0; d < 2 && rc == 0; d++) {
            for (int p = 0; p < rt->ep->pairs.nr && rc == 0; p++) {
                mv->bytes = 0;
                rc = move_units(rt, w, order[d], p, mv);
                pthread_mutex_lock(&rt->lock);  /* show commands read it (task_moved) */
                sp->moved[d] += mv->bytes;
                pthread_mutex_unlock(&rt->lock);
                moved[d] += mv->bytes;
            }
        }
        if (rc < 0) {
            pid_run_note_errno(&sp->run, (pid_t)rt->work[w].tp->pid, "move_pages", -rc);
            pid_run_close(&sp->run, &rt->work[w].m->be);
        }
    }
    for (int f = 0; f < ACT_FAIL_COUNT; f++)
        ac->pages_failed[f] += mv->ac.pages_failed[f];
    ac->pages_tried += mv->ac.pages_tried;
    ac->pages_done += mv->ac.pages_done;
    free(mv);
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
        uint64_t rss = 0, swap = 0, scanned_now = 0;
        double cpu = 0;
        const char *note = "";

        for (struct task_pid *tp = m->tk->pids; tp != NULL; tp = tp->next) {
            struct cslide_pid *sp = tp->params;

            rss += sp->rss;
            swap += sp->swap;
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
        rep->pages_hot = hot / (uint64_t)page;
        rep->pages_cold = cold / (uint64_t)page;
        if (note[0] != '\0') {
            snprintf(rep->note, sizeof(rep->note), "%s", note);
        } else {
            char td[16], tu[16], buf[512];
            size_t len;

            human(mdown, td, sizeof(td));
            human(mup, tu, sizeof(tu));
            snprintf(buf, sizeof(buf), "moved to slow %s, to fast %s since start; engine last "
                     "cycle: %s down, %s up, %s held (hysteresis), waiting %s (quota) %s "
                     "(room), %" PRIu64 " pages failed", td, tu, down, up, hold, wq, wr,
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
}

static void cycle(struct cslide_rt *rt)
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
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pool_run(threads, rt->nwork, scan_job, rt, &rt->stop);
    if (stopper_raised(&rt->stop)) {
        free(nodes);
        return;
    }
    gather_units(rt);
    nodes_read(rt, nodes, &nr);
    plan_pairs(rt, nodes, nr, &ps);
    move_all(rt, moved, &ac);
    for (size_t w = 0; w < rt->nwork; w++)
        history_roll(rt->work[w].tp->params);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!stopper_raised(&rt->stop)) {
        nodes_read(rt, nodes, &nr);
        pthread_mutex_lock(&rt->lock);
        memcpy(rt->nodes, nodes, (size_t)nr * sizeof(*nodes));
        rt->nr_nodes = nr;
        pthread_mutex_unlock(&rt->lock);
        report_cycle(rt, begin, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
                     moved, &ps, &ac);
    }
    log_debug("engine %s: %zu processes, %zu units, planned %" PRIu64 " KiB down %" PRIu64
              " KiB up, moved %" PRIu64 " KiB down %" PRIu64 " KiB up (%" PRIu64 " pages "
              "tried, %" PRIu64 " busy, %" PRIu64 " no memory)", rt->eng->name, rt->nwork,
              rt->nunits, ps.demote_bytes >> 10, ps.promote_bytes >> 10, moved[0] >> 10,
              moved[1] >> 10, ac.pages_tried, ac.pages_failed[ACT_FAIL_BUSY],
              ac.pages_failed[ACT_FAIL_NOMEM]);
    free(nodes);
}

static void *cslide_main(void *arg)
{
    struct cslide_rt *rt = arg;
    const struct page_scan *scan = rt->eng->proj->scan_param;

    do {
        cycle(rt);
    } while (stopper_sleep(&rt->stop, scan->sleep));
    return NULL;
}

static int thread_start(struct cslide_rt *rt)
{
    int rc;

    stopper_init(&rt->stop);
    rc = pthread_create(&rt->thread, NULL, cslide_main, rt);
    if (rc != 0) {
        stopper_destroy(&rt->stop);
        return rc;
    }
    rt->thread_on = true;
    return 0;
}

static void thread_stop(struct cslide_rt *rt)
{
    if (!rt->thread_on)
        return;
    stopper_raise(&rt->stop);
    pthread_join(rt->thread, NULL);
    stopper_destroy(&rt->stop);
    rt->thread_on = false;
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
    ep->rt = rt;
    return rt;
}

static void rt_put(struct engine *eng)
{
    struct cslide_engine_params *ep = eng->params;
    struct cslide_rt *rt = ep->rt;

    if (rt == NULL || rt->members != NULL)
        return;
    thread_stop(rt);
    pthread_mutex_destroy(&rt->lock);
    free(rt->work);
    free(rt->units);
    free(rt->done);
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
    char why[1024]; /* one reason per backend tried */

    if (caps == NULL) {
        engine_error("cslide: the kernel was not probed");
        return -1;
    }
    m = xcalloc(1, sizeof(*m));
    m->tk = tk;
    m->be.tracker = cslide_tracker_pick(caps, p, why, sizeof(why));
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
    scan_opts_damon_window(&m->be.opts,
                           (unsigned)((const struct page_scan *)eng->proj->scan_param)->interval);
    m->be.opts.anon_only = p->anon_only;
    m->be.opts.vm_flags = p->vm_flags;     /* copied by the tracker's open */
    m->be.opts.ign_host = p->ign_host;
    m->be.opts.scan_as_huge = true;
    snprintf(m->rep.backend, sizeof(m->rep.backend), "%s+%s", m->be.tracker->name,
             rt->migrate->name);
    m->rep.state = "starting";
    pthread_mutex_lock(&rt->lock);
    m->next = rt->members;
    rt->members = m;
    rt->hugetlb_only = all_hugetlb(rt);
    pthread_mutex_unlock(&rt->lock);
    p->rt = m;
    if (!rt->thread_on) {
        int rc = thread_start(rt);

        if (rc != 0) {
            engine_error("task '%s': cannot start the engine's thread: %s", tk->name,
                         strerror(rc));
            pthread_mutex_lock(&rt->lock);
            rt->members = m->next;
            pthread_mutex_unlock(&rt->lock);
            p->rt = NULL;
            free(m);
            rt_put(eng);
            return -1;
        }
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
    thread_stop(rt);
    for (pp = &rt->members; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    }
    targets_clear(tk);
    p->rt = NULL;
    free(m);
    rt->hugetlb_only = all_hugetlb(rt);
    if (rt->members == NULL) {
        rt_put(eng);
        return;
    }
    int rc = thread_start(rt);

    if (rc != 0)
        log_err("engine %s: cannot restart its thread: %s; its other tasks stay idle",
                eng->name, strerror(rc));
}

static int cslide_alloc_pid(struct engine *eng, struct task_pid **tk_pid)
{
    struct cslide_pid *sp = xcalloc(1, sizeof(*sp));

    pid_run_init(&sp->run);
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
         * thread is gone) */
        p->rt->moved_gone[0] += sp->moved[0];
        p->rt->moved_gone[1] += sp->moved[1];
        pid_run_close(&sp->run, &p->rt->be);
    }
    pid_run_fini(&sp->run);
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
    targets_report(tk, rep);
    pthread_mutex_unlock(&m->rt->lock);
}

struct engine_ops cslide_engine_ops = {
    .start_task = cslide_start_task,
    .stop_task = cslide_stop_task,
    .alloc_pid_params = cslide_alloc_pid,
    .free_pid_params = cslide_free_pid,
};

/* ---- commands: showhostpages, showtaskpages (the original's layouts, and JSON) ---- */

static void title_time(time_t t, char *buf, size_t len)
{
    struct tm tm;
    char *nl;

    if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%a %b %e %H:%M:%S %Y", &tm) == 0)
        snprintf(buf, len, "%lld", (long long)t);
    nl = strchr(buf, '\n');
    if (nl != NULL)
        *nl = '\0';
}

/* Sum the usage of tk's processes per node into use[] (indexed like rt->nodes). */
static bool task_use(const struct cslide_rt *rt, const struct task *tk, struct node_use *use)
{
    bool any = false;

    memset(use, 0, sizeof(*use) * KERNEL_MAX_NODES);
    for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next) {
        const struct cslide_pid *sp = tp->params;

        if (sp == NULL || !sp->have_use)
            continue;
        any = true;
        for (int i = 0; i < sp->nuse; i++) {
            for (int k = 0; k < rt->nr_nodes; k++) {
                if (rt->nodes[k].id == sp->use_node[i]) {
                    use[k].hot += sp->use[i].hot;
                    use[k].cold += sp->use[i].cold;
                }
            }
        }
    }
    return any;
}

static void show_host(const struct cslide_rt *rt, bool json, struct strbuf *sb)
{
    struct node_use use[KERNEL_MAX_NODES] = { 0 };
    char when[64];

    for (const struct cslide_member *m = rt->members; m != NULL; m = m->next) {
        struct node_use one[KERNEL_MAX_NODES];

        if (!task_use(rt, m->tk, one))
            continue;
        for (int k = 0; k < rt->nr_nodes; k++) {
            use[k].hot += one[k].hot;
            use[k].cold += one[k].cold;
        }
    }
    if (json) {
        sb_printf(sb, "{\"time\":%lld,\"unit\":\"KB\",\"total_is\":\"%s\",\"cycles\":%llu,"
                  "\"moved_to_slow_kb\":%" PRIu64 ",\"moved_to_fast_kb\":%" PRIu64
                  ",\"move_secs\":%.3f,\"nodes\":[", (long long)rt->stat_time,
                  rt->hugetlb_only ? "hugetlb" : "memory", rt->cycles,
                  rt->moved_total[0] >> 10, rt->moved_total[1] >> 10, rt->move_secs);
        for (int k = 0; k < rt->nr_nodes; k++) {
            const struct node_now *n = &rt->nodes[k];
            uint64_t total = rt->hugetlb_only ? n->huge_total * (HUGE_BYTES >> 10)
                                              : n->mem_total_kb;

            sb_printf(sb, "%s{\"node\":%d,\"total\":%" PRIu64 ",\"used\":%" PRIu64 ",\"hot\":%"
                      PRIu64 ",\"cold\":%" PRIu64 ",\"free\":%" PRIu64 "}", k ? "," : "", n->id,
                      total, (use[k].hot + use[k].cold) >> 10, use[k].hot >> 10,
                      use[k].cold >> 10, n->free[rt->hugetlb_only ? CS_POOL_HUGETLB
                                                                   : CS_POOL_PAGE] >> 10);
        }
        sb_printf(sb, "]}\n");
        return;
    }
    title_time(rt->stat_time, when, sizeof(when));
    sb_printf(sb, "[%s] host pages info (KB):\n", when);
    sb_printf(sb, "%5s %10s %10s %10s %10s\n", "node", "total", "used", "hot", "cold");
    for (int k = 0; k < rt->nr_nodes; k++) {
        const struct node_now *n = &rt->nodes[k];
        uint64_t total = rt->hugetlb_only ? n->huge_total * (HUGE_BYTES >> 10)
                                          : n->mem_total_kb;

        sb_printf(sb, "%5d %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", n->id,
                  total, (use[k].hot + use[k].cold) >> 10, use[k].hot >> 10,
                  use[k].cold >> 10);
    }
}

/* One task's block; false when it has no numbers yet. */
static bool show_task(const struct cslide_rt *rt, const struct task *tk, bool json, bool first,
                      const uint64_t moved[2], struct strbuf *sb)
{
    struct node_use use[KERNEL_MAX_NODES];
    const struct cslide_task_params *p = tk->params;
    char when[64];

    if (p->rt == NULL || !task_use(rt, tk, use))
        return false;
    if (json) {
        sb_printf(sb, "%s{\"task\":", first ? "" : ",");
        sb_json_str(sb, tk->name);
        sb_printf(sb, ",\"pids\":[");
        for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next)
            sb_printf(sb, "%u%s", tp->pid, tp->next ? "," : "");
        sb_printf(sb, "],\"moved_to_slow_kb\":%" PRIu64 ",\"moved_to_fast_kb\":%" PRIu64
                  ",\"nodes\":[", moved[0] >> 10, moved[1] >> 10);
        for (int k = 0; k < rt->nr_nodes; k++)
            sb_printf(sb, "%s{\"node\":%d,\"used\":%" PRIu64 ",\"hot\":%" PRIu64 ",\"cold\":%"
                      PRIu64 "}", k ? "," : "", rt->nodes[k].id,
                      (use[k].hot + use[k].cold) >> 10, use[k].hot >> 10, use[k].cold >> 10);
        sb_printf(sb, "]}");
        return true;
    }
    title_time(rt->stat_time, when, sizeof(when));
    sb_printf(sb, "[%s] task ", when);
    for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next)
        sb_printf(sb, "%u%s", tp->pid, tp->next ? "," : "");
    sb_printf(sb, " pages info (KB):\n");
    sb_printf(sb, "%5s %10s %10s %10s\n", "node", "used", "hot", "cold");
    for (int k = 0; k < rt->nr_nodes; k++)
        sb_printf(sb, "%5d %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", rt->nodes[k].id,
                  (use[k].hot + use[k].cold) >> 10, use[k].hot >> 10, use[k].cold >> 10);
    return true;
}

/* Bytes the task's processes moved since start, those gone included. */
static void task_moved(const struct task *tk, uint64_t out[2])
{
    const struct cslide_task_params *p = tk->params;

    out[0] = p->rt->moved_gone[0];
    out[1] = p->rt->moved_gone[1];
    for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next) {
        const struct cslide_pid *sp = tp->params;

        out[0] += sp->moved[0];
        out[1] += sp->moved[1];
    }
}

static int show_tasks(struct cslide_rt *rt, struct engine *eng, struct task *only, bool json,
                      struct strbuf *sb)
{
    bool first = true;

    if (json)
        sb_printf(sb, "{\"time\":%lld,\"unit\":\"KB\",\"tasks\":[", (long long)rt->stat_time);
    for (struct task *tk = eng->tasks; tk != NULL; tk = tk->next) {
        struct cslide_task_params *p = tk->params;
        uint64_t moved[2];

        if ((only != NULL && tk != only) || p->rt == NULL)
            continue;
        task_moved(tk, moved);
        if (show_task(rt, tk, json, first, moved, sb))
            first = false;
    }
    if (json)
        sb_printf(sb, "]}\n");
    if (first) {
        engine_error("%s has no numbers yet: %s", only ? "the task" : "no task of the engine",
                     "it covers no process, or its first cycle (loop*interval seconds and the "
                     "moves) has not finished");
        return -1;
    }
    return 0;
}

int cslide_command(struct engine *eng, struct task *tk, const char *cmd, bool json, int fd)
{
    struct cslide_engine_params *ep = eng->params;
    struct cslide_rt *rt = ep->rt;
    struct strbuf sb = STRBUF_INIT;
    int rc = 0;

    if (strcmp(cmd, "showhostpages") != 0 && strcmp(cmd, "showtaskpages") != 0) {
        engine_error("invalid parameters: cslide has no command '%s' (commands: showtaskpages, "
                     "showhostpages)", cmd);
        return -1;
    }
    if (rt == NULL) {
        engine_error("engine '%s' runs no task", eng->name);
        return -1;
    }
    pthread_mutex_lock(&rt->lock);
    if (!rt->have_stats) {
        engine_error("engine '%s' has no numbers yet: its first cycle (loop*interval seconds "
                     "and the moves) has not finished", eng->name);
        rc = -1;
    } else if (strcmp(cmd, "showhostpages") == 0) {
        show_host(rt, json, &sb);
    } else {
        rc = show_tasks(rt, eng, tk, json, &sb);
    }
    pthread_mutex_unlock(&rt->lock);
    if (rc == 0 && sb.len > 0 && write_all(fd, sb.s, sb.len) < 0) {
        engine_error("cslide: writing the answer: %s", strerror(errno));
        rc = -1;
    }
    sb_free(&sb);
    return rc;
}
