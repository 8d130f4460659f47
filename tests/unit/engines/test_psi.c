/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_psi.c - the psi engine's arithmetic: the reclaim rate from the controller's share,
 * and the step size against every floor (limit_min_bytes, limit_min_ratio of memory.max,
 * memory.min/low, what cannot be reclaimed) and the cap per step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "psi.h"

#define MIB (1ull << 20)

static const struct psi_task_params defaults = {
    .pressure = 0.1, .reclaim_rate = 0.05, .reclaim_rate_max = 0.5, .reclaim_rate_min = 0.01,
    .limit_min_bytes = 0, .limit_min_ratio = 0.1, .reclaim_max_bytes = 1ull << 30,
};

static void test_rate(void **state)
{
    assert_true(psi_rate_of(&defaults, 1.0) == 0.5);
    assert_true(psi_rate_of(&defaults, 0.1) == 0.05);
    assert_true(psi_rate_of(&defaults, 1.0 / 64) == 0.01);  /* clamped to the minimum */
}

static void test_step(void **state)
{
    struct psi_task_params p = defaults;
    uint64_t floor;

    /* 1000 MiB, no limit, nothing protected, all reclaimable: 10 % of it */
    assert_int_equal(psi_step_bytes(&p, 0.1, 1000 * MIB, UINT64_MAX, 0, 1000 * MIB, &floor),
                     100 * MIB);
    assert_int_equal(floor, 0);
    /* memory.max 2000 MiB: floor 200 MiB (limit_min_ratio) */
    assert_int_equal(psi_step_bytes(&p, 0.1, 1000 * MIB, 2000 * MIB, 0, 1000 * MIB, &floor),
                     80 * MIB);
    assert_int_equal(floor, 200 * MIB);
    /* memory.low 600 MiB beats it */
    assert_int_equal(psi_step_bytes(&p, 0.5, 1000 * MIB, 2000 * MIB, 600 * MIB, 1000 * MIB,
                                    &floor), 200 * MIB);
    /* only 100 MiB reclaimable: floor 900 MiB */
    assert_int_equal(psi_step_bytes(&p, 0.5, 1000 * MIB, UINT64_MAX, 0, 100 * MIB, &floor),
                     50 * MIB);
    assert_int_equal(floor, 900 * MIB);
    /* at or below the floor: nothing */
    p.limit_min_bytes = 1000 * MIB;
    assert_int_equal(psi_step_bytes(&p, 0.5, 1000 * MIB, UINT64_MAX, 0, 1000 * MIB, &floor), 0);
    /* the cap per step, and whole pages */
    p.limit_min_bytes = 0;
    p.reclaim_max_bytes = 10 * MIB + 100;
    assert_int_equal(psi_step_bytes(&p, 0.5, 1000 * MIB, UINT64_MAX, 0, 1000 * MIB, &floor),
                     10 * MIB);
    p.reclaim_max_bytes = 1ull << 30;
    assert_int_equal(psi_step_bytes(&p, 0.013, 1000 * MIB + 5, UINT64_MAX, 0,
                                    1000 * MIB + 5, &floor) % 4096, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
