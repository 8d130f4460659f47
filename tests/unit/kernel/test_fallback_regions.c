/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_fallback_regions.c - the fallback tracker's region logic on synthetic data: sync
 * with VMAs, the initial fill of the probe budget, merge of agreeing neighbours, splits
 * that go where a probe can learn something, verdicts (no verdict without a conclusive
 * probe, firm idle, hot list back-off, stale hot list), probe picking, and a simulated
 * process: convergence in two windows and the refault cost of its hot part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fallback_regions.h"

#define PS 4096ull
#define KIB 1024ull
#define MIB (1ull << 20)
#define MIN_SIZE (64 * KIB)

static struct vma_list two_vmas(struct vma_entry *v)
{
    memset(v, 0, 2 * sizeof(*v));
    v[0].start = 0x10000000;
    v[0].end = 0x10000000 + 64 * MIB;
    v[1].start = 0x20000000;
    v[1].end = 0x20000000 + 8 * MIB;
    struct vma_list l = { .v = v, .n = 2, .cap = 2 };
    return l;
}

static void assert_cover(const struct fb_set *s, const struct vma_list *l)
{
    size_t ri = 0;
    for (size_t i = 0; i < l->n; i++) {
        uint64_t cur = l->v[i].start;
        while (ri < s->n && s->r[ri].start < l->v[i].end) {
            assert_int_equal(s->r[ri].start, cur);
            assert_int_equal(s->r[ri].vma, i);
            assert_true(s->r[ri].end > s->r[ri].start);
            cur = s->r[ri].end;
            ri++;
        }
        assert_int_equal(cur, l->v[i].end);
    }
    assert_int_equal(ri, s->n);
}

static void assert_sizes(const struct fb_set *s, uint64_t min_size)
{
    for (size_t i = 0; i < s->n; i++) {
        assert_true(s->r[i].end - s->r[i].start >= min_size);
        assert_int_equal((s->r[i].end - s->r[i].start) % PS, 0);
    }
}

static size_t regions_in(const struct fb_set *s, uint32_t vma)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->r[i].vma == vma;
    return n;
}

/* Resolve every region as if its probes said res (one conclusive probe). */
static void resolve_all(struct fb_set *s, enum fb_result (*say)(const struct fb_region *),
                        unsigned hot_skip)
{
    for (size_t i = 0; i < s->n; i++) {
        enum fb_result res = say(&s->r[i]);
        s->r[i].pending = 1;
        s->r[i].nprobes = 1;
        s->r[i].hits = res == FB_ACCESSED;
        fb_region_resolve_probes(&s->r[i], hot_skip);
    }
}

static enum fb_result say_vma0_idle(const struct fb_region *r)
{
    return r->vma == 0 ? FB_IDLE : FB_ACCESSED;
}

static void test_sync_covers_and_clips(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 1);
    fb_set_sync(&s, &l, PS);
    assert_int_equal(s.n, 2);
    assert_cover(&s, &l);
    /* without smaps a new region is taken as fully resident */
    assert_int_equal(s.r[0].resident, 64 * MIB / PS);
    s.r[0].pending = 1;
    /* the first VMA shrinks: the region is clipped (and its resident share), its pending
     * probe stays */
    v[0].end = 0x10000000 + 32 * MIB;
    fb_set_sync(&s, &l, PS);
    assert_cover(&s, &l);
    assert_int_equal(s.r[0].pending, 1);
    assert_int_equal(s.r[0].resident, 32 * MIB / PS);
    assert_int_equal(fb_set_find(&s, 0x10000000 + 40 * MIB), -1); /* now outside */
    assert_int_equal(fb_set_find(&s, 0x10000000 + 31 * MIB), 0);
    s.r[0].pending = 0;
    /* a VMA disappears, a new one appears in between; with smaps, a new region's
     * resident pages are estimated from the VMA's Rss */
    v[1].start = 0x18000000;
    v[1].end = 0x18000000 + 4 * MIB;
    v[1].have_smaps = true;
    v[1].rss_kb = 1024;
    fb_set_sync(&s, &l, PS);
    assert_cover(&s, &l);
    assert_int_equal(s.r[1].result, FB_UNKNOWN);
    assert_int_equal(s.r[1].resident, MIB / PS);
    fb_set_free(&s);
}

