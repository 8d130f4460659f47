/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_heatmap.c - heat map ranges, saturation, runs, sparseness and its memory bound. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "heatmap.h"

#define PS 4096ull

struct runs {
    struct heat_run r[16];
    int n;
};

static int collect(const struct heat_run *run, void *arg)
{
    struct runs *rs = arg;
    if (rs->n < 16)
        rs->r[rs->n] = *run;
    rs->n++;
    return 0;
}

static void test_add_and_runs(void **state)
{
    struct heat_map *hm = heat_map_new_ps((long)PS);
    heat_map_add(hm, 0x10000, 4 * PS, 1, HEAT_PRESENT);
    heat_map_add(hm, 0x10000 + PS, PS, 3, HEAT_PRESENT);          /* one page dirty */
    heat_map_add(hm, 0x10000 + 4 * PS, 2 * PS, 0, HEAT_SWAPPED);  /* adjacent, other flags */
    heat_map_add(hm, 0x10000 + 10 * PS, PS, 0, HEAT_PRESENT);     /* gap before it */
    assert_int_equal(heat_map_pages(hm), 7);

    struct runs rs = { 0 };
    assert_int_equal(heat_map_for_each_run(hm, collect, &rs), 0);
    assert_int_equal(rs.n, 5);
    struct heat_run want[] = {
        { 0x10000, 0x11000, 1, HEAT_PRESENT },
        { 0x11000, 0x12000, 4, HEAT_PRESENT },
        { 0x12000, 0x14000, 1, HEAT_PRESENT },
        { 0x14000, 0x16000, 0, HEAT_SWAPPED },
        { 0x1a000, 0x1b000, 0, HEAT_PRESENT },
    };
    for (int i = 0; i < 5; i++) {
        assert_int_equal(rs.r[i].start, want[i].start);
        assert_int_equal(rs.r[i].end, want[i].end);
        assert_int_equal(rs.r[i].count, want[i].count);
        assert_int_equal(rs.r[i].flags, want[i].flags);
    }
    unsigned c, f;
    assert_int_equal(heat_map_get(hm, 0x11000, &c, &f), 0);
    assert_int_equal(c, 4);
    assert_int_equal(heat_map_get(hm, 0x16000, &c, &f), -ENOENT);
    assert_int_equal(heat_map_get(hm, 0x900000000, &c, &f), -ENOENT);

    /* limited walk */
    rs.n = 0;
    heat_map_for_each_run_in(hm, 0x12000, 0x15000, collect, &rs);
    assert_int_equal(rs.n, 2);
    assert_int_equal(rs.r[0].start, 0x12000);
    assert_int_equal(rs.r[1].end, 0x15000);
    heat_map_free(hm);
}

static void test_saturation_and_loop_scale(void **state)
{
    struct heat_map *hm = heat_map_new_ps((long)PS);
    for (int i = 0; i < 120; i++)
        heat_map_add(hm, 0, PS, HEAT_W_DIRTY, HEAT_PRESENT);
    unsigned c, f;
    assert_int_equal(heat_map_get(hm, 0, &c, &f), 0);
    assert_int_equal(c, 360); /* 3 * 120 fits */
    for (int i = 0; i < 100; i++)
        heat_map_add(hm, 0, PS, HEAT_W_DIRTY, HEAT_PRESENT);
    assert_int_equal(heat_map_get(hm, 0, &c, &f), 0);
    assert_int_equal(c, HEAT_COUNT_MAX);
    heat_map_free(hm);
}

static void test_sparse_and_memory_bound(void **state)
{
    struct heat_map *hm = heat_map_new_ps((long)PS);
    uint64_t gib = 1ull << 30;
    heat_map_add(hm, 0x7f0000000000, gib, 1, HEAT_PRESENT);
    heat_map_add(hm, 0x10000000, 2 * PS, 1, HEAT_PRESENT); /* far away, inserted before */
    assert_int_equal(heat_map_pages(hm), gib / PS + 2);
    /* <= 0.1% of the tracked memory */
    assert_true(heat_map_bytes(hm) <= (gib + 2 * PS) / 1000);
    struct runs rs = { 0 };
    heat_map_for_each_run(hm, collect, &rs);
    assert_int_equal(rs.n, 2);
    assert_int_equal(rs.r[0].start, 0x10000000);
    assert_int_equal(rs.r[1].end, 0x7f0000000000 + gib);
    heat_map_clear(hm);
    assert_int_equal(heat_map_pages(hm), 0);
    assert_true(heat_map_bytes(hm) < 1024);
    rs.n = 0;
    heat_map_for_each_run(hm, collect, &rs);
    assert_int_equal(rs.n, 0);
    heat_map_free(hm);
}

static int stop_at_second(const struct heat_run *run, void *arg)
{
    int *n = arg;
    return ++*n == 2 ? 42 : 0;
}

static void test_walk_stops(void **state)
{
    struct heat_map *hm = heat_map_new_ps((long)PS);
    for (int i = 0; i < 4; i++)
        heat_map_add(hm, (uint64_t)i * 4 * PS, PS, 1, HEAT_PRESENT);
    int n = 0;
    assert_int_equal(heat_map_for_each_run(hm, stop_at_second, &n), 42);
    assert_int_equal(n, 2);
    assert_int_equal(heat_map_page_size(hm), (long)PS);
    heat_map_free(hm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_runs),
        cmocka_unit_test(test_saturation_and_loop_scale),
        cmocka_unit_test(test_sparse_and_memory_bound),
        cmocka_unit_test(test_walk_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
