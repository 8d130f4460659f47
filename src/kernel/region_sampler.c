/* SPDX-License-Identifier: MulanPSL-2.0 */
/* region_sampler.c - the region monitor's samplers over page_idle and over pageout probes
 * (region_sampler.h). Both read one pagemap entry per sampled page at prepare and at
 * check; page_idle adds one bitmap word written and one read, the probe one iovec in a
 * batched process_madvise. */
#include "region_sampler.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "pagemap.h"
#include "pageout.h"
#include "probe.h"
#include "proc.h"
#include "tracker_common.h"
#include "xalloc.h"

#define KPF_COMPOUND_TAIL 16
#define THP_PAGES 512

enum sample_state {
    SS_OUT = 1,   /* not resident at prepare (swapped or never touched) */
    SS_IDLE_SET,  /* page_idle: resident, its idle bit set */
    SS_PROBED,    /* probe: resident, paged out and seen gone */
    SS_STUCK,     /* resident and could not be made to tell (shared, pinned, no swap) */
};

struct sampler_ctx {
    pid_t pid;
    long ps;
    struct scan_opts_copy opts;
    struct vma_list vmas;
    struct region_range *ranges;
    size_t ranges_cap;
    struct pagemap pm;
    int bitmap_fd;   /* page_idle */
    int kpf_fd;      /* page_idle: /proc/kpageflags for THP heads, -1 if unreadable */
    int pidfd;       /* probe */
    struct iovec *iov;
    size_t iov_cap;
    uint64_t syscalls, bytes, probes, probes_unknown;
};

static void ctx_close(void *arg)
{
    struct sampler_ctx *c = arg;
    if (!c)
        return;
    pagemap_close(&c->pm);
    if (c->bitmap_fd >= 0)
        close(c->bitmap_fd);
    if (c->kpf_fd >= 0)
        close(c->kpf_fd);
    if (c->pidfd >= 0)
        close(c->pidfd);
    vma_list_free(&c->vmas);
    scan_opts_copy_free(&c->opts);
    free(c->ranges);
    free(c->iov);
    free(c);
}

static struct sampler_ctx *ctx_new(pid_t pid, const struct scan_opts *opts, int *err)
{
    struct sampler_ctx *c = xcalloc(1, sizeof(*c));
    c->pid = pid;
    c->ps = sysconf(_SC_PAGESIZE);
    c->bitmap_fd = c->kpf_fd = c->pidfd = c->pm.fd = -1;
    scan_opts_copy_init(&c->opts, opts);
    if ((*err = pagemap_open(&c->pm, pid)) != 0) {
        ctx_close(c);
        return NULL;
    }
    return c;
}

static int ctx_ranges(void *arg, const struct region_range **out, size_t *n)
{
    struct sampler_ctx *c = arg;
    int rc = tracker_read_vmas(c->pid, &c->opts.o, VMA_SRC_MAPS, &c->vmas);
    c->syscalls++;
    if (rc)
        return rc == -ENOENT ? -ESRCH : rc;
    if (c->vmas.n > c->ranges_cap) {
        c->ranges = xreallocarray(c->ranges, c->vmas.n, sizeof(*c->ranges));
        c->ranges_cap = c->vmas.n;
    }
    for (size_t i = 0; i < c->vmas.n; i++)
        c->ranges[i] = (struct region_range){ c->vmas.v[i].start, c->vmas.v[i].end };
    *out = c->ranges;
    *n = c->vmas.n;
    return 0;
}

static void ctx_stats(void *arg, struct scan_stats *st)
{
    struct sampler_ctx *c = arg;
    st->syscalls += c->syscalls + c->pm.syscalls;
    st->bytes_read += c->bytes + c->pm.bytes_read;
    st->probes += c->probes;
    st->probes_inconclusive += c->probes_unknown;
    c->syscalls = c->bytes = c->probes = c->probes_unknown = 0;
    c->pm.syscalls = c->pm.bytes_read = 0;
}

/* The sampled page's pagemap entry; an address the target no longer maps reads as not
 * present (the range went away between update and sample). */
