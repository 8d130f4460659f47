/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pagemap.c - batched /proc/<pid>/pagemap reads shared by the page_idle and fallback
 * trackers (big preads: one syscall per 64 MiB of address space). */
#include "pagemap.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <unistd.h>

#include "proc.h"
#include "xalloc.h"

int pagemap_open(struct pagemap *pm, pid_t pid)
{
    char path[512];
    int rc = proc_path(path, sizeof(path), "%d/pagemap", (int)pid);
    if (rc)
        return rc;
    pm->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (pm->fd < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    pm->page_size = sysconf(_SC_PAGESIZE);
    pm->page_shift = 0;
    while ((1L << pm->page_shift) < pm->page_size)
        pm->page_shift++;
    pm->buf = xmalloc(PAGEMAP_BATCH * sizeof(uint64_t));
    pm->bytes_read = pm->syscalls = 0;
    pm->scan_ok = -1;
    pm->regions = NULL;
    return 0;
}

void pagemap_close(struct pagemap *pm)
{
    if (pm->fd >= 0)
        close(pm->fd);
    pm->fd = -1;
    free(pm->buf);
    pm->buf = NULL;
    free(pm->regions);
    pm->regions = NULL;
}

ssize_t pagemap_read(struct pagemap *pm, uint64_t addr, size_t n, uint64_t *out)
{
    size_t done = 0;
    off_t off = (off_t)((addr >> pm->page_shift) * sizeof(uint64_t));

    while (done < n) {
        ssize_t r = pread(pm->fd, (char *)out + done * 8, (n - done) * 8,
                          off + (off_t)(done * 8));
        pm->syscalls++;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno == ENOENT ? -ESRCH : -errno;
        }
        if (r == 0)
            break; /* the target exited: its mm is gone */
        pm->bytes_read += (uint64_t)r;
        done += (size_t)r / 8;
    }
    return (ssize_t)done;
}

int pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_fn fn, void *arg)
{
    for (uint64_t a = start; a < end;) {
        /* batches end at PAGEMAP_BATCH-page boundaries, so no huge page straddles two */
        size_t room = PAGEMAP_BATCH - (size_t)((a >> pm->page_shift) % PAGEMAP_BATCH);
        size_t n = (size_t)((end - a) >> pm->page_shift);
        if (n > room)
            n = room;
        ssize_t got = pagemap_read(pm, a, n, pm->buf);
        if (got < 0)
            return (int)got;
        if (got == 0)
            return -ESRCH;
        int rc = fn(arg, a, pm->buf, (size_t)got);
        if (rc)
            return rc;
        a += (uint64_t)got << pm->page_shift;
    }
    return 0;
}

int pagemap_entry(struct pagemap *pm, uint64_t addr, uint64_t *entry)
{
    ssize_t got = pagemap_read(pm, addr, 1, entry);
    if (got < 0)
        return (int)got;
    return got == 1 ? 0 : -ESRCH;
}

#define SCAN_REGIONS 512

/* Fallback without PAGEMAP_SCAN: runs of equal state from plain entries. */
struct run_ctx {
    pagemap_range_fn fn;
    void *arg;
    uint64_t start, end;
    unsigned flags;
    uint64_t ps;
};

static int run_flush(struct run_ctx *c)
{
    int rc = c->end > c->start ? c->fn(c->arg, c->start, c->end, c->flags) : 0;
    c->start = c->end = 0;
    return rc;
}

static int run_batch(void *arg, uint64_t addr, const uint64_t *e, size_t n)
{
    struct run_ctx *c = arg;
    for (size_t i = 0; i < n; i++, addr += c->ps) {
        unsigned f = (e[i] & PM_PRESENT) ? PAGEMAP_RANGE_PRESENT
                     : (e[i] & PM_SWAPPED) ? PAGEMAP_RANGE_SWAPPED : 0;
        int rc = 0;
        if (!f || c->end != addr || c->flags != f)
            rc = run_flush(c);
        if (rc)
            return rc;
        if (!f)
            continue;
        if (c->end != addr) {
            c->start = addr;
            c->flags = f;
        }
        c->end = addr + c->ps;
    }
    return 0;
}

