/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_idle.c - libFuzzer harness for the openEuler idle_pages record decoder
 * (src/kernel/idle_decode.c) and the heat map the tracker feeds with its runs.
 * Byte 0 picks the page size (4, 16 or 64 KiB) and how the stream is cut into reads; the
 * rest is the record stream. Besides crashes, leaks and UB it aborts when:
 *   - decoding the stream whole and decoding it read by read (the unconsumed tail fed
 *     again with the next read, as the decoder's contract says) give other runs or errors;
 *   - a run breaks the format: nr 1..15 units of its type's unit size, aligned, with the
 *     type's weight and hole/huge marks;
 *   - a stop is unexplained: an error not at a record before any address or of an unknown
 *     type, or a clean stop short of the end not at a cut 0xA0 address command;
 *   - the heat map built from the runs (as the tracker's idle_emit does) disagrees with
 *     them: pages it tracks, ascending disjoint runs, counts within the saturation limit. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heatmap.h"
#include "idle_decode.h"

#define HEAT_PAGE_BUDGET (1u << 15)  /* pages added to the heat map per input, at most */

struct runs {
    struct idle_run *r;
    size_t n, cap;
};

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz_idle: %s\n", what);
    abort();
}

static void collect(void *arg, const struct idle_run *run)
{
    struct runs *rs = arg;

    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 64;
        rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
        if (rs->r == NULL)
            abort();
    }
    rs->r[rs->n++] = *run;
}

/* The format's rules for one run, from the type alone. */
static void check_run(const struct idle_decoder *d, const struct idle_run *r)
{
    static const unsigned weight[IDLE_CMD] = { 1, 1, 1, 3, 3, 0, 0, 0, 0, 0 };
    static const enum idle_unit unit[IDLE_CMD] = {
        IDLE_UNIT_PTE, IDLE_UNIT_PMD, IDLE_UNIT_PUD, IDLE_UNIT_PTE, IDLE_UNIT_PMD,
        IDLE_UNIT_PTE, IDLE_UNIT_PMD, IDLE_UNIT_PMD, IDLE_UNIT_PTE, IDLE_UNIT_PMD,
    };
    uint64_t size;

    if ((unsigned)r->type >= IDLE_CMD)
        fuzz_fail("a run of an unknown type");
    size = d->unit_size[unit[r->type]];
    if (r->unit != unit[r->type] || r->weight != weight[r->type] ||
        r->hole != (r->type == IDLE_PTE_HOLE || r->type == IDLE_PMD_HOLE))
        fuzz_fail("a run's unit, weight or hole mark is not its type's");
    if (r->huge != (r->type == IDLE_PMD_ACCESS || r->type == IDLE_PUD_PRESENT ||
                    r->type == IDLE_PMD_DIRTY || r->type == IDLE_PMD_IDLE))
        fuzz_fail("a run's huge mark is not its type's");
    if (r->len == 0 || r->len % size != 0 || r->len / size > 15 || r->addr % size != 0)
        fuzz_fail("a run is empty, longer than 15 units or not aligned to its unit");
}

/* Why the decoder stopped at consumed must be visible in the bytes. */
static void check_stop(const uint8_t *buf, size_t len, int rc, size_t consumed)
{
    if (consumed > len)
        fuzz_fail("consumed more than it was given");
    if (rc == -EBADMSG) {
        if (consumed == len || buf[consumed] == IDLE_CMD_SET_HVA)
            fuzz_fail("an error at no bad byte");
        bool addr_before = false;
        for (size_t i = 0; i < consumed;)
            if (buf[i] == IDLE_CMD_SET_HVA)
                addr_before = true, i += 9;
            else
                i++;
        if ((buf[consumed] >> 4) < IDLE_CMD && addr_before)
            fuzz_fail("a valid record after an address refused");
    } else if (rc != 0) {
        fuzz_fail("an error other than -EBADMSG");
    } else if (consumed < len &&
               (buf[consumed] != IDLE_CMD_SET_HVA || len - consumed >= 9)) {
        fuzz_fail("stopped early without a cut address command");
    }
}

static void decode_whole(long ps, const uint8_t *buf, size_t len, struct runs *rs,
                         int *rc, size_t *consumed)
{
    struct idle_decoder d;

    idle_decoder_init(&d, ps);
    *rc = idle_decode(&d, buf, len, collect, rs, consumed);
    check_stop(buf, len, *rc, *consumed);
    for (size_t i = 0; i < rs->n; i++)
        check_run(&d, &rs->r[i]);
}

