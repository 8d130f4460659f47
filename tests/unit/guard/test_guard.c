/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_guard.c - the guard's controller, measurement windows, comeback bookkeeping, cold
 * ages and safety envelope, on synthetic inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "action.h"
#include "guard.h"
#include "heatmap.h"

#define PS 4096

static struct guard_measured refaults(double pct)
{
    return (struct guard_measured){ .secs = 10, .refault_pct = pct, .refault_known = true };
}

static void test_ctl_off(void **state)
{
    struct guard_ctl c;
    struct guard_targets t = { 0 };
    struct guard_measured m = refaults(50);

    guard_ctl_init(&c, &t);
    assert_int_equal(c.verdict, GUARD_OFF);
    guard_ctl_update(&c, &m);
    assert_true(c.share == 1.0);
    assert_int_equal(c.cold_cycles, 1);
    assert_int_equal(guard_ctl_quota(&c, 1000), 1000);
}

static void test_ctl_backs_off_fast_creeps_back_slowly(void **state)
{
    struct guard_ctl c;
    struct guard_targets t = { .refault_pct = 0.2 };
    struct guard_measured over = refaults(0.5), near = refaults(0.18), under = refaults(0.01);
    int cycles = 0;

    guard_ctl_init(&c, &t);
    guard_ctl_update(&c, &over);
    assert_int_equal(c.verdict, GUARD_BACKING_OFF);
    assert_true(c.share == 0.5);
    assert_int_equal(c.cold_cycles, 3);
    assert_non_null(strstr(c.why, "refaults 0.500%/min"));
    guard_ctl_update(&c, &over);
    guard_ctl_update(&c, &over);
    assert_true(c.share == 0.125);
    assert_int_equal(c.cold_cycles, 7);
    assert_int_equal(guard_ctl_quota(&c, 1000), 125);
    /* close to the target: hold */
    guard_ctl_update(&c, &near);
    assert_int_equal(c.verdict, GUARD_HOLDING);
    assert_true(c.share == 0.125);
    /* well under: creep back, 1/16 a cycle */
    guard_ctl_update(&c, &under);
    assert_int_equal(c.verdict, GUARD_CREEPING);
    assert_true(c.share > 0.18 && c.share < 0.19);
    while (c.share < 1.0 && cycles++ < 100)
        guard_ctl_update(&c, &under);
    assert_int_equal(cycles, 13);
    assert_int_equal(c.verdict, GUARD_FREE);
    assert_int_equal(c.cold_cycles, 1);
    /* never below the floor */
    for (int i = 0; i < 20; i++)
        guard_ctl_update(&c, &over);
    assert_true(c.share == GUARD_SHARE_MIN);
    assert_int_equal(c.cold_cycles, GUARD_COLD_CYCLES_MAX);
    assert_int_equal(guard_ctl_quota(&c, 6400), 100);
}

/* Refaults over target, most of them the tracker's probes: the why says sensing holds it
 * back, with the probes' rate and budget (half the target); engine-made refaults do not. */
static void test_ctl_why_names_probes(void **state)
{
    struct guard_ctl c;
    struct guard_targets t = { .refault_pct = 2 };
    struct guard_measured m = refaults(3);

    assert_true(guard_probe_budget_pct(&t) == 1.0);
    guard_ctl_init(&c, &t);
    m.probe_refault_pct = 2.5;
    guard_ctl_update(&c, &m);
    assert_int_equal(c.verdict, GUARD_BACKING_OFF);
    assert_non_null(strstr(c.why, "sensing holds it back (2.500%/min, budget 1.000%)"));
    m.probe_refault_pct = 0.5;
    guard_ctl_update(&c, &m);
    assert_null(strstr(c.why, "probes"));
    /* well under the target: nothing holds it back */
    m = refaults(0.1);
    m.probe_refault_pct = 0.1;
    guard_ctl_update(&c, &m);
    assert_null(strstr(c.why, "probes"));
}

