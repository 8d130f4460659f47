/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_region_monitor.c - the user-space DAMON algorithm on synthetic access patterns:
 * initial regions, one sample per region per interval (and inside it), convergence of
 * split/merge onto hot/cold boundaries, the region count bounds under noise, aging, and
 * regions following changed ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "region_monitor.h"

#define PS 4096ull
#define MIB (1ull << 20)
#define BASE 0x10000000ull

/* A simulated target: ranges, and an access pattern deciding each checked page. */
struct sim {
    struct region_range ranges[8];
    size_t nranges;
    bool (*hot)(struct sim *s, uint64_t addr);
    uint64_t hot_end;    /* pattern parameter */
    uint64_t rng;
    size_t prepares;     /* calls */
    size_t prepared;     /* samples in the last prepare */
    size_t checks;
    const struct region_monitor *m; /* to check samples against regions */
    bool samples_ok;
    unsigned unknown_every; /* every n-th check cannot tell (0: none) */
};

static int sim_ranges(void *ctx, const struct region_range **out, size_t *n)
{
    struct sim *s = ctx;
    *out = s->ranges;
    *n = s->nranges;
    return 0;
}

static int sim_prepare(void *ctx, struct region_sample *smp, size_t n)
{
    struct sim *s = ctx;
    s->prepares++;
    s->prepared = n;
    if (s->m) {
        s->samples_ok &= n == s->m->n;
        for (size_t i = 0; i < n && i < s->m->n; i++)
            s->samples_ok &= smp[i].addr >= s->m->r[i].start && smp[i].addr < s->m->r[i].end &&
                             smp[i].addr % PS == 0;
    }
    return 0;
}

static int sim_check(void *ctx, struct region_sample *smp, size_t n)
{
    struct sim *s = ctx;
    s->checks++;
    for (size_t i = 0; i < n; i++)
        smp[i].result = s->unknown_every && s->checks % s->unknown_every == 0 ? RA_UNKNOWN
                        : s->hot(s, smp[i].addr)                           ? RA_ACCESSED
                                                                           : RA_IDLE;
    return 0;
}

static const struct region_sampler_ops sim_ops = { "sim", sim_ranges, sim_prepare, sim_check };

static bool hot_below(struct sim *s, uint64_t addr)
{
    return addr < s->hot_end;
}

/* Hot: the first quarter and [40, 44) MiB of a 64 MiB range. */
static bool hot_two_parts(struct sim *s, uint64_t addr)
{
    uint64_t off = addr - BASE;
    return off < 16 * MIB || (off >= 40 * MIB && off < 44 * MIB);
}

static uint64_t sim_rand(struct sim *s)
{
    s->rng = s->rng * 6364136223846793005ull + 1442695040888963407ull;
    return s->rng >> 33;
}

/* Half of every check finds an access, anywhere: the worst case for merging. */
static bool hot_noise(struct sim *s, uint64_t addr)
{
    (void)addr;
    return sim_rand(s) & 1;
}

static struct damon_attrs attrs(uint64_t sample, uint64_t aggr, uint64_t update, uint64_t min,
                                uint64_t max)
{
    return (struct damon_attrs){ sample, aggr, update, min, max };
}

static void sim_one_range(struct sim *s, uint64_t len, bool (*hot)(struct sim *, uint64_t))
{
    memset(s, 0, sizeof(*s));
    s->ranges[0] = (struct region_range){ BASE, BASE + len };
    s->nranges = 1;
    s->hot = hot;
    s->samples_ok = true;
    s->rng = 42;
}

static void assert_cover(const struct region_monitor *m, const struct region_range *rg, size_t n)
{
    size_t ri = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t cur = rg[i].start;
        while (ri < m->n && m->r[ri].start < rg[i].end) {
            assert_int_equal(m->r[ri].start, cur);
            assert_true(m->r[ri].end > m->r[ri].start);
            assert_int_equal((m->r[ri].end - m->r[ri].start) % PS, 0);
            cur = m->r[ri].end;
            ri++;
        }
        assert_int_equal(cur, rg[i].end);
    }
    assert_int_equal(ri, m->n);
}

/* Share of bytes whose region's last aggregation agrees with the pattern (hot: more than
 * half of the checks found an access). */
