/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_cslide_policy.c - the cslide placement policy on synthetic heat maps: cold goes down,
 * hot comes up, capacity and reserve, quota per direction, hysteresis, pages already placed,
 * displacement by clearly hotter pages, pools, partial runs, several pairs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cslide_policy.h"

#define KB 1024ull
#define MB (1024ull * 1024)
#define PG (4 * KB)
#define HUGE (2 * MB)
#define FAST 0
#define SLOW 1

/* One base page of heat h on node, at the next address. */
static struct cs_unit page(int node, unsigned heat)
{
    static uint64_t addr = 0x100000;

    addr += PG;
    return (struct cs_unit){ .addr = addr, .bytes = PG, .granule = PG, .heat = (uint16_t)heat,
                             .node = (int16_t)node, .pool = CS_POOL_PAGE };
}

static struct cs_unit run(int node, unsigned heat, uint64_t bytes, uint32_t granule, int pool)
{
    struct cs_unit u = page(node, heat);

    u.bytes = bytes;
    u.granule = granule;
    u.pool = (uint8_t)pool;
    return u;
}

static struct cs_params params(unsigned T, uint64_t quota, uint64_t reserve)
{
    return (struct cs_params){ .hot_threshold = T, .margin = cs_margin_for(T), .quota = quota,
                               .reserve = reserve };
}

static struct cs_pair pair(int fast, int slow, uint64_t fast_free, uint64_t slow_free)
{
    struct cs_pair p = { .fast = fast, .slow = slow };

    for (int k = 0; k < CS_POOL_COUNT; k++) {
        p.fast_free[k] = fast_free;
        p.slow_free[k] = slow_free;
    }
    return p;
}

static uint64_t moved(const struct cs_unit *u, size_t n, enum cs_move m)
{
    uint64_t b = 0;

    for (size_t i = 0; i < n; i++)
        if (u[i].move == m)
            b += u[i].move_bytes;
    return b;
}

/* Cold pages on the fast node go down, hot pages on the slow node come up, the rest stays. */
static void test_basic_placement(void **state)
{
    struct cs_unit u[] = { page(FAST, 0), page(FAST, 3), page(SLOW, 3), page(SLOW, 0) };
    struct cs_params p = params(1, 100 * MB, 0);
    struct cs_pair pr = pair(FAST, SLOW, 100 * MB, 100 * MB);
    struct cs_plan_stats st;

    assert_int_equal(cs_plan(&p, &pr, u, 4, &st), 0);
    assert_int_equal(u[0].move, CS_DEMOTE);
    assert_int_equal(u[0].move_bytes, PG);
    assert_int_equal(u[1].move, CS_STAY);   /* hot and already fast */
    assert_int_equal(u[2].move, CS_PROMOTE);
    assert_int_equal(u[3].move, CS_STAY);   /* cold and already slow */
    assert_int_equal(st.demote_bytes, PG);
    assert_int_equal(st.promote_bytes, PG);
}

/* Threshold T: heat T is hot, T-1 is cold; T=0 makes everything hot. */
static void test_threshold_edges(void **state)
{
    struct cs_unit u[] = { page(FAST, 1), page(FAST, 2), page(SLOW, 2) };
    struct cs_params p = params(2, 100 * MB, 0);
    struct cs_pair pr = pair(FAST, SLOW, 100 * MB, 100 * MB);

    cs_plan(&p, &pr, u, 3, NULL);
    assert_int_equal(u[0].move, CS_DEMOTE);
    assert_int_equal(u[1].move, CS_STAY);
    assert_int_equal(u[2].move, CS_PROMOTE);

    struct cs_unit v[] = { page(FAST, 0), page(SLOW, 0) };
    p = params(0, 100 * MB, 0);
    cs_plan(&p, &pr, v, 2, NULL);
    assert_int_equal(v[0].move, CS_STAY);
    assert_int_equal(v[1].move, CS_PROMOTE);
}

/* node_mig_quota: at most quota bytes per direction, coldest demoted first, hottest promoted
 * first; the two directions have separate quotas. */