/* The first adapt fills the probe budget at once, shared by resident pages. */
static void test_initial_fill(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 7);
    fb_set_sync(&s, &l, PS);
    fb_set_adapt(&s, 72, MIN_SIZE, PS);
    assert_true(s.n >= 70 && s.n <= 72);
    assert_cover(&s, &l);
    assert_sizes(&s, MIN_SIZE);
    /* 64 + 8 MiB, all resident: about 8:1 */
    assert_true(regions_in(&s, 0) >= 60);
    assert_true(regions_in(&s, 1) >= 6 && regions_in(&s, 1) <= 9);
    /* equal parts, boundaries jittered by at most a quarter part */
    for (size_t i = 0; i < s.n; i++) {
        uint64_t size = s.r[i].end - s.r[i].start;
        assert_true(size >= MIB / 2 && size <= 2 * MIB);
    }
    fb_set_free(&s);

    /* by resident pages, not size: a sparse 64 MiB VMA with 2 MiB resident gets few */
    v[0].have_smaps = v[1].have_smaps = true;
    v[0].rss_kb = 2048;
    v[1].rss_kb = 8192;
    fb_set_init(&s, 8);
    fb_set_sync(&s, &l, PS);
    fb_set_adapt(&s, 100, MIN_SIZE, PS);
    assert_cover(&s, &l);
    assert_sizes(&s, MIN_SIZE);
    assert_true(regions_in(&s, 1) >= 70);
    assert_true(regions_in(&s, 0) <= 25);
    fb_set_free(&s);

    /* never below the minimum size: 72 MiB / 4 MiB = 18 regions at most */
    v[0].have_smaps = v[1].have_smaps = false;
    fb_set_init(&s, 9);
    fb_set_sync(&s, &l, PS);
    fb_set_adapt(&s, 1000, 4 * MIB, PS);
    assert_int_equal(s.n, 18);
    assert_sizes(&s, 4 * MIB);
    fb_set_free(&s);
}

static void test_split_then_merge(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 7);
    fb_set_sync(&s, &l, PS);
    fb_set_adapt(&s, 64, MIN_SIZE, PS);
    assert_true(s.n > 32);
    /* VMA 0 idle for one window: its regions are not merged yet (a one-probe verdict may
     * come from a partly hot region); VMA 1 accessed: merged at once */
    resolve_all(&s, say_vma0_idle, 2);
    size_t in0 = regions_in(&s, 0);
    fb_set_adapt(&s, 64, MIN_SIZE, PS);
    assert_true(regions_in(&s, 0) >= in0); /* not merged; maybe split with VMA 1's share */
    assert_int_equal(regions_in(&s, 1), 1); /* hot-listed: merged, and never split */
    assert_int_equal(s.r[s.n - 1].hot_left, 2);
    /* idle twice in a row: firm (acted on), but not merged yet (warm memory touched
     * every few windows would melt into the cold mass) */
    resolve_all(&s, say_vma0_idle, 2);
    assert_true(fb_region_idle(&s.r[0]));
    in0 = regions_in(&s, 0);
    fb_set_adapt(&s, 64, MIN_SIZE, PS);
    assert_int_equal(regions_in(&s, 0), in0); /* and firmly idle ones are not split */
    /* three times: they merge back into one region there */
    resolve_all(&s, say_vma0_idle, 2);
    fb_set_adapt(&s, 64, MIN_SIZE, PS);
    assert_cover(&s, &l);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.r[0].result, FB_IDLE);
    assert_true(fb_region_idle(&s.r[0]));
    assert_int_equal(s.r[0].resident, 64 * MIB / PS);
    assert_int_equal(s.r[1].result, FB_ACCESSED);
    assert_int_equal(s.r[1].hot_left, 8); /* third all-hit verdict: backed off twice */
    fb_set_free(&s);
}

