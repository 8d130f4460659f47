/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_idle_decode.c - the openEuler idle_pages record decoder on hand-built streams:
 * every record type, huge units, holes, misaligned and truncated/corrupt input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "idle_decode.h"

#define PS 4096ull
#define PMD (2ull << 20)
#define PUD (1ull << 30)

struct got {
    struct idle_run r[64];
    size_t n;
};

static void collect(void *arg, const struct idle_run *run)
{
    struct got *g = arg;
    if (g->n < 64)
        g->r[g->n++] = *run;
}

static size_t put_addr(uint8_t *b, uint64_t a)
{
    b[0] = 0xA0;
    for (int i = 0; i < 8; i++)
        b[1 + i] = (uint8_t)(a >> (56 - 8 * i));
    return 9;
}

static int decode(const uint8_t *b, size_t n, struct got *g, struct idle_decoder *d,
                  size_t *used)
{
    memset(g, 0, sizeof(*g));
    idle_decoder_init(d, (long)PS);
    return idle_decode(d, b, n, collect, g, used);
}

static void test_unit_sizes(void **state)
{
    struct idle_decoder d;
    idle_decoder_init(&d, 4096);
    assert_int_equal(d.unit_size[IDLE_UNIT_PTE], PS);
    assert_int_equal(d.unit_size[IDLE_UNIT_PMD], PMD);
    assert_int_equal(d.unit_size[IDLE_UNIT_PUD], PUD);
    idle_decoder_init(&d, 65536); /* 64 KiB pages: 512 MiB PMD, 4 TiB PUD */
    assert_int_equal(d.unit_size[IDLE_UNIT_PMD], 512ull << 20);
    assert_int_equal(d.unit_size[IDLE_UNIT_PUD], 4ull << 40);
}

static void test_every_type(void **state)
{
    uint8_t b[64];
    size_t n = put_addr(b, 0x40000000); /* 1 GiB aligned, so every unit is aligned */
    static const struct {
        uint8_t byte;
        enum idle_type type;
        uint64_t len;
        unsigned weight;
        bool hole, huge;
    } want[] = {
        { 0x02, IDLE_PTE_ACCESS, 2 * PS, 1, false, false },
        { 0x31, IDLE_PTE_DIRTY, PS, 3, false, false },
        { 0x51, IDLE_PTE_IDLE, PS, 0, false, false },
        { 0x84, IDLE_PTE_HOLE, 4 * PS, 0, true, false },
        /* cursor now 0x40008000: PMD records need 2 MiB alignment, so reset */
    };
    for (size_t i = 0; i < 4; i++)
        b[n++] = want[i].byte;
    struct got g;
    struct idle_decoder d;
    size_t used;
    assert_int_equal(decode(b, n, &g, &d, &used), 0);
    assert_int_equal(used, n);
    assert_int_equal(g.n, 4);
    uint64_t a = 0x40000000;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(g.r[i].addr, a);
        assert_int_equal(g.r[i].type, want[i].type);
        assert_int_equal(g.r[i].len, want[i].len);
        assert_int_equal(g.r[i].weight, want[i].weight);
        assert_int_equal(g.r[i].hole, want[i].hole);
        a += want[i].len;
    }
    assert_int_equal(d.cursor, a);
}

static void test_huge_types(void **state)
{
    uint8_t b[64];
    size_t n = put_addr(b, 0x40000000);
    b[n++] = 0x11; /* PMD_ACCESS x1 */
    b[n++] = 0x41; /* PMD_DIRTY x1 */
    b[n++] = 0x61; /* PMD_IDLE x1 */
    b[n++] = 0x72; /* PMD_IDLE_PTES x2: idle base pages, not a huge unit */
    b[n++] = 0x91; /* PMD_HOLE */
    n += put_addr(b + n, 0x80000000);
    b[n++] = 0x21; /* PUD_PRESENT */
    struct got g;
    struct idle_decoder d;
    size_t used;
    assert_int_equal(decode(b, n, &g, &d, &used), 0);
    assert_int_equal(g.n, 6);
    assert_int_equal(g.r[0].type, IDLE_PMD_ACCESS);
    assert_true(g.r[0].huge);
    assert_int_equal(g.r[0].weight, 1);
    assert_int_equal(g.r[1].weight, 3);
    assert_int_equal(g.r[1].addr, 0x40000000 + PMD);
    assert_int_equal(g.r[2].weight, 0);
    assert_int_equal(g.r[3].type, IDLE_PMD_IDLE_PTES);
    assert_int_equal(g.r[3].len, 2 * PMD);
    assert_false(g.r[3].huge);
    assert_true(g.r[4].hole);
    assert_int_equal(g.r[5].type, IDLE_PUD_PRESENT);
    assert_int_equal(g.r[5].addr, 0x80000000);
    assert_int_equal(g.r[5].len, PUD);
    assert_true(g.r[5].huge);
}

