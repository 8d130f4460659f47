/* SPDX-License-Identifier: MulanPSL-2.0 */
/* reclaim_swap_pages.c - reclaim backend for openEuler kernels: page addresses written to
 * /proc/<pid>/swap_pages (etmem_swap.ko) as whole "0x<addr>\n" lines, one write(2) per
 * buffer of lines, every result checked. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "log.h"
#include "probe.h"
#include "proc.h"
#include "ratelimit.h"
#include "swap_encode.h"
#include "swapcache.h"
#include "xalloc.h"

#define SWAP_BATCH 200 /* addresses per write, as the original (200 * 20 bytes) */

struct reclaimer {
    int fd;
    pid_t pid;
    bool wmark_set;     /* SET_SWAPCACHE_WMARK sent on this process's fd */
    long page_size;
    struct ratelimit rl;
    uint64_t addrs[SWAP_BATCH];
    char buf[SWAP_BATCH * SWAP_LINE_MAX];
};

static bool swap_pages_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    return kernel_require(caps, why, len, 1, KF_SWAP_PAGES);
}

/* The fd of /proc/<pid>/swap_pages stays with the process it was opened for; it is ours
 * if the pinned process still lives after the open. The pin is not kept. */
static struct reclaimer *swap_pages_open(const struct proc_identity *id,
                                         const struct action_limits *lim, int *err)
{
    char path[512];
    struct proc_pin pin;
    if ((*err = proc_path(path, sizeof(path), "%d/swap_pages", (int)id->pid)) != 0)
        return NULL;
    if ((*err = proc_pin_open(id, &pin)) != 0)
        return NULL;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = errno == ENOENT ? -ESRCH : -errno;
        proc_pin_close(&pin);
        return NULL;
    }
    *err = proc_pin_check(&pin);
    proc_pin_close(&pin);
    if (*err != 0) {
        close(fd);
        return NULL;
    }
    struct reclaimer *r = xcalloc(1, sizeof(*r));
    r->fd = fd;
    r->pid = id->pid;
    r->page_size = sysconf(_SC_PAGESIZE);
    ratelimit_init(&r->rl, lim ? lim->bytes_per_sec : 0);
    return r;
}

/* Write n addresses. A short write is resumed at the next whole line: the module parses
 * line by line, so a line cut by the kernel is counted as failed rather than resent half. */
static int swap_pages_flush(struct reclaimer *r, size_t n, struct action_counters *c)
{
    size_t len;
    size_t enc = swap_pages_encode(r->addrs, n, r->buf, sizeof(r->buf), &len);
    size_t off = 0;

    c->ns_throttled += ratelimit_take(&r->rl, (uint64_t)enc * (uint64_t)r->page_size);
    c->pages_tried += enc;
    while (off < len) {
        ssize_t w = write(r->fd, r->buf + off, len - off);
        c->syscalls++;
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            if (err == ESRCH)
                return -ESRCH;
            /* the write's first line was refused: count it and go on after it */
            char *nl = memchr(r->buf + off, '\n', len - off);
            c->pages_failed[action_fail_from_errno(err, false)]++;
            off = (size_t)(nl - r->buf) + 1;
            if (err == EPERM || err == EBADF)
                return -err;
            continue;
        }
        size_t end = off + (size_t)w;
        for (char *p = r->buf + off; (p = memchr(p, '\n', (size_t)(r->buf + end - p))); p++)
            c->pages_done++;
        if (end < len && r->buf[end - 1] != '\n') {
            char *nl = memchr(r->buf + end, '\n', len - end);
            c->pages_failed[ACT_FAIL_OTHER]++;
            log_warn("swap_pages of pid %d: write cut a line; skipping it", (int)r->pid);
            end = (size_t)(nl - r->buf) + 1;
        }
        off = end;
    }
    return 0;
}

static int swap_pages_reclaim(struct reclaimer *r, const struct page_range *ranges, size_t n,
                              struct action_counters *c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        for (uint64_t a = ranges[i].start; a < ranges[i].start + ranges[i].len;
             a += (uint64_t)r->page_size) {
            r->addrs[k++] = a;
            if (k == SWAP_BATCH) {
                int rc = swap_pages_flush(r, k, c);
                if (rc)
                    return rc;
                k = 0;
            }
        }
    }
    return k ? swap_pages_flush(r, k, c) : 0;
}

/* etmem_swap.ko keeps the watermarks and reclaims the swap cache in a kernel thread:
 * tell it the watermarks (once per process: the original sent them only for the first
 * process of a project), then start it. The argument is a pointer to the value. */
static int swap_pages_reclaim_swapcache(struct reclaimer *r, const struct swapcache_wmark *wm,
                                        const struct heat_map *hm, struct swapcache_result *res)
{
    int rc;
    memset(res, 0, sizeof(*res));
    if ((rc = swapcache_check(wm, res)) != 0 || !res->triggered)
        return rc;
    if (!r->wmark_set) {
        unsigned int arg = swapcache_wmark_arg(wm->low_pct, wm->high_pct);
        res->syscalls++;
        if ((rc = swapcache_ioctl(r->fd, SET_SWAPCACHE_WMARK, &arg)) != 0) {
            log_warn("swap_pages of pid %d: SET_SWAPCACHE_WMARK: %s", (int)r->pid,
                     strerror(-rc));
            return rc;
        }
        r->wmark_set = true;
    }
    unsigned int zero = 0;
    res->syscalls++;
    if ((rc = swapcache_ioctl(r->fd, RECLAIM_SWAPCACHE_ON, &zero)) != 0) {
        log_warn("swap_pages of pid %d: RECLAIM_SWAPCACHE_ON: %s", (int)r->pid, strerror(-rc));
        return rc;
    }
    res->by_kernel = true;
    struct meminfo mi;
    if (proc_read_meminfo(&mi) == 0)
        res->swapcached_after_kb = mi.swap_cached;
    return 0;
}

static void swap_pages_close(struct reclaimer *r)
{
    if (!r)
        return;
    if (close(r->fd) < 0)
        log_warn("swap_pages of pid %d: close: %s", (int)r->pid, strerror(errno));
    free(r);
}

const struct reclaim_ops reclaim_swap_pages_ops = {
    .name = "swap_pages",
    .summary = "openEuler /proc/<pid>/swap_pages (etmem_swap.ko), 200 lines per write",
    .usable = swap_pages_usable,
    .open = swap_pages_open,
    .reclaim = swap_pages_reclaim,
    .reclaim_swapcache = swap_pages_reclaim_swapcache,
    .close = swap_pages_close,
};
