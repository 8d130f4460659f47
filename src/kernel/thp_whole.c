/* SPDX-License-Identifier: MulanPSL-2.0 */
/* thp_whole.c - swap-out ranges made of whole transparent huge pages. Paging out part of a
 * THP splits it into base pages for good (a VM target loses the huge mappings of its guest
 * memory), so a THP goes out whole or stays whole: a range that ends inside one is cut back
 * to the THP's boundary. THPs are found as the kernel maps them, PMD-sized and aligned:
 * the block's first page is a compound head with KPF_THP (pagemap PFN -> kpageflags).
 * Also the process-wide /proc/kpageflags reader that the fallback tracker asks before it
 * probes a page. */
#include "thp_whole.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "pagemap.h"
#include "proc.h"
#include "sys_compat.h"

#define THP_BYTES (2ull << 20)

struct thp_probe {
    struct pagemap pm;
    uint64_t pfns_per_thp;
};

/* /proc/kpageflags, opened once for the process (pread from any thread). */
static int kpf_fd = -1, kpf_err;
static pthread_once_t kpf_once = PTHREAD_ONCE_INIT;

static void kpf_open(void)
{
    char path[512];

    if ((kpf_err = proc_path(path, sizeof(path), "kpageflags")) != 0)
        return;
    kpf_fd = open(path, O_RDONLY | O_CLOEXEC);
    kpf_err = kpf_fd < 0 ? -errno : 0;
}

int kpageflags_of(uint64_t pfn, uint64_t *flags)
{
    pthread_once(&kpf_once, kpf_open);
    if (kpf_fd < 0)
        return kpf_err;
    if (pfn == 0)
        return -EPERM;      /* PFNs hidden: no CAP_SYS_ADMIN */
    ssize_t r = pread(kpf_fd, flags, sizeof(*flags), (off_t)(pfn * sizeof(*flags)));
    if (r != (ssize_t)sizeof(*flags))
        return r < 0 ? -errno : -EIO;
    return 0;
}

int pfn_in_large_folio(uint64_t pfn)
{
    uint64_t flags;
    int rc = kpageflags_of(pfn, &flags);

    if (rc < 0)
        return rc;
    return (flags & ((1ull << KPF_COMPOUND_HEAD) | (1ull << KPF_COMPOUND_TAIL) |
                     (1ull << KPF_THP))) != 0;
}

/* Is [block, block + THP_BYTES) one PMD-mapped THP? 1 yes, 0 no, -errno. */
static int is_thp(struct thp_probe *tp, uint64_t block)
{
    uint64_t e, flags;
    int rc = pagemap_entry(&tp->pm, block, &e);

    if (rc < 0)
        return rc;
    if (!(e & PM_PRESENT))
        return 0;
    uint64_t pfn = e & PM_PFN_MASK;
    if (pfn == 0)
        return -EPERM;      /* PFNs hidden: no CAP_SYS_ADMIN */
    if (pfn % tp->pfns_per_thp != 0)
        return 0;
    if ((rc = kpageflags_of(pfn, &flags)) != 0)
        return rc;
    return (flags & (1ull << KPF_THP)) && (flags & (1ull << KPF_COMPOUND_HEAD));
}

/* Cut one range back to the THP boundaries inside it; adds the bytes cut to *cut. */
static int trim_range(struct thp_probe *tp, struct page_range *r, uint64_t *cut)
{
    uint64_t start = r->start, end = r->start + r->len;
    uint64_t head = start & ~(THP_BYTES - 1), tail = end & ~(THP_BYTES - 1);
    int rc;

    if (start != head && (rc = is_thp(tp, head)) != 0) {
        if (rc < 0)
            return rc;
        start = head + THP_BYTES < end ? head + THP_BYTES : end;
    }
    if (end != tail && tail >= start && (rc = is_thp(tp, tail)) != 0) {
        if (rc < 0)
            return rc;
        end = tail;
    }
    if (end < start)
        end = start;
    *cut += r->len - (end - start);
    r->start = start;
    r->len = end - start;
    return 0;
}

int64_t thp_whole_ranges(pid_t pid, struct page_range *ranges, size_t *n)
{
    struct thp_probe tp;
    uint64_t cut = 0;
    size_t kept = 0;
    int rc;

    if ((rc = pagemap_open(&tp.pm, pid)) != 0)
        return rc;
    tp.pfns_per_thp = THP_BYTES / (uint64_t)tp.pm.page_size;
    for (size_t i = 0; i < *n; i++) {
        struct page_range r = ranges[i];

        if (rc == 0)
            rc = trim_range(&tp, &r, &cut);    /* leaves r as it was when it fails */
        if (r.len > 0)
            ranges[kept++] = r;
    }
    *n = kept;
    pagemap_close(&tp.pm);
    if (rc != 0)
        return rc;
    return (int64_t)cut;
}
