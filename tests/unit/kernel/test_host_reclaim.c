/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_host_reclaim.c - the madvise reclaimer puts a child's pages into swap, verified
 * through pagemap bit 62 and smaps Swap:, the data checksums right after swap-in, and an
 * unmanaged control child with the same pattern is left alone. Also move_pages in query
 * mode (and a same-node move) on this host's single node. Skips without swap. Actions
 * opened for a process never touch the process that gets its pid after it exits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "action.h"
#include "ktest.h"
#include "probe.h"
#include "proc.h"
#include "thp_whole.h"

#define LEN (16u << 20)
#define PAGES (LEN / 4096)

static void test_pageout_to_swap(void **state)
{
    char why[256];
    if (!ktest_swap_ensure(why, sizeof(why))) {
        print_message("SKIP: %s\n", why);
        skip();
    }
    struct kernel_caps caps;
    kernel_probe(&caps);
    const struct reclaim_ops *ops = reclaim_select(&caps, "madvise", why, sizeof(why));
    assert_non_null(ops);

    struct kchild a, ctl;
    assert_int_equal(kchild_start(&a, LEN, 0, 11), 0);
    assert_int_equal(kchild_start(&ctl, LEN, 0, 11), 0);

    int err;
    struct action_limits lim = { .bytes_per_sec = 64u << 20 };
    struct reclaimer *r = ops->open(ktest_identity(a.pid), &lim, &err);
    assert_non_null(r);
    /* the child's buffer plus 1 MiB at 1 MiB, below where anything is mapped */
    struct page_range ranges[] = { { a.base, LEN }, { 1u << 20, 1u << 20 } };
    struct action_counters c = { 0 };
    assert_int_equal(ops->reclaim(r, ranges, 2, &c), 0);
    assert_int_equal(c.pages_done, PAGES);
    assert_int_equal(c.pages_tried, PAGES + 256);
    assert_int_equal(c.pages_failed[ACT_FAIL_NOT_PRESENT], 256);
    assert_true(c.ns_throttled > 0); /* 16 MiB at 64 MiB/s had to wait */

    size_t present, swapped;
    assert_int_equal(ktest_pagemap_count(a.pid, a.base, LEN, &present, &swapped), 0);
    print_message("managed: present %zu swapped %zu of %u\n", present, swapped, PAGES);
    assert_true(swapped >= PAGES * 9 / 10);
    uint64_t kb;
    assert_int_equal(ktest_smaps_swap_kb(a.pid, a.base, &kb), 0);
    assert_true(kb >= (LEN / 1024) * 9 / 10);

    assert_int_equal(ktest_pagemap_count(ctl.pid, ctl.base, LEN, &present, &swapped), 0);
    assert_int_equal(swapped, 0); /* the control was not touched */
    assert_int_equal(present, PAGES);

    uint64_t sum;
    assert_int_equal(kchild_checksum(&a, &sum), 0);
    assert_int_equal(sum, kchild_expected(LEN, 11));
    assert_int_equal(ktest_pagemap_count(a.pid, a.base, LEN, &present, &swapped), 0);
    assert_int_equal(present, PAGES);

    pid_t gone = a.pid;
    kchild_stop(&a);
    c = (struct action_counters){ 0 };
    assert_int_equal(ops->reclaim(r, ranges, 1, &c), -ESRCH);
    ops->close(r);
    assert_null(ops->open(ktest_identity(gone), &lim, &err));
    assert_int_equal(err, -ESRCH);
    kchild_stop(&ctl);
}

static void test_move_pages_query(void **state)
{
    struct kchild a;
    assert_int_equal(kchild_start(&a, 1u << 20, 0, 3), 0);
    int err;
    struct migrator *m = migrate_move_pages_ops.open(ktest_identity(a.pid), NULL, &err);
    assert_non_null(m);
    uint64_t pages[256];
    int nodes[256];
    for (int i = 0; i < 256; i++)
        pages[i] = a.base + (uint64_t)i * 4096;
    pages[255] = 4096; /* below mmap_min_addr: never mapped */
    struct action_counters c = { 0 };
    assert_int_equal(migrate_move_pages_ops.query(m, pages, 256, nodes, &c), 0);
    for (int i = 0; i < 255; i++)
        assert_int_equal(nodes[i], 0);
    assert_int_equal(nodes[255], -EFAULT);
    /* moving to the node they are on succeeds page by page; the hole is counted */
    assert_int_equal(migrate_move_pages_ops.move(m, pages, 256, 0, &c), 0);
    assert_int_equal(c.pages_tried, 256);
    assert_int_equal(c.pages_done, 255);
    assert_int_equal(c.pages_failed[ACT_FAIL_FAULT], 1);
    migrate_move_pages_ops.close(m);
    kchild_stop(&a);
}

/* A reclaimer and a migrator opened for A; A exits and B is started on A's very pid. Every
 * call made for A fails with -ESRCH and B keeps all its pages where they were. */
