/* SPDX-License-Identifier: MulanPSL-2.0 */
/* migrate_move_pages.c - NUMA migration through raw move_pages(2) (no libnuma): batches of
 * 16384 pages, per-page status counted by reason, query mode with nodes == NULL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "action.h"
#include "probe.h"
#include "proc.h"
#include "ratelimit.h"
#include "sys_compat.h"
#include "xalloc.h"

#define MIGRATE_BATCH 16384

struct migrator {
    struct proc_pin pin;        /* move_pages takes a pid: checked before every call */
    long page_size;
    struct ratelimit rl;
    void *pages[MIGRATE_BATCH];
    int nodes[MIGRATE_BATCH];
    int status[MIGRATE_BATCH];
};

static bool move_pages_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    if (!kernel_require(caps, why, len, 1, KF_MOVE_PAGES))
        return false;
    if (caps->nr_nodes < 2) {
        snprintf(why, len, "only %d NUMA node: nothing to migrate between", caps->nr_nodes);
        return false;
    }
    return true;
}

static struct migrator *move_pages_open(const struct proc_identity *id,
                                        const struct action_limits *lim, int *err)
{
    struct proc_pin pin;
    if ((*err = proc_pin_open(id, &pin)) != 0)
        return NULL;
    struct migrator *m = xcalloc(1, sizeof(*m));
    m->pin = pin;
    m->page_size = sysconf(_SC_PAGESIZE);
    ratelimit_init(&m->rl, lim ? lim->bytes_per_sec : 0);
    return m;
}

/* One move_pages call over pages[0..cnt); nodes NULL = query. Returns 0 or -errno when
 * the whole call failed. MPOL_MF_MOVE: pages shared with other processes are left alone. */
static int move_pages_call(struct migrator *m, const uint64_t *pages, size_t cnt,
                           const int *nodes, struct action_counters *c)
{
    for (size_t i = 0; i < cnt; i++)
        m->pages[i] = (void *)(uintptr_t)pages[i];
    for (;;) {
        int rc = proc_pin_check(&m->pin);
        if (rc)
            return rc;  /* exited: its pid may be someone else's by now */
        long r = sys_move_pages(m->pin.id.pid, cnt, m->pages, nodes, m->status, MPOL_MF_MOVE);
        c->syscalls++;
        if (r >= 0)
            return 0;
        if (errno != EINTR)
            return -errno;
    }
}

static int move_pages_move(struct migrator *m, const uint64_t *pages, size_t n, int node,
                           struct action_counters *c)
{
    for (size_t done = 0; done < n;) {
        size_t cnt = n - done < MIGRATE_BATCH ? n - done : MIGRATE_BATCH;
        uint64_t bytes = ratelimit_batch_bytes(&m->rl, (uint64_t)cnt * (uint64_t)m->page_size);
        if (bytes / (uint64_t)m->page_size < cnt)
            cnt = bytes / (uint64_t)m->page_size ? bytes / (uint64_t)m->page_size : 1;
        c->ns_throttled += ratelimit_take(&m->rl, (uint64_t)cnt * (uint64_t)m->page_size);
        for (size_t i = 0; i < cnt; i++)
            m->nodes[i] = node;
        c->pages_tried += cnt;
        int rc = move_pages_call(m, pages + done, cnt, m->nodes, c);
        if (rc == -ENOMEM) {
            c->pages_failed[ACT_FAIL_NOMEM] += cnt; /* the kernel could not even start */
        } else if (rc) {
            return rc; /* ESRCH, ENODEV (node offline), EPERM, EACCES...: stop */
        } else {
            for (size_t i = 0; i < cnt; i++) {
                if (m->status[i] == node)
                    c->pages_done++;
                else if (m->status[i] < 0)
                    c->pages_failed[action_fail_from_errno(m->status[i], true)]++;
                else
                    c->pages_failed[ACT_FAIL_BUSY]++; /* left on its node: retry later */
            }
        }
        done += cnt;
    }
    return 0;
}

static int move_pages_query(struct migrator *m, const uint64_t *pages, size_t n, int *nodes_out,
                            struct action_counters *c)
{
    for (size_t done = 0; done < n;) {
        size_t cnt = n - done < MIGRATE_BATCH ? n - done : MIGRATE_BATCH;
        int rc = move_pages_call(m, pages + done, cnt, NULL, c);
        if (rc)
            return rc;
        for (size_t i = 0; i < cnt; i++)
            nodes_out[done + i] = m->status[i];
        done += cnt;
    }
    return 0;
}

static void move_pages_close(struct migrator *m)
{
    if (!m)
        return;
    proc_pin_close(&m->pin);
    free(m);
}

const struct migrate_ops migrate_move_pages_ops = {
    .name = "move_pages",
    .summary = "move_pages(2), 16384 pages per call, per-page status",
    .usable = move_pages_usable,
    .open = move_pages_open,
    .move = move_pages_move,
    .query = move_pages_query,
    .close = move_pages_close,
};