static void test_quota_per_direction(void **state)
{
    struct cs_unit u[8];
    struct cs_params p = params(1, 2 * PG, 0);
    struct cs_pair pr = pair(FAST, SLOW, 100 * MB, 100 * MB);
    struct cs_plan_stats st;

    u[0] = page(FAST, 0);
    u[1] = page(FAST, 0);
    u[2] = page(FAST, 0);
    u[3] = page(FAST, 0);
    u[4] = page(SLOW, 1);
    u[5] = page(SLOW, 5);
    u[6] = page(SLOW, 3);
    u[7] = page(SLOW, 2);
    cs_plan(&p, &pr, u, 8, &st);
    assert_int_equal(moved(u, 8, CS_DEMOTE), 2 * PG);
    assert_int_equal(moved(u, 8, CS_PROMOTE), 2 * PG);
    assert_int_equal(u[0].move, CS_DEMOTE);     /* ties: input order */
    assert_int_equal(u[1].move, CS_DEMOTE);
    assert_int_equal(u[2].move, CS_STAY);
    assert_int_equal(u[5].move, CS_PROMOTE);    /* hottest first */
    assert_int_equal(u[6].move, CS_PROMOTE);
    assert_int_equal(u[7].move, CS_STAY);
    assert_int_equal(u[4].move, CS_STAY);
    assert_int_equal(st.waiting_bytes[0], 4 * PG);  /* 2 cold + 2 hot left for lack of quota */

    /* quota 0: monitor only */
    p = params(1, 0, 0);
    cs_plan(&p, &pr, u, 8, &st);
    assert_int_equal(st.demote_bytes + st.promote_bytes, 0);
}

/* Quota is spent in whole granules: a 2 MiB unit does not move on a 1 MiB quota; a run
 * of base pages moves in part. */
static void test_granules_and_partial_runs(void **state)
{
    struct cs_unit u[] = {
        run(FAST, 0, 4 * HUGE, HUGE, CS_POOL_HUGETLB),
        run(FAST, 0, 1024 * PG, PG, CS_POOL_PAGE),
    };
    struct cs_params p = params(1, 3 * MB, 0);
    struct cs_pair pr = pair(FAST, SLOW, 100 * MB, 100 * MB);

    cs_plan(&p, &pr, u, 2, NULL);
    assert_int_equal(u[0].move_bytes, HUGE);    /* 3 MiB quota: one 2 MiB page */
    assert_int_equal(u[1].move_bytes, 1 * MB);  /* the rest, in base pages */
    assert_int_equal(u[1].move, CS_DEMOTE);
}

/* Capacity: promotions stop at the fast node's free memory minus the reserve. */
static void test_capacity_and_reserve(void **state)
{
    struct cs_unit u[] = { page(SLOW, 9), page(SLOW, 8), page(SLOW, 7), page(SLOW, 6) };
    struct cs_params p = params(1, 100 * MB, 2 * PG);
    struct cs_pair pr = pair(FAST, SLOW, 4 * PG, 100 * MB);
    struct cs_plan_stats st;

    cs_plan(&p, &pr, u, 4, &st);
    assert_int_equal(u[0].move, CS_PROMOTE);
    assert_int_equal(u[1].move, CS_PROMOTE);
    assert_int_equal(u[2].move, CS_STAY);
    assert_int_equal(st.promote_bytes, 2 * PG);
    assert_int_equal(st.waiting_bytes[1], 2 * PG);  /* for lack of room */
}

/* Demoting cold pages makes room for promotions in the same cycle. */
static void test_demotion_frees_room(void **state)
{
    struct cs_unit u[] = { page(FAST, 0), page(FAST, 0), page(SLOW, 4), page(SLOW, 4) };
    struct cs_params p = params(1, 100 * MB, 0);
    struct cs_pair pr = pair(FAST, SLOW, 0, 100 * MB);

    cs_plan(&p, &pr, u, 4, NULL);
    assert_int_equal(moved(u, 4, CS_DEMOTE), 2 * PG);
    assert_int_equal(moved(u, 4, CS_PROMOTE), 2 * PG);
}

