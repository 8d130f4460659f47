/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide_move.c - cslide's moves: each process's planned units go to their node with
 * move_pages(2) in batches (stop is checked between them), and move_pages is asked again
 * where they are: only pages found on the target node count as moved, and they make the
 * history the next cycle's hysteresis reads. A region project's unit is placed by one
 * page per stripe, so its pages are asked first: those already on the target node or not
 * present are left out of the move and of the count. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "action.h"
#include "cslide_rt.h"
#include "monotime.h"
#include "xalloc.h"

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

void cslide_history_roll(struct cslide_pid *sp)
{
    free(sp->hist);
    if (sp->nnext > 1)  /* next is NULL after a cycle without moves */
        qsort(sp->next, sp->nnext, sizeof(*sp->next), cmp_range);
    sp->hist = sp->next;
    sp->nhist = sp->nnext;
    sp->next = NULL;
    sp->nnext = sp->capnext = 0;
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

/* Keep in the batch only the pages present and not on the target node yet. */
static int keep_misplaced(struct mover *mv)
{
    size_t k = 0;
    int rc = mv->rt->migrate->query(mv->sp->run.migrator, mv->addr, mv->n, mv->node, &mv->ac);

    if (rc < 0)
        return rc;
    for (size_t i = 0; i < mv->n; i++) {
        if (mv->node[i] < 0 || mv->node[i] == mv->dest)
            continue;
        mv->addr[k] = mv->addr[i];
        mv->granule[k] = mv->granule[i];
        mv->unit[k] = mv->unit[i];
        k++;
    }
    mv->n = k;
    return 0;
}

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
    rc = mv->rt->regions ? keep_misplaced(mv) : 0;
    if (rc == 0 && mv->n > 0)
        rc = mig->move(mv->sp->run.migrator, mv->addr, mv->n, mv->dest, &mv->ac);
    if (rc == 0)
        rc = mig->query(mv->sp->run.migrator, mv->addr, mv->n, mv->node, &mv->ac);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_mutex_lock(&mv->rt->lock);
    mv->rt->move_secs += timespec_secs(&t0, &t1);
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

/* How much of a region unit to move: a unit cut short (quota, room, the guard's budget)
 * ends at a 2 MiB boundary where it can, as the kernel moves a transparent huge page whole
 * (a region unit does not know which of its memory is THP), so a cut does not move more
 * than it was given. */
static uint64_t region_cut(const struct cs_unit *u)
{
    uint64_t end = (u->addr + u->move_bytes) & ~(uint64_t)(HUGE_BYTES - 1);

    if (u->move_bytes == u->bytes || end <= u->addr)
        return u->move_bytes;
    return end - u->addr;
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
        uint64_t len = rt->regions ? region_cut(u) : u->move_bytes;

        for (uint64_t off = 0; off < len; off += u->granule) {
            if (mv->n == QUERY_BATCH) {
                if ((rc = mover_flush(mv)) < 0)
                    return rc;
                if (stopper_raised(rt->stop))
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

/* Dry run: count the units of process w the plan would move, and move nothing. */
static void dry_count(struct cslide_rt *rt, size_t w)
{
    struct cslide_pid *sp = rt->work[w].tp->params;

    for (size_t i = sp->first; i < sp->end; i++) {
        if (rt->units[i].move != CS_DEMOTE && rt->units[i].move != CS_PROMOTE)
            continue;
        sp->dry_bytes += rt->units[i].move_bytes;
        sp->dry_regions++;
    }
}

void cslide_move_all(struct cslide_rt *rt, uint64_t moved[2], struct action_counters *ac)
{
    struct mover *mv = xcalloc(1, sizeof(*mv));
    static const enum cs_move order[2] = { CS_DEMOTE, CS_PROMOTE };

    mv->rt = rt;
    for (size_t w = 0; w < rt->nwork && !stopper_raised(rt->stop); w++) {
        struct cslide_pid *sp = rt->work[w].tp->params;
        int rc = 0;

        sp->dry_bytes = sp->dry_regions = 0;
        if (!sp->scanned || sp->run.migrator == NULL)
            continue;
        if (task_ext_of(rt->work[w].m->tk)->dry_run) {
            dry_count(rt, w);
            continue;
        }
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