static void test_reused_pid_untouched(void **state)
{
    struct kchild a, b;
    const size_t len = 1u << 20, n = len / 4096;
    assert_int_equal(kchild_start(&a, len, 0, 5), 0);
    struct proc_identity ida = *ktest_identity(a.pid);
    int err = 0;
    struct migrator *m = migrate_move_pages_ops.open(&ida, NULL, &err);
    assert_non_null(m);
    struct reclaimer *r = reclaim_madvise_ops.open(&ida, NULL, &err);
    bool have_madvise = r != NULL;  /* process_madvise may be missing: move_pages is enough */
    pid_t pid = a.pid;
    kchild_stop(&a);
    /* start times count clock ticks (10 ms): a newcomer within A's tick would carry A's
     * identity, which nothing outside a pid namespace can make happen */
    struct timespec tick = { 0, 30000000 };
    nanosleep(&tick, NULL);
    int rc = kchild_start_at(&b, pid, len, 0, 6);
    if (rc == -EPERM || rc == -ENOSYS || rc == -EEXIST || rc == -EINVAL) {
        migrate_move_pages_ops.close(m);
        if (have_madvise)
            reclaim_madvise_ops.close(r);
        print_message("SKIP: cannot start a process on a chosen pid here (%d)\n", rc);
        skip();
    }
    assert_int_equal(rc, 0);
    assert_int_equal(b.pid, pid);

    uint64_t *pages = calloc(n, sizeof(*pages));
    int *nodes = calloc(n, sizeof(*nodes));
    assert_non_null(pages);
    assert_non_null(nodes);
    for (size_t i = 0; i < n; i++)
        pages[i] = b.base + i * 4096;
    struct action_counters c = { 0 };
    assert_int_equal(migrate_move_pages_ops.move(m, pages, n, 0, &c), -ESRCH);
    assert_int_equal(migrate_move_pages_ops.query(m, pages, n, nodes, &c), -ESRCH);
    assert_int_equal(c.pages_done, 0);
    migrate_move_pages_ops.close(m);
    if (have_madvise) {
        struct page_range pr = { b.base, len };
        assert_int_equal(reclaim_madvise_ops.reclaim(r, &pr, 1, &c), -ESRCH);
        reclaim_madvise_ops.close(r);
    }
    /* opening for A now finds B on its pid: refused */
    assert_null(migrate_move_pages_ops.open(&ida, NULL, &err));
    assert_int_equal(err, -ESRCH);
    assert_null(reclaim_madvise_ops.open(&ida, NULL, &err));
    assert_int_equal(err, -ESRCH);
    size_t present, swapped;
    assert_int_equal(ktest_pagemap_count(b.pid, b.base, len, &present, &swapped), 0);
    assert_int_equal(present, n);
    uint64_t sum;
    assert_int_equal(kchild_checksum(&b, &sum), 0);
    assert_int_equal(sum, kchild_expected(len, 6));
    free(pages);
    free(nodes);
    kchild_stop(&b);
}

/* A THP-backed target: ranges that end inside huge pages are cut back to them, and paging
 * out what is left keeps every other huge page whole (AnonHugePages before and after); the
 * data reads back intact. */
static void test_huge_pages_out_whole(void **state)
{
    char why[256];
    const size_t two = 2u << 20, len = 8u << 20;
    struct kchild a;
    uint64_t huge0, huge1, sum;

    assert_int_equal(kchild_start_thp(&a, len, 0, 21), 0);
    assert_int_equal(ktest_smaps_kb(a.pid, a.base, "AnonHugePages", &huge0), 0);
    if (huge0 < len / 1024) {
        kchild_stop(&a);
        print_message("SKIP: the target got %llu kB of THPs of %zu (THP off or memory "
                      "fragmented)\n", (unsigned long long)huge0, len / 1024);
        skip();
    }
    /* half of huge page 0, all of 1, half of 2; and a range inside huge page 3 */
    struct page_range r[] = { { a.base + two / 2, 2 * two }, { a.base + 3 * two + 4096, 4096 } };
    size_t n = 2;
    assert_int_equal(thp_whole_ranges(a.pid, r, &n), two + 4096);
    assert_int_equal(n, 1);
    assert_true(r[0].start == a.base + two && r[0].len == two);
    if (!ktest_swap_ensure(why, sizeof(why))) {
        kchild_stop(&a);
        print_message("SKIP the pageout: %s\n", why);
        skip();
    }

    int err;
    struct reclaimer *rc = reclaim_madvise_ops.open(ktest_identity(a.pid), NULL, &err);
    assert_non_null(rc);
    struct action_counters c = { 0 };
    assert_int_equal(reclaim_madvise_ops.reclaim(rc, r, n, &c), 0);
    reclaim_madvise_ops.close(rc);
    assert_int_equal(ktest_smaps_kb(a.pid, a.base, "AnonHugePages", &huge1), 0);
    print_message("AnonHugePages %llu -> %llu kB (huge page 1 out)\n",
                  (unsigned long long)huge0, (unsigned long long)huge1);
    assert_true(huge1 >= huge0 - two / 1024);  /* 0, 2 and 3 stay huge */
    assert_int_equal(kchild_checksum(&a, &sum), 0);
    assert_int_equal(sum, kchild_expected(len, 21));
    kchild_stop(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_pages_out_whole),
        cmocka_unit_test(test_reused_pid_untouched),
        cmocka_unit_test(test_pageout_to_swap),
        cmocka_unit_test(test_move_pages_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
