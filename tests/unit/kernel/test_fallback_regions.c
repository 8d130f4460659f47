/* test_fallback_regions.c - the fallback tracker's region logic on synthetic data: sync
 * with VMAs, merge of agreeing neighbours, split within budget, probe picking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fallback_regions.h"

#define PS 4096ull
#define MIB (1ull << 20)

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
            cur = s->r[ri].end;
            ri++;
        }
        assert_int_equal(cur, l->v[i].end);
    }
    assert_int_equal(ri, s->n);
}

/* Windows where neighbours disagree, so regions keep splitting (agreeing ones merge). */
static void grow(struct fb_set *s, int windows, size_t max)
{
    for (int w = 0; w < windows; w++) {
        fb_set_adapt(s, max, 64 * 1024, PS);
        for (size_t i = 0; i < s->n; i++)
            fb_region_resolve(&s->r[i], i % 2 ? FB_IDLE : FB_ACCESSED, 0);
    }
}

static void test_sync_covers_and_clips(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 1);
    fb_set_sync(&s, &l);
    assert_int_equal(s.n, 2);
    assert_cover(&s, &l);
    s.r[0].nprobes = 1;
    /* the first VMA shrinks: the region is clipped, its pending probe stays */
    v[0].end = 0x10000000 + 32 * MIB;
    fb_set_sync(&s, &l);
    assert_cover(&s, &l);
    assert_int_equal(s.r[0].nprobes, 1);
    assert_int_equal(fb_set_find(&s, 0x10000000 + 40 * MIB), -1); /* now outside */
    assert_int_equal(fb_set_find(&s, 0x10000000 + 31 * MIB), 0);
    s.r[0].nprobes = 0;
    /* a VMA disappears, a new one appears in between */
    v[1].start = 0x18000000;
    v[1].end = 0x18000000 + MIB;
    fb_set_sync(&s, &l);
    assert_cover(&s, &l);
    assert_int_equal(s.r[1].result, FB_UNKNOWN);
    fb_set_free(&s);
}

static void test_split_then_merge(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 7);
    fb_set_sync(&s, &l);
    fb_set_adapt(&s, 64, 64 * 1024, PS); /* all unknown: merge, then split once */
    assert_int_equal(s.n, 4);
    grow(&s, 10, 64);
    assert_true(s.n > 16 && s.n <= 64);
    assert_cover(&s, &l);
    for (size_t i = 0; i < s.n; i++) {
        assert_true(s.r[i].end - s.r[i].start >= 64 * 1024);
        assert_int_equal((s.r[i].end - s.r[i].start) % PS, 0);
    }
    /* idle in VMA 0 for one window: not merged yet (it may be partly hot) */
    for (size_t i = 0; i < s.n; i++)
        s.r[i].idle_age = 0;
    for (size_t i = 0; i < s.n; i++)
        fb_region_resolve(&s.r[i], s.r[i].vma == 0 ? FB_IDLE : FB_ACCESSED, 2);
    size_t before = s.n;
    fb_set_adapt(&s, 4, 64 * 1024, PS); /* max 4: force merges pairs, then no split */
    assert_true(s.n < before);
    /* idle twice in a row: they merge back into one region there */
    for (size_t i = 0; i < s.n; i++)
        fb_region_resolve(&s.r[i], s.r[i].vma == 0 ? FB_IDLE : FB_ACCESSED, 2);
    for (size_t i = 0; i < s.n; i++)
        fb_region_resolve(&s.r[i], s.r[i].vma == 0 ? FB_IDLE : FB_ACCESSED, 2);
    fb_set_adapt(&s, 4, 64 * 1024, PS);
    assert_cover(&s, &l);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.r[0].result, FB_IDLE);
    assert_int_equal(s.r[1].result, FB_ACCESSED);
    assert_int_equal(s.r[1].hot_left, 2);
    fb_set_free(&s);
}

static void test_bounded_by_max_regions(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 3);
    fb_set_sync(&s, &l);
    for (int w = 0; w < 12; w++) {
        grow(&s, 1, 100);
        assert_true(s.n <= 100);
    }
    assert_true(s.n > 50);
    /* force merge: above the maximum the count is halved */
    fb_set_adapt(&s, 20, 64 * 1024, PS);
    assert_true(s.n <= 20);
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
    fb_set_sync(&s, &l);
    grow(&s, 5, 32);
    for (size_t i = 0; i < s.n; i++)
        s.r[i].hot_left = 0;
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
    /* from probes: partly hot is accessed but not hot-listed, all hot is */
    struct fb_region m = { .nprobes = 4, .hits = 1 };
    fb_region_resolve_probes(&m, 3);
    assert_int_equal(m.result, FB_ACCESSED);
    assert_int_equal(m.hot_left, 0);
    assert_int_equal(m.mixed, 1);
    struct fb_region h = { .nprobes = 4, .hits = 4 };
    fb_region_resolve_probes(&h, 3);
    assert_int_equal(h.hot_left, 3);
    struct fb_region c = { .nprobes = 4 };
    fb_region_resolve_probes(&c, 3);
    assert_int_equal(c.result, FB_IDLE);
    assert_int_equal(c.idle_age, 1);
}

/* A region whose probes disagreed is not merged away and is split first. */
static void test_mixed_kept_and_split(void **state)
{
    struct vma_entry v[2];
    struct vma_list l = two_vmas(v);
    struct fb_set s;
    fb_set_init(&s, 9);
    fb_set_sync(&s, &l);
    grow(&s, 4, 64);
    size_t n = s.n;
    for (size_t i = 0; i < s.n; i++) {
        s.r[i].nprobes = 2;
        s.r[i].hits = 2; /* all hot... */
        s.r[i].hot_left = 0;
    }
    s.r[1].hits = 1; /* ...but region 1 only partly */
    for (size_t i = 0; i < s.n; i++)
        fb_region_resolve_probes(&s.r[i], 0);
    uint64_t edge_start = s.r[1].start, edge_end = s.r[1].end;
    fb_set_adapt(&s, 2 * n + 4, 64 * 1024, PS);
    /* the accessed neighbours merged, the mixed region was split, nothing swallowed it */
    long a = fb_set_find(&s, edge_start), b = fb_set_find(&s, edge_end - PS);
    assert_true(a >= 0 && b >= 0);
    assert_true(s.r[a].mixed && s.r[b].mixed);
    assert_true(s.r[a].start >= edge_start && s.r[b].end <= edge_end);
    assert_true(a != b || edge_end - edge_start < 2 * 64 * 1024);
    fb_set_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_covers_and_clips),
        cmocka_unit_test(test_split_then_merge),
        cmocka_unit_test(test_bounded_by_max_regions),
        cmocka_unit_test(test_pick_budget_hot_and_rotation),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_mixed_kept_and_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