static void test_bounded_by_max_regions(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 3);
    fb_set_sync(&s, &l, PS);
    for (int w = 0; w < 6; w++) {
        fb_set_adapt(&s, 100, MIN_SIZE, PS);
        assert_true(s.n <= 100);
        for (size_t i = 0; i < s.n; i++) /* neighbours disagree: nothing merges */
            fb_region_resolve(&s.r[i], i % 2 ? FB_IDLE : FB_UNKNOWN, 0);
    }
    assert_true(s.n > 90);
    /* force merge: above the maximum the count is halved */
    fb_set_adapt(&s, 20, MIN_SIZE, PS);
    assert_true(s.n <= 20);
    assert_cover(&s, &l);
    fb_set_free(&s);
}

/* The extra regions go where a probe can learn something: not to hot-listed regions (each
 * probe there costs the target a refault), not to firmly idle ones; first to partly hot
 * ones. */
static void test_split_targets(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 11);
    fb_set_sync(&s, &l, PS);
    /* VMA 0 hot-listed, VMA 1 firmly idle: nothing to split */
    fb_region_resolve(&s.r[0], FB_ACCESSED, 3);
    fb_region_resolve(&s.r[1], FB_IDLE, 3);
    fb_region_resolve(&s.r[1], FB_IDLE, 3);
    fb_set_adapt(&s, 100, MIN_SIZE, PS);
    assert_int_equal(s.n, 2);
    /* off the hot list with a mixed verdict: VMA 0 takes the budget */
    s.r[0].hot_left = 0;
    s.r[0].pending = s.r[0].nprobes = 4;
    s.r[0].hits = 1;
    fb_region_resolve_probes(&s.r[0], 3);
    assert_true(s.r[0].mixed);
    fb_set_adapt(&s, 100, MIN_SIZE, PS);
    assert_true(s.n >= 90);
    assert_int_equal(regions_in(&s, 1), 1);
    /* a mixed region is split in two even when little budget is left */
    fb_set_free(&s);
    fb_set_init(&s, 12);
    fb_set_sync(&s, &l, PS);
    s.r[1].pending = s.r[1].nprobes = 2;
    s.r[1].hits = 1;
    fb_region_resolve_probes(&s.r[1], 3);
    s.r[0].resident = 1000 * s.r[1].resident; /* would take the whole budget by weight */
    fb_set_adapt(&s, 12, MIN_SIZE, PS);
    assert_true(regions_in(&s, 1) >= 2);
    assert_true(s.n <= 12);
    assert_cover(&s, &l);
    fb_set_free(&s);
}

static int skip_vma1(void *arg, const struct fb_region *r)
{
    return r->vma == 1;
}

static void test_pick_budget_hot_and_rotation(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 5);
    fb_set_sync(&s, &l, PS);
    fb_set_adapt(&s, 32, MIN_SIZE, PS);
    size_t n = s.n, out[64];
    assert_true(n > 11);
    s.r[0].hot_left = 1;
    size_t k = fb_set_pick(&s, 5, NULL, NULL, out);
    assert_int_equal(k, 5);
    assert_int_equal(out[0], 1); /* region 0 is on the hot list */
    assert_int_equal(s.r[0].hot_left, 0);
    size_t k2 = fb_set_pick(&s, 5, NULL, NULL, out);
    assert_int_equal(out[0], 6); /* round-robin goes on after the last pick */
    assert_int_equal(k2, 5);
    k = fb_set_pick(&s, 1000, skip_vma1, NULL, out);
    for (size_t i = 0; i < k; i++)
        assert_int_equal(s.r[out[i]].vma, 0);
    assert_true(k < n);
    fb_set_free(&s);
}

