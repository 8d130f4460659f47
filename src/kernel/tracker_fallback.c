/* tracker_fallback.c - access tracking for kernels without idle_pages, page_idle or DAMON
 * vaddr. Two levels per window:
 *   (a) clear_refs("1") at window start, smaps Referenced per VMA at the end: a VMA with
 *       Referenced 0 was not touched at all (~140 ns/page for both steps);
 *   (b) inside referenced VMAs, adaptive regions (fallback_regions.c), each probed by
 *       paging out ONE resident page with process_madvise(MADV_PAGEOUT); if pagemap shows
 *       it resident again at the window's end, the region was accessed (refault).
 * Cost, honestly: ~45 µs per probe for us, and every probe of a hot page costs the target
 * one major fault. Probes per window are capped (fallback.max_probes) and regions found
 * hot are not probed for fallback.hot_skip windows. Without swap, anonymous probes cannot
 * leave memory: they are counted inconclusive and only level (a) remains. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fallback_regions.h"
#include "heatmap.h"
#include "log.h"
#include "pageout.h"
#include "pagemap.h"
#include "pagemap_weigh.h"
#include "probe.h"
#include "proc.h"
#include "tracker_common.h"
#include "xalloc.h"

#define PROBE_TRIES 3     /* random pages tried per probe to find a resident one */
#define PROBES_PER_REGION 8 /* spare budget buys up to this many probes for a large region
                               (one per min_region_kb): if partly hot, it is then rarely
                               judged idle */

struct tracker {
    pid_t pid;
    long ps;
    struct scan_opts_copy opts;
    struct pagemap pm;
    int pidfd;
    int clear_fd;
    struct fb_set regions;
    struct vma_list vmas;
    size_t *pick;
    uint64_t *probe_addr;   /* this window's candidates, then the pending probes */
    size_t *probe_region;
    size_t npending;
    struct iovec *iov;
    bool warned_noswap;
};

static bool fallback_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    return kernel_require(caps, why, len, 1, KF_CLEAR_REFS);
}

static void fallback_close(struct tracker *t)
{
    if (!t)
        return;
    pagemap_close(&t->pm);
    if (t->pidfd >= 0)
        close(t->pidfd);
    if (t->clear_fd >= 0)
        close(t->clear_fd);
    fb_set_free(&t->regions);
    vma_list_free(&t->vmas);
    scan_opts_copy_free(&t->opts);
    free(t->pick);
    free(t->probe_addr);
    free(t->probe_region);
    free(t->iov);
    free(t);
}

static struct tracker *fallback_open(pid_t pid, const struct scan_opts *opts, int *err)
{
    struct tracker *t = xcalloc(1, sizeof(*t));
    char path[512];

    t->pid = pid;
    t->ps = sysconf(_SC_PAGESIZE);
    t->pidfd = t->clear_fd = t->pm.fd = -1;
    scan_opts_copy_init(&t->opts, opts);
    if (t->opts.o.fallback.max_probes == 0)
        t->opts.o.fallback.max_probes = 1;
    fb_set_init(&t->regions, (uint64_t)pid * 0x9e3779b97f4a7c15ull ^ (uint64_t)time(NULL));
    size_t maxp = t->opts.o.fallback.max_probes;
    t->pick = xcalloc(maxp, sizeof(*t->pick));
    t->probe_addr = xcalloc(maxp, sizeof(*t->probe_addr));
    t->probe_region = xcalloc(maxp, sizeof(*t->probe_region));
    t->iov = xcalloc(maxp, sizeof(*t->iov));

