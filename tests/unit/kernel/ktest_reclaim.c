/* SPDX-License-Identifier: MulanPSL-2.0 */
/* ktest_reclaim.c - the host trackers' common last act: page out what a tracker called cold
 * and check the outcome through pagemap (ktest.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "action.h"
#include "ktest.h"

void ktest_reclaim_check(struct kchild *a, const struct kchild *ctl,
                         const struct page_range *cold, size_t ncold, unsigned cold_pct)
{
    int err;
    struct reclaimer *r = reclaim_madvise_ops.open(ktest_identity(a->pid), NULL, &err);
    assert_non_null(r);
    struct action_counters c = { 0 };
    assert_int_equal(reclaim_madvise_ops.reclaim(r, cold, ncold, &c), 0);
    reclaim_madvise_ops.close(r);
    nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
    size_t present, swapped, hot = a->hot / 4096, rest = (a->len - a->hot) / 4096;
    assert_int_equal(ktest_pagemap_count(a->pid, a->base, a->hot, &present, &swapped), 0);
    print_message("hot part after reclaim: %zu/%zu present\n", present, hot);
    assert_true(present >= hot * 9 / 10);
    assert_int_equal(ktest_pagemap_count(a->pid, a->base + a->hot, a->len - a->hot, &present,
                                         &swapped), 0);
    print_message("cold part after reclaim: %zu/%zu swapped\n", swapped, rest);
    assert_true(swapped >= rest * cold_pct / 100);
    assert_int_equal(ktest_pagemap_count(ctl->pid, ctl->base, ctl->len, &present, &swapped), 0);
    assert_int_equal(swapped, 0);
    uint64_t sum;
    assert_int_equal(kchild_checksum(a, &sum), 0);
    assert_int_equal(sum, kchild_expected(a->len, a->seed));
}
