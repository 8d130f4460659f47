/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_host_fallback.c - the fallback tracker on this host (no page_idle, no DAMON
 * vaddr): in a child whose single VMA has a hot 8 MiB head and a cold 40 MiB tail, it
 * must report the cold part idle and the hot part accessed; reclaiming what it calls
 * cold must leave the hot part resident (pagemap), while an unmanaged control child with
 * the same pattern keeps all its pages. Skips without swap (probes need it). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "action.h"
#include "heatmap.h"
#include "ktest.h"
#include "probe.h"
#include "tracker.h"

#define LEN (48u << 20)
#define HOT (8u << 20)
#define WINDOWS 14
#define JUDGED 3 /* the verdict sums the last windows, as an engine sums its loop scans */

static void test_finds_cold_region(void **state)
{
    char why[512];
    if (!ktest_swap_ensure(why, sizeof(why))) {
        print_message("SKIP: %s\n", why);
        skip();
    }
    struct kernel_caps caps;
    kernel_probe(&caps);
    const struct tracker_ops *ops = tracker_select(&caps, "fallback", true, why, sizeof(why));
    assert_non_null(ops);

    struct kchild a, ctl;
    assert_int_equal(kchild_start(&a, LEN, HOT, 21), 0);
    assert_int_equal(kchild_start(&ctl, LEN, HOT, 21), 0);

    struct scan_opts o;
    scan_opts_default(&o);
    o.fallback.max_probes = 256;
    o.fallback.min_region_kb = 256;
    o.fallback.hot_skip = 2;
    int err;
    struct tracker *t = ops->open(a.pid, &o, &err);
    assert_non_null(t);
    assert_int_equal(ops->prime(t), 0);
    struct heat_map *hm = heat_map_new();
    struct scan_stats st = { 0 };
    for (int w = 0; w < WINDOWS; w++) {
        ktest_sleep_ms(200);
        if (w < WINDOWS - JUDGED + 1)
            heat_map_clear(hm);
        memset(&st, 0, sizeof(st));
        assert_int_equal(ops->sample(t, hm, &st), 0);
    }
    struct ktest_tally ty = { 0 };
    ktest_tally(hm, &a, &ty);
    print_message("last windows: hot %zu/%zu accessed, cold %zu/%zu idle; probes %llu "
                  "refaulted %llu inconclusive %llu\n", ty.hot_accessed, ty.hot_pages,
                  ty.cold_idle, ty.cold_pages, (unsigned long long)st.probes,
                  (unsigned long long)st.probes_refaulted,
                  (unsigned long long)st.probes_inconclusive);
    assert_true(ty.cold_idle >= ty.cold_pages * 7 / 10);
    assert_true(ty.hot_accessed >= ty.hot_pages * 9 / 10);

    /* act on it: what the tracker calls idle goes to swap */
    ktest_reclaim_check(&a, &ctl, ty.cold, ty.ncold, 60);

    ktest_tally_free(&ty);
    heat_map_free(hm);
    ops->close(t);
    pid_t gone = a.pid;
    kchild_stop(&a);
    kchild_stop(&ctl);
    assert_null(ops->open(gone, &o, &err));
    assert_int_equal(err, -ESRCH);
}

/* A THP-backed target, mostly idle: the tracker's probes never page out one page of a huge
 * page (that would split it), so all its huge pages are still there after many windows. */
static void test_probes_keep_huge_pages(void **state)
{
    char why[512];
    if (!ktest_swap_ensure(why, sizeof(why))) {
        print_message("SKIP: %s\n", why);
        skip();
    }
    struct kernel_caps caps;
    kernel_probe(&caps);
    const struct tracker_ops *ops = tracker_select(&caps, "fallback", true, why, sizeof(why));
    assert_non_null(ops);
    const size_t len = 16u << 20;
    struct kchild a;
    uint64_t huge0, huge1, sum;
    assert_int_equal(kchild_start_thp(&a, len, 2u << 20, 23), 0);
    assert_int_equal(ktest_smaps_kb(a.pid, a.base, "AnonHugePages", &huge0), 0);
    if (huge0 < len / 1024) {
        kchild_stop(&a);
        print_message("SKIP: the target got %llu kB of THPs of %zu\n",
                      (unsigned long long)huge0, len / 1024);
        skip();
    }
    struct scan_opts o;
    scan_opts_default(&o);
    o.fallback.max_probes = 256;
    o.fallback.min_region_kb = 256;
    int err;
    struct tracker *t = ops->open(a.pid, &o, &err);
    assert_non_null(t);
    assert_int_equal(ops->prime(t), 0);
    struct heat_map *hm = heat_map_new();
    struct scan_stats st = { 0 };
    for (int w = 0; w < 6; w++) {
        ktest_sleep_ms(150);
        assert_int_equal(ops->sample(t, hm, &st), 0);
    }
    assert_int_equal(ktest_smaps_kb(a.pid, a.base, "AnonHugePages", &huge1), 0);
    print_message("AnonHugePages %llu -> %llu kB after 6 windows (%llu probes)\n",
                  (unsigned long long)huge0, (unsigned long long)huge1,
                  (unsigned long long)st.probes);
    assert_int_equal(huge1, huge0);
    assert_int_equal(kchild_checksum(&a, &sum), 0);
    assert_int_equal(sum, kchild_expected(len, 23));
    heat_map_free(hm);
    ops->close(t);
    kchild_stop(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probes_keep_huge_pages),
        cmocka_unit_test(test_finds_cold_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
