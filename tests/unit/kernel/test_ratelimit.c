/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_ratelimit.c - ratelimit_admit, the non-sleeping side of the rate limit (log lines
 * clients can trigger): a burst, then nothing until the rate has caught up; no limit at 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ratelimit.h"

#define MS 1000000ull

/* 10 a second with 500 ms of burst: the first admits six at once (budget at 0..500 ms
 * ahead), then the seventh and the eighth are refused. */
static void test_burst_then_refused(void **state)
{
    struct ratelimit rl;
    int admitted = 0;

    ratelimit_init(&rl, 10);
    for (int i = 0; i < 6; i++)
        admitted += ratelimit_admit(&rl, 1, 500 * MS);
    assert_int_equal(admitted, 6);
    assert_false(ratelimit_admit(&rl, 1, 500 * MS));
    assert_false(ratelimit_admit(&rl, 1, 500 * MS));
}

/* Once the budget is behind the clock it restarts from now: an idle limit gets its burst. */
static void test_catches_up(void **state)
{
    struct ratelimit rl;

    ratelimit_init(&rl, 10);
    while (ratelimit_admit(&rl, 1, 500 * MS))
        ;
    rl.next_ns = monotonic_ns() - 1000 * MS;   /* as if a second had gone by */
    for (int i = 0; i < 6; i++)
        assert_true(ratelimit_admit(&rl, 1, 500 * MS));
    assert_false(ratelimit_admit(&rl, 1, 500 * MS));
}

static void test_unlimited(void **state)
{
    struct ratelimit rl;

    ratelimit_init(&rl, 0);
    for (int i = 0; i < 1000; i++)
        assert_true(ratelimit_admit(&rl, 1000000, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_refused),
        cmocka_unit_test(test_catches_up),
        cmocka_unit_test(test_unlimited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