static void test_misaligned_skipped(void **state)
{
    uint8_t b[32];
    size_t n = put_addr(b, 0x40001000); /* not 2 MiB aligned */
    b[n++] = 0x11;                      /* PMD_ACCESS: skipped, counted */
    b[n++] = 0x01;                      /* a PTE after it still decodes */
    struct got g;
    struct idle_decoder d;
    size_t used;
    assert_int_equal(decode(b, n, &g, &d, &used), 0);
    assert_int_equal(d.misaligned, 1);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.r[0].addr, 0x40001000 + PMD);
}

static void test_zero_count_and_max_count(void **state)
{
    uint8_t b[32];
    size_t n = put_addr(b, 0x40000000);
    b[n++] = 0x00; /* nr 0: nothing */
    b[n++] = 0x0f; /* 15 pages */
    struct got g;
    struct idle_decoder d;
    size_t used;
    assert_int_equal(decode(b, n, &g, &d, &used), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.r[0].len, 15 * PS);
}

static void test_record_before_address(void **state)
{
    uint8_t b[] = { 0x01, 0xA0 };
    struct got g;
    struct idle_decoder d;
    size_t used = 99;
    assert_int_equal(decode(b, sizeof(b), &g, &d, &used), -EBADMSG);
    assert_int_equal(used, 0);
    assert_int_equal(g.n, 0);
}

static void test_unknown_type(void **state)
{
    uint8_t b[16];
    size_t n = put_addr(b, 0x1000);
    b[n++] = 0xB1; /* type 11 */
    struct got g;
    struct idle_decoder d;
    size_t used;
    assert_int_equal(decode(b, n, &g, &d, &used), -EBADMSG);
    assert_int_equal(used, 9);
    b[9] = 0xA1; /* type 10 with nr != 0 is not the address command either */
    assert_int_equal(decode(b, n, &g, &d, &used), -EBADMSG);
}

static void test_truncated_address_resumes(void **state)
{
    uint8_t b[32];
    size_t n = put_addr(b, 0x40000000);
    b[n++] = 0x01;
    n += put_addr(b + n, 0x50000000);
    b[n++] = 0x02;
    struct got g;
    struct idle_decoder d;
    size_t used;
    /* cut inside the second address: decoding stops before it, nothing lost */
    assert_int_equal(decode(b, 14, &g, &d, &used), 0);
    assert_int_equal(used, 10);
    assert_int_equal(g.n, 1);
    assert_int_equal(idle_decode(&d, b + used, n - used, collect, &g, &used), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.r[1].addr, 0x50000000);
    assert_int_equal(g.r[1].len, 2 * PS);
}

static void test_garbage_never_crashes(void **state)
{
    uint8_t b[4096];
    uint32_t x = 12345;
    struct got g;
    struct idle_decoder d;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof(b); i++) {
            x = x * 1103515245u + 12345u;
            b[i] = (uint8_t)(x >> 16);
        }
        b[0] = 0xA0;
        size_t used;
        int rc = decode(b, sizeof(b), &g, &d, &used);
        assert_true(rc == 0 || rc == -EBADMSG);
        assert_true(used <= sizeof(b));
    }
}

static void test_type_names(void **state)
{
    assert_string_equal(idle_type_name(IDLE_PMD_IDLE_PTES), "PMD_IDLE_PTES");
    assert_string_equal(idle_type_name(IDLE_CMD), "CMD");
    assert_string_equal(idle_type_name((enum idle_type)15), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_sizes),
        cmocka_unit_test(test_every_type),
        cmocka_unit_test(test_huge_types),
        cmocka_unit_test(test_misaligned_skipped),
        cmocka_unit_test(test_zero_count_and_max_count),
        cmocka_unit_test(test_record_before_address),
        cmocka_unit_test(test_unknown_type),
        cmocka_unit_test(test_truncated_address_resumes),
        cmocka_unit_test(test_garbage_never_crashes),
        cmocka_unit_test(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