static void test_resolve(void **state)
{
    struct fb_region r = { .start = 0, .end = MIB, .nprobes = 2, .hits = 1 };
    fb_region_resolve(&r, FB_IDLE, 3);
    assert_int_equal(r.nprobes, 0);
    assert_int_equal(r.hits, 0);
    assert_int_equal(r.idle_age, 1);
    assert_int_equal(r.hot_left, 0);
    fb_region_resolve(&r, FB_ACCESSED, 3);
    assert_int_equal(r.idle_age, 0);
    assert_int_equal(r.hot_left, 3);
    assert_int_equal(r.result, FB_ACCESSED);
    /* the hot list backs off while the region stays hot: 3, 6, 12, 24, 48, 48 */
    unsigned want[] = { 6, 12, 24, 48, 48 };
    for (size_t i = 0; i < 5; i++) {
        r.hot_left = 0;
        r.pending = r.nprobes = r.hits = 2;
        fb_region_resolve_probes(&r, 3);
        assert_int_equal(r.hot_left, want[i]);
    }
    /* an idle verdict starts it over */
    fb_region_resolve(&r, FB_IDLE, 3);
    assert_int_equal(r.hot_streak, 0);
    fb_region_resolve(&r, FB_ACCESSED, 3);
    assert_int_equal(r.hot_left, 3);
    /* from probes: partly hot is accessed but not hot-listed, all hot is */
    struct fb_region m = { .pending = 4, .nprobes = 4, .hits = 1, .hot_streak = 3 };
    fb_region_resolve_probes(&m, 3);
    assert_int_equal(m.result, FB_ACCESSED);
    assert_int_equal(m.hot_left, 0);
    assert_int_equal(m.hot_streak, 0);
    assert_int_equal(m.mixed, 1);
    struct fb_region h = { .pending = 4, .nprobes = 4, .hits = 4 };
    fb_region_resolve_probes(&h, 3);
    assert_int_equal(h.hot_left, 3);
    struct fb_region c = { .pending = 4, .nprobes = 4 };
    fb_region_resolve_probes(&c, 3);
    assert_int_equal(c.result, FB_IDLE);
    assert_int_equal(c.idle_age, 1);
}

/* Probes that said nothing (never left memory) give no verdict, keep the idle count, and
 * do not make a cold region hot. */
static void test_no_verdict_without_conclusive_probe(void **state)
{
    struct fb_region r = { .start = 0, .end = MIB };
    fb_region_resolve(&r, FB_IDLE, 3);
    r.pending = 3; /* three probes, none conclusive */
    fb_region_resolve_probes(&r, 3);
    assert_int_equal(r.result, FB_UNKNOWN);
    assert_int_equal(r.idle_age, 1);
    assert_int_equal(r.seen_accessed, 0);
    assert_int_equal(r.pending, 0);
    assert_false(fb_region_idle(&r));
    r.pending = r.nprobes = 1; /* one conclusive: still out */
    fb_region_resolve_probes(&r, 3);
    assert_int_equal(r.idle_age, 2);
    assert_true(fb_region_idle(&r));
}

/* A region never seen accessed is idle from its first idle window; one that was hot needs
 * FB_IDLE_STABLE idle windows in a row (a loaded target may not run for a window). */
static void test_idle_is_firm(void **state)
{
    struct fb_region fresh = { .start = 0, .end = MIB };
    fb_region_resolve(&fresh, FB_IDLE, 3);
    assert_true(fb_region_idle(&fresh));

    struct fb_region was_hot = { .start = 0, .end = MIB };
    fb_region_resolve(&was_hot, FB_ACCESSED, 3);
    fb_region_resolve(&was_hot, FB_IDLE, 3);
    assert_false(fb_region_idle(&was_hot));
    assert_int_equal(was_hot.hot_left, 0);
    fb_region_resolve(&was_hot, FB_IDLE, 3);
    assert_true(fb_region_idle(&was_hot));
    /* hot again, then one idle window: not firm again */
    fb_region_resolve(&was_hot, FB_ACCESSED, 3);
    fb_region_resolve(&was_hot, FB_IDLE, 3);
    assert_false(fb_region_idle(&was_hot));
}

/* A region the probe budget does not reach keeps its idle verdict for FB_IDLE_STALE
 * windows, then has none (not acted on); a conclusive probe renews it. Hot-listed or held
 * regions stay accessed. */
static void test_idle_verdict_ages_without_probes(void **state)
{
    struct fb_region r = { .start = 0, .end = MIB };
    fb_region_resolve(&r, FB_IDLE, 3);
    for (int i = 0; i < FB_IDLE_STALE; i++) {
        fb_region_unprobed(&r);
        assert_true(fb_region_idle(&r));
    }
    fb_region_unprobed(&r);
    assert_int_equal(r.result, FB_UNKNOWN);
    assert_false(fb_region_idle(&r));
    r.pending = r.nprobes = 1; /* probed again, still out: idle at once */
    fb_region_resolve_probes(&r, 3);
    assert_true(fb_region_idle(&r));
    assert_int_equal(r.stale, 0);
    struct fb_region hot = { .start = 0, .end = MIB };
    fb_region_resolve(&hot, FB_ACCESSED, 3);
    for (int i = 0; i < 2 * FB_IDLE_STALE; i++)
        fb_region_unprobed(&hot);
    assert_int_equal(hot.result, FB_ACCESSED); /* its verdict stands: never guessed cold */
}

