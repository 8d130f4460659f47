/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_host_pagemap.c - pagemap presence read through the batched reader matches which
 * pages of our own mapping were touched; PFNs are visible to root; a handle that outlived
 * its target's exec says the target is gone. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
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

static int count_range(void *arg, uint64_t start, uint64_t end, unsigned flags)
{
    (*(size_t *)arg)++;
    return 0;
}

/* A handle opened before the target exec'd names its old, now empty address space: the
 * reader must say the target is gone (-ESRCH), not report nothing populated (PAGEMAP_SCAN
 * walks a dead mm as empty), so that its user opens a new handle. */
static void test_stale_after_exec(void **state)
{
    const uint64_t top = 0x7ffffffff000ull;
    int go[2];
    char b = 'x', comm[32] = "";
    struct pagemap old, fresh;
    size_t ranges = 0;
    pid_t pid;

    assert_int_equal(pipe(go), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(go[1]);
        if (read(go[0], &b, 1) == 1)
            execlp("sleep", "sleep", "30", (char *)NULL);
        _exit(1);
    }
    close(go[0]);
    assert_int_equal(pagemap_open(&old, pid), 0);
    assert_int_equal(pagemap_populated(&old, 0, top, count_range, &ranges), 0);
    assert_true(ranges > 0);
    assert_int_equal(write(go[1], &b, 1), 1);
    for (int i = 0; i < 500 && strcmp(comm, "sleep\n") != 0; i++) {
        char path[64];
        FILE *f;

        usleep(10000);
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        if ((f = fopen(path, "r")) != NULL) {
            if (fgets(comm, sizeof(comm), f) == NULL)
                comm[0] = '\0';
            fclose(f);
        }
    }
    assert_string_equal(comm, "sleep\n");
    ranges = 0;
    assert_int_equal(pagemap_populated(&old, 0, top, count_range, &ranges), -ESRCH);
    assert_int_equal(pagemap_open(&fresh, pid), 0);
    assert_int_equal(pagemap_populated(&fresh, 0, top, count_range, &ranges), 0);
    assert_true(ranges > 0);
    pagemap_close(&fresh);
    pagemap_close(&old);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(go[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presence),
        cmocka_unit_test(test_stale_after_exec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
