/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_folio_heads.c - tails of large folios map to their heads, on a fixture of
 * kpageflags words: an mTHP of 4 pages, a THP of 512 whose pages are mapped from the
 * middle (its head below the run), order-0 pages, a lone tail, and a reader that fails. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "folio_heads.h"
#include "sys_compat.h"

#define NPFN 4096
#define HEAD (1ull << KPF_COMPOUND_HEAD)
#define TAIL (1ull << KPF_COMPOUND_TAIL)
#define THP (1ull << KPF_THP)

static uint64_t kpf[NPFN];
static int reads;

static int fixture_read(void *arg, uint64_t pfn, size_t n, uint64_t *flags)
{
    reads++;
    if (arg != NULL)
        return -EIO;
    if (pfn + n > NPFN)
        return -EINVAL;
    memcpy(flags, &kpf[pfn], n * sizeof(*flags));
    return 0;
}

static void folio(uint64_t head, size_t pages, uint64_t extra)
{
    kpf[head] = HEAD | extra;
    for (size_t i = 1; i < pages; i++)
        kpf[head + i] = TAIL | extra;
}

static void test_heads(void **state)
{
    memset(kpf, 0, sizeof(kpf));
    folio(100, 4, 0);           /* mTHP, order 2 */
    folio(1024, 512, THP);      /* a THP at PFN 1024 */
    /* in VA order: two order-0 pages, the mTHP, a page, the THP's pages 300..303 (mapped
     * from the middle: its head is not in the run), one more, and a lone tail */
    const uint64_t pfn[] = { 7, 9, 100, 101, 102, 103, 50, 1324, 1325, 1326, 1327, 60, 1400 };
    const uint64_t want[] = { 7, 9, 100, 100, 100, 100, 50, 1024, 1024, 1024, 1024, 60, 1400 };
    const size_t n = sizeof(pfn) / sizeof(pfn[0]);
    uint64_t head[sizeof(pfn) / sizeof(pfn[0])];

    reads = 0;
    assert_int_equal(folio_heads(pfn, n, fixture_read, NULL, head), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(head[i], want[i]);
    /* runs of one page are not looked up: the mTHP run, the THP run and its look back */
    assert_int_equal(reads, 3);
}

static void test_run_across_a_read(void **state)
{
    uint64_t pfn[1024], head[1024];

    memset(kpf, 0, sizeof(kpf));
    folio(2048, 512, THP);
    folio(2560, 512, THP);
    for (size_t i = 0; i < 1024; i++)
        pfn[i] = 2048 + i;
    assert_int_equal(folio_heads(pfn, 1024, fixture_read, NULL, head), 0);
    for (size_t i = 0; i < 1024; i++)
        assert_int_equal(head[i], i < 512 ? 2048 : 2560);
}

static void test_reader_fails(void **state)
{
    const uint64_t pfn[] = { 100, 101 };
    uint64_t head[2];

    assert_int_equal(folio_heads(pfn, 2, fixture_read, (void *)1, head), -EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heads),
        cmocka_unit_test(test_run_across_a_read),
        cmocka_unit_test(test_reader_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
