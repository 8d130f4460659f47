/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_cslide_guard.c - the feedback guard on cslide's demotions: the policy keeps a
 * process's demotions within its budget and leaves young cold memory on the fast node; a
 * task's quota is shared by its processes by their cold bytes; the wiring (cslide_guard.c)
 * marks memory not cold for long enough young, counts what is hot on the slow node and
 * cold on the fast one, turns the controller's share and the rate cap into budgets, and
 * halves the share when the memory found hot on the slow node is over the target. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cslide_rt.h"
#include "xalloc.h"

#define MB (1024ull * 1024)
#define FAST 0
#define SLOW 1

static uint64_t page_bytes(void)
{
    return (uint64_t)sysconf(_SC_PAGESIZE);
}

static struct cs_unit unit(uint64_t addr, uint64_t bytes, unsigned heat, int node,
                           uint32_t owner)
{
    return (struct cs_unit){ .addr = addr, .bytes = bytes, .granule = (uint32_t)page_bytes(),
                             .heat = (uint16_t)heat, .node = (int16_t)node,
                             .pool = CS_POOL_PAGE, .owner = owner };
}

/* A budget per owner: owner 0 demotes 8 MiB of its 32, owner 1 (no limit) all of its own;
 * what the budget holds back waits as for the quota; a young cold unit stays (held). */
static void test_policy_budget_and_young(void **state)
{
    uint64_t budget[2] = { 8 * MB, UINT64_MAX };
    struct cs_params p = { .hot_threshold = 1, .margin = 1, .quota = 1024 * MB,
                           .demote_budget = budget };
    struct cs_pair pr = { .fast = FAST, .slow = SLOW, .fast_free = { 512 * MB, 512 * MB },
                          .slow_free = { 512 * MB, 512 * MB } };
    struct cs_unit u[] = { unit(0x100000000, 32 * MB, 0, FAST, 0),
                           unit(0x200000000, 16 * MB, 0, FAST, 1),
                           unit(0x300000000, 4 * MB, 0, FAST, 1) };
    struct cs_plan_stats st;

    u[2].young = 1;
    cs_plan(&p, &pr, u, 3, &st);
    assert_int_equal(u[0].move_bytes, 8 * MB);
    assert_int_equal(u[1].move_bytes, 16 * MB);
    assert_int_equal(u[2].move, CS_STAY);
    assert_int_equal(budget[0], 0);
    assert_int_equal(st.waiting_bytes[0], 24 * MB);
    assert_int_equal(st.held_bytes, 4 * MB);
}

/* The quota goes to the processes by their cold bytes, in whole pages, never more than a
 * process has. */
static void test_budget_split(void **state)
{
    uint64_t pg = 4096, cold[] = { 30 * pg, 10 * pg, 0, 1 * pg }, out[4];

    cs_budget_split(10 * pg, cold, 4, pg, out);
    assert_int_equal(out[0], 8 * pg);       /* 7.3 pages rounded up */
    assert_int_equal(out[1], 3 * pg);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 1 * pg);       /* 0.24 page up to one, its whole */
    cs_budget_split(100 * pg, cold, 4, pg, out);
    assert_int_equal(out[0], 30 * pg);      /* never above what it has */
}

/* An engine with one guarded task of one process, for the wiring. */
struct bed {
    struct node_pair np;
    struct cslide_engine_params ep;
    struct page_scan scan;
    struct project proj;
    struct engine eng;
    struct cslide_rt rt;
    struct cslide_member m;
    struct task_pid tp;
    struct cslide_pid sp;
    struct work work;
};

static struct bed *bed_new(double refault_pct, double rate_mib)
{
    struct bed *b = xcalloc(1, sizeof(*b));
    struct guard_conf conf = { .t = { .refault_pct = refault_pct, .rate_mib_s = rate_mib } };

