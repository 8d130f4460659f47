/* test_host_pagemap.c - pagemap presence read through the batched reader matches which
 * pages of our own mapping were touched; PFNs are visible to root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "pagemap.h"

#define NPAGES 256

struct count {
    size_t present, pages;
    uint64_t first;
};

static int count_batch(void *arg, uint64_t addr, const uint64_t *e, size_t n)
{
    struct count *c = arg;
    if (c->pages == 0)
        c->first = addr;
    for (size_t i = 0; i < n; i++)
        c->present += (e[i] & PM_PRESENT) != 0;
    c->pages += n;
    return 0;
}

static void test_presence(void **state)
{
    long ps = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, NPAGES * (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    madvise(m, NPAGES * (size_t)ps, MADV_NOHUGEPAGE);
    for (int i = 0; i < NPAGES; i += 2)
        m[(size_t)i * (size_t)ps] = 1;

    struct pagemap pm;
    assert_int_equal(pagemap_open(&pm, getpid()), 0);
    uint64_t e[NPAGES];
    assert_int_equal(pagemap_read(&pm, (uint64_t)(uintptr_t)m, NPAGES, e), NPAGES);
    for (int i = 0; i < NPAGES; i++) {
        assert_int_equal((e[i] & PM_PRESENT) != 0, i % 2 == 0);
        if (i % 2 == 0 && geteuid() == 0)
            assert_true((e[i] & PM_PFN_MASK) != 0);
    }
    struct count c = { 0 };
    assert_int_equal(pagemap_walk(&pm, (uint64_t)(uintptr_t)m,
                                  (uint64_t)(uintptr_t)m + NPAGES * (uint64_t)ps, count_batch, &c), 0);
    assert_int_equal(c.pages, NPAGES);
    assert_int_equal(c.present, NPAGES / 2);
    assert_int_equal(c.first, (uint64_t)(uintptr_t)m);
    uint64_t one;
    assert_int_equal(pagemap_entry(&pm, (uint64_t)(uintptr_t)m + (uint64_t)ps, &one), 0);
    assert_int_equal(one & PM_PRESENT, 0);
    assert_true(pm.syscalls >= 3);
    pagemap_close(&pm);
    munmap(m, NPAGES * (size_t)ps);
    assert_int_equal(pagemap_open(&pm, 0x7ffffff0), -ESRCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
