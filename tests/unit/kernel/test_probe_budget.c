/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_probe_budget.c - the probe cost controller on synthetic windows: a quiet target
 * keeps full probing, a burst halves the count at once and it creeps back, the floor (and
 * its skipped windows) holds when every probe comes back and lets go once they stop, and
 * over a long run of any hit ratio the comebacks stay within budget x time + a minute's
 * budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "probe_budget.h"

#define RESIDENT 120000ull   /* 0.5 %/min of it: 600 comebacks a minute, 10 a second */

static struct probe_budget_in window(uint64_t comebacks)
{
    return (struct probe_budget_in){ .pct = 0.5, .secs = 1, .resident = RESIDENT,
                                     .comebacks = comebacks, .want = 1000, .floor = 8 };
}

static void test_quiet_target_probes_fully(void **state)
{
    struct probe_budget b;
    struct probe_budget_in in = window(0);

    probe_budget_init(&b);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(probe_budget_next(&b, &in), 1000);
        assert_int_equal(b.state, PROBE_BUDGET_FULL);
    }
    /* comebacks under the budget's rate never cut it either */
    in.comebacks = 9;
    for (int i = 0; i < 100; i++)
        assert_int_equal(probe_budget_next(&b, &in), 1000);
}

static void test_burst_halves_then_creeps_back(void **state)
{
    struct probe_budget b;
    struct probe_budget_in burst = window(700), quiet = window(0);
    int windows = 0;

    probe_budget_init(&b);
    /* a minute's budget (600) is there to spend: 700 at once puts it in debt */
    assert_int_equal(probe_budget_next(&b, &burst), 500);
    assert_int_equal(b.state, PROBE_BUDGET_BACKING_OFF);
    assert_true(b.credit < 0);
    /* in debt, each window halves again until the budget's rate repays it */
    assert_int_equal(probe_budget_next(&b, &quiet), 250);
    for (int i = 0; i < 100 && b.credit < 0; i++) {
        double before = b.allowed;
        probe_budget_next(&b, &quiet);
        if (b.credit < 0)
            assert_true(b.allowed == before / 2 || b.allowed == 8.0 / PROBE_BUDGET_SKIP_MAX);
    }
    assert_true(b.allowed < 8);
    /* some room: held, not grown */
    probe_budget_next(&b, &quiet);
    assert_int_equal(b.state, PROBE_BUDGET_HOLDING);
    /* half a minute's budget saved: creeps back by 1000/16 a window */
    while (b.state != PROBE_BUDGET_CREEPING && windows++ < 100)
        probe_budget_next(&b, &quiet);
    assert_true(windows < 40);
    double crept = b.allowed;
    assert_int_equal(probe_budget_next(&b, &quiet), (size_t)(crept + 62.5 + 0.5));
    windows = 0;
    while (b.state != PROBE_BUDGET_FULL && windows++ < 100)
        probe_budget_next(&b, &quiet);
    assert_true(windows >= 13 && windows <= 15);
    assert_int_equal(probe_budget_next(&b, &quiet), 1000);
}

static void test_floor_skips_windows(void **state)
{
    struct probe_budget b;
    struct probe_budget_in in = window(0);
    size_t n = 1000, probing = 0, sent = 0;

    probe_budget_init(&b);
    /* every probe comes back, and a tiny target's budget (1 a minute) is below even the
     * floor's cost: down to 8 probes one window in PROBE_BUDGET_SKIP_MAX, and it says so */
    in.resident = 200;
    for (int i = 0; i < 1000; i++) {
        in.comebacks = n;
        n = probe_budget_next(&b, &in);
    }
    assert_int_equal(b.state, PROBE_BUDGET_AT_FLOOR);
    for (int i = 0; i < 4 * PROBE_BUDGET_SKIP_MAX; i++) {
        in.comebacks = n;
        n = probe_budget_next(&b, &in);
        assert_true(n == 0 || n == 8);
        probing += n > 0;
        sent += n;
    }
    assert_int_equal(probing, 4);
    assert_int_equal(sent, 32);
    /* the target calms down: the debt piled up at the floor is held at a minute's budget,
     * so probing creeps back within minutes, not after the ~2000 minutes it would take to
     * repay 2000 comebacks at 1 a minute */
    in.comebacks = 0;
    for (int i = 0; i < 200 && b.state != PROBE_BUDGET_CREEPING; i++)
        probe_budget_next(&b, &in);
    assert_int_equal(b.state, PROBE_BUDGET_CREEPING);
    /* a floor above what size asks for is the size's */
    in.want = 3;
    in.comebacks = 0;
    probe_budget_init(&b);
    assert_int_equal(probe_budget_next(&b, &in), 3);
}

static void test_no_budget_or_nothing_to_probe(void **state)
{
    struct probe_budget b;
    struct probe_budget_in in = window(5000);

    probe_budget_init(&b);
    in.pct = 0;
    assert_int_equal(probe_budget_next(&b, &in), 1000);
    assert_int_equal(b.state, PROBE_BUDGET_FULL);
    in.pct = 0.5;
    in.want = 0;
    assert_int_equal(probe_budget_next(&b, &in), 0);
    /* the size asks for less than before: the count follows */
    probe_budget_init(&b);
    in = window(0);
    probe_budget_next(&b, &in);
    in.want = 100;
    assert_int_equal(probe_budget_next(&b, &in), 100);
}

/* Comebacks over a long run, every probe coming back at ratio hit/1000 one window later:
 * within budget x time + a minute's budget + one window's probes (sent with credit left,
 * back after it ran out). */
static void long_run(unsigned hit_permille, double secs)
{
    struct probe_budget b;
    struct probe_budget_in in = window(0);
    double total = 0, carry = 0;
    size_t n;
    int windows = 3600;

    in.secs = secs;
    probe_budget_init(&b);
    n = probe_budget_next(&b, &in);
    for (int i = 0; i < windows; i++) {
        carry += (double)n * hit_permille / 1000.0;
        in.comebacks = (uint64_t)carry;
        carry -= (double)in.comebacks;
        total += (double)in.comebacks;
        n = probe_budget_next(&b, &in);
    }
    double minute = 0.5 / 100 * RESIDENT, allowed = minute * windows * secs / 60 + minute + 1000;
    print_message("hit %u/1000, %.1f s windows: %.0f comebacks, allowed %.0f, %.1f probes "
                  "per window at the end\n", hit_permille, secs, total, allowed, b.allowed);
    assert_true(total <= allowed);
}

static void test_long_run_stays_within_budget(void **state)
{
    long_run(1, 1);      /* 1 probe in 1000 back: 1/window, under budget: full */
    long_run(30, 1);
    long_run(300, 2);
    long_run(1000, 0.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_target_probes_fully),
        cmocka_unit_test(test_burst_halves_then_creeps_back),
        cmocka_unit_test(test_floor_skips_windows),
        cmocka_unit_test(test_no_budget_or_nothing_to_probe),
        cmocka_unit_test(test_long_run_stays_within_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
