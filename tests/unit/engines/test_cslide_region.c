/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_cslide_region.c - cslide on regions: a region's stripes and the units made of them,
 * a region moved in part, then the placement policy on synthetic regions (which move where, quota, reserve, room,
 * hysteresis against the one false access a move can cause). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cslide_policy.h"

#define MB (1024ull * 1024)
#define PG 4096ull
#define FAST 0
#define SLOW 1
#define BASE 0x7f0000000000ull

static struct cs_region region(uint64_t start, uint64_t bytes, uint32_t acc)
{
    return (struct cs_region){ start, start + bytes, acc };
}

/* Stripes: at most CS_REGION_STRIPES, covering the region exactly; in pairs, the first
 * asked at its first page, the second at its last. */
static void test_stripes(void **state)
{
    uint64_t at[CS_REGION_STRIPES];
    struct cs_region r = region(BASE, 64 * PG, 0);

    assert_int_equal(cs_region_stripes(&r, PG, at), 16);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(at[i], BASE + (4 * i + (i % 2 ? 3 : 0)) * PG);
    r = region(BASE, 3 * PG, 0);
    assert_int_equal(cs_region_stripes(&r, PG, at), 3);    /* fewer pages than stripes */
    assert_int_equal(at[1], BASE + PG);
    assert_int_equal(at[2], BASE + 2 * PG);
    r = region(BASE, 0, 0);
    assert_int_equal(cs_region_stripes(&r, PG, at), 0);
    /* 21 pages in 16 stripes: the units of a region all on one node cover it exactly */
    r = region(BASE, 21 * PG, 7);
    int node[CS_REGION_STRIPES];
    uint8_t last[CS_REGION_STRIPES] = { 0 };
    struct cs_unit u[CS_REGION_STRIPES];
    size_t n = cs_region_stripes(&r, PG, at);

    assert_int_equal(n, 16);
    for (size_t i = 0; i < n; i++) {
        assert_true(at[i] >= r.start && at[i] < r.end && at[i] % PG == 0);
        node[i] = FAST;
    }
    assert_int_equal(cs_region_units(&r, PG, node, last, u), 1);
    assert_int_equal(u[0].addr, BASE);
    assert_int_equal(u[0].bytes, 21 * PG);
    assert_int_equal(u[0].heat, 7);
    assert_int_equal(u[0].granule, PG);
    assert_int_equal(u[0].pool, CS_POOL_PAGE);
}

/* A region split between nodes: one unit per run of stripes on a node; a stripe whose
 * page is not present makes no unit; a different last move splits a run. */
static void test_units_follow_nodes(void **state)
{
    struct cs_region r = region(BASE, 64 * PG, 3);
    int node[CS_REGION_STRIPES];
    uint8_t last[CS_REGION_STRIPES] = { 0 };
    struct cs_unit u[CS_REGION_STRIPES];

    /* stripes of 4 pages: 0-3 fast, 4-7 slow, 8 not present, 9-15 fast, 12-15 promoted */
    for (size_t i = 0; i < CS_REGION_STRIPES; i++) {
        node[i] = i < 4 || i > 8 ? FAST : i < 8 ? SLOW : -2;
        last[i] = i >= 12 ? CS_LAST_PROMOTED : CS_LAST_NONE;
    }
    size_t n = cs_region_units(&r, PG, node, last, u);

    assert_int_equal(n, 4);
    assert_int_equal(u[0].addr, BASE);
    assert_int_equal(u[0].bytes, 16 * PG);
    assert_int_equal(u[0].node, FAST);
    assert_int_equal(u[1].addr, BASE + 16 * PG);
    assert_int_equal(u[1].bytes, 16 * PG);
    assert_int_equal(u[1].node, SLOW);
    assert_int_equal(u[2].addr, BASE + 36 * PG);            /* stripe 8 is not present */
    assert_int_equal(u[2].bytes, 12 * PG);
    assert_int_equal(u[3].addr, BASE + 48 * PG);
    assert_int_equal(u[3].bytes, 16 * PG);
    assert_int_equal(u[3].last, CS_LAST_PROMOTED);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(u[i].heat, 3);
}

/* A region demoted in part, from its start, up to the middle of a stripe pair: the pair's
 * first stripe reads slow and its second fast, so what is left is planned again. */