/* Less than the reserve free on the fast node: its coldest hot pages go down until the
 * reserve is back; nothing comes up. */
static void test_reserve_restored(void **state)
{
    struct cs_unit u[] = { page(FAST, 5), page(FAST, 2), page(FAST, 9), page(SLOW, 5) };
    struct cs_params p = params(1, 100 * MB, 3 * PG);
    struct cs_pair pr = pair(FAST, SLOW, 2 * PG, 100 * MB);

    cs_plan(&p, &pr, u, 4, NULL);
    assert_int_equal(u[1].move, CS_DEMOTE);     /* the coldest hot page */
    assert_int_equal(u[0].move, CS_STAY);
    assert_int_equal(u[2].move, CS_STAY);
    assert_int_equal(u[3].move, CS_STAY);
}

/* The slow node's free memory bounds demotions. */
static void test_slow_node_full(void **state)
{
    struct cs_unit u[] = { page(FAST, 0), page(FAST, 0), page(FAST, 0) };
    struct cs_params p = params(1, 100 * MB, 0);
    struct cs_pair pr = pair(FAST, SLOW, 100 * MB, 2 * PG);
    struct cs_plan_stats st;

    cs_plan(&p, &pr, u, 3, &st);
    assert_int_equal(st.demote_bytes, 2 * PG);
    assert_int_equal(st.waiting_bytes[1], PG);
}

/* Hysteresis: a page demoted in the previous cycle comes back only with heat >= T+margin;
 * a page promoted in the previous cycle goes down only with heat < T-margin. */
static void test_hysteresis(void **state)
{
    struct cs_params p = params(4, 100 * MB, 0);    /* margin 2 */
    struct cs_pair pr = pair(FAST, SLOW, 100 * MB, 100 * MB);
    struct cs_unit u[] = { page(SLOW, 4), page(SLOW, 5), page(SLOW, 6), page(SLOW, 4),
                           page(FAST, 3), page(FAST, 2), page(FAST, 1), page(FAST, 3) };
    struct cs_plan_stats st;

    assert_int_equal(p.margin, 2);
    u[0].last = u[1].last = u[2].last = CS_LAST_DEMOTED;
    u[4].last = u[5].last = u[6].last = CS_LAST_PROMOTED;
    cs_plan(&p, &pr, u, 8, &st);
    assert_int_equal(u[0].move, CS_STAY);       /* 4 < 4+2 */
    assert_int_equal(u[1].move, CS_STAY);
    assert_int_equal(u[2].move, CS_PROMOTE);    /* 6 >= 6: clearly hot now */
    assert_int_equal(u[3].move, CS_PROMOTE);    /* not moved last cycle: plain threshold */
    assert_int_equal(u[4].move, CS_STAY);       /* 3 >= 4-2 */
    assert_int_equal(u[5].move, CS_STAY);
    assert_int_equal(u[6].move, CS_DEMOTE);     /* 1 < 2: clearly cold now */
    assert_int_equal(u[7].move, CS_DEMOTE);     /* plain threshold */
    assert_int_equal(st.held_bytes, 4 * PG);

    /* Applying the plan and running again with the same heat moves nothing back; the pages
     * held for a cycle now follow the plain threshold. */
    for (int i = 0; i < 8; i++) {
        if (u[i].move == CS_DEMOTE) {
            u[i].node = SLOW;
            u[i].last = CS_LAST_DEMOTED;
        } else if (u[i].move == CS_PROMOTE) {
            u[i].node = FAST;
            u[i].last = CS_LAST_PROMOTED;
        } else {
            u[i].last = CS_LAST_NONE;
        }
    }
    cs_plan(&p, &pr, u, 8, &st);
    assert_int_equal(u[2].move, CS_STAY);
    assert_int_equal(u[3].move, CS_STAY);
    assert_int_equal(u[6].move, CS_STAY);
    assert_int_equal(u[7].move, CS_STAY);
    assert_int_equal(u[0].move, CS_PROMOTE);
    assert_int_equal(u[1].move, CS_PROMOTE);
    assert_int_equal(u[4].move, CS_DEMOTE);
    assert_int_equal(u[5].move, CS_DEMOTE);
}