/* Reads of 1..step bytes; a cut address command is kept and fed again with the next. */
static void decode_reads(long ps, const uint8_t *buf, size_t len, unsigned step,
                         struct runs *rs, int *rc, size_t *consumed)
{
    struct idle_decoder d;
    uint8_t *pending = malloc(len + 1);
    size_t have = 0, fed = 0, base = 0, used = 0;

    if (pending == NULL)
        abort();
    idle_decoder_init(&d, ps);
    *rc = 0;
    while (fed < len) {
        size_t n = 1 + (fed * 7 + 3) % step;

        if (n > len - fed)
            n = len - fed;
        memcpy(pending + have, buf + fed, n);
        have += n;
        fed += n;
        *rc = idle_decode(&d, pending, have, collect, rs, &used);
        if (*rc != 0)
            break;
        memmove(pending, pending + used, have - used);
        base += used;
        have -= used;
    }
    *consumed = base + used;
    if (*rc == 0)
        *consumed = base;
    free(pending);
}

static bool same_runs(const struct runs *a, const struct runs *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const struct idle_run *x = &a->r[i], *y = &b->r[i];

        if (x->addr != y->addr || x->len != y->len || x->type != y->type ||
            x->unit != y->unit || x->weight != y->weight || x->hole != y->hole ||
            x->huge != y->huge)
            return false;
    }
    return true;
}

static int heat_run_check(const struct heat_run *run, void *arg)
{
    uint64_t *prev_end = arg;

    if (run->start < *prev_end || run->end <= run->start || run->count > HEAT_COUNT_MAX ||
        (run->flags & ~(unsigned)HEAT_FLAGS_MASK))
        fuzz_fail("heat map runs not ascending, empty or out of range");
    *prev_end = run->end;
    return 0;
}

/* What the tracker does with the runs: every non-hole page gets its weight. */
static void feed_heat_map(long ps, const struct runs *rs)
{
    struct heat_map *hm = heat_map_new_ps(ps);
    uint64_t budget = HEAT_PAGE_BUDGET, prev_end = 0;

    for (size_t i = 0; i < rs->n; i++) {
        const struct idle_run *r = &rs->r[i];
        uint64_t pages = r->len / (uint64_t)ps;
        unsigned count, flags;

        if (r->hole || pages > budget || r->addr + r->len < r->addr)
            continue;
        budget -= pages;
        heat_map_add(hm, r->addr, r->len, r->weight, HEAT_PRESENT | (r->huge ? HEAT_HUGE : 0));
        if (heat_map_get(hm, r->addr, &count, &flags) != 0 ||
            heat_map_get(hm, r->addr + r->len - 1, &count, &flags) != 0)
            fuzz_fail("a page just added is not tracked");
        if (!(flags & HEAT_PRESENT) || count < r->weight)
            fuzz_fail("a page just added lost its flags or weight");
    }
    if (heat_map_pages(hm) > HEAT_PAGE_BUDGET)
        fuzz_fail("the heat map tracks more pages than were added");
    heat_map_for_each_run(hm, heat_run_check, &prev_end);
    heat_map_free(hm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long page_sizes[] = { 4096, 16384, 65536 };
    struct runs whole = { 0 }, reads = { 0 };
    int rc_whole, rc_reads;
    size_t used_whole, used_reads, len;
    uint8_t *buf;
    long ps;

    if (size == 0)
        return 0;
    ps = page_sizes[data[0] % 3];
    len = size - 1;
    buf = malloc(len ? len : 1);    /* exact size: a read past the end shows */
    if (buf == NULL)
        abort();
    memcpy(buf, data + 1, len);

    decode_whole(ps, buf, len, &whole, &rc_whole, &used_whole);
    decode_reads(ps, buf, len, 1 + data[0] / 3 % 24, &reads, &rc_reads, &used_reads);
    if (rc_whole != rc_reads || !same_runs(&whole, &reads))
        fuzz_fail("decoding read by read differs from decoding the whole stream");
    if (used_whole != used_reads)
        fuzz_fail("read by read, the decoder stops at another byte");
    feed_heat_map(ps, &whole);

    free(whole.r);
    free(reads.r);
    free(buf);
    return 0;
}