/* Swapped-out pages that came back hold the region accessed, unprobed, for FB_HOLD_BASE
 * windows (pick visits), doubled at each further comeback; a hold is not split, keeps the
 * region out of the picks, and survives a merge. */
static void test_comeback_hold(void **state)
{
    struct fb_region r = { .start = 0, .end = MIB, .result = FB_IDLE, .idle_age = 5 };
    fb_region_hold(&r);
    assert_int_equal(r.result, FB_ACCESSED);
    assert_int_equal(r.hold_left, FB_HOLD_BASE);
    assert_int_equal(r.idle_age, 0);
    assert_false(fb_region_idle(&r));
    fb_region_unprobed(&r);
    assert_int_equal(r.result, FB_ACCESSED);
    fb_region_hold(&r);
    assert_int_equal(r.hold_left, 2 * FB_HOLD_BASE);
    for (int i = 0; i < 10; i++)
        fb_region_hold(&r);
    assert_int_equal(r.hold_left, FB_HOLD_BASE << FB_BACKOFF_MAX);

    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    size_t out[64];
    fb_set_init(&s, 7);
    fb_set_sync(&s, &l, PS);
    fb_set_adapt(&s, 16, MIN_SIZE, PS);
    fb_region_hold(&s.r[0]);
    for (unsigned w = 0; w < FB_HOLD_BASE; w++) {
        size_t k = fb_set_pick(&s, 1000, NULL, NULL, out);
        for (size_t i = 0; i < k; i++)
            assert_true(out[i] != 0);
    }
    assert_int_equal(s.r[0].hold_left, 0);
    size_t k = fb_set_pick(&s, 1000, NULL, NULL, out);
    assert_int_equal(out[0], 0); /* probed again once the hold is over */
    assert_true(k > 1);
    fb_set_free(&s);
}

/* A hot list holding much more than the VMA's working set (smaps Referenced) is stale. */
static void test_check_hot(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 13);
    fb_set_sync(&s, &l, PS);
    fb_set_adapt(&s, 16, MIN_SIZE, PS);
    for (size_t i = 0; i < s.n; i++)
        fb_region_resolve(&s.r[i], FB_ACCESSED, 3);
    /* without smaps nothing is known: left alone */
    assert_int_equal(fb_set_check_hot(&s, &l, PS), 0);
    /* VMA 0 (64 MiB hot-listed) shows 60 MiB referenced, VMA 1 (8 MiB) only 1 MiB */
    v[0].have_smaps = v[1].have_smaps = true;
    v[0].referenced_kb = 60 * 1024;
    v[1].referenced_kb = 1024;
    size_t in1 = regions_in(&s, 1);
    assert_int_equal(fb_set_check_hot(&s, &l, PS), in1);
    for (size_t i = 0; i < s.n; i++) {
        assert_int_equal(s.r[i].hot_left > 0, s.r[i].vma == 0);
        if (s.r[i].vma == 1)
            assert_int_equal(s.r[i].hot_streak, 0);
    }
    fb_set_free(&s);
}

/* A region whose probes disagreed is not merged away and is split first. */
static void test_mixed_kept_and_split(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 9);
    fb_set_sync(&s, &l, PS);
    fb_set_adapt(&s, 16, MIN_SIZE, PS);
    for (size_t i = 0; i < s.n; i++) {
        s.r[i].pending = s.r[i].nprobes = 2;
        s.r[i].hits = 2; /* all hot... */
    }
    s.r[1].hits = 1; /* ...but region 1 only partly */
    for (size_t i = 0; i < s.n; i++)
        fb_region_resolve_probes(&s.r[i], 3);
    uint64_t edge_start = s.r[1].start, edge_end = s.r[1].end;
    fb_set_adapt(&s, 16, MIN_SIZE, PS);
    /* the accessed neighbours merged, the mixed region was split, nothing swallowed it */
    long a = fb_set_find(&s, edge_start), b = fb_set_find(&s, edge_end - PS);
    assert_true(a >= 0 && b >= 0);
    assert_true(s.r[a].mixed && s.r[b].mixed);
    assert_true(s.r[a].start >= edge_start && s.r[b].end <= edge_end);
    assert_true(a != b);
    assert_cover(&s, &l);
    fb_set_free(&s);
}