    b->np = (struct node_pair){ FAST, SLOW };
    b->ep = (struct cslide_engine_params){ .pairs = { &b->np, 1 }, .hot_threshold = 1 };
    b->scan = (struct page_scan){ .interval = 1, .loop = 1, .sleep = 1 };
    b->proj.type = PAGE_SCAN;
    b->proj.scan_param = &b->scan;
    b->eng.proj = &b->proj;
    b->rt.eng = &b->eng;
    b->rt.ep = &b->ep;
    b->rt.pair_of[FAST] = b->rt.pair_of[SLOW] = 1;
    guard_task_init(&b->m.guard, &conf);
    b->m.guarded = true;
    b->rt.members = &b->m;
    guard_proc_init(&b->sp.gp);
    b->tp.params = &b->sp;
    b->tp.pid = (unsigned)getpid();
    b->work = (struct work){ &b->m, &b->tp };
    b->rt.work = &b->work;
    b->rt.nwork = 1;
    return b;
}

static void bed_free(struct bed *b)
{
    guard_proc_free(&b->sp.gp);
    free(b->sp.u);
    free(b->rt.budget);
    free(b);
}

/* This cycle's units of the process: 8 MiB hot on the slow node, 32 MiB cold on the fast. */
static void bed_units(struct bed *b)
{
    free(b->sp.u);
    b->sp.u = xcalloc(2, sizeof(*b->sp.u));
    b->sp.u[0] = unit(0x100000000, 8 * MB, 3, SLOW, 0);
    b->sp.u[1] = unit(0x200000000, 32 * MB, 0, FAST, 0);
    b->sp.nu = b->sp.capu = 2;
}

/* Share 1 (cold for 1 cycle is enough): nothing is young, the whole cold part may go. At a
 * quarter share (cold 5 cycles in a row), memory is young until its fifth cold cycle, and
 * the budget is a quarter of what is old enough. */
static void test_ages_and_budget(void **state)
{
    struct bed *b = bed_new(0.1, 0);

    bed_units(b);
    cslide_guard_ages(&b->rt, &b->m, &b->sp);
    assert_int_equal(b->sp.nu, 2);
    assert_false(b->sp.u[1].young);
    assert_int_equal(b->sp.hot_slow, 8 * MB);
    assert_int_equal(b->sp.cold_fast, 32 * MB);
    cslide_guard_budgets(&b->rt);
    assert_non_null(b->rt.budget);
    assert_int_equal(b->rt.budget[0], 32 * MB);

    b->m.guard.ctl.share = 0.25;
    b->m.guard.ctl.cold_cycles = 5;
    for (int cycle = 2; cycle <= 5; cycle++) {
        bed_units(b);
        cslide_guard_ages(&b->rt, &b->m, &b->sp);
        if (cycle < 5) {
            assert_int_equal(b->sp.nu, 2);
            assert_true(b->sp.u[1].young);
            assert_int_equal(b->sp.cold_fast, 0);
        }
    }
    assert_false(b->sp.u[b->sp.nu - 1].young);
    assert_int_equal(b->sp.cold_fast, 32 * MB);
    cslide_guard_budgets(&b->rt);
    assert_int_equal(b->rt.budget[0], 8 * MB);
    bed_free(b);
}

/* guard_rate_mib caps a cycle's budget at the rate x the cycle's length (loop x interval +
 * sleep: 2 s here). */
static void test_rate_cap(void **state)
{
    struct bed *b = bed_new(0, 3);

    bed_units(b);
    cslide_guard_ages(&b->rt, &b->m, &b->sp);
    cslide_guard_budgets(&b->rt);
    assert_int_equal(b->rt.budget[0], 6 * MB);
    bed_free(b);
}

/* The controller's refault signal is the memory found hot on the slow node: far over the
 * target, the share is halved at the end of the cycle. */
static void test_hot_on_slow_backs_off(void **state)
{
    struct bed *b = bed_new(0.1, 0);

    b->sp.scanned = true;
    for (int cycle = 0; cycle < 3; cycle++) {   /* the first has nothing to compare with */
        bed_units(b);
        cslide_guard_ages(&b->rt, &b->m, &b->sp);
        usleep(20000);
        cslide_guard_end(&b->rt);
    }
    assert_true(b->m.guard.measured);
    assert_true(b->m.guard.last.refault_known);
    assert_true(b->m.guard.ctl.share < 1.0);
    assert_int_equal(b->m.guard.ctl.verdict, GUARD_BACKING_OFF);
    bed_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_budget_and_young),
        cmocka_unit_test(test_budget_split),
        cmocka_unit_test(test_ages_and_budget),
        cmocka_unit_test(test_rate_cap),
        cmocka_unit_test(test_hot_on_slow_backs_off),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