    if ((*err = pagemap_open(&t->pm, pid)) != 0)
        goto fail;
    if ((t->pidfd = sys_pidfd_open(pid)) < 0) {
        *err = -errno;
        goto fail;
    }
    if ((*err = proc_path(path, sizeof(path), "%d/clear_refs", (int)pid)) != 0)
        goto fail;
    if ((t->clear_fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
        *err = errno == ENOENT ? -ESRCH : -errno;
        goto fail;
    }
    return t;
fail:
    fallback_close(t);
    return NULL;
}

static bool vma_referenced(const struct tracker *t, const struct fb_region *r)
{
    return t->vmas.v[r->vma].referenced_kb > 0;
}

/* Outcome of the window that ends now, per region: a region with pending probes was
 * accessed if any of its probe pages is resident again. */
static int fallback_resolve(struct tracker *t, struct scan_stats *st)
{
    unsigned hot_skip = t->opts.o.fallback.hot_skip;
    for (size_t i = 0; i < t->npending; i++) {
        uint64_t e;
        int rc = pagemap_entry(&t->pm, t->probe_addr[i], &e);
        if (rc)
            return rc;
        long ri = fb_set_find(&t->regions, t->probe_addr[i]);
        if (ri >= 0 && (e & PM_PRESENT)) {
            t->regions.r[ri].hits++;
            st->probes_refaulted++;
        }
    }
    t->npending = 0;
    for (size_t i = 0; i < t->regions.n; i++) {
        struct fb_region *r = &t->regions.r[i];
        bool referenced = vma_referenced(t, r);
        if (!referenced)
            r->hits = 0; /* smaps saw no access at all: whatever came back was not the app */
        if (r->nprobes)
            fb_region_resolve_probes(r, hot_skip);
        else if (!referenced)
            fb_region_resolve(r, FB_IDLE, 0);
        else
            r->result = r->hot_left ? FB_ACCESSED : FB_UNKNOWN;
    }
    return 0;
}

static int fallback_weigh(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    for (size_t i = 0; i < t->regions.n; i++) {
        const struct fb_region *r = &t->regions.r[i];
        /* FB_UNKNOWN inside a referenced VMA counts as accessed: never guess cold */
        unsigned w = r->result == FB_IDLE ? HEAT_W_IDLE : HEAT_W_ACCESS;
        int rc = pagemap_weigh_range(&t->pm, hm, st, r->start, r->end, w);
        if (rc)
            return rc;
    }
    st->vmas += t->vmas.n;
    return 0;
}

static int skip_unreferenced(void *arg, const struct fb_region *r)
{
    return !vma_referenced(arg, r);
}

/* Page out resident sample pages of the picked regions (several per region when the
 * budget allows); keep as pending those that really left memory. */
static int fallback_probe(struct tracker *t, struct scan_stats *st)
{
    size_t budget = t->opts.o.fallback.max_probes;
    size_t np = fb_set_pick(&t->regions, budget, skip_unreferenced, t, t->pick);
    size_t per = np ? budget / np : 1, k = 0;
    if (per > PROBES_PER_REGION)
        per = PROBES_PER_REGION;
    if (per == 0)
        per = 1;
    uint64_t min_region = (uint64_t)t->opts.o.fallback.min_region_kb * 1024;
    for (size_t i = 0; i < np && k < budget; i++) {
        const struct fb_region *r = &t->regions.r[t->pick[i]];
        uint64_t pages = (r->end - r->start) / (uint64_t)t->ps;
        /* one probe per minimum region size, so small regions cost one probe */
        uint64_t want = min_region ? (r->end - r->start) / min_region : 1;
        size_t n = want < 1 ? 1 : want < per ? (size_t)want : per;
        for (size_t p = 0; p < n && k < budget && pages; p++) {
            for (int tries = 0; tries < PROBE_TRIES; tries++) {
                uint64_t a = r->start + (fb_rand(&t->regions) % pages) * (uint64_t)t->ps, e;
                int rc = pagemap_entry(&t->pm, a, &e);
                if (rc)
                    return rc;
                if (!(e & PM_PRESENT))
                    continue;
                t->probe_addr[k] = a;
                t->probe_region[k] = t->pick[i];
                t->iov[k].iov_base = (void *)(uintptr_t)a;
                t->iov[k++].iov_len = (size_t)t->ps;
                break;
            }
        }
    }
    if (k == 0)
        return 0;
    struct action_counters ac = { 0 };
    int rc = pageout_iov(t->pidfd, t->iov, k, t->ps, &ac);
    st->syscalls += ac.syscalls;
    if (rc)
        return rc;
    size_t stayed = 0;
    for (size_t i = 0; i < k; i++) {
        uint64_t e;
        if ((rc = pagemap_entry(&t->pm, t->probe_addr[i], &e)) != 0)
            return rc;
        if (e & PM_PRESENT) {
            t->probe_region[stayed++] = t->probe_region[i]; /* kept for below */
            continue;
        }
        t->regions.r[t->probe_region[i]].nprobes++;
        t->probe_addr[t->npending++] = t->probe_addr[i];
        st->probes++;
    }
    /* A probe page still resident right after the pageout either could not be reclaimed
     * (no swap, pinned) or was touched again at once. If others of the same batch did
     * leave, reclaim works, so it was touched: its region counts as accessed. */
    for (size_t i = 0; i < stayed; i++) {
        struct fb_region *r = &t->regions.r[t->probe_region[i]];
        if (t->npending) {
            r->nprobes++;
            r->hits++;
            st->probes++;
            st->probes_refaulted++;
        } else {
            st->probes_inconclusive++;
        }
    }
    if (t->npending == 0 && !t->warned_noswap) {
        log_warn("fallback tracker, pid %d: none of %zu probe pages left memory (no swap?); "
                 "tracking falls back to whole VMAs", (int)t->pid, k);
        t->warned_noswap = true;
    }
    return 0;
}

static int fallback_clear_refs(struct tracker *t)
{
    for (;;) {
        if (pwrite(t->clear_fd, "1", 1, 0) == 1)
            return 0;
        if (errno != EINTR)
            return errno == ENOENT ? -ESRCH : -errno;
    }
}

/* End the current window (weigh into hm if given) and start the next one. */
static int fallback_window(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    int rc = tracker_read_vmas(t->pid, &t->opts.o, VMA_SRC_SMAPS, &t->vmas);
    if (rc == -ENOENT)
        rc = -ESRCH;
    if (rc)
        return rc;
    fb_set_sync(&t->regions, &t->vmas);
    if ((rc = fallback_resolve(t, st)) != 0)
        return rc;
    if (hm && (rc = fallback_weigh(t, hm, st)) != 0)
        return rc;
    fb_set_adapt(&t->regions, t->opts.o.fallback.max_probes,
                 (uint64_t)t->opts.o.fallback.min_region_kb * 1024, (uint64_t)t->ps);
    if ((rc = fallback_probe(t, st)) != 0)
        return rc;
    st->bytes_read += t->pm.bytes_read;
    st->syscalls += t->pm.syscalls;
    t->pm.bytes_read = t->pm.syscalls = 0;
    return fallback_clear_refs(t);
}

static int fallback_prime(struct tracker *t)
{
    struct scan_stats st = { 0 };
    return fallback_window(t, NULL, &st);
}

static int fallback_sample(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    return fallback_window(t, hm, st);
}

const struct tracker_ops tracker_fallback_ops = {
    .name = "fallback",
    .summary = "clear_refs + smaps Referenced per VMA, sampled MADV_PAGEOUT probes in regions "
               "(each hot probe costs the target a refault)",
    .per_page = false,
    .sees_writes = false,
    .usable = fallback_usable,
    .open = fallback_open,
    .prime = fallback_prime,
    .sample = fallback_sample,
    .close = fallback_close,
};