static void test_ctl_psi_and_unknown(void **state)
{
    struct guard_ctl c;
    struct guard_targets t = { .refault_pct = 1, .psi_us = 1000 };
    struct guard_measured m = { .secs = 5, .refault_pct = 0.1, .refault_known = true,
                                .psi_us = 5000, .psi_known = true, .psi_cgroup = true };
    struct guard_measured none = { .secs = 5 };

    guard_ctl_init(&c, &t);
    guard_ctl_update(&c, &m);
    assert_int_equal(c.verdict, GUARD_BACKING_OFF);
    assert_non_null(strstr(c.why, "cgroup memory stall 5000 us/s, target 1000"));
    guard_ctl_update(&c, &none);
    assert_int_equal(c.verdict, GUARD_HOLDING);
    assert_true(c.share == 0.5);
}

static void test_window(void **state)
{
    struct guard_window w = { 0 };
    struct guard_measured m;
    /* two processes over 10 s: 256 and 0 major faults, 100 MiB resident in all */
    struct guard_counters a0 = { .t_ns = 1000000000ull, .majflt = 10, .psi_known = true,
                                 .psi_some_us = 100 };
    struct guard_counters a1 = { .t_ns = 11000000000ull, .majflt = 266, .rss_kb = 51200,
                                 .psi_known = true, .psi_some_us = 20100,
                                 .bytes_out = 20 << 20 };
    struct guard_counters b0 = { .t_ns = 1000000000ull, .majflt = 5, .psi_known = true };
    struct guard_counters b1 = { .t_ns = 6000000000ull, .majflt = 5, .rss_kb = 51200,
                                 .psi_known = true, .psi_some_us = 50000 };

    guard_window_add(&w, &a0, &a1);
    guard_window_add(&w, &b0, &b1);
    guard_window_add(&w, &a1, &a0);   /* time going backwards: ignored */
    guard_window_measure(&w, &m);
    assert_int_equal(w.procs, 2);
    assert_true(m.secs == 10);
    assert_true(m.refault_known);
    /* 256 pages of 25600 in 10 s: 1 % per 10 s, 6 %/min */
    assert_true(m.refault_pct > 5.99 && m.refault_pct < 6.01);
    assert_true(m.psi_known);
    assert_true(m.psi_us > 9999 && m.psi_us < 10001);  /* the worse of 2000 and 10000 */
    assert_true(m.out_mib_s > 1.99 && m.out_mib_s < 2.01);
}

/* A burst of refaults in one 2 s cycle counts against the minute's target for a minute,
 * not for one cycle; pressure is the last cycle's. */
static void test_history(void **state)
{
    struct guard_history h = { 0 };
    struct guard_measured m;
    /* 25600 resident pages; 256 refaults in the first window, none after */
    struct guard_window burst = { .secs = 2, .refaults = 256, .rss_kb = 102400, .procs = 1,
                                  .psi_known = true, .psi_us_per_s = 5000 };
    struct guard_window quiet = { .secs = 2, .rss_kb = 102400, .procs = 1, .psi_known = true,
                                  .psi_us_per_s = 10 };

    guard_history_measure(&h, &m);
    assert_false(m.refault_known);
    guard_history_push(&h, &burst);
    guard_history_measure(&h, &m);
    /* 1 % in 2 s: 30 %/min */
    assert_true(m.refault_pct > 29.9 && m.refault_pct < 30.1);
    assert_true(m.psi_us == 5000);
    for (int i = 0; i < 14; i++)
        guard_history_push(&h, &quiet);
    guard_history_measure(&h, &m);
    /* 1 % in 30 s: 2 %/min */
    assert_true(m.refault_pct > 1.99 && m.refault_pct < 2.01);
    assert_true(m.psi_us == 10);
    for (int i = 0; i < 16; i++)
        guard_history_push(&h, &quiet);
    guard_history_measure(&h, &m);
    /* the burst is a minute old: out of the window */
    assert_true(m.refault_pct == 0);
    for (int i = 0; i < 100; i++)
        guard_history_push(&h, &burst);   /* the ring wraps */
    guard_history_measure(&h, &m);
    assert_true(m.refault_pct > 29.9 && m.refault_pct < 30.1);
}