static double agreement(struct region_monitor *m, struct sim *s)
{
    uint64_t good = 0, all = 0;
    for (size_t i = 0; i < m->n; i++) {
        bool says_hot = m->r[i].last_acc * 2 > region_monitor_max_acc(m);
        for (uint64_t a = m->r[i].start; a < m->r[i].end; a += PS) {
            good += s->hot(s, a) == says_hot;
            all++;
        }
    }
    return (double)good / (double)all;
}

static void run_aggregations(struct region_monitor *m, struct sim *s, unsigned n)
{
    for (unsigned done = 0; done < n;) {
        bool agg;
        assert_int_equal(region_monitor_step(m, &(struct region_sampler){ &sim_ops, s }, &agg), 0);
        done += agg;
    }
}

static void test_initial_regions(void **state)
{
    (void)state;
    struct region_monitor m;
    struct damon_attrs a = attrs(5000, 100000, 1000000, 10, 1000);
    region_monitor_init(&m, &a, 0, PS, 1);
    struct region_range rg[] = { { BASE, BASE + 60 * MIB }, { BASE + 100 * MIB, BASE + 104 * MIB } };
    region_monitor_set_ranges(&m, rg, 2);
    assert_cover(&m, rg, 2);
    /* 10 by size: 9 for the big range, at least one for the small one */
    assert_int_equal(m.n, 10);
    assert_true(m.r[9].start == rg[1].start && m.r[9].end == rg[1].end);
    for (size_t i = 0; i < m.n; i++)
        assert_true(m.r[i].fresh);
    /* a range of two pages cannot hold more than two regions */
    region_monitor_free(&m);
    region_monitor_init(&m, &a, 0, PS, 1);
    struct region_range tiny = { BASE, BASE + 2 * PS };
    region_monitor_set_ranges(&m, &tiny, 1);
    assert_int_equal(m.n, 2);
    region_monitor_free(&m);
}

static void test_one_sample_per_region(void **state)
{
    (void)state;
    struct sim s;
    struct region_monitor m;
    struct damon_attrs a = attrs(5000, 100000, 1000000, 10, 200);
    sim_one_range(&s, 64 * MIB, hot_two_parts);
    region_monitor_init(&m, &a, 0, PS, 7);
    s.m = &m;
    struct region_sampler smp = { &sim_ops, &s };
    for (int i = 0; i < 500; i++) {
        bool agg;
        assert_int_equal(region_monitor_step(&m, &smp, &agg), 0);
        /* every step checks what the previous one prepared, then prepares one per region */
        assert_int_equal(s.prepares, (size_t)i + 1);
        assert_int_equal(s.checks, (size_t)i);
        assert_int_equal(s.prepared, m.n);
        assert_true(s.samples_ok);
    }
    /* 20 samples per aggregation: 499 checks made 24 aggregations */
    assert_int_equal(m.aggregations, 499 / 20);
    assert_int_equal(m.checks_unknown, 0);
    region_monitor_free(&m);
}

static void test_converges_on_boundaries(void **state)
{
    (void)state;
    struct sim s;
    struct region_monitor m;
    /* one check per aggregation, as the slide engine runs it: nr_accesses is 0 or 1 */
    struct damon_attrs a = attrs(1000000, 1000000, 1000000, 10, 1000);
    sim_one_range(&s, 64 * MIB, hot_two_parts);
    region_monitor_init(&m, &a, 0, PS, 3);
    run_aggregations(&m, &s, 20);
    double ok = agreement(&m, &s);
    print_message("one check per aggregation: %.1f%% of bytes right, %zu regions\n", ok * 100, m.n);
    assert_true(ok >= 0.95);
    assert_true(m.n <= 1000);

    /* DAMON's defaults: 20 checks per aggregation */
    region_monitor_free(&m);
    a = attrs(5000, 100000, 1000000, 10, 1000);
    region_monitor_init(&m, &a, 0, PS, 5);
    run_aggregations(&m, &s, 15);
    ok = agreement(&m, &s);
    print_message("20 checks per aggregation: %.1f%% of bytes right, %zu regions\n", ok * 100, m.n);
    assert_true(ok >= 0.95);
    for (size_t i = 0; i < m.n; i++)
        assert_true(m.r[i].last_acc == 0 || m.r[i].last_acc == 20 ||
                    /* a region across a boundary averages after a merge */
                    (s.hot(&s, m.r[i].start) != s.hot(&s, m.r[i].end - PS)));
    region_monitor_free(&m);
}

