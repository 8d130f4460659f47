/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_select.c - tracker/reclaim/migrate selection on fake caps: auto order, named
 * backends, the fallback gate, and reasons that name what the kernel lacks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "action.h"
#include "probe.h"
#include "region_tracker.h"
#include "tracker.h"

static void caps_none(struct kernel_caps *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->release, sizeof(c->release), "test");
    c->nr_nodes = 1;
    for (int f = 0; f < KF_COUNT; f++)
        snprintf(c->feat[f].detail, sizeof(c->feat[f].detail), "%s missing (fake)",
                 kernel_feature_name(f));
    snprintf(c->feat[KF_PAGE_IDLE].detail, sizeof(c->feat[KF_PAGE_IDLE].detail),
             "/sys/kernel/mm/page_idle/bitmap missing (kernel built without "
             "CONFIG_IDLE_PAGE_TRACKING)");
}

static void test_auto_order(void **state)
{
    struct kernel_caps c;
    char why[512];
    caps_none(&c);
    c.feat[KF_CLEAR_REFS].ok = true;
    assert_ptr_equal(tracker_select(&c, NULL, true, why, sizeof(why)), &tracker_fallback_ops);
    c.feat[KF_DAMON_VADDR].ok = true;
    assert_ptr_equal(tracker_select(&c, "auto", true, why, sizeof(why)), &tracker_damon_ops);
    c.damon_nr_kdamonds = 1; /* someone else's kdamond: leave DAMON alone */
    assert_ptr_equal(tracker_select(&c, NULL, true, why, sizeof(why)), &tracker_fallback_ops);
    c.feat[KF_PAGE_IDLE].ok = true;
    assert_ptr_equal(tracker_select(&c, NULL, true, why, sizeof(why)), &tracker_fallback_ops);
    c.feat[KF_PAGEMAP_PFN].ok = true;
    assert_ptr_equal(tracker_select(&c, NULL, true, why, sizeof(why)), &tracker_page_idle_ops);
    c.feat[KF_IDLE_PAGES].ok = true;
    assert_ptr_equal(tracker_select(&c, NULL, false, why, sizeof(why)), &tracker_idle_pages_ops);
}

static void test_fallback_gate(void **state)
{
    struct kernel_caps c;
    char why[512];
    caps_none(&c);
    c.feat[KF_CLEAR_REFS].ok = true;
    assert_null(tracker_select(&c, NULL, false, why, sizeof(why)));
    assert_non_null(strstr(why, "no tracker usable"));
    assert_non_null(strstr(why, "CONFIG_IDLE_PAGE_TRACKING"));
    assert_non_null(strstr(why, " fallback: not allowed by the configuration;"));
    assert_null(tracker_select(&c, "fallback", false, why, sizeof(why)));
    assert_string_equal(why, "tracker 'fallback' forbidden by the configuration");
    assert_ptr_equal(tracker_select(&c, "fallback", true, why, sizeof(why)), &tracker_fallback_ops);
}

static void test_named_reasons(void **state)
{
    struct kernel_caps c;
    char why[512];
    caps_none(&c);
    assert_null(tracker_select(&c, "page_idle", true, why, sizeof(why)));
    assert_string_equal(why, "tracker 'page_idle' unavailable: /sys/kernel/mm/page_idle/bitmap "
                             "missing (kernel built without CONFIG_IDLE_PAGE_TRACKING)");
    c.feat[KF_PAGE_IDLE].ok = true;
    assert_null(tracker_select(&c, "page_idle", true, why, sizeof(why)));
    assert_non_null(strstr(why, "pagemap_pfn missing"));
    assert_null(tracker_select(&c, "nosuch", true, why, sizeof(why)));
    assert_string_equal(why, "unknown tracker 'nosuch' (known: idle_pages page_idle damon fallback)");
}

static void test_actions(void **state)
{
    struct kernel_caps c;
    char why[512];
    caps_none(&c);
    assert_null(reclaim_select(&c, NULL, why, sizeof(why)));
    c.feat[KF_PROCESS_MADVISE].ok = true;
    assert_null(reclaim_select(&c, "madvise", why, sizeof(why)));
    assert_non_null(strstr(why, "madv_pageout"));
    c.feat[KF_MADV_PAGEOUT].ok = true;
    assert_ptr_equal(reclaim_select(&c, NULL, why, sizeof(why)), &reclaim_madvise_ops);
    c.feat[KF_SWAP_PAGES].ok = true;
    assert_ptr_equal(reclaim_select(&c, NULL, why, sizeof(why)), &reclaim_swap_pages_ops);
    assert_ptr_equal(reclaim_select(&c, "madvise", why, sizeof(why)), &reclaim_madvise_ops);

    c.feat[KF_MOVE_PAGES].ok = true;
    assert_null(migrate_select(&c, NULL, why, sizeof(why)));
    assert_non_null(strstr(why, "only 1 NUMA node"));
    c.nr_nodes = 2;
    assert_ptr_equal(migrate_select(&c, "move_pages", why, sizeof(why)), &migrate_move_pages_ops);
}

static void test_failure_reasons(void **state)
{
    /* ENOMEM means "range gone" to process_madvise but "node full" to move_pages */
    assert_int_equal(action_fail_from_errno(-ENOMEM, false), ACT_FAIL_NOT_PRESENT);
    assert_int_equal(action_fail_from_errno(ENOMEM, true), ACT_FAIL_NOMEM);
    assert_int_equal(action_fail_from_errno(-EBUSY, true), ACT_FAIL_BUSY);
    assert_int_equal(action_fail_from_errno(-EAGAIN, false), ACT_FAIL_BUSY);
    assert_int_equal(action_fail_from_errno(-EFAULT, true), ACT_FAIL_FAULT);
    assert_int_equal(action_fail_from_errno(-EPERM, true), ACT_FAIL_ACCESS);
    assert_int_equal(action_fail_from_errno(-EIO, true), ACT_FAIL_OTHER);
    assert_string_equal(action_fail_name(ACT_FAIL_NOMEM), "no_memory");
    assert_string_equal(action_fail_name(ACT_FAIL_NOT_PRESENT), "not_present");
    assert_string_equal(action_fail_name(ACT_FAIL_COUNT), "?");
}