static void test_pages_comebacks_and_holds(void **state)
{
    struct guard_pages g;

    guard_pages_init(&g);
    guard_pages_next_cycle(&g);                         /* cycle 1 */
    guard_pages_sent(&g, 0x10000, 4 * PS, PS);
    guard_pages_sent(&g, 0x1000, PS, PS);               /* out of order */
    assert_false(guard_pages_held(&g, 0x10000));
    guard_pages_next_cycle(&g);                         /* cycle 2 */
    assert_int_equal(g.n, 5);
    /* two of them back: counted and held; the others still out */
    assert_int_equal(guard_pages_seen(&g, 0x10000, 0x10000 + 2 * PS, true, PS), 2);
    assert_int_equal(guard_pages_seen(&g, 0x12000, 0x14000, false, PS), 0);
    assert_int_equal(g.comebacks_cycle, 2);
    assert_true(guard_pages_held(&g, 0x10000));
    assert_true(guard_pages_held(&g, 0x11000));
    assert_false(guard_pages_held(&g, 0x12000));
    assert_int_equal(guard_pages_held_count(&g), 2);
    /* seen again while resident: not a second comeback */
    guard_pages_next_cycle(&g);                         /* cycle 3 */
    assert_int_equal(guard_pages_seen(&g, 0x10000, 0x12000, true, PS), 0);
    /* held GUARD_HOLD_BASE cycles from its comeback, then free again */
    for (int i = 0; i < GUARD_HOLD_BASE - 2; i++)
        guard_pages_next_cycle(&g);
    assert_true(guard_pages_held(&g, 0x10000));
    guard_pages_next_cycle(&g);
    assert_false(guard_pages_held(&g, 0x10000));
    /* sent again and back again: held twice as long */
    guard_pages_sent(&g, 0x10000, PS, PS);
    guard_pages_next_cycle(&g);
    assert_int_equal(g.n, 5);                           /* the same page, not a new one */
    assert_int_equal(guard_pages_seen(&g, 0x10000, 0x11000, true, PS), 1);
    for (int i = 0; i < 2 * GUARD_HOLD_BASE - 1; i++)
        guard_pages_next_cycle(&g);
    assert_true(guard_pages_held(&g, 0x10000));
    guard_pages_next_cycle(&g);
    assert_false(guard_pages_held(&g, 0x10000));
    guard_pages_free(&g);
}

static void test_pages_recall(void **state)
{
    struct guard_pages g;
    struct page_range *r;
    const uint64_t span = GUARD_RECALL_SPAN, a = 4 * span, b = 8 * span;
    const uint64_t span_pages = span / PS;

    (void)state;
    guard_pages_init(&g);
    guard_pages_next_cycle(&g);
    guard_pages_sent(&g, a, span, PS);              /* a whole span out */
    guard_pages_sent(&g, b, span, PS);              /* and another */
    guard_pages_next_cycle(&g);
    /* nothing back: nothing to recall */
    assert_int_equal(guard_pages_recall(&g, PS, &r), 0);
    free(r);
    /* span a: its first quarter read again (a sequential reader), span b: 3 pages (a few
     * objects of many): only a's rest comes back, in one range */
    guard_pages_seen(&g, a, a + span / 4, true, PS);
    guard_pages_seen(&g, b + 16 * PS, b + 19 * PS, true, PS);
    assert_int_equal(guard_pages_recall(&g, PS, &r), 1);
    assert_int_equal(r[0].start, a + span / 4);
    assert_int_equal(r[0].len, span - span / 4);
    free(r);
    /* the next cycle: what came back then is judged, not what came back before */
    guard_pages_next_cycle(&g);
    assert_int_equal(guard_pages_recall(&g, PS, &r), 0);
    free(r);
    /* scattered comebacks in a span count together; a span with its pages split by a
     * page never sent is still one span, and the ranges skip the pages already in */
    guard_pages_seen(&g, b, b + 16 * PS, true, PS);
    for (uint64_t p = 32; p < span_pages; p += 4)
        guard_pages_seen(&g, b + p * PS, b + (p + 1) * PS, true, PS);
    assert_int_equal(guard_pages_recall(&g, PS, &r), (span_pages - 32) / 4 + 1);
    assert_int_equal(r[0].start, b + 19 * PS);       /* after the pages back the cycle before */
    assert_int_equal(r[0].len, 13 * PS);
    assert_int_equal(r[1].start, b + 33 * PS);
    assert_int_equal(r[1].len, 3 * PS);
    free(r);
    guard_pages_free(&g);
}