static void test_partly_moved_pair(void **state)
{
    struct cs_region r = region(BASE, 64 * PG, 0);
    uint64_t at[CS_REGION_STRIPES];
    int node[CS_REGION_STRIPES];
    uint8_t last[CS_REGION_STRIPES] = { 0 };
    struct cs_unit u[CS_REGION_STRIPES];
    size_t n = cs_region_stripes(&r, PG, at);

    for (size_t i = 0; i < n; i++)      /* moved: pages 0..29 (stripes 0..6, half of 7) */
        node[i] = at[i] < BASE + 30 * PG ? SLOW : FAST;
    assert_int_equal(cs_region_units(&r, PG, node, last, u), 2);
    assert_int_equal(u[0].node, SLOW);
    assert_int_equal(u[0].bytes, 28 * PG);
    assert_int_equal(u[1].node, FAST);
    assert_int_equal(u[1].addr, BASE + 28 * PG);            /* stripe 7 again, with the rest */
    assert_int_equal(u[1].bytes, 36 * PG);
}

/* Units of synthetic regions (all stripes on one node each), in address order. */
struct regions {
    struct cs_unit u[64];
    size_t n;
    uint64_t next;
};

static size_t add(struct regions *rs, uint64_t bytes, uint32_t acc, int where, uint8_t was)
{
    struct cs_region r = region(rs->next, bytes, acc);
    int node[CS_REGION_STRIPES];
    uint8_t last[CS_REGION_STRIPES];
    size_t first = rs->n;

    for (size_t i = 0; i < CS_REGION_STRIPES; i++) {
        node[i] = where;
        last[i] = was;
    }
    rs->n += cs_region_units(&r, PG, node, last, &rs->u[rs->n]);
    rs->next = r.end + 16 * PG;
    assert_int_equal(rs->n, first + 1);
    return first;
}

static struct cs_params params(unsigned T, uint64_t quota, uint64_t reserve)
{
    return (struct cs_params){ .hot_threshold = T, .margin = cs_margin_for(T), .quota = quota,
                               .reserve = reserve };
}

static struct cs_pair pair(uint64_t fast_free, uint64_t slow_free)
{
    struct cs_pair p = { .fast = FAST, .slow = SLOW };

    p.fast_free[CS_POOL_PAGE] = fast_free;
    p.slow_free[CS_POOL_PAGE] = slow_free;
    return p;
}

/* The exerciser's shape on regions: its cold regions on the fast node go down within the
 * quota, coldest first and by address within a region; hot regions stay; a hot region on
 * the slow node comes up. */
static void test_cold_regions_down_hot_up(void **state)
{
    struct regions rs = { .next = BASE };
    size_t hot = add(&rs, 16 * MB, 10, FAST, CS_LAST_NONE);
    size_t cold = add(&rs, 96 * MB, 0, FAST, CS_LAST_NONE);
    size_t warm = add(&rs, 32 * MB, 1, FAST, CS_LAST_NONE);  /* accessed once: hot at T=1 */
    size_t lukewarm = add(&rs, 32 * MB, 2, SLOW, CS_LAST_NONE);
    struct cs_params p = params(1, 48 * MB, 16 * MB);
    struct cs_pair pr = pair(512 * MB, 512 * MB);
    struct cs_plan_stats st;

    cs_plan(&p, &pr, rs.u, rs.n, &st);
    assert_int_equal(rs.u[hot].move, CS_STAY);
    assert_int_equal(rs.u[warm].move, CS_STAY);
    assert_int_equal(rs.u[cold].move, CS_DEMOTE);
    assert_int_equal(rs.u[cold].move_bytes, 48 * MB);       /* the quota, from its start */
    assert_int_equal(st.waiting_bytes[0], 48 * MB);         /* the rest waits for the quota */
    assert_int_equal(rs.u[lukewarm].move, CS_PROMOTE);
    assert_int_equal(rs.u[lukewarm].move_bytes, 32 * MB);
    assert_int_equal(st.demote_bytes, 48 * MB);
    assert_int_equal(st.promote_bytes, 32 * MB);

    /* with T=2 the region accessed once is cold too, and goes down after the colder one */
    rs = (struct regions){ .next = BASE };
    cold = add(&rs, 32 * MB, 0, FAST, CS_LAST_NONE);
    warm = add(&rs, 32 * MB, 1, FAST, CS_LAST_NONE);
    size_t colder = add(&rs, 8 * MB, 0, FAST, CS_LAST_NONE);
    p = params(2, 48 * MB, 0);
    cs_plan(&p, &pr, rs.u, rs.n, &st);
    assert_int_equal(rs.u[cold].move_bytes, 32 * MB);
    assert_int_equal(rs.u[colder].move_bytes, 8 * MB);
    assert_int_equal(rs.u[warm].move, CS_DEMOTE);
    assert_int_equal(rs.u[warm].move_bytes, 8 * MB);        /* what the quota leaves */
}