static int scan_ranges(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_range_fn fn,
                       void *arg)
{
    bool any = false;

    if (!pm->regions)
        pm->regions = xmalloc(SCAN_REGIONS * sizeof(*pm->regions));
    for (uint64_t a = start; a < end;) {
        struct etmem_pm_scan_arg sa = {
            .size = sizeof(sa), .start = a, .end = end,
            .vec = (uint64_t)(uintptr_t)pm->regions, .vec_len = SCAN_REGIONS,
            .category_anyof_mask = ETMEM_PAGE_IS_PRESENT | ETMEM_PAGE_IS_SWAPPED,
            .return_mask = ETMEM_PAGE_IS_PRESENT | ETMEM_PAGE_IS_SWAPPED,
        };
        long n = ioctl(pm->fd, ETMEM_PAGEMAP_SCAN, &sa);
        pm->syscalls++;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == ESRCH ? -ESRCH : -errno;
        }
        for (long i = 0; i < n; i++) {
            unsigned f = (pm->regions[i].categories & ETMEM_PAGE_IS_PRESENT)
                             ? PAGEMAP_RANGE_PRESENT : PAGEMAP_RANGE_SWAPPED;
            int rc = fn(arg, pm->regions[i].start, pm->regions[i].end, f);
            if (rc)
                return rc;
            any = true;
        }
        if (sa.walk_end <= a)
            return -EIO; /* no progress: never spin */
        a = sa.walk_end;
    }
    /* A handle opened before the target exec'd (or exited) names the old address space,
     * which PAGEMAP_SCAN walks as empty without an error; a read tells: it ends at once. */
    if (!any && start < end) {
        uint64_t e;
        ssize_t got = pagemap_read(pm, start, 1, &e);

        if (got <= 0)
            return got < 0 ? (int)got : -ESRCH;
    }
    return 0;
}

/* Does this kernel have PAGEMAP_SCAN? Asked once per handle with a one-page scan. */
static bool scan_supported(struct pagemap *pm)
{
    if (pm->scan_ok < 0) {
        struct etmem_page_region r;
        struct etmem_pm_scan_arg sa = {
            .size = sizeof(sa), .start = 0, .end = (uint64_t)pm->page_size,
            .vec = (uint64_t)(uintptr_t)&r, .vec_len = 1,
            .category_anyof_mask = ETMEM_PAGE_IS_PRESENT, .return_mask = ETMEM_PAGE_IS_PRESENT,
        };
        pm->scan_ok = ioctl(pm->fd, ETMEM_PAGEMAP_SCAN, &sa) >= 0;
    }
    return pm->scan_ok;
}

int pagemap_populated(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_range_fn fn,
                      void *arg)
{
    if (scan_supported(pm))
        return scan_ranges(pm, start, end, fn, arg);
    struct run_ctx c = { .fn = fn, .arg = arg, .ps = (uint64_t)pm->page_size };
    int rc = pagemap_walk(pm, start, end, run_batch, &c);
    return rc ? rc : run_flush(&c);
}

struct walk_ctx {
    struct pagemap *pm;
    pagemap_fn fn;
    void *arg;
};

static int walk_range(void *arg, uint64_t start, uint64_t end, unsigned flags)
{
    struct walk_ctx *c = arg;
    return pagemap_walk(c->pm, start, end, c->fn, c->arg);
}

int pagemap_walk_populated(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_fn fn,
                           void *arg)
{
    if (!scan_supported(pm))
        return pagemap_walk(pm, start, end, fn, arg);
    struct walk_ctx c = { pm, fn, arg };
    return pagemap_populated(pm, start, end, walk_range, &c);
}