static void test_merges_uniform_memory(void **state)
{
    (void)state;
    struct sim s;
    struct region_monitor m;
    struct damon_attrs a = attrs(1000000, 1000000, 1000000, 10, 1000);
    sim_one_range(&s, 256 * MIB, hot_below);
    s.hot_end = 0; /* all cold */
    region_monitor_init(&m, &a, 0, PS, 9);
    for (int i = 0; i < 30; i++) {
        run_aggregations(&m, &s, 1);
        /* merged back after every split: never more than 3 pieces per min region */
        assert_true(m.n <= 3 * 10);
        assert_true(m.n >= 10);
    }
    region_monitor_free(&m);
}

static void test_bounds_under_noise(void **state)
{
    (void)state;
    struct sim s;
    struct region_monitor m;
    struct damon_attrs a = attrs(5000, 100000, 1000000, 10, 100);
    sim_one_range(&s, 512 * MIB, hot_noise);
    region_monitor_init(&m, &a, 0, PS, 11);
    size_t most = 0;
    for (int i = 0; i < 60; i++) {
        run_aggregations(&m, &s, 1);
        assert_true(m.n <= 100);
        assert_true(m.n >= 10);
        most = m.n > most ? m.n : most;
        assert_cover(&m, s.ranges, 1);
    }
    assert_true(most > 10); /* it did split */
    /* no region grows past total / min_nr_regions by merging */
    for (size_t i = 0; i < m.n; i++)
        assert_true(m.r[i].end - m.r[i].start <= 512 * MIB / 10 + PS);
    region_monitor_free(&m);
}

static void test_aging(void **state)
{
    (void)state;
    struct sim s;
    struct region_monitor m;
    struct damon_attrs a = attrs(1000000, 1000000, 1000000, 4, 100);
    sim_one_range(&s, 16 * MIB, hot_below);
    s.hot_end = BASE + 16 * MIB; /* all hot */
    region_monitor_init(&m, &a, 0, PS, 13);
    run_aggregations(&m, &s, 1);
    for (size_t i = 0; i < m.n; i++)
        assert_int_equal(m.r[i].age, 0); /* fresh regions start at age 0 */
    run_aggregations(&m, &s, 5);
    for (size_t i = 0; i < m.n; i++) {
        assert_int_equal(m.r[i].last_acc, 1);
        assert_int_equal(m.r[i].age, 5);
    }
    /* the pattern changes: every region's count changes, so every age restarts */
    s.hot_end = 0;
    run_aggregations(&m, &s, 1);
    for (size_t i = 0; i < m.n; i++) {
        assert_int_equal(m.r[i].last_acc, 0);
        assert_int_equal(m.r[i].age, 0);
    }
    run_aggregations(&m, &s, 3);
    for (size_t i = 0; i < m.n; i++)
        assert_int_equal(m.r[i].age, 3);
    region_monitor_free(&m);
}

/* A check the sampler cannot tell about does not count: no conclusive check keeps the last
 * verdict (never turns a hot region idle), and some keep the count's scale. */
static void test_unknown_checks(void **state)
{
    (void)state;
    struct sim s;
    struct region_monitor m;
    struct damon_attrs a = attrs(1000000, 1000000, 1000000, 10, 100);
    sim_one_range(&s, 64 * MIB, hot_below);
    s.hot_end = BASE + 64 * MIB;
    region_monitor_init(&m, &a, 0, PS, 29);
    run_aggregations(&m, &s, 3);
    s.unknown_every = 1; /* every check */
    run_aggregations(&m, &s, 4);
    for (size_t i = 0; i < m.n; i++)
        assert_int_equal(m.r[i].last_acc, 1);
    assert_true(m.checks_unknown > 0);
    /* a region nothing could be learned about yet stays fresh: never idle */
    region_monitor_free(&m);
    region_monitor_init(&m, &a, 0, PS, 31);
    run_aggregations(&m, &s, 2);
    for (size_t i = 0; i < m.n; i++)
        assert_true(m.r[i].fresh);
    /* 20 checks per aggregation, every other one unknown: hot regions still count 20 */
    region_monitor_free(&m);
    a = attrs(5000, 100000, 1000000, 10, 100);
    region_monitor_init(&m, &a, 0, PS, 37);
    s.unknown_every = 2;
    run_aggregations(&m, &s, 3);
    for (size_t i = 0; i < m.n; i++)
        assert_int_equal(m.r[i].last_acc, 20);
    region_monitor_free(&m);
}

