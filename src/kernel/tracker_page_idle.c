/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tracker_page_idle.c - the upstream tracker: idle page tracking. pagemap gives each
 * resident page's PFN; at a window's start we set the PFNs' bits in
 * /sys/kernel/mm/page_idle/bitmap, at its end a bit still set means "not accessed".
 * Bitmap I/O is batched: the 64-bit words holding our PFNs are sorted, and each run of
 * nearby words (small gaps included) is one pread/pwrite. A PMD-mapped THP (512 present
 * pages, contiguous PFNs, aligned head; confirmed by /proc/kpageflags when readable) is
 * one unit: the kernel keeps the idle flag on the head page only. So does it for any large
 * folio (mTHP, a THP not aligned to 2 MiB or mapped by PTEs), and it reports a tail page
 * as accessed: each such page is read and marked through its folio's head (folio_heads.h).
 * Reads only, no dirty information. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio_heads.h"
#include "heatmap.h"
#include "log.h"
#include "pagemap.h"
#include "probe.h"
#include "proc.h"
#include "tracker_common.h"
#include "xalloc.h"

#define THP_PAGES 512 /* PMD of 4 KiB pages; other page sizes never match */
/* Word runs closer than this are read/written as one span: the gap words cost the kernel
 * a few ns per PFN, far less than a syscall, and writing 0 bits changes nothing. */
#define BITMAP_GAP_WORDS 8
#define BITMAP_SPAN_MAX 8192 /* words per syscall: a 64 KiB buffer */

struct pi_unit {
    uint64_t addr;
    uint64_t pfn;
    uint32_t pages;
    bool huge;
};

struct tracker {
    pid_t pid;
    long ps;
    struct scan_opts_copy opts;
    struct vma_list vmas;
    struct pagemap pm;
    int bitmap_fd;
    int kpf_fd;               /* /proc/kpageflags, -1 if unreadable */
    struct pi_unit *units;    /* one pagemap batch */
    uint64_t *pfns, *heads;   /* its base-page units' PFNs and their folios' heads */
    size_t *unit_of;          /* the unit of each of those */
    uint64_t *words;          /* sorted unique bitmap word indexes */
    uint64_t *vals;           /* read values / masks to write, per word */
    uint64_t *span;           /* I/O buffer: BITMAP_SPAN_MAX words */
    struct heat_map *hm;      /* NULL while priming */
    struct scan_stats *st;
};

static bool page_idle_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    return kernel_require(caps, why, len, 2, KF_PAGE_IDLE, KF_PAGEMAP_PFN);
}

static void page_idle_close(struct tracker *t)
{
    if (!t)
        return;
    pagemap_close(&t->pm);
    if (t->bitmap_fd >= 0)
        close(t->bitmap_fd);
    if (t->kpf_fd >= 0)
        close(t->kpf_fd);
    vma_list_free(&t->vmas);
    scan_opts_copy_free(&t->opts);
    free(t->units);
    free(t->pfns);
    free(t->heads);
    free(t->unit_of);
    free(t->words);
    free(t->vals);
    free(t->span);
    free(t);
}

static struct tracker *page_idle_open(pid_t pid, const struct scan_opts *opts, int *err)
{
    struct tracker *t = xcalloc(1, sizeof(*t));
    char path[512];