/* Region sources: kernel DAMON first, then the user-space monitor over page_idle, then over
 * probes (gated like the fallback); idle_pages is never one, and --probe says why. */
static void test_region_sources(void **state)
{
    struct kernel_caps c;
    char why[1024], buf[8192] = "";
    caps_none(&c);
    c.feat[KF_IDLE_PAGES].ok = true;
    assert_null(region_select(&c, NULL, true, why, sizeof(why)));
    assert_non_null(strstr(why, "no region source usable"));
    c.feat[KF_PROCESS_MADVISE].ok = c.feat[KF_MADV_PAGEOUT].ok = true;
    assert_ptr_equal(region_select(&c, NULL, true, why, sizeof(why)), &tracker_region_probe_ops);
    assert_null(region_select(&c, NULL, false, why, sizeof(why)));
    assert_non_null(strstr(why, " region_probe: not allowed by the configuration;"));
    assert_null(region_select(&c, "region_probe", false, why, sizeof(why)));
    assert_string_equal(why, "region source 'region_probe' forbidden by the configuration");
    c.feat[KF_PAGE_IDLE].ok = c.feat[KF_PAGEMAP_PFN].ok = true;
    assert_ptr_equal(region_select(&c, "auto", false, why, sizeof(why)),
                     &tracker_region_page_idle_ops);
    /* kernel DAMON vaddr comes first where the kernel has it; a foreign kdamond rules it out */
    c.feat[KF_DAMON_VADDR].ok = true;
    assert_ptr_equal(region_select(&c, NULL, false, why, sizeof(why)), &tracker_damon_ops);
    assert_ptr_equal(region_select(&c, "damon", true, why, sizeof(why)), &tracker_damon_ops);
    c.damon_nr_kdamonds = 2;
    assert_ptr_equal(region_select(&c, NULL, true, why, sizeof(why)),
                     &tracker_region_page_idle_ops);
    assert_null(region_select(&c, "damon", true, why, sizeof(why)));
    assert_non_null(strstr(why, "2 kdamond(s) already exist"));
    assert_ptr_equal(region_select(&c, "region_probe", true, why, sizeof(why)),
                     &tracker_region_probe_ops);
    assert_null(region_select(&c, "page_idle", true, why, sizeof(why)));
    assert_non_null(strstr(why, "unknown region source 'page_idle'"));
    FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
    kernel_caps_print(&c, f);
    fclose(f);
    assert_non_null(strstr(buf, "region   region_page_idle yes"));
    assert_non_null(strstr(buf, "region   idle_pages       no  per page by nature"));
    assert_non_null(strstr(buf, " region=region_page_idle "));
    assert_non_null(strstr(buf, "region   damon            no  2 kdamond(s)"));
    c.damon_nr_kdamonds = 0;
    f = fmemopen(buf, sizeof(buf) - 1, "w");
    kernel_caps_print(&c, f);
    fclose(f);
    assert_non_null(strstr(buf, "region   damon            yes"));
    assert_non_null(strstr(buf, " region=damon "));
}

static void test_print_mentions_backends(void **state)
{
    struct kernel_caps c;
    char buf[8192] = "";
    caps_none(&c);
    c.feat[KF_CLEAR_REFS].ok = true;
    FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
    kernel_caps_print(&c, f);
    fclose(f);
    assert_non_null(strstr(buf, "tracker  fallback    yes"));
    assert_non_null(strstr(buf, "auto: tracker=fallback (only if the config allows the fallback)"));
    f = fmemopen(buf, sizeof(buf) - 1, "w");
    kernel_caps_json(&c, f);
    fclose(f);
    assert_non_null(strstr(buf, "\"fallback\":true"));
    assert_int_equal(buf[0], '{');
}

/* Config key choices follow the registries: "auto", then every backend in auto order;
 * the in-place list leaves out exactly the trackers whose probes page memory out. */
static void test_choices_follow_registries(void **state)
{
    size_t n = 0, k = 1;

    assert_string_equal(tracker_choices[0], "auto");
    assert_string_equal(tracker_choices_in_place[0], "auto");
    for (; tracker_registry[n] != NULL; n++) {
        assert_string_equal(tracker_choices[n + 1], tracker_registry[n]->name);
        if (!tracker_registry[n]->pages_out)
            assert_string_equal(tracker_choices_in_place[k++], tracker_registry[n]->name);
    }
    assert_null(tracker_choices[n + 1]);
    assert_null(tracker_choices_in_place[k]);
    assert_true(k < n + 1);     /* the fallback probes page memory out */
    assert_true(tracker_fallback_ops.pages_out);
    assert_false(tracker_page_idle_ops.sees_hugetlb);
    assert_true(tracker_damon_ops.shared_handles);
    for (n = 0; reclaim_registry[n] != NULL; n++)
        assert_string_equal(reclaim_choices[n + 1], reclaim_registry[n]->name);
    assert_string_equal(reclaim_choices[0], "auto");
    assert_null(reclaim_choices[n + 1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_order),
        cmocka_unit_test(test_fallback_gate),
        cmocka_unit_test(test_named_reasons),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_region_sources),
        cmocka_unit_test(test_failure_reasons),
        cmocka_unit_test(test_print_mentions_backends),
        cmocka_unit_test(test_choices_follow_registries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