/* A simulated process: one 1 GiB VMA, its first 256 MiB hot (every probe there comes
 * back), the rest never touched; the tracker's loop with one probe per picked region at
 * a random resident page, 1000 regions of budget, pages of firmly idle regions "swapped
 * out" (not resident, not probed). After the first window >= 95 % of the cold part must
 * be firmly idle and none of the hot part; after that the hot part must cost at most
 * 0.5 % of its pages in probes (refaults) per window on average. */
static void test_simulated_convergence_and_refault_cost(void **state)
{
    const uint64_t base = 0x7f0000000000ull, len = 1024 * MIB, hot = 256 * MIB;
    struct vma_entry v = { .start = base, .end = base + len };
    struct vma_list l = { .v = &v, .n = 1, .cap = 1 };
    struct fb_set s;
    static size_t pick[1000];
    uint64_t hot_probes = 0;
    fb_set_init(&s, 42);
    for (int w = 0; w < 40; w++) {
        fb_set_sync(&s, &l, PS);
        /* resolve the window: probes in the hot part came back */
        for (size_t i = 0; i < s.n; i++) {
            struct fb_region *r = &s.r[i];
            if (r->pending)
                fb_region_resolve_probes(r, 3);
            else if (r->hot_left)
                r->result = FB_ACCESSED;
        }
        if (w == 1 || w == 39) {
            uint64_t cold_idle = 0, hot_idle = 0;
            for (size_t i = 0; i < s.n; i++) {
                const struct fb_region *r = &s.r[i];
                if (!fb_region_idle(r))
                    continue;
                uint64_t hs = r->start < base + hot ? r->start : base + hot;
                uint64_t he = r->end < base + hot ? r->end : base + hot;
                hot_idle += he - hs;
                cold_idle += (r->end - r->start) - (he - hs);
            }
            assert_true(cold_idle >= (len - hot) * 95 / 100);
            assert_int_equal(hot_idle, 0);
        }
        /* firmly idle regions were swapped out by the engine: nothing resident there */
        for (size_t i = 0; i < s.n; i++)
            if (fb_region_idle(&s.r[i]))
                s.r[i].resident = 0;
        fb_set_adapt(&s, 1000, MIN_SIZE, PS);
        assert_true(s.n <= 1000);
        size_t np = fb_set_pick(&s, 1000, NULL, NULL, pick);
        for (size_t i = 0; i < np; i++) {
            struct fb_region *r = &s.r[pick[i]];
            if (r->resident == 0)
                continue; /* nothing to probe */
            uint64_t pages = (r->end - r->start) / PS;
            uint64_t a = r->start + (fb_rand(&s) % pages) * PS;
            r->pending = r->nprobes = 1;
            r->hits = a < base + hot;
            if (w >= 8)
                hot_probes += a < base + hot;
        }
    }
    /* 32 windows after the start-up: on average at most 0.5 % of the hot pages per window,
     * 1 % per cycle of an engine doing prime + one sample */
    assert_true(hot_probes <= 32 * (hot / PS) / 200);
    fb_set_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_covers_and_clips),
        cmocka_unit_test(test_initial_fill),
        cmocka_unit_test(test_split_then_merge),
        cmocka_unit_test(test_bounded_by_max_regions),
        cmocka_unit_test(test_split_targets),
        cmocka_unit_test(test_pick_budget_hot_and_rotation),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_no_verdict_without_conclusive_probe),
        cmocka_unit_test(test_idle_is_firm),
        cmocka_unit_test(test_idle_verdict_ages_without_probes),
        cmocka_unit_test(test_comeback_hold),
        cmocka_unit_test(test_check_hot),
        cmocka_unit_test(test_mixed_kept_and_split),
        cmocka_unit_test(test_simulated_convergence_and_refault_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