static int entry_of(struct sampler_ctx *c, uint64_t addr, uint64_t *e)
{
    int rc = pagemap_entry(&c->pm, addr, e);
    if (rc == -ESRCH)
        return rc;
    if (rc)
        *e = 0;
    return 0;
}

/* ---- page_idle ---- */

static int page_idle_open_ctx(pid_t pid, const struct scan_opts *opts, void **out)
{
    int err;
    char path[512];
    struct sampler_ctx *c = ctx_new(pid, opts, &err);
    if (!c)
        return err;
    sys_path(path, sizeof(path), "kernel/mm/page_idle/bitmap");
    if ((c->bitmap_fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
        err = -errno;
        ctx_close(c);
        return err;
    }
    proc_path(path, sizeof(path), "kpageflags");
    c->kpf_fd = open(path, O_RDONLY | O_CLOEXEC);
    *out = c;
    return 0;
}

static bool kpf_has(struct sampler_ctx *c, uint64_t pfn, unsigned bit)
{
    uint64_t flags;
    c->syscalls++;
    return pread(c->kpf_fd, &flags, sizeof(flags), (off_t)(pfn * 8)) == sizeof(flags) &&
           (flags >> bit & 1);
}

/* The kernel keeps a THP's idle flag on its head page and ignores tail PFNs. */
static uint64_t head_pfn(struct sampler_ctx *c, uint64_t addr, uint64_t pfn)
{
    if (c->kpf_fd < 0 || !kpf_has(c, pfn, KPF_COMPOUND_TAIL))
        return pfn;
    uint64_t idx = (addr / (uint64_t)c->ps) % THP_PAGES;
    if (pfn >= idx && kpf_has(c, pfn - idx, KPF_COMPOUND_HEAD))
        return pfn - idx;
    return pfn;
}

static int bitmap_word(struct sampler_ctx *c, uint64_t pfn, uint64_t *word, bool write)
{
    off_t off = (off_t)(pfn / 64 * 8);
    ssize_t r;
    do
        r = write ? pwrite(c->bitmap_fd, word, 8, off) : pread(c->bitmap_fd, word, 8, off);
    while (r < 0 && errno == EINTR);
    c->syscalls++;
    if (r < 0)
        return -errno;
    if (r != 8) {
        *word = 0; /* past the kernel's last PFN: never idle */
        return 0;
    }
    c->bytes += write ? 0 : 8;
    return 0;
}

static int page_idle_prepare(void *arg, struct region_sample *s, size_t n)
{
    struct sampler_ctx *c = arg;
    for (size_t i = 0; i < n; i++) {
        uint64_t e;
        int rc = entry_of(c, s[i].addr, &e);
        if (rc)
            return rc;
        if (!(e & PM_PRESENT)) {
            s[i].state = SS_OUT;
            continue;
        }
        if ((e & PM_PFN_MASK) == 0)
            return -EPERM; /* PFNs hidden: no CAP_SYS_ADMIN */
        s[i].pfn = head_pfn(c, s[i].addr, e & PM_PFN_MASK);
        uint64_t word = 1ull << (s[i].pfn % 64); /* zero bits leave other pages alone */
        if ((rc = bitmap_word(c, s[i].pfn, &word, true)) != 0)
            return rc;
        s[i].state = SS_IDLE_SET;
    }
    return 0;
}

static int page_idle_check(void *arg, struct region_sample *s, size_t n)
{
    struct sampler_ctx *c = arg;
    for (size_t i = 0; i < n; i++) {
        uint64_t e, word;
        int rc = entry_of(c, s[i].addr, &e);
        if (rc)
            return rc;
        bool present = e & PM_PRESENT;
        if (!present) {
            s[i].result = RA_IDLE; /* stayed out, or reclaimed: not accessed */
        } else if (s[i].state == SS_OUT) {
            s[i].result = RA_ACCESSED; /* faulted in */
        } else if (head_pfn(c, s[i].addr, e & PM_PFN_MASK) != s[i].pfn) {
            s[i].result = RA_ACCESSED; /* refaulted (or migrated: cannot tell, so hot) */
        } else {
            if ((rc = bitmap_word(c, s[i].pfn, &word, false)) != 0)
                return rc;
            s[i].result = word >> (s[i].pfn % 64) & 1 ? RA_IDLE : RA_ACCESSED;
        }
    }
    return 0;
}

static const struct region_sampler_ops page_idle_sampler = {
    .name = "page_idle",
    .ranges = ctx_ranges,
    .prepare = page_idle_prepare,
    .check = page_idle_check,
};

const struct region_source_ops region_source_page_idle = {
    .sampler = &page_idle_sampler,
    .min_sample_us = 0,
    .open = page_idle_open_ctx,
    .close = ctx_close,
    .stats = ctx_stats,
};

/* ---- pageout probes ---- */

static int probe_open_ctx(pid_t pid, const struct scan_opts *opts, void **out)
{
    int err;
    struct sampler_ctx *c = ctx_new(pid, opts, &err);
    if (!c)
        return err;
    if ((c->pidfd = sys_pidfd_open(pid)) < 0) {
        err = errno == ESRCH ? -ESRCH : -errno;
        ctx_close(c);
        return err;
    }
    *out = c;
    return 0;
}

static int probe_prepare(void *arg, struct region_sample *s, size_t n)
{
    struct sampler_ctx *c = arg;
    size_t k = 0;
    int rc;
    if (n > c->iov_cap) {
        c->iov = xreallocarray(c->iov, n, sizeof(*c->iov));
        c->iov_cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t e;
        if ((rc = entry_of(c, s[i].addr, &e)) != 0)
            return rc;
        if (!(e & PM_PRESENT)) {
            s[i].state = SS_OUT; /* already out: a touch brings it back */
            continue;
        }
        s[i].pfn = e & PM_PFN_MASK;
        s[i].state = SS_STUCK;
        if (!(e & PM_EXCLUSIVE))
            continue; /* shared, or the zero page: cannot leave memory */
        c->iov[k].iov_base = (void *)(uintptr_t)s[i].addr;
        c->iov[k].iov_len = (size_t)c->ps;
        k++;
    }
    if (k == 0)
        return 0;
    struct action_counters ac = { 0 };
    rc = pageout_iov(c->pidfd, c->iov, k, c->ps, &ac); /* consumes c->iov */
    c->syscalls += ac.syscalls;
    c->probes += k;
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        uint64_t e;
        if (s[i].state != SS_STUCK)
            continue;
        if ((rc = entry_of(c, s[i].addr, &e)) != 0)
            return rc;
        if (!(e & PM_PRESENT))
            s[i].state = SS_PROBED;
    }
    return 0;
}

static int probe_check(void *arg, struct region_sample *s, size_t n)
{
    struct sampler_ctx *c = arg;
    for (size_t i = 0; i < n; i++) {
        uint64_t e;
        int rc = entry_of(c, s[i].addr, &e);
        if (rc)
            return rc;
        if (!(e & PM_PRESENT))
            s[i].result = RA_IDLE;
        else if (s[i].state != SS_STUCK)
            s[i].result = RA_ACCESSED; /* it was out and came back */
        else if ((e & PM_PFN_MASK) && s[i].pfn && (e & PM_PFN_MASK) != s[i].pfn)
            s[i].result = RA_ACCESSED; /* left and came back under another PFN */
        else {
            s[i].result = RA_UNKNOWN;
            c->probes_unknown++;
        }
    }
    return 0;
}

static const struct region_sampler_ops probe_sampler = {
    .name = "probe",
    .ranges = ctx_ranges,
    .prepare = probe_prepare,
    .check = probe_check,
};

const struct region_source_ops region_source_probe = {
    .sampler = &probe_sampler,
    .min_sample_us = REGION_PROBE_MIN_SAMPLE_US,
    .open = probe_open_ctx,
    .close = ctx_close,
    .stats = ctx_stats,
};
