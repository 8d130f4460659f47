/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_swapcache.c - the swap cache watermarks on fixtures: the openEuler ioctl numbers and
 * argument encoding, the ioctls sent per process (watermarks once per process, then
 * RECLAIM_SWAPCACHE_ON at each trigger, nothing below the high watermark), the upstream
 * choice of pages (coldest first, clean before dirty, merged ranges) and the candidates
 * read from a fixture pagemap + kpageflags (only resident, exclusively mapped pages in the
 * swap cache and not under writeback). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "action.h"
#include "heatmap.h"
#include "proc.h"
#include "swapcache.h"
#include "sys_compat.h"

#define PS 4096ull

static void test_ioctl_encoding(void **state)
{
    assert_int_equal(SET_SWAPCACHE_WMARK, 0x40047702);
    assert_int_equal(RECLAIM_SWAPCACHE_ON, 0x40047701);
    assert_int_equal(swapcache_wmark_arg(3, 5), 0x0503);
    assert_int_equal(swapcache_wmark_arg(1, 100), 0x6401);
    assert_int_equal(swapcache_wmark_arg(0, 0), 0);
    /* as the original: each value cut to its byte */
    assert_int_equal(swapcache_wmark_arg(0x1ff, 0x1ff), 0xffff);
}

/* ---- a fixture procfs root ---- */

static char root[64];

static void put_file(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void put_u64(const char *rel, uint64_t index, uint64_t v)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, &v, 8, (off_t)(index * 8)), 8);
    close(fd);
}

static void meminfo(uint64_t total_kb, uint64_t cached_kb)
{
    char text[256];
    snprintf(text, sizeof(text), "MemTotal: %llu kB\nMemFree: 1000 kB\nMemAvailable: 1000 kB\n"
             "SwapCached: %llu kB\nSwapTotal: 1000000 kB\nSwapFree: 900000 kB\n",
             (unsigned long long)total_kb, (unsigned long long)cached_kb);
    put_file("meminfo", text);
}

/* /proc/<pid>/stat with start time FIXTURE_START: the identity actions are bound to */
#define FIXTURE_START 777
static void put_stat(pid_t pid)
{
    char rel[64], text[128];
    snprintf(rel, sizeof(rel), "%d/stat", (int)pid);
    snprintf(text, sizeof(text), "%d (fx) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n",
             (int)pid, FIXTURE_START);
    put_file(rel, text);
}

static int setup(void **state)
{
    char dir[128];
    snprintf(root, sizeof(root), "/tmp/etmem-scfx-XXXXXX");
    assert_non_null(mkdtemp(root));
    for (int pid = 4242; pid <= 4243; pid++) {
        snprintf(dir, sizeof(dir), "%s/%d", root, pid);
        assert_int_equal(mkdir(dir, 0700), 0);
        snprintf(dir, sizeof(dir), "%d/swap_pages", pid);
        put_file(dir, "");
        snprintf(dir, sizeof(dir), "%d/pagemap", pid);
        put_file(dir, "");
        put_stat(pid);
    }
    procfs_set_root(root);
    return 0;
}