/* The margin grows with the threshold. */
static void test_margin(void **state)
{
    assert_int_equal(cs_margin_for(0), 1);
    assert_int_equal(cs_margin_for(1), 1);
    assert_int_equal(cs_margin_for(4), 2);
    assert_int_equal(cs_margin_for(12), 4);
}

/* Fast node full of warm-hot pages, clearly hotter pages on the slow node: they swap, one
 * for one; pages only a little hotter do not displace anything. */
static void test_displacement(void **state)
{
    struct cs_params p = params(1, 100 * MB, 0);    /* margin 1 */
    struct cs_pair pr = pair(FAST, SLOW, 0, 100 * MB);
    struct cs_unit u[] = { page(FAST, 1), page(FAST, 2), page(FAST, 3),
                           page(SLOW, 9), page(SLOW, 3) };
    struct cs_plan_stats st;

    cs_plan(&p, &pr, u, 5, &st);
    assert_int_equal(u[0].move, CS_DEMOTE);     /* the coldest hot page makes room */
    assert_int_equal(u[3].move, CS_PROMOTE);
    assert_int_equal(u[1].move, CS_DEMOTE);     /* 3 >= 2 + 1 */
    assert_int_equal(u[4].move, CS_PROMOTE);
    assert_int_equal(u[2].move, CS_STAY);       /* nothing left hotter by the margin */
    assert_int_equal(st.displaced_bytes, 2 * PG);

    /* equal heat: no swap */
    struct cs_unit v[] = { page(FAST, 3), page(SLOW, 3) };
    cs_plan(&p, &pr, v, 2, &st);
    assert_int_equal(v[0].move, CS_STAY);
    assert_int_equal(v[1].move, CS_STAY);

    /* a page promoted last cycle is not displaced */
    struct cs_unit w[] = { page(FAST, 1), page(SLOW, 9) };
    w[0].last = CS_LAST_PROMOTED;
    cs_plan(&p, &pr, w, 2, &st);
    assert_int_equal(w[0].move, CS_STAY);
    assert_int_equal(w[1].move, CS_STAY);
}

/* Pools have their own room: free hugepages do not make room for base pages. */
static void test_pools(void **state)
{
    struct cs_params p = params(1, 100 * MB, 0);
    struct cs_pair pr = pair(FAST, SLOW, 0, 100 * MB);
    struct cs_unit u[] = { run(SLOW, 5, HUGE, HUGE, CS_POOL_HUGETLB), page(SLOW, 5) };

    pr.fast_free[CS_POOL_HUGETLB] = 2 * HUGE;
    cs_plan(&p, &pr, u, 2, NULL);
    assert_int_equal(u[0].move, CS_PROMOTE);
    assert_int_equal(u[1].move, CS_STAY);
}

/* Several pairs: each plan touches only its own nodes, with its own quota. */
static void test_pairs(void **state)
{
    struct cs_params p = params(1, PG, 0);
    struct cs_pair a = pair(0, 2, 100 * MB, 100 * MB), b = pair(1, 3, 100 * MB, 100 * MB);
    struct cs_unit u[] = { page(0, 0), page(1, 0), page(2, 5), page(3, 5), page(4, 0) };

    cs_plan(&p, &a, u, 5, NULL);
    assert_int_equal(u[0].move, CS_DEMOTE);
    assert_int_equal(u[2].move, CS_PROMOTE);
    assert_int_equal(u[1].move, CS_STAY);
    assert_int_equal(u[3].move, CS_STAY);
    assert_int_equal(u[4].move, CS_STAY);
    struct cs_unit v[5];
    memcpy(v, u, sizeof(u));
    cs_plan(&p, &b, v, 5, NULL);
    assert_int_equal(v[1].move, CS_DEMOTE);
    assert_int_equal(v[3].move, CS_PROMOTE);
    assert_int_equal(v[0].move, CS_DEMOTE);     /* the other pair's decisions are kept */
    assert_int_equal(v[2].move, CS_PROMOTE);
    assert_int_equal(v[4].move, CS_STAY);       /* node 4 is in no pair */
}