struct collected {
    uint64_t s[8], e[8];
    int n;
};

static void collect(void *arg, uint64_t s, uint64_t e, unsigned age)
{
    (void)age;
    struct collected *c = arg;

    c->s[c->n] = s;
    c->e[c->n++] = e;
}

static void test_ages(void **state)
{
    struct guard_ages a;
    struct collected c = { 0 };

    guard_ages_init(&a);
    guard_ages_cold(&a, 0x1000, 0x9000);
    guard_ages_commit(&a);
    /* second cycle: [0x3000, 0x5000) and [0x8000, 0xa000) cold */
    guard_ages_cold(&a, 0x3000, 0x5000);
    guard_ages_cold(&a, 0x8000, 0xa000);
    guard_ages_commit(&a);
    guard_ages_old_enough(&a, 0, UINT64_MAX, 2, collect, &c);
    assert_int_equal(c.n, 2);
    assert_true(c.s[0] == 0x3000 && c.e[0] == 0x5000);
    assert_true(c.s[1] == 0x8000 && c.e[1] == 0x9000);
    memset(&c, 0, sizeof(c));
    guard_ages_old_enough(&a, 0x4000, 0x9800, 1, collect, &c);
    assert_int_equal(c.n, 3);
    assert_true(c.s[0] == 0x4000 && c.e[0] == 0x5000);
    assert_true(c.s[2] == 0x9000 && c.e[2] == 0x9800);
    /* a gap resets the age */
    guard_ages_commit(&a);
    guard_ages_cold(&a, 0x3000, 0x5000);
    guard_ages_commit(&a);
    memset(&c, 0, sizeof(c));
    guard_ages_old_enough(&a, 0, UINT64_MAX, 2, collect, &c);
    assert_int_equal(c.n, 0);
    guard_ages_free(&a);
}

static void test_envelope_swap_full(void **state)
{
    struct guard_envelope e;
    struct guard_envelope_conf conf = { .swap_full_pct = 90, .zram_min_gain_pct = 10,
                                        .hold_cycles = 3 };
    struct swap_area areas[2] = {
        { .name = "/swapfile", .size_kb = 1000, .used_kb = 950, .priority = -2, .zram = -1 },
        { .name = "/dev/sdb", .size_kb = 1000, .used_kb = 840, .priority = -3, .zram = -1 },
    };
    struct zram_mm_stat mm[2] = { 0 };
    char why[256] = "";

    guard_envelope_init(&e, &conf);
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)), GUARD_GO);
    areas[1].used_kb = 860;
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)),
                     GUARD_STOP_SWAP_FULL);
    assert_non_null(strstr(why, "swap is 90% full"));
    assert_non_null(strstr(why, "guard_swap_full 90%"));
    /* no swap at all: nothing to stop */
    assert_int_equal(guard_envelope_decide(&e, areas, 0, mm, why, sizeof(why)), GUARD_GO);
}

