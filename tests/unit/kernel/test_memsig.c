/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_memsig.c - the guard's signal parsers: pressure files, /proc/vmstat, /proc/swaps,
 * zram mm_stat, cgroup v2 memory.stat and the cgroup look-up, against the fixture trees
 * tests/fixtures/proc and tests/fixtures/sys, and against malformed text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cgroup_tree.h"
#include "memsig.h"
#include "proc.h"

static int fixtures_on(void **state)
{
    procfs_set_root(KTEST_FIXTURES);
    sysfs_set_root(KTEST_SYSFIXTURES);
    return 0;
}

static int fixtures_off(void **state)
{
    procfs_set_root(NULL);
    sysfs_set_root(NULL);
    return 0;
}

static void test_psi(void **state)
{
    struct psi_memory pm;

    assert_int_equal(psi_read_system(&pm), 0);
    assert_true(pm.some.avg10 > 1.51 && pm.some.avg10 < 1.53);
    assert_true(pm.some.avg300 > 0.20 && pm.some.avg300 < 0.22);
    assert_int_equal(pm.some.total_us, 1234567);
    assert_true(pm.has_full);
    assert_int_equal(pm.full.total_us, 345678);
    /* a cgroup file without a full line still gives some */
    assert_int_equal(psi_parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n", &pm), 0);
    assert_int_equal(pm.some.total_us, 7);
    assert_false(pm.has_full);
    assert_int_equal(psi_parse("full avg10=0.00 avg60=0.00 avg300=0.00 total=7\n", &pm), -EINVAL);
    assert_int_equal(psi_parse("some avg10=0.00 avg60=0.00 total=7\n", &pm), -EINVAL);
    assert_int_equal(psi_parse("some avg10=-1 avg60=0.00 avg300=0.00 total=7\n", &pm), -EINVAL);
    assert_int_equal(psi_parse("", &pm), -EINVAL);
}

static void test_vmstat(void **state)
{
    struct vmstat_swap vs;

    assert_int_equal(vmstat_read(&vs), 0);
    assert_int_equal(vs.pswpin, 4242);
    assert_int_equal(vs.pswpout, 99000);
    assert_int_equal(vs.pgmajfault, 5151);
    assert_int_equal(vs.workingset_refault_anon, 3900);
    assert_int_equal(vmstat_parse("MemTotal: 5 kB\n", &vs), -EINVAL);
    /* pswpin_x is another key, not pswpin */
    assert_int_equal(vmstat_parse("pswpin 3\npswpin_x 9\n", &vs), 0);
    assert_int_equal(vs.pswpin, 3);
}

static void test_swaps(void **state)
{
    struct swap_area a[4];
    size_t n;

    assert_int_equal(swaps_read(a, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(a[0].name, "/dev/zram0");
    assert_true(a[0].partition);
    assert_int_equal(a[0].size_kb, 4194300);
    assert_int_equal(a[0].used_kb, 3900000);
    assert_int_equal(a[0].priority, 100);
    assert_int_equal(a[0].zram, 0);
    assert_false(a[1].partition);
    assert_int_equal(a[1].zram, -1);
    assert_int_equal(a[1].priority, -2);
    /* more areas than room: counted, not stored past max */
    assert_int_equal(swaps_read(a, 1, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(swaps_parse("Filename Type Size Used Priority\n", a, 4, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(swaps_parse("Filename Type Size Used Priority\n/dev/x partition 1\n",
                                 a, 4, &n), -EINVAL);
    assert_int_equal(swaps_parse("/dev/x partition 1 1 1\n", a, 4, &n), -EINVAL);
}

static void test_zram(void **state)
{
    struct zram_mm_stat z;
    char alg[32];

    assert_int_equal(zram_read_mm_stat(0, &z), 0);
    assert_int_equal(z.orig_data_size, 5058560);
    assert_int_equal(z.compr_data_size, 1089634);
    assert_int_equal(z.mem_used_total, 1462272);
    assert_int_equal(z.mem_limit, 0);
    assert_int_equal(z.same_pages, 271);
    assert_int_equal(z.huge_pages, 3);
    /* an old kernel's seven fields */
    assert_int_equal(zram_read_mm_stat(1, &z), 0);
    assert_int_equal(z.orig_data_size, 4096);
    assert_int_equal(z.huge_pages, 0);
    assert_int_equal(zram_read_mm_stat(7, &z), -ENOENT);
    assert_int_equal(zram_parse_mm_stat("1 2 3", &z), -EINVAL);
    assert_int_equal(zram_read_algorithm(0, alg, sizeof(alg)), 0);
    assert_string_equal(alg, "lz4");
    assert_int_equal(zram_read_algorithm(0, alg, 3), -EINVAL);
}

static void test_cgroup(void **state)
{
    char dir[512], want[512];
    struct memcg_stat ms;
    uint64_t v;

    assert_int_equal(cgroup2_mount(dir, sizeof(dir)), 0);
    snprintf(want, sizeof(want), "%s/fs/cgroup", KTEST_SYSFIXTURES);
    assert_string_equal(dir, want);
    assert_int_equal(cgroup2_dir_of(100, dir, sizeof(dir)), 0);
    snprintf(want, sizeof(want), "%s/fs/cgroup/work.slice/redis", KTEST_SYSFIXTURES);
    assert_string_equal(dir, want);
    assert_true(cgroup_has_memory(dir));
    assert_int_equal(cgroup_memory_floor(dir, &v), 0);
    assert_int_equal(v, 536870912);   /* memory.low is above memory.min */
    assert_int_equal(cgroup_read_value(dir, "memory.max", &v), 0);
    assert_int_equal(v, UINT64_MAX);
    assert_int_equal(cgroup_read_memstat(dir, &ms), 0);
    assert_int_equal(ms.anon, 734003200);
    assert_int_equal(ms.file, 10485760);
    assert_int_equal(ms.workingset_refault_anon, 777);
    assert_int_equal(ms.pgmajfault, 820);
    assert_int_equal(ms.pswpin, 790);
    assert_true(ms.has_pswp);
    /* the root cgroup: the mount point itself, no floor files */
    assert_int_equal(cgroup2_dir_of(200, dir, sizeof(dir)), 0);
    snprintf(want, sizeof(want), "%s/fs/cgroup", KTEST_SYSFIXTURES);
    assert_string_equal(dir, want);
    assert_int_equal(cgroup_memory_floor(dir, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cgroup2_dir_of(999, dir, sizeof(dir)), -ESRCH);
    assert_int_equal(cgroup2_dir_of(300, dir, sizeof(dir)), -ESRCH); /* no cgroup file */
    /* v1 memory.stat is refused, an old v2 without pswpin says so */
    assert_int_equal(memcg_parse_stat("cache 1\nrss 2\n", &ms), -EINVAL);
    assert_int_equal(memcg_parse_stat("anon 5\nfile 6\n", &ms), 0);
    assert_false(ms.has_pswp);
    assert_int_equal(ms.anon, 5);
    assert_int_equal(cgroup_reclaim(dir, 4096), -ENOENT);
}

/* type=cgroup: a cgroup found relative to the v2 mount, by its absolute path, or in the v1
 * memory hierarchy; its processes and its descendants', each once; its memory figures. */
static void test_cgroup_tree(void **state)
{
    struct cgroup_ref cg;
    char want[512];
    pid_t *pids;
    size_t n;
    int64_t mem, swap;

    assert_int_equal(cgroup_resolve("work.slice", &cg), 0);
    snprintf(want, sizeof(want), "%s/fs/cgroup/work.slice", KTEST_SYSFIXTURES);
    assert_string_equal(cg.dir, want);
    assert_int_equal(cg.version, 2);
    assert_int_equal(cgroup_resolve("/work.slice/", &cg), 0);   /* as /proc/PID/cgroup says */
    assert_string_equal(cg.dir, want);
    assert_int_equal(cgroup_resolve(want, &cg), 0);             /* absolute */
    assert_string_equal(cg.dir, want);
    assert_int_equal(cgroup_list_procs(&cg, &pids, &n), 0);
    assert_int_equal(n, 3);     /* 201 is read in both cgroups (it moved meanwhile) */
    assert_int_equal(pids[0], 100);
    assert_int_equal(pids[1], 200);
    assert_int_equal(pids[2], 201);
    free(pids);
    assert_int_equal(cgroup_resolve("work.slice/redis", &cg), 0);
    cgroup_memory_usage(&cg, &mem, &swap);
    assert_int_equal(mem, 804257792);
    assert_int_equal(swap, -1);         /* no memory.swap.current */
    assert_int_equal(cgroup_resolve("app", &cg), 0);
    assert_int_equal(cg.version, 1);
    assert_int_equal(cgroup_list_procs(&cg, &pids, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pids[0], 300);
    free(pids);
    cgroup_memory_usage(&cg, &mem, &swap);
    assert_int_equal(mem, 1000);
    assert_int_equal(swap, 500);
    assert_int_equal(cgroup_resolve("nothere", &cg), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psi),
        cmocka_unit_test(test_vmstat),
        cmocka_unit_test(test_swaps),
        cmocka_unit_test(test_zram),
        cmocka_unit_test(test_cgroup),
        cmocka_unit_test(test_cgroup_tree),
    };
    return cmocka_run_group_tests(tests, fixtures_on, fixtures_off);
}
