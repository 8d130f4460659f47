/* SPDX-License-Identifier: MulanPSL-2.0 */
/* guard_envelope.c - the stops that are always on, whatever the task's targets:
 *   - swap nearly full: the kernel's own reclaim needs room too, and a full swap turns
 *     every later swap-out into an error;
 *   - compressed swap that gains almost nothing: when the area the kernel fills first is
 *     zram and what arrived there in the last cycle took nearly as much RAM as it held
 *     (mem_used_total against orig_data_size, from mm_stat), swapping out only costs;
 *     judged only when at least 9/10 of what arrived was the caller's own (own_bytes),
 *     so that other processes' data neither stops it nor hides what it sends; the stop holds hold_cycles, then one
 *     cycle probes again;
 *   - a cgroup's protection floor (memory.min/memory.low): guard_floor_budget().
 * Each stop comes with a sentence saying what was measured against what. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "guard.h"

#define ZRAM_JUDGE_MIN_BYTES (1u << 20) /* less arriving in a cycle says nothing */

void guard_envelope_init(struct guard_envelope *e, const struct guard_envelope_conf *conf)
{
    memset(e, 0, sizeof(*e));
    e->conf = *conf;
    e->own_bytes = UINT64_MAX;
    e->zram = -1;
}

struct zram_gain zram_gain_between(const struct zram_mm_stat *before,
                                   const struct zram_mm_stat *after)
{
    struct zram_gain g = { 0 };

    if (after->orig_data_size > before->orig_data_size)
        g.in_bytes = after->orig_data_size - before->orig_data_size;
    g.used_bytes = (int64_t)after->mem_used_total - (int64_t)before->mem_used_total;
    /* Less than that arriving is not judged: what the device held before (other
     * processes' data, earlier runs) says nothing about what this task sends now. */
    if (g.in_bytes >= ZRAM_JUDGE_MIN_BYTES) {
        g.gain = 1.0 - (double)g.used_bytes / (double)g.in_bytes;
        g.known = true;
    }
    return g;
}

/* The area swap-outs go to: the highest priority one with room (the kernel's order). */
static const struct swap_area *first_with_room(const struct swap_area *areas, size_t n,
                                               size_t *idx)
{
    const struct swap_area *best = NULL;

    for (size_t i = 0; i < n; i++) {
        if (areas[i].used_kb >= areas[i].size_kb)
            continue;
        if (best == NULL || areas[i].priority > best->priority) {
            best = &areas[i];
            *idx = i;
        }
    }
    return best;
}

static enum guard_stop decide_swap_full(const struct guard_envelope *e,
                                        const struct swap_area *areas, size_t n, char *why,
                                        size_t len)
{
    uint64_t size = 0, used = 0;

    for (size_t i = 0; i < n; i++) {
        size += areas[i].size_kb;
        used += areas[i].used_kb;
    }
    if (e->conf.swap_full_pct == 0 || size == 0 ||
        used * 100 < size * (uint64_t)e->conf.swap_full_pct)
        return GUARD_GO;
    snprintf(why, len, "swap-out stopped: swap is %" PRIu64 "%% full (%" PRIu64 " of %" PRIu64
             " MiB), at or above guard_swap_full %u%%", used * 100 / size, used >> 10,
             size >> 10, e->conf.swap_full_pct);
    return GUARD_STOP_SWAP_FULL;
}

enum guard_stop guard_envelope_decide(struct guard_envelope *e, const struct swap_area *areas,
                                      size_t n, const struct zram_mm_stat *mm, char *why,
                                      size_t len)
{
    enum guard_stop stop = decide_swap_full(e, areas, n, why, len);
    size_t idx = 0;
    const struct swap_area *a = first_with_room(areas, n, &idx);
    int z = a != NULL ? a->zram : -1;
    struct zram_gain g;

    e->zram = z;
    if (z < 0 || z >= GUARD_ZRAM_MAX) {
        e->hold = 0;
        return stop;
    }
    e->zram_now = mm[idx];
    /* the first look only takes the baseline */
    g = e->have_last[z] ? zram_gain_between(&e->last[z], &mm[idx]) : (struct zram_gain){ 0 };
    e->last[z] = mm[idx];
    e->have_last[z] = true;
    if (stop != GUARD_GO)
        return stop;
    if (e->hold > 0) {
        e->hold--;
        snprintf(why, len, "%s; %s", e->stop_why, e->hold ? "held for more cycles" :
                 "trying again next cycle");
        return GUARD_STOP_POOR_COMPRESSION;
    }
    if (e->conf.zram_min_gain_pct == 0 || !g.known)
        return GUARD_GO;
    if (e->own_bytes != UINT64_MAX && e->own_bytes < g.in_bytes / 10 * 9) {
        e->unjudged_shared++;
        return GUARD_GO;
    }
    e->judged++;
    if (g.gain * 100.0 >= (double)e->conf.zram_min_gain_pct)
        return GUARD_GO;
    e->hold = e->conf.hold_cycles;
    snprintf(e->stop_why, sizeof(e->stop_why), "swap-out stopped: zram%d took %.1f MiB "
             "and its memory grew %.1f MiB (%.0f%% saved, below guard_zram_min_gain %u%%)",
             z, (double)g.in_bytes / 1048576.0, (double)g.used_bytes / 1048576.0,
             g.gain * 100.0, e->conf.zram_min_gain_pct);
    snprintf(why, len, "%s", e->stop_why);
    return GUARD_STOP_POOR_COMPRESSION;
}

enum guard_stop guard_envelope_check(struct guard_envelope *e, char *why, size_t len)
{
    struct swap_area areas[GUARD_ZRAM_MAX];
    struct zram_mm_stat mm[GUARD_ZRAM_MAX];
    size_t n = 0;

    if (swaps_read(areas, GUARD_ZRAM_MAX, &n) < 0)
        return GUARD_GO;   /* no /proc/swaps: no swap to protect */
    if (n > GUARD_ZRAM_MAX)
        n = GUARD_ZRAM_MAX;
    memset(mm, 0, sizeof(mm));
    for (size_t i = 0; i < n; i++)
        if (areas[i].zram >= 0 && zram_read_mm_stat(areas[i].zram, &mm[i]) < 0)
            areas[i].zram = -1;   /* unreadable: not judged */
    return guard_envelope_decide(e, areas, n, mm, why, len);
}

uint64_t guard_floor_budget(uint64_t current, uint64_t floor)
{
    if (floor == 0)
        return UINT64_MAX;
    return current > floor ? current - floor : 0;
}