/* A realistic shape: 64 MiB hot + 192 MiB cold, all on the fast node; 100 MiB quota. The
 * cold part goes down over two cycles, the hot part stays; then the hot set moves. */
static void test_exerciser_shape(void **state)
{
    struct cs_params p = params(1, 100 * MB, 16 * MB);
    struct cs_pair pr = pair(FAST, SLOW, 700 * MB, 1000 * MB);
    struct cs_unit u[] = { run(FAST, 1, 64 * MB, PG, CS_POOL_PAGE),
                           run(FAST, 0, 192 * MB, PG, CS_POOL_PAGE) };
    struct cs_plan_stats st;

    cs_plan(&p, &pr, u, 2, &st);
    assert_int_equal(u[0].move, CS_STAY);
    assert_int_equal(u[1].move_bytes, 100 * MB);
    /* the runtime splits the run; next cycle, the remaining 92 MiB */
    struct cs_unit v[] = { run(FAST, 1, 64 * MB, PG, CS_POOL_PAGE),
                           run(SLOW, 0, 100 * MB, PG, CS_POOL_PAGE),
                           run(FAST, 0, 92 * MB, PG, CS_POOL_PAGE) };
    v[1].last = CS_LAST_DEMOTED;
    cs_plan(&p, &pr, v, 3, &st);
    assert_int_equal(v[2].move_bytes, 92 * MB);
    assert_int_equal(v[1].move, CS_STAY);
    /* hot set swapped: the old hot part is cold now, the first 64 MiB of the cold part hot */
    struct cs_unit w[] = { run(FAST, 0, 64 * MB, PG, CS_POOL_PAGE),
                           run(SLOW, 1, 64 * MB, PG, CS_POOL_PAGE),
                           run(SLOW, 0, 128 * MB, PG, CS_POOL_PAGE) };
    cs_plan(&p, &pr, w, 3, &st);
    assert_int_equal(w[0].move_bytes, 64 * MB);
    assert_int_equal(w[0].move, CS_DEMOTE);
    assert_int_equal(w[1].move_bytes, 64 * MB);
    assert_int_equal(w[1].move, CS_PROMOTE);
    assert_int_equal(w[2].move, CS_STAY);
}

/* Units of a broken shape (size not a multiple of the granule) are never moved. */
static void test_malformed_units(void **state)
{
    struct cs_params p = params(1, 100 * MB, 0);
    struct cs_pair pr = pair(FAST, SLOW, 100 * MB, 100 * MB);
    struct cs_unit u[] = { run(FAST, 0, 3 * KB, PG, CS_POOL_PAGE), run(FAST, 0, PG, 0, 0) };

    cs_plan(&p, &pr, u, 2, NULL);
    assert_int_equal(u[0].move, CS_STAY);
    assert_int_equal(u[1].move, CS_STAY);
    assert_int_equal(cs_plan(&p, &pr, NULL, 0, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_placement),
        cmocka_unit_test(test_threshold_edges),
        cmocka_unit_test(test_quota_per_direction),
        cmocka_unit_test(test_granules_and_partial_runs),
        cmocka_unit_test(test_capacity_and_reserve),
        cmocka_unit_test(test_demotion_frees_room),
        cmocka_unit_test(test_reserve_restored),
        cmocka_unit_test(test_slow_node_full),
        cmocka_unit_test(test_hysteresis),
        cmocka_unit_test(test_margin),
        cmocka_unit_test(test_displacement),
        cmocka_unit_test(test_pools),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_exerciser_shape),
        cmocka_unit_test(test_malformed_units),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