/* A sampler slower than the configured sample interval: every interval stretches alike,
 * so an aggregation still holds the configured checks (DAMON's defaults: 20). */
static void test_slow_sampler_keeps_scale(void **state)
{
    (void)state;
    struct sim s;
    struct region_monitor m;
    struct damon_attrs a = attrs(5000, 100000, 1000000, 10, 100);
    sim_one_range(&s, 64 * MIB, hot_below);
    s.hot_end = BASE + 32 * MIB;
    region_monitor_init(&m, &a, 100000, PS, 41);
    assert_int_equal(m.a.sample_us, 100000);
    assert_int_equal(m.a.aggr_us, 2000000);
    assert_int_equal(m.a.update_us, 1000000);
    assert_int_equal(m.samples_per_aggr, 20);
    assert_int_equal(m.samples_per_update, 10);
    assert_int_equal(region_monitor_max_acc(&m), 20);
    run_aggregations(&m, &s, 12);
    for (size_t i = 0; i < m.n; i++)
        assert_true(m.r[i].last_acc == 0 || m.r[i].last_acc == 20 ||
                    s.hot(&s, m.r[i].start) != s.hot(&s, m.r[i].end - PS));
    assert_true(agreement(&m, &s) >= 0.95);
    region_monitor_free(&m);
}

static void test_follows_ranges(void **state)
{
    (void)state;
    struct sim s;
    struct region_monitor m;
    /* an update every aggregation */
    struct damon_attrs a = attrs(1000000, 1000000, 1000000, 10, 1000);
    sim_one_range(&s, 64 * MIB, hot_below);
    s.hot_end = BASE + 32 * MIB;
    region_monitor_init(&m, &a, 0, PS, 17);
    run_aggregations(&m, &s, 8);
    /* the range shrinks at the front and a new one appears */
    s.ranges[0].start = BASE + 8 * MIB;
    s.ranges[1] = (struct region_range){ BASE + 128 * MIB, BASE + 132 * MIB };
    s.nranges = 2;
    bool agg;
    /* the step aggregates, then updates the ranges, then prepares the new regions' checks */
    assert_int_equal(region_monitor_step(&m, &(struct region_sampler){ &sim_ops, &s }, &agg), 0);
    assert_true(agg);
    assert_cover(&m, s.ranges, 2);
    bool fresh_in_new = false;
    for (size_t i = 0; i < m.n; i++) {
        if (m.r[i].start >= BASE + 128 * MIB)
            fresh_in_new |= m.r[i].fresh;
        else
            assert_false(m.r[i].fresh); /* clipped regions keep what they learned */
    }
    assert_true(fresh_in_new);
    region_monitor_free(&m);
}

static void test_many_ranges_joined(void **state)
{
    (void)state;
    struct region_monitor m;
    struct damon_attrs a = attrs(1000000, 1000000, 1000000, 3, 8);
    region_monitor_init(&m, &a, 0, PS, 19);
    struct region_range rg[20];
    for (size_t i = 0; i < 20; i++) /* gaps grow: the first ones are joined */
        rg[i] = (struct region_range){ BASE + i * (i + 2) * MIB, BASE + i * (i + 2) * MIB + MIB };
    region_monitor_set_ranges(&m, rg, 20);
    assert_true(m.n <= 8);
    assert_int_equal(m.r[0].start, rg[0].start);
    assert_int_equal(m.r[m.n - 1].end, rg[19].end);
    region_monitor_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_regions),
        cmocka_unit_test(test_one_sample_per_region),
        cmocka_unit_test(test_converges_on_boundaries),
        cmocka_unit_test(test_merges_uniform_memory),
        cmocka_unit_test(test_bounds_under_noise),
        cmocka_unit_test(test_aging),
        cmocka_unit_test(test_unknown_checks),
        cmocka_unit_test(test_slow_sampler_keeps_scale),
        cmocka_unit_test(test_follows_ranges),
        cmocka_unit_test(test_many_ranges_joined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
