/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tracker_fallback.c - access tracking for kernels without idle_pages, page_idle or DAMON
 * vaddr. Two levels per window:
 *   (a) clear_refs("1") at window start, smaps Referenced per VMA at the end: a VMA with
 *       Referenced 0 was not touched at all (~140 ns/page for both steps);
 *   (b) inside referenced VMAs, adaptive regions (fallback_regions.c), each probed by
 *       paging out sample pages with process_madvise(MADV_PAGEOUT); if pagemap shows one
 *       resident again at the window's end, the region was accessed (refault).
 *
 * DESIGN. A probe only counts when it is conclusive: the page must have left memory (seen
 * swapped right after the pageout, or resident again under another PFN at the end). A page
 * that never left (no swap, pinned, isolated by someone else's reclaim) says nothing, so
 * it never makes a cold region look hot. Probe pages are chosen among resident pages the
 * target maps alone (pagemap PM_EXCLUSIVE): shared and zero pages cannot be paged out;
 * never a page of a large folio (THP, mTHP), which the pageout would split, so memory in
 * huge pages is judged by level (a) only. A
 * probe page still out at the end is watched for PROBE_WATCH_WINDOWS more windows: if the
 * target touches it late (it was descheduled, slowed by refaults, or reads it every few
 * windows) its region counts as accessed then, and the fault counts as the probe's cost.
 * Regions found accessed go on a hot list that backs off (hot_skip, 2x, 4x ... windows),
 * and leave it early when the VMA's smaps Referenced shows less working set than the hot
 * list holds. An idle verdict on a region once seen accessed is acted on only after
 * FB_IDLE_STABLE idle windows in a row.
 *
 * Cost, honestly: ~45 µs per probe for us, and every probe of a page in use costs the
 * target one major fault. So the probes that came back (hits and late ones) are counted
 * against a probe cost budget (probe_budget.h): comebacks per minute as a share of the
 * target's resident pages, 0.5 %/min by default (an idle VM's guest touching a sparse set
 * of pages every few seconds then costs it a few faults a minute, not tens a second), or
 * half the guard's refault target when the task has one (scan_opts.probe_budget_pct). Over
 * budget the probe count per window halves, with room it creeps back, never below
 * PROBE_FLOOR probes in one window out of PROBE_BUDGET_SKIP_MAX; the regions stay as many as
 * the target's size asks for and the probes rotate over them. Fewer probes is less known,
 * and the verdicts say so: a region not probed for FB_IDLE_STALE windows loses its idle
 * verdict (no verdict, counted accessed: nothing is paged out on old evidence).
 * Pages paged out wrongly come back: a region whose swapped-out pages (counted by pagemap at
 * the window's start and end, its own probes set apart) came back in a window is held
 * accessed and unprobed for FB_HOLD_BASE turns of the probe rotation (windows, at full
 * budget), twice as long at each further comeback, whether or not a guard is set, so
 * memory that an idle verdict on a few sampled pages sent out is not sent out again at the
 * next window. Probes per window are also capped (fallback.max_probes). Without swap,
 * anonymous probes cannot leave memory: they are counted inconclusive and only level (a)
 * remains. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fallback_regions.h"
#include "heatmap.h"
#include "log.h"
#include "monotime.h"
#include "pageout.h"
#include "pagemap.h"
#include "pagemap_weigh.h"
#include "probe.h"
#include "probe_budget.h"
#include "proc.h"
#include "thp_whole.h"
#include "tracker_common.h"
#include "xalloc.h"

#define PROBE_TRIES 3     /* random resident pages tried per probe to find a usable one */
#define PROBES_PER_REGION 8 /* spare budget buys up to this many probes for a large region
                               (one per min_region_kb): if partly hot, it is then rarely
                               judged idle */
#define PROBE_SHARE 128   /* probes (and regions) per window: at most one per this many
                             resident pages, so probing pages out at most 0.8 % of a small
                             process per window */
#define PROBE_MIN_BUDGET 64 /* ... but at least this many, plus one per VMA */
#define PROBE_FLOOR 8     /* the probe cost budget never cuts a probing window below this
                             (below it, windows are skipped: probe_budget.h) */
#define PROBE_WATCH_WINDOWS 8 /* windows a probe page still out is watched: a touch in them
                                is a late hit, a fault the probe cost the target */
#define MIN_WINDOW_NS (100 * 1000000LL) /* a shorter window cannot tell idle pages: it is
                                           not ended (probes still out say nothing yet) */

struct fb_probe {
    uint64_t addr;
    uint64_t pfn;   /* before the pageout; 0 when pagemap hides PFNs */
    bool left;      /* seen not resident right after the pageout */
};

struct fb_watch {
    uint64_t addr;
    unsigned windows;       /* windows it has been watched */
};

struct fb_range {
    uint64_t start, end;
};

/* What one window saw, for the debug log. */
struct fb_window_log {
    size_t probes, left, hits, late, idle, inconclusive, unhot, held;
    uint64_t swapins;
};

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
    struct fb_probe *probe; /* the pending probes of the current window */
    size_t npending;
    struct fb_watch *watch; /* probe pages still out, from the last PROBE_WATCH_WINDOWS */
    size_t nwatch;
    struct iovec *iov;
    struct fb_range *ranges; /* resident ranges of the region being probed */
    size_t nranges, cap_ranges;
    uint64_t swapped_count;  /* count_swapped's tally */
    struct fb_window_log wl;
    struct probe_budget budget;
    double budget_pct;       /* the probe cost budget in force */
    struct scan_stats between; /* what prime's window cost, for the next sample's figures */
    struct timespec window_start;
    bool window_open;
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
    free(t->probe);
    free(t->watch);
    free(t->iov);
    free(t->ranges);
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
    probe_budget_init(&t->budget);
    t->budget_pct = opts->probe_budget_pct > 0 ? opts->probe_budget_pct
                                               : PROBE_BUDGET_DEFAULT_PCT;
    fb_set_init(&t->regions, (uint64_t)pid * 0x9e3779b97f4a7c15ull ^ (uint64_t)time(NULL));
    size_t maxp = t->opts.o.fallback.max_probes;
    t->pick = xcalloc(maxp, sizeof(*t->pick));
    t->probe = xcalloc(maxp, sizeof(*t->probe));
    t->watch = xcalloc(maxp * PROBE_WATCH_WINDOWS, sizeof(*t->watch));
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

static struct fb_region *region_of(struct tracker *t, uint64_t addr)
{
    long ri = fb_set_find(&t->regions, addr);
    return ri < 0 ? NULL : &t->regions.r[ri];
}

static int add_swapped(void *arg, uint64_t start, uint64_t end, unsigned flags)
{
    struct tracker *t = arg;
    if (flags & PAGEMAP_RANGE_SWAPPED)
        t->swapped_count += (end - start) / (uint64_t)t->ps;
    return 0;
}

static int count_swapped(struct tracker *t, const struct fb_region *r, uint64_t *out)
{
    t->swapped_count = 0;
    int rc = pagemap_populated(&t->pm, r->start, r->end, add_swapped, t);
    *out = t->swapped_count;
    return rc;
}

/* At the window's start: the swapped-out pages of each region whose VMA has any (smaps),
 * probes included, so that the window's end can tell what came back. */
static int count_swapped_at_start(struct tracker *t)
{
    for (size_t i = 0; i < t->regions.n; i++) {
        struct fb_region *r = &t->regions.r[i];
        uint64_t n = 0;
        if (t->vmas.v[r->vma].swap_kb > 0 || r->pending) {
            int rc = count_swapped(t, r, &n);
            if (rc)
                return rc;
        }
        r->swapped = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
    }
    return 0;
}

/* Pages of r swapped out at the window's start and back at its end, less its probe pages
 * seen back (the probes' own verdict). Pages etmem sent out since the start (the engine
 * acts between windows) hide as many comebacks: never more seen than there were. */
static int swapins(struct tracker *t, const struct fb_region *r, uint64_t *back)
{
    uint64_t now;
    *back = 0;
    if (r->swapped == 0)
        return 0;
    int rc = count_swapped(t, r, &now);
    if (rc)
        return rc;
    uint64_t gone = now < r->swapped ? r->swapped - now : 0;
    *back = gone > r->hits ? gone - r->hits : 0;
    return 0;
}

/* Outcome of the window that ends now. Late touches of last window's probe pages first,
 * then this window's probes: out = idle evidence (and watched on); back after
 * having left = hit; never left = no evidence. */
static int fallback_resolve(struct tracker *t, struct scan_stats *st)
{
    unsigned hot_skip = t->opts.o.fallback.hot_skip;
    struct fb_window_log *wl = &t->wl;
    uint64_t e;
    int rc;

    size_t kept = 0;
    for (size_t i = 0; i < t->nwatch; i++) {
        struct fb_watch w = t->watch[i];
        if ((rc = pagemap_entry(&t->pm, w.addr, &e)) != 0)
            return rc;
        struct fb_region *r = region_of(t, w.addr);
        if (r && (e & PM_PRESENT)) {
            r->nprobes++;
            r->hits++;
            st->probes_late++;
            wl->late++;
        } else if (r && (e & PM_SWAPPED) && ++w.windows < PROBE_WATCH_WINDOWS) {
            t->watch[kept++] = w; /* still out: watched on (freed or unmapped: dropped) */
        }
    }
    t->nwatch = kept;
    for (size_t i = 0; i < t->npending; i++) {
        const struct fb_probe *p = &t->probe[i];
        if ((rc = pagemap_entry(&t->pm, p->addr, &e)) != 0)
            return rc;
        struct fb_region *r = region_of(t, p->addr);
        if (!r)
            continue; /* the VMA went away */
        uint64_t pfn = e & PM_PFN_MASK;
        if (!(e & PM_PRESENT)) {
            r->nprobes++;
            t->watch[t->nwatch++] = (struct fb_watch){ .addr = p->addr };
            wl->idle++;
        } else if (p->left || (p->pfn && pfn && pfn != p->pfn)) {
            r->nprobes++;
            r->hits++;
            st->probes_refaulted++;
            wl->hits++;
        } else {
            st->probes_inconclusive++;
            wl->inconclusive++;
        }
    }
    t->npending = 0;
    for (size_t i = 0; i < t->regions.n; i++) {
        struct fb_region *r = &t->regions.r[i];
        uint64_t back = 0;
        if (vma_referenced(t, r) && (rc = swapins(t, r, &back)) != 0)
            return rc;
        if (!vma_referenced(t, r)) {
            /* smaps saw no access at all: whatever came back was not the app */
            r->hits = 0;
            r->stale = 0;
            fb_region_resolve(r, FB_IDLE, 0);
        } else if (back) {
            fb_region_hold(r);
            st->swapins_seen += back;
            wl->swapins += back;
            wl->held++;
        } else if (r->pending || r->nprobes) {
            fb_region_resolve_probes(r, hot_skip);
        } else {
            fb_region_unprobed(r); /* rotation, the budget, nothing resident */
        }
    }
    wl->unhot = fb_set_check_hot(&t->regions, &t->vmas, (uint64_t)t->ps);
    return 0;
}

static int fallback_weigh(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    for (size_t i = 0; i < t->regions.n; i++) {
        struct fb_region *r = &t->regions.r[i];
        /* no firm idle verdict inside a referenced VMA counts as accessed: never guess cold */
        bool idle = !vma_referenced(t, r) || fb_region_idle(r);
        uint64_t present = 0;
        int rc = pagemap_weigh_range(&t->pm, hm, st, r->start, r->end,
                                     idle ? HEAT_W_IDLE : HEAT_W_ACCESS, &present);
        if (rc)
            return rc;
        r->resident = present;
    }
    st->vmas += t->vmas.n;
    return 0;
}

/* Probes (and regions) this window: fallback.max_probes, less for a small process (one
 * per PROBE_SHARE resident pages, at least PROBE_MIN_BUDGET), plus one per VMA with
 * resident pages (each VMA holds a region of its own). */
static size_t fallback_budget(const struct tracker *t)
{
    uint64_t resident = 0, vmas = 0;
    for (size_t i = 0; i < t->vmas.n; i++) {
        resident += t->vmas.v[i].rss_kb * 1024 / (uint64_t)t->ps;
        vmas += t->vmas.v[i].rss_kb > 0;
    }
    uint64_t b = resident / PROBE_SHARE, max = t->opts.o.fallback.max_probes;
    if (b < PROBE_MIN_BUDGET)
        b = PROBE_MIN_BUDGET;
    b += vmas;
    return (size_t)(b < max ? b : max);
}

static int skip_unreferenced(void *arg, const struct fb_region *r)
{
    return !vma_referenced(arg, r);
}

static int collect_resident(void *arg, uint64_t start, uint64_t end, unsigned flags)
{
    struct tracker *t = arg;
    if (!(flags & PAGEMAP_RANGE_PRESENT))
        return 0;
    if (t->nranges && t->ranges[t->nranges - 1].end == start) {
        t->ranges[t->nranges - 1].end = end;
        return 0;
    }
    if (t->nranges == t->cap_ranges) {
        t->cap_ranges = t->cap_ranges ? 2 * t->cap_ranges : 64;
        t->ranges = xreallocarray(t->ranges, t->cap_ranges, sizeof(*t->ranges));
    }
    t->ranges[t->nranges++] = (struct fb_range){ start, end };
    return 0;
}

/* The idx-th resident page of the collected ranges. */
static uint64_t resident_page(const struct tracker *t, uint64_t idx)
{
    for (size_t i = 0; i < t->nranges; i++) {
        uint64_t pages = (t->ranges[i].end - t->ranges[i].start) / (uint64_t)t->ps;
        if (idx < pages)
            return t->ranges[i].start + idx * (uint64_t)t->ps;
        idx -= pages;
    }
    return 0;
}

/* Choose up to n probe pages of region r at random among its resident pages that the
 * target maps alone; appends them to t->probe from index *k. Refreshes r->resident. */
static int pick_probe_pages(struct tracker *t, struct fb_region *r, size_t n, size_t *k,
                            size_t budget)
{
    t->nranges = 0;
    int rc = pagemap_populated(&t->pm, r->start, r->end, collect_resident, t);
    if (rc)
        return rc;
    uint64_t resident = 0;
    for (size_t i = 0; i < t->nranges; i++)
        resident += (t->ranges[i].end - t->ranges[i].start) / (uint64_t)t->ps;
    r->resident = resident;
    if (resident == 0)
        return 0;
    size_t first = *k;
    for (size_t p = 0; p < n && *k < budget; p++) {
        for (int tries = 0; tries < PROBE_TRIES; tries++) {
            uint64_t a = resident_page(t, fb_rand(&t->regions) % resident), e;
            bool dup = false;
            for (size_t q = first; q < *k; q++)
                dup |= t->probe[q].addr == a;
            if (dup)
                continue;
            if ((rc = pagemap_entry(&t->pm, a, &e)) != 0)
                return rc;
            if (!(e & PM_PRESENT) || !(e & PM_EXCLUSIVE))
                continue; /* gone meanwhile, or shared / the zero page: cannot leave */
            if (pfn_in_large_folio(e & PM_PFN_MASK) == 1)
                continue; /* part of a huge page: paging it out would split it for good */
            t->probe[*k] = (struct fb_probe){ .addr = a, .pfn = e & PM_PFN_MASK };
            t->iov[*k].iov_base = (void *)(uintptr_t)a;
            t->iov[*k].iov_len = (size_t)t->ps;
            (*k)++;
            r->pending++;
            break;
        }
    }
    return 0;
}

/* Page out sample pages of the picked regions (several per region when the budget
 * allows); every one is pending until the window's end. */
static int fallback_probe(struct tracker *t, size_t budget, struct scan_stats *st)
{
    size_t np = fb_set_pick(&t->regions, budget, skip_unreferenced, t, t->pick);
    size_t per = np ? budget / np : 1, k = 0;
    if (per > PROBES_PER_REGION)
        per = PROBES_PER_REGION;
    if (per == 0)
        per = 1;
    uint64_t min_region = (uint64_t)t->opts.o.fallback.min_region_kb * 1024;
    for (size_t i = 0; i < np && k < budget; i++) {
        struct fb_region *r = &t->regions.r[t->pick[i]];
        /* one probe per minimum region size, so small regions cost one probe */
        uint64_t want = min_region ? (r->end - r->start) / min_region : 1;
        size_t n = want < 1 ? 1 : want < per ? (size_t)want : per;
        if (fb_region_idle(r))
            n = 1; /* firmly idle: one page tells if it wakes up (every probe of a cold
                      page stays out) */
        int rc = pick_probe_pages(t, r, n, &k, budget);
        if (rc)
            return rc;
    }
    if (k == 0)
        return 0;
    struct action_counters ac = { 0 };
    struct iovec *iov = t->iov; /* pageout_iov consumes it */
    int rc = pageout_iov(t->pidfd, iov, k, t->ps, &ac);
    st->syscalls += ac.syscalls;
    if (rc)
        return rc;
    size_t left = 0;
    for (size_t i = 0; i < k; i++) {
        uint64_t e;
        if ((rc = pagemap_entry(&t->pm, t->probe[i].addr, &e)) != 0)
            return rc;
        t->probe[i].left = !(e & PM_PRESENT);
        left += t->probe[i].left;
    }
    t->npending = k;
    st->probes += k;
    t->wl.probes = k;
    t->wl.left = left;
    if (left == 0 && k >= 8 && !t->warned_noswap) {
        log_warn("fallback tracker, pid %d: none of %zu probe pages left memory (no swap?); "
                 "tracking falls back to whole VMAs", (int)t->pid, k);
        t->warned_noswap = true;
    }
    return 0;
}

static int fallback_clear_refs(struct tracker *t)
{
    for (;;) {
        if (pwrite(t->clear_fd, "1", 1, 0) == 1) {
            clock_gettime(CLOCK_MONOTONIC, &t->window_start);
            t->window_open = true;
            return 0;
        }
        if (errno != EINTR)
            return errno == ENOENT ? -ESRCH : -errno;
    }
}

static void fallback_log_window(struct tracker *t)
{
    const struct fb_window_log *wl = &t->wl;
    size_t hot = 0, idle = 0;

    if (!log_enabled(LOG_LEVEL_DEBUG))
        return;
    for (size_t i = 0; i < t->regions.n; i++) {
        hot += t->regions.r[i].hot_left > 0;
        idle += fb_region_idle(&t->regions.r[i]);
    }
    log_debug("fallback pid %d: window resolved %zu probes (%zu hit, %zu late, %zu idle, "
              "%zu inconclusive), %zu regions off the hot list, %llu pages back from swap "
              "(%zu regions held); now %zu regions (%zu hot-listed, %zu idle), %zu probes "
              "(%zu left memory), probe budget %.2f%%/min %s", (int)t->pid,
              wl->hits + wl->idle + wl->inconclusive, wl->hits, wl->late, wl->idle,
              wl->inconclusive, wl->unhot, (unsigned long long)wl->swapins, wl->held,
              t->regions.n, hot, idle, t->npending, wl->left, t->budget_pct,
              probe_budget_state_name(t->budget.state));
}

/* Seconds since the window started; 0 when none is open. */
static double window_secs(const struct tracker *t)
{
    struct timespec now;
    if (!t->window_open)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return timespec_secs(&t->window_start, &now);
}

/* Probes for the next window: what the target's size asks for, scaled by the probe cost
 * budget on what the window that just ended cost (its probes that came back). */
static size_t probes_allowed(struct tracker *t, size_t want, double secs)
{
    uint64_t resident = 0;
    for (size_t i = 0; i < t->vmas.n; i++)
        resident += t->vmas.v[i].rss_kb * 1024 / (uint64_t)t->ps;
    struct probe_budget_in in = {
        .pct = t->budget_pct, .secs = secs, .resident = resident,
        .comebacks = t->wl.hits + t->wl.late, .want = want, .floor = PROBE_FLOOR,
    };
    return probe_budget_next(&t->budget, &in);
}

/* End the current window (weigh into hm if given) and start the next one. A window too
 * short to judge goes on: the sample reports the last verdicts. */
static int fallback_window(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    double secs = window_secs(t);
    if (t->window_open && secs * 1e9 < (double)MIN_WINDOW_NS)
        return hm ? fallback_weigh(t, hm, st) : 0;
    int rc = tracker_read_vmas(t->pid, &t->opts.o, VMA_SRC_SMAPS, &t->vmas);
    if (rc == -ENOENT)
        rc = -ESRCH;
    if (rc)
        return rc;
    memset(&t->wl, 0, sizeof(t->wl));
    fb_set_sync(&t->regions, &t->vmas, (uint64_t)t->ps);
    if ((rc = fallback_resolve(t, st)) != 0)
        return rc;
    if (hm && (rc = fallback_weigh(t, hm, st)) != 0)
        return rc;
    size_t regions = fallback_budget(t);
    fb_set_adapt(&t->regions, regions, (uint64_t)t->opts.o.fallback.min_region_kb * 1024,
                 (uint64_t)t->ps);
    if (!t->opts.o.fallback.observe_only) {
        size_t probes = probes_allowed(t, regions, secs);
        if (probes && (rc = fallback_probe(t, probes, st)) != 0)
            return rc;
        st->probe_budget_pct = t->budget_pct;
        st->probes_next = probes;
    }
    if ((rc = count_swapped_at_start(t)) != 0)
        return rc;
    fallback_log_window(t);
    st->bytes_read += t->pm.bytes_read;
    st->syscalls += t->pm.syscalls;
    t->pm.bytes_read = t->pm.syscalls = 0;
    return fallback_clear_refs(t);
}

/* The window prime ends is the one between two scans (the engine's pause): its probes
 * count in the next sample's figures. */
static int fallback_prime(struct tracker *t)
{
    return fallback_window(t, NULL, &t->between);
}

static int fallback_sample(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    st->probes += t->between.probes;
    st->probes_refaulted += t->between.probes_refaulted;
    st->probes_late += t->between.probes_late;
    st->probes_inconclusive += t->between.probes_inconclusive;
    st->swapins_seen += t->between.swapins_seen;
    st->syscalls += t->between.syscalls;
    st->bytes_read += t->between.bytes_read;
    memset(&t->between, 0, sizeof(t->between));
    return fallback_window(t, hm, st);
}

const struct tracker_ops tracker_fallback_ops = {
    .name = "fallback",
    .summary = "clear_refs + smaps Referenced per VMA, sampled MADV_PAGEOUT probes in regions "
               "(each hot probe costs the target a refault)",
    .per_page = false,
    .sees_writes = false,
    .pages_out = true,
    .usable = fallback_usable,
    .open = fallback_open,
    .prime = fallback_prime,
    .sample = fallback_sample,
    .close = fallback_close,
};
