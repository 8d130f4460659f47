/* SPDX-License-Identifier: MulanPSL-2.0 */
/* reclaim_madvise.c - reclaim backend for upstream kernels: process_madvise(MADV_PAGEOUT)
 * through a pidfd, ranges packed into large iovec batches under the byte-rate limit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "log.h"
#include "pageout.h"
#include "probe.h"
#include "proc.h"
#include "ratelimit.h"
#include "swapcache.h"
#include "sys_compat.h"
#include "xalloc.h"

#define MADV_CALL_MAX_BYTES (1ull << 30) /* well under MAX_RW_COUNT per call */

struct reclaimer {
    int pidfd;
    pid_t pid;
    long page_size;
    struct ratelimit rl;
    struct iovec iov[ETMEM_IOV_MAX];
};

static bool madvise_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    return kernel_require(caps, why, len, 2, KF_PROCESS_MADVISE, KF_MADV_PAGEOUT);
}

/* process_madvise acts through the pin's pidfd: on that process or on none. */
static struct reclaimer *madvise_open(const struct proc_identity *id,
                                      const struct action_limits *lim, int *err)
{
    struct proc_pin pin;
    if ((*err = proc_pin_open(id, &pin)) != 0)
        return NULL;
    /* a fixture procfs root checked the identity; the pidfd is then taken by pid */
    int pidfd = pin.pidfd >= 0 ? pin.pidfd : sys_pidfd_open(id->pid);
    if (pidfd < 0) {
        *err = -errno;
        return NULL;
    }
    struct reclaimer *r = xcalloc(1, sizeof(*r));
    r->pidfd = pidfd;
    r->pid = id->pid;
    r->page_size = sysconf(_SC_PAGESIZE);
    ratelimit_init(&r->rl, lim ? lim->bytes_per_sec : 0);
    return r;
}

int reclaim_madvise_advise(struct reclaimer *r, const struct page_range *ranges, size_t n,
                           int advice, struct action_counters *c)
{
    size_t i = 0;
    uint64_t off = 0;

    while (i < n) {
        uint64_t budget = ratelimit_batch_bytes(&r->rl, MADV_CALL_MAX_BYTES), total = 0;
        if (budget < (uint64_t)r->page_size)
            budget = (uint64_t)r->page_size;
        size_t cnt = 0;
        while (i < n && cnt < ETMEM_IOV_MAX && total < budget) {
            uint64_t left = ranges[i].len - off, take = left < budget - total ? left : budget - total;
            take -= take % (uint64_t)r->page_size;
            if (take == 0) {
                if (left < (uint64_t)r->page_size) { /* a sub-page remainder: skip it */
                    i++, off = 0;
                    continue;
                }
                break;
            }
            r->iov[cnt].iov_base = (void *)(uintptr_t)(ranges[i].start + off);
            r->iov[cnt++].iov_len = take;
            total += take;
            off += take;
            if (off == ranges[i].len)
                i++, off = 0;
        }
        if (cnt == 0)
            break;
        c->ns_throttled += ratelimit_take(&r->rl, total);
        int rc = advise_iov(r->pidfd, r->iov, cnt, advice, r->page_size, c);
        if (rc)
            return rc;
    }
    return 0;
}

static int madvise_reclaim(struct reclaimer *r, const struct page_range *ranges, size_t n,
                           struct action_counters *c)
{
    return reclaim_madvise_advise(r, ranges, n, MADV_PAGEOUT, c);
}

/* Upstream has no swap cache reclaim to ask for. What a process can do: its resident pages
 * that are also in the swap cache are already in swap, so paging them out again frees
 * their RAM (clean ones without I/O). Coldest first, until SwapCached should be at low. */
static int madvise_reclaim_swapcache(struct reclaimer *r, const struct swapcache_wmark *wm,
                                     const struct heat_map *hm, struct swapcache_result *res)
{
    struct swapcache_cand *cand;
    struct page_range *ranges;
    size_t n, nranges;
    int rc;

    memset(res, 0, sizeof(*res));
    if ((rc = swapcache_check(wm, res)) != 0 || !res->triggered)
        return rc;
    /* to just below low, with some slack for what others add meanwhile */
    uint64_t need = (res->swapcached_kb - res->low_kb) * 1024 / (uint64_t)r->page_size + 1;
    need += need / 32 + 16;
    if ((rc = swapcache_candidates(r->pid, hm, &cand, &n)) != 0)
        return rc;
    res->pages_found = n;
    uint64_t take = swapcache_select(cand, n, need, r->page_size, &ranges, &nranges);
    free(cand);
    if (take) {
        struct action_counters c = { 0 };
        rc = madvise_reclaim(r, ranges, nranges, &c);
        res->pages_reclaimed = c.pages_done;
        res->syscalls = c.syscalls;
    }
    free(ranges);
    struct meminfo mi;
    if (proc_read_meminfo(&mi) == 0)
        res->swapcached_after_kb = mi.swap_cached;
    return rc;
}

static void madvise_close(struct reclaimer *r)
{
    if (!r)
        return;
    close(r->pidfd);
    free(r);
}

const struct reclaim_ops reclaim_madvise_ops = {
    .name = "madvise",
    .summary = "process_madvise(MADV_PAGEOUT) via pidfd, 1024 ranges per call",
    .usable = madvise_usable,
    .open = madvise_open,
    .reclaim = madvise_reclaim,
    .reclaim_swapcache = madvise_reclaim_swapcache,
    .close = madvise_close,
};