static void test_envelope_poor_compression(void **state)
{
    struct guard_envelope e;
    struct guard_envelope_conf conf = { .swap_full_pct = 95, .zram_min_gain_pct = 10,
                                        .hold_cycles = 2 };
    struct swap_area areas[2] = {
        { .name = "/dev/zram0", .size_kb = 1 << 22, .used_kb = 0, .priority = 100, .zram = 0 },
        { .name = "/swapfile", .size_kb = 1 << 22, .used_kb = 0, .priority = -2, .zram = -1 },
    };
    struct zram_mm_stat mm[2] = { 0 };
    char why[256] = "";

    guard_envelope_init(&e, &conf);
    /* the first look takes the baseline only: what the device held before (here random
     * bytes of someone else's, 64 MiB in 63 MiB) is not this task's doing */
    mm[0] = (struct zram_mm_stat){ .orig_data_size = 64 << 20, .mem_used_total = 63 << 20 };
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)), GUARD_GO);
    assert_int_equal(e.zram, 0);
    /* well compressed: 64 MiB more, held in 20 MiB */
    mm[0].orig_data_size += 64 << 20;
    mm[0].mem_used_total += 20 << 20;
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)), GUARD_GO);
    /* then 32 MiB of random bytes arrive and take 31 MiB */
    mm[0].orig_data_size += 32 << 20;
    mm[0].mem_used_total += 31 << 20;
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)),
                     GUARD_STOP_POOR_COMPRESSION);
    assert_non_null(strstr(why, "zram0 took 32.0 MiB and its memory grew 31.0 MiB (3% saved"));
    /* held hold_cycles, then one cycle probes again */
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)),
                     GUARD_STOP_POOR_COMPRESSION);
    assert_non_null(strstr(why, "(3% saved"));
    assert_non_null(strstr(why, "held for more cycles"));
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)),
                     GUARD_STOP_POOR_COMPRESSION);
    /* nothing new arrived: not judged (the device as a whole, 160 MiB in 114 MiB, would
     * pass anyway; what counts is what arrives) */
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)), GUARD_GO);
    /* under 1 MiB arriving says nothing either, however poorly it compressed */
    mm[0].orig_data_size += 512 << 10;
    mm[0].mem_used_total += 512 << 10;
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)), GUARD_GO);
    /* 32 MiB of random bytes arrive, but the caller sent only 16 MiB of them: half
     * someone else's, not judged; had it sent 30 MiB, judged */
    e.own_bytes = 16 << 20;
    mm[0].orig_data_size += 32 << 20;
    mm[0].mem_used_total += 31 << 20;
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)), GUARD_GO);
    assert_int_equal(e.unjudged_shared, 1);
    e.own_bytes = 30 << 20;
    mm[0].orig_data_size += 32 << 20;
    mm[0].mem_used_total += 31 << 20;
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)),
                     GUARD_STOP_POOR_COMPRESSION);
    e.hold = 0;
    e.own_bytes = UINT64_MAX;
    /* zram full: the disk behind it is what the kernel fills, not judged */
    areas[0].used_kb = areas[0].size_kb;
    mm[0].orig_data_size += 32 << 20;
    mm[0].mem_used_total += 32 << 20;
    assert_int_equal(guard_envelope_decide(&e, areas, 2, mm, why, sizeof(why)), GUARD_GO);
    assert_int_equal(e.zram, -1);
    /* gain arithmetic: memory given back counts as gain */
    struct zram_mm_stat b = { .orig_data_size = 10 << 20, .mem_used_total = 8 << 20 };
    struct zram_mm_stat a = { .orig_data_size = 12 << 20, .mem_used_total = 7 << 20 };
    struct zram_gain g = zram_gain_between(&b, &a);
    assert_true(g.known && g.gain > 1.49 && g.gain < 1.51);
}

static void test_floor(void **state)
{
    assert_int_equal(guard_floor_budget(100, 0), UINT64_MAX);
    assert_int_equal(guard_floor_budget(100, 60), 40);
    assert_int_equal(guard_floor_budget(50, 60), 0);
}

static uint64_t ranges_pages(const struct page_range *r, size_t n)
{
    uint64_t pages = 0;

    for (size_t i = 0; i < n; i++)
        pages += r[i].len / PS;
    return pages;
}

/* One process through cycles: cold pages go, those that come back are left alone; when
 * the controller backs off, only the longest-cold pages go, fewer of them. */