static int teardown(void **state)
{
    char cmd[160];
    procfs_set_root(NULL);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* ---- the openEuler ioctls, recorded ---- */

struct call {
    int fd;
    unsigned long cmd;
    unsigned int arg;
};
static struct call calls[16];
static size_t ncalls;

static int record_ioctl(int fd, unsigned long cmd, unsigned int *arg)
{
    if (ncalls < 16)
        calls[ncalls++] = (struct call){ fd, cmd, *arg };
    return 0;
}

static void test_swap_pages_ioctls_per_process(void **state)
{
    struct swapcache_wmark wm = { .low_pct = 1, .high_pct = 3 };
    struct swapcache_result res;
    int err = 0;
    int (*saved)(int, unsigned long, unsigned int *) = swapcache_ioctl;
    swapcache_ioctl = record_ioctl;
    ncalls = 0;
    struct proc_identity ida = { 4242, FIXTURE_START }, idb = { 4243, FIXTURE_START };
    struct reclaimer *a = reclaim_swap_pages_ops.open(&ida, NULL, &err);
    struct reclaimer *b = reclaim_swap_pages_ops.open(&idb, NULL, &err);
    assert_non_null(a);
    assert_non_null(b);

    /* 2 % of RAM in the swap cache: below high, nothing is sent */
    meminfo(1000000, 20000);
    assert_int_equal(reclaim_swap_pages_ops.reclaim_swapcache(a, &wm, NULL, &res), 0);
    assert_false(res.triggered);
    assert_int_equal(res.high_kb, 30000);
    assert_int_equal(res.low_kb, 10000);
    assert_int_equal(ncalls, 0);

    /* 4 %: the watermarks, then reclaim on, for process a */
    meminfo(1000000, 40000);
    assert_int_equal(reclaim_swap_pages_ops.reclaim_swapcache(a, &wm, NULL, &res), 0);
    assert_true(res.triggered && res.by_kernel);
    assert_int_equal(res.swapcached_kb, 40000);
    assert_int_equal(ncalls, 2);
    assert_int_equal(calls[0].cmd, SET_SWAPCACHE_WMARK);
    assert_int_equal(calls[0].arg, 0x0301);
    assert_int_equal(calls[1].cmd, RECLAIM_SWAPCACHE_ON);
    assert_int_equal(calls[1].arg, 0);
    assert_int_equal(calls[1].fd, calls[0].fd);
    /* again for a: only reclaim on */
    assert_int_equal(reclaim_swap_pages_ops.reclaim_swapcache(a, &wm, NULL, &res), 0);
    assert_int_equal(ncalls, 3);
    assert_int_equal(calls[2].cmd, RECLAIM_SWAPCACHE_ON);
    /* process b gets its own watermarks (the original sent them for the first only) */
    assert_int_equal(reclaim_swap_pages_ops.reclaim_swapcache(b, &wm, NULL, &res), 0);
    assert_int_equal(ncalls, 5);
    assert_int_equal(calls[3].cmd, SET_SWAPCACHE_WMARK);
    assert_int_equal(calls[3].arg, 0x0301);
    assert_true(calls[3].fd != calls[0].fd);
    assert_int_equal(calls[4].cmd, RECLAIM_SWAPCACHE_ON);

    reclaim_swap_pages_ops.close(a);
    reclaim_swap_pages_ops.close(b);
    swapcache_ioctl = saved;
}

/* ---- upstream: the choice ---- */

static void test_select_coldest_first(void **state)
{
    struct swapcache_cand c[] = {
        { 0x10000, 3, false }, { 0x11000, 0, true }, { 0x12000, 0, false },
        { 0x13000, 1, false }, { 0x20000, 0, false }, { 0x21000, 9, false },
    };
    struct page_range *r;
    size_t nr;
    /* three pages: the count-0 ones, clean before dirty: 0x12000, 0x20000, then 0x11000 */
    assert_int_equal(swapcache_select(c, 6, 3, PS, &r, &nr), 3);
    assert_int_equal(nr, 2);
    assert_int_equal(r[0].start, 0x11000);
    assert_int_equal(r[0].len, 2 * PS); /* 0x11000 + 0x12000 merged */
    assert_int_equal(r[1].start, 0x20000);
    assert_int_equal(r[1].len, PS);
    free(r);
    /* two pages: the dirty count-0 page waits */
    assert_int_equal(swapcache_select(c, 6, 2, PS, &r, &nr), 2);
    assert_int_equal(nr, 2);
    assert_int_equal(r[0].start, 0x12000);
    assert_int_equal(r[1].start, 0x20000);
    free(r);
    /* more than there is: all of them, in address order */
    assert_int_equal(swapcache_select(c, 6, 100, PS, &r, &nr), 6);
    assert_int_equal(nr, 2);
    assert_int_equal(r[0].start, 0x10000);
    assert_int_equal(r[0].len, 4 * PS);
    assert_int_equal(r[1].len, 2 * PS);
    free(r);
    assert_int_equal(swapcache_select(c, 6, 0, PS, &r, &nr), 0);
    assert_null(r);
}

/* ---- upstream: the candidates, from a fixture pagemap and kpageflags ---- */

#define BASE 0x7f0000000000ull
#define PAGE(i) (BASE + (uint64_t)(i) * PS)

static void test_candidates_from_fixture(void **state)
{
    const uint64_t P = PM_PRESENT, X = PM_EXCLUSIVE;
    const uint64_t SC = 1ull << KPF_SWAPCACHE, D = 1ull << KPF_DIRTY, WB = 1ull << KPF_WRITEBACK;
    /* page i of the target: pagemap entry, kpageflags of its PFN (1000 + i) */
    struct {
        uint64_t pm, flags;
        bool want;
    } pg[] = {
        { P | X, SC, true },          /* 0: in the swap cache */
        { P | X, SC | D, true },      /* 1: dirty, still a candidate */
        { P | X, 0, false },          /* 2: resident, not in the swap cache */
        { P, SC, false },             /* 3: mapped by others too: MADV_PAGEOUT skips it */
        { PM_SWAPPED, SC, false },    /* 4: not resident */
        { P | X, SC | WB, false },    /* 5: under writeback */
        { P | X, SC, true },          /* 6 */
        { P | X, SC, false },         /* 7: outside the heat map */
    };
    for (size_t i = 0; i < 8; i++) {
        uint64_t e = pg[i].pm | ((pg[i].pm & P) ? 1000 + i : 0);
        put_u64("4242/pagemap", BASE / PS + i, e);
        put_u64("kpageflags", 1000 + i, pg[i].flags);
    }
    /* PFNs far apart are read separately */
    put_u64("4242/pagemap", BASE / PS + 100, P | X | 900000);
    put_u64("kpageflags", 900000, SC);

    struct heat_map *hm = heat_map_new_ps(PS);
    heat_map_add(hm, PAGE(0), 2 * PS, 2, HEAT_PRESENT);
    heat_map_add(hm, PAGE(2), 5 * PS, 0, HEAT_PRESENT);
    heat_map_add(hm, PAGE(100), PS, 1, HEAT_PRESENT);
    struct swapcache_cand *c;
    size_t n;
    assert_int_equal(swapcache_candidates(4242, hm, &c, &n), 0);
    assert_int_equal(n, 4);
    bool seen[8] = { false };
    bool far = false;
    for (size_t i = 0; i < n; i++) {
        if (c[i].addr == PAGE(100)) {
            far = true;
            assert_int_equal(c[i].count, 1);
            continue;
        }
        size_t k = (size_t)((c[i].addr - BASE) / PS);
        assert_true(k < 8 && pg[k].want);
        seen[k] = true;
        assert_int_equal(c[i].count, k < 2 ? 2 : 0);
        assert_int_equal(c[i].dirty, k == 1);
    }
    assert_true(seen[0] && seen[1] && seen[6] && far);
    /* the coldest go first: page 6 (count 0), then 100 (count 1) */
    struct page_range *r;
    size_t nr;
    assert_int_equal(swapcache_select(c, n, 2, PS, &r, &nr), 2);
    assert_int_equal(nr, 2);
    assert_int_equal(r[0].start, PAGE(6));
    assert_int_equal(r[1].start, PAGE(100));
    free(r);
    free(c);

    /* PFNs hidden (no CAP_SYS_ADMIN): said so, not an empty answer */
    put_u64("4243/pagemap", BASE / PS, P | X);
    struct heat_map *hm2 = heat_map_new_ps(PS);
    heat_map_add(hm2, PAGE(0), PS, 0, HEAT_PRESENT);
    assert_int_equal(swapcache_candidates(4243, hm2, &c, &n), -EPERM);
    heat_map_free(hm2);
    heat_map_free(hm);
}

/* The madvise backend end to end on the fixture (our own pid, whose fixture addresses are
 * not mapped here: the pageout is refused, the choice is what is checked). */
static void test_madvise_backend_triggers(void **state)
{
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/%d", root, (int)getpid());
    mkdir(dir, 0700);
    put_stat(getpid());
    char rel[64];
    snprintf(rel, sizeof(rel), "%d/pagemap", (int)getpid());
    for (size_t i = 0; i < 4; i++) {
        put_u64(rel, BASE / PS + i, PM_PRESENT | PM_EXCLUSIVE | (2000 + i));
        put_u64("kpageflags", 2000 + i, 1ull << KPF_SWAPCACHE);
    }
    struct heat_map *hm = heat_map_new_ps(PS);
    heat_map_add(hm, PAGE(0), 4 * PS, 0, HEAT_PRESENT);
    int err = 0;
    struct proc_identity self = { getpid(), FIXTURE_START };
    struct reclaimer *r = reclaim_madvise_ops.open(&self, NULL, &err);
    assert_non_null(r);
    struct swapcache_wmark wm = { 1, 2 };
    struct swapcache_result res;
    meminfo(1000000, 10000); /* 1 %: below high */
    assert_int_equal(reclaim_madvise_ops.reclaim_swapcache(r, &wm, hm, &res), 0);
    assert_false(res.triggered);
    assert_int_equal(res.pages_found, 0);
    meminfo(1000000, 30000); /* 3 % */
    assert_int_equal(reclaim_madvise_ops.reclaim_swapcache(r, &wm, hm, &res), 0);
    assert_true(res.triggered && !res.by_kernel);
    assert_int_equal(res.pages_found, 4);
    assert_int_equal(res.pages_reclaimed, 0); /* not mapped in this process */
    assert_true(res.syscalls > 0);
    reclaim_madvise_ops.close(r);
    heat_map_free(hm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ioctl_encoding),
        cmocka_unit_test(test_select_coldest_first),
        cmocka_unit_test_setup_teardown(test_swap_pages_ioctls_per_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_candidates_from_fixture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_madvise_backend_triggers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