    t->pid = pid;
    t->ps = sysconf(_SC_PAGESIZE);
    t->bitmap_fd = t->kpf_fd = t->pm.fd = -1;
    scan_opts_copy_init(&t->opts, opts);
    if ((*err = pagemap_open(&t->pm, pid)) != 0)
        goto fail;
    sys_path(path, sizeof(path), "kernel/mm/page_idle/bitmap");
    if ((t->bitmap_fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
        *err = -errno;
        goto fail;
    }
    proc_path(path, sizeof(path), "kpageflags");
    t->kpf_fd = open(path, O_RDONLY | O_CLOEXEC);
    t->units = xmalloc(PAGEMAP_BATCH * sizeof(*t->units));
    t->pfns = xmalloc(PAGEMAP_BATCH * sizeof(*t->pfns));
    t->heads = xmalloc(PAGEMAP_BATCH * sizeof(*t->heads));
    t->unit_of = xmalloc(PAGEMAP_BATCH * sizeof(*t->unit_of));
    t->words = xmalloc(PAGEMAP_BATCH * sizeof(*t->words));
    t->vals = xmalloc(PAGEMAP_BATCH * sizeof(*t->vals));
    t->span = xmalloc(BITMAP_SPAN_MAX * sizeof(*t->span));
    return t;
fail:
    page_idle_close(t);
    return NULL;
}

/* Is the 512-entry block at e a PMD-mapped THP? */
static bool block_is_thp(struct tracker *t, const uint64_t *e)
{
    uint64_t pfn0 = e[0] & PM_PFN_MASK;
    if (pfn0 % THP_PAGES)
        return false;
    for (size_t i = 0; i < THP_PAGES; i++)
        if (!(e[i] & PM_PRESENT) || (e[i] & PM_PFN_MASK) != pfn0 + i)
            return false;
    uint64_t flags;
    if (t->kpf_fd < 0)
        return true; /* contiguity alone: a good guess */
    if (pread(t->kpf_fd, &flags, sizeof(flags), (off_t)(pfn0 * 8)) != sizeof(flags))
        return true;
    return (flags >> KPF_THP & 1) && (flags >> KPF_COMPOUND_HEAD & 1);
}

static int kpf_pread(void *arg, uint64_t pfn, size_t n, uint64_t *flags)
{
    struct tracker *t = arg;
    size_t len = n * sizeof(*flags);
    ssize_t r = pread(t->kpf_fd, flags, len, (off_t)(pfn * sizeof(*flags)));

    t->st->syscalls++;
    if (r == (ssize_t)len)
        return 0;
    return r < 0 ? -errno : -EIO;
}

/* Base-page units of large folios take their head's PFN: the kernel keeps the idle bit
 * there and answers "accessed" for a tail. Without kpageflags every page is its own. */
static void units_to_heads(struct tracker *t, size_t nu)
{
    size_t n = 0;
    int rc;

    if (t->kpf_fd < 0)
        return;
    for (size_t i = 0; i < nu; i++) {
        if (!t->units[i].huge) {
            t->unit_of[n] = i;
            t->pfns[n++] = t->units[i].pfn;
        }
    }
    if ((rc = folio_heads(t->pfns, n, kpf_pread, t, t->heads)) != 0) {
        log_debug("page_idle pid %d: kpageflags unreadable (%s): each page counts alone",
                  (int)t->pid, strerror(-rc));
        return;
    }
    for (size_t k = 0; k < n; k++)
        t->units[t->unit_of[k]].pfn = t->heads[k];
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static size_t word_find(const struct tracker *t, size_t nw, uint64_t w)
{
    size_t lo = 0, hi = nw;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->words[mid] < w)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* pread (write=false) or pwrite t->words/vals, one syscall per span of nearby words
 * (t->span is scratch space laid out word by word). */
static int bitmap_io(struct tracker *t, size_t nw, bool write)
{
    for (size_t i = 0; i < nw;) {
        size_t j = i + 1;
        while (j < nw && t->words[j] - t->words[j - 1] <= BITMAP_GAP_WORDS &&
               t->words[j] - t->words[i] < BITMAP_SPAN_MAX)
            j++;
        size_t span = (size_t)(t->words[j - 1] - t->words[i] + 1);
        size_t len = span * sizeof(uint64_t);
        off_t off = (off_t)(t->words[i] * sizeof(uint64_t));
        memset(t->span, 0, len);
        if (write)
            for (size_t k = i; k < j; k++)
                t->span[t->words[k] - t->words[i]] = t->vals[k];
        /* sysfs moves at most a page per call, and stops where the kernel's PFNs end
         * (max_pfn): continue short transfers; bits past the end stay 0 (= accessed). */
        size_t done = 0;
        while (done < len) {
            ssize_t r = write ? pwrite(t->bitmap_fd, (char *)t->span + done, len - done,
                                       off + (off_t)done)
                              : pread(t->bitmap_fd, (char *)t->span + done, len - done,
                                      off + (off_t)done);
            t->st->syscalls++;
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                return -errno;
            }
            if (r == 0)
                break;
            done += (size_t)r;
        }
        if (!write)
            for (size_t k = i; k < j; k++)
                t->vals[k] = t->span[t->words[k] - t->words[i]];
        t->st->bytes_read += write ? 0 : (uint64_t)done;
        i = j;
    }
    return 0;
}

static void unit_weigh(struct tracker *t, const struct pi_unit *u, unsigned w)
{
    t->st->pages += u->pages;
    t->st->pages_accessed += w ? u->pages : 0;
    heat_map_add(t->hm, u->addr, (uint64_t)u->pages * (uint64_t)t->ps, w,
                 HEAT_PRESENT | (u->huge ? HEAT_HUGE : 0));
}

/* One pagemap batch: build units, read the bits of the last window (when sampling),
 * then mark every unit idle for the next window. */
static int page_idle_batch(void *arg, uint64_t addr, const uint64_t *e, size_t n)
{
    struct tracker *t = arg;
    size_t nu = 0;
    uint64_t ps = (uint64_t)t->ps;

    for (size_t i = 0; i < n;) {
        uint64_t a = addr + i * ps;
        if (!(e[i] & PM_PRESENT)) {
            if ((e[i] & PM_SWAPPED) && t->hm)
                heat_map_add(t->hm, a, ps, 0, HEAT_SWAPPED);
            t->st->pages_absent++;
            i++;
            continue;
        }
        uint64_t pfn = e[i] & PM_PFN_MASK;
        if (pfn == 0)
            return -EPERM; /* PFNs hidden: no CAP_SYS_ADMIN */
        bool huge = (a / ps) % THP_PAGES == 0 && n - i >= THP_PAGES && block_is_thp(t, &e[i]);
        t->units[nu++] = (struct pi_unit){ a, pfn, huge ? THP_PAGES : 1, huge };
        i += huge ? THP_PAGES : 1;
    }
    if (nu == 0)
        return 0;
    units_to_heads(t, nu);
    for (size_t i = 0; i < nu; i++)
        t->words[i] = t->units[i].pfn / 64;
    qsort(t->words, nu, sizeof(*t->words), u64_cmp);
    size_t nw = 0;
    for (size_t i = 0; i < nu; i++)
        if (nw == 0 || t->words[nw - 1] != t->words[i])
            t->words[nw++] = t->words[i];

    int rc;
    if (t->hm) {
        if ((rc = bitmap_io(t, nw, false)) != 0)
            return rc;
        for (size_t i = 0; i < nu; i++) {
            const struct pi_unit *u = &t->units[i];
            bool idle = t->vals[word_find(t, nw, u->pfn / 64)] >> (u->pfn % 64) & 1;
            unit_weigh(t, u, idle ? HEAT_W_IDLE : HEAT_W_ACCESS);
        }
    }
    memset(t->vals, 0, nw * sizeof(*t->vals));
    for (size_t i = 0; i < nu; i++)
        t->vals[word_find(t, nw, t->units[i].pfn / 64)] |= 1ull << (t->units[i].pfn % 64);
    return bitmap_io(t, nw, true);
}

static int page_idle_window(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    int rc = tracker_read_vmas(t->pid, &t->opts.o, VMA_SRC_MAPS, &t->vmas);
    if (rc)
        return rc == -ENOENT ? -ESRCH : rc;
    t->hm = hm;
    t->st = st;
    for (size_t i = 0; i < t->vmas.n && rc == 0; i++) {
        rc = pagemap_walk_populated(&t->pm, t->vmas.v[i].start, t->vmas.v[i].end,
                                    page_idle_batch, t);
        st->vmas++;
    }
    st->bytes_read += t->pm.bytes_read;
    st->syscalls += t->pm.syscalls;
    t->pm.bytes_read = t->pm.syscalls = 0;
    t->hm = NULL;
    t->st = NULL;
    return rc;
}

static int page_idle_prime(struct tracker *t)
{
    struct scan_stats st = { 0 };
    return page_idle_window(t, NULL, &st);
}

static int page_idle_sample(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    return page_idle_window(t, hm, st);
}

const struct tracker_ops tracker_page_idle_ops = {
    .name = "page_idle",
    .summary = "pagemap PFNs + /sys/kernel/mm/page_idle/bitmap: per page, reads+writes as one",
    .per_page = true,
    .sees_writes = false,
    .usable = page_idle_usable,
    .open = page_idle_open,
    .prime = page_idle_prime,
    .sample = page_idle_sample,
    .close = page_idle_close,
};