static void test_proc_select(void **state)
{
    struct guard_conf conf = { .t = { .refault_pct = 0.2 } };
    struct guard_task gt;
    struct guard_proc gp;
    struct heat_map *hm = heat_map_new_ps(PS);
    struct page_range cold = { 0x100000, 64 * PS }, *out = NULL;
    struct guard_measured over = refaults(1.0);
    size_t n;

    guard_task_init(&gt, &conf);
    guard_proc_init(&gp);
    /* cycle 1: 64 cold resident pages, all go */
    heat_map_add(hm, cold.start, cold.len, HEAT_W_IDLE, HEAT_PRESENT);
    guard_proc_observe(&gp, hm, 1);
    n = guard_proc_select(&gp, &gt, &cold, 1, PS, &out);
    assert_int_equal(ranges_pages(out, n), 64);
    for (size_t i = 0; i < n; i++)   /* as guard_proc_sent does for pages that left */
        guard_pages_sent(&gp.pages, out[i].start, out[i].len, PS);
    free(out);
    /* cycle 2: the first 8 came back (read again): cold again, but held */
    heat_map_clear(hm);
    heat_map_add(hm, cold.start, 8 * PS, HEAT_W_IDLE, HEAT_PRESENT);
    heat_map_add(hm, cold.start + 8 * PS, 56 * PS, HEAT_W_IDLE, HEAT_SWAPPED);
    guard_proc_observe(&gp, hm, 1);
    assert_int_equal(gp.pages.comebacks_cycle, 8);
    struct page_range back = { cold.start, 8 * PS };
    n = guard_proc_select(&gp, &gt, &back, 1, PS, &out);
    assert_int_equal(ranges_pages(out, n), 0);
    free(out);
    guard_task_add(&gt, &gp);
    assert_int_equal(gt.held, 8);
    assert_int_equal(gt.comebacks, 8);
    /* the controller backs off twice: share 1/4, pages must be cold 5 cycles in a row */
    guard_ctl_update(&gt.ctl, &over);
    guard_ctl_update(&gt.ctl, &over);
    assert_int_equal(gt.ctl.cold_cycles, 5);
    /* 32 fresh cold pages seen cold for 5 cycles, 32 for 1 */
    struct page_range fresh = { 0x200000, 64 * PS };
    for (int c = 0; c < 5; c++) {
        heat_map_clear(hm);
        heat_map_add(hm, fresh.start + (c == 4 ? 0 : 32 * PS), c == 4 ? 64 * PS : 32 * PS,
                     HEAT_W_IDLE, HEAT_PRESENT);
        guard_proc_observe(&gp, hm, 1);
    }
    n = guard_proc_select(&gp, &gt, &fresh, 1, PS, &out);
    /* eligible: the 32 cold for 3 cycles; the quota a quarter of them */
    assert_int_equal(ranges_pages(out, n), 8);
    assert_true(out[0].start >= fresh.start + 32 * PS);
    free(out);
    /* a cgroup floor leaves 2 pages' worth */
    gp.floor_budget = 2 * PS;
    n = guard_proc_select(&gp, &gt, &fresh, 1, PS, &out);
    assert_int_equal(ranges_pages(out, n), 2);
    free(out);
    guard_proc_free(&gp);
    heat_map_free(hm);
}

/* Without targets the guard changes nothing but the floor. */
static void test_proc_select_off(void **state)
{
    struct guard_conf conf = { 0 };
    struct guard_task gt;
    struct guard_proc gp;
    struct page_range in[2] = { { 0x1000, 4 * PS }, { 0x9000, 2 * PS } }, *out;
    size_t n;

    guard_task_init(&gt, &conf);
    guard_proc_init(&gp);
    n = guard_proc_select(&gp, &gt, in, 2, PS, &out);
    assert_int_equal(n, 2);
    assert_true(out[0].start == 0x1000 && out[0].len == 4 * PS);
    assert_true(out[1].start == 0x9000 && out[1].len == 2 * PS);
    free(out);
    guard_proc_free(&gp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctl_off),
        cmocka_unit_test(test_ctl_backs_off_fast_creeps_back_slowly),
        cmocka_unit_test(test_ctl_psi_and_unknown),
        cmocka_unit_test(test_ctl_why_names_probes),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_pages_comebacks_and_holds),
        cmocka_unit_test(test_pages_recall),
        cmocka_unit_test(test_ages),
        cmocka_unit_test(test_envelope_swap_full),
        cmocka_unit_test(test_envelope_poor_compression),
        cmocka_unit_test(test_floor),
        cmocka_unit_test(test_proc_select),
        cmocka_unit_test(test_proc_select_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