/* The reserve: with less than node_hot_reserve free on the fast node, its least accessed
 * hot regions go down until the reserve is back, and nothing comes up unless it is
 * clearly hotter than what is on the fast node (then it takes the place of the coldest). */
static void test_reserve(void **state)
{
    struct regions rs = { .next = BASE };
    size_t hottest = add(&rs, 64 * MB, 20, FAST, CS_LAST_NONE);
    size_t hot = add(&rs, 64 * MB, 4, FAST, CS_LAST_NONE);
    size_t up = add(&rs, 16 * MB, 4, SLOW, CS_LAST_NONE);
    struct cs_params p = params(1, 256 * MB, 40 * MB);
    struct cs_pair pr = pair(10 * MB, 512 * MB);
    struct cs_plan_stats st;

    cs_plan(&p, &pr, rs.u, rs.n, &st);
    assert_int_equal(rs.u[hottest].move, CS_STAY);
    assert_int_equal(rs.u[hot].move, CS_DEMOTE);
    assert_int_equal(rs.u[hot].move_bytes, 30 * MB);        /* 10 free + 30 = the reserve */
    assert_int_equal(rs.u[up].move, CS_STAY);
    assert_int_equal(st.waiting_bytes[1], 16 * MB);         /* no room: it waits */

    rs.u[up].heat = 20;
    cs_plan(&p, &pr, rs.u, rs.n, &st);
    assert_int_equal(rs.u[hottest].move, CS_STAY);
    assert_int_equal(rs.u[up].move, CS_PROMOTE);
    assert_int_equal(rs.u[up].move_bytes, 16 * MB);
    assert_int_equal(rs.u[hot].move_bytes, 46 * MB);
    assert_int_equal(st.displaced_bytes, 16 * MB);
}

/* Room: promotions stop at the fast node's free memory above the reserve, demotions at
 * the slow node's free memory; whole pages only. */
static void test_room(void **state)
{
    struct regions rs = { .next = BASE };
    size_t up = add(&rs, 64 * MB, 9, SLOW, CS_LAST_NONE);
    size_t down = add(&rs, 64 * MB, 0, FAST, CS_LAST_NONE);
    struct cs_params p = params(1, 1024 * MB, 8 * MB);
    struct cs_pair pr = pair(8 * MB + 10 * PG + 100, 20 * MB + 3 * PG + 5);
    struct cs_plan_stats st;

    cs_plan(&p, &pr, rs.u, rs.n, &st);
    assert_int_equal(rs.u[down].move_bytes, 20 * MB + 3 * PG);
    /* what the demotion freed counts for the promotion */
    assert_int_equal(rs.u[up].move_bytes, 10 * PG + 20 * MB + 3 * PG);
}

/* A region moved last cycle may read as accessed once in the next aggregation (its
 * sampled page changed frames under the check): the hysteresis margin keeps it down; a
 * region really accessed again comes back. */
static void test_hysteresis_absorbs_the_move(void **state)
{
    struct regions rs = { .next = BASE };
    size_t moved = add(&rs, 32 * MB, 1, SLOW, CS_LAST_DEMOTED);
    size_t back = add(&rs, 32 * MB, 5, SLOW, CS_LAST_DEMOTED);
    size_t promoted = add(&rs, 32 * MB, 0, FAST, CS_LAST_PROMOTED);
    struct cs_params p = params(1, 1024 * MB, 0);
    struct cs_pair pr = pair(512 * MB, 512 * MB);

    cs_plan(&p, &pr, rs.u, rs.n, NULL);
    assert_int_equal(rs.u[moved].move, CS_STAY);
    assert_int_equal(rs.u[back].move, CS_PROMOTE);
    /* promoted last cycle: goes down only below T - margin, never for T <= margin */
    assert_int_equal(rs.u[promoted].move, CS_STAY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stripes),
        cmocka_unit_test(test_units_follow_nodes),
        cmocka_unit_test(test_partly_moved_pair),
        cmocka_unit_test(test_cold_regions_down_hot_up),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_room),
        cmocka_unit_test(test_hysteresis_absorbs_the_move),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
