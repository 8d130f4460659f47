/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_proc_parse.c - meminfo/status/stat parsers and pid enumeration against the
 * fixture tree tests/fixtures/proc (procfs root override). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proc.h"

static int fixtures_on(void **state)
{
    procfs_set_root(KTEST_FIXTURES);
    return 0;
}

static int fixtures_off(void **state)
{
    procfs_set_root(NULL);
    return 0;
}

static void test_meminfo(void **state)
{
    struct meminfo mi;
    assert_int_equal(proc_read_meminfo(&mi), 0);
    assert_int_equal(mi.mem_total, 24684096);
    assert_int_equal(mi.mem_free, 22394984);
    assert_int_equal(mi.mem_available, 24029640);
    assert_int_equal(mi.swap_cached, 1024);
    assert_int_equal(mi.swap_total, 4194300);
    assert_int_equal(mi.swap_free, 4000000);
    assert_int_equal(mi.anon_huge_pages, 2048);
    assert_int_equal(mi.hugepages_total, 8);
    assert_int_equal(mi.hugepages_free, 4);
    assert_int_equal(mi.hugepage_size, 2048);
    assert_int_equal(proc_parse_meminfo("junk\n", &mi), -EINVAL);
}

static void test_status(void **state)
{
    struct proc_status st;
    assert_int_equal(proc_read_status(100, &st), 0);
    assert_string_equal(st.name, "my (weird) app");
    assert_int_equal(st.tgid, 100);
    assert_int_equal(st.ppid, 1);
    assert_int_equal(st.vm_rss, 40000);
    assert_int_equal(st.rss_anon, 30000);
    assert_int_equal(st.vm_swap, 2048);
    assert_int_equal(st.vm_hwm, 50000);
    assert_int_equal(st.threads, 3);
    assert_int_equal(proc_read_status(999, &st), -ESRCH);
}

static void test_stat_comm_with_parens(void **state)
{
    struct proc_stat st;
    assert_int_equal(proc_read_stat(100, &st), 0);
    assert_int_equal(st.pid, 100);
    assert_string_equal(st.comm, "my (weird) app");
    assert_int_equal(st.state, 'S');
    assert_int_equal(st.ppid, 1);
    assert_int_equal(st.minflt, 1200);
    assert_int_equal(st.majflt, 7);
    assert_int_equal(st.utime, 15);
    assert_int_equal(st.stime, 9);
    assert_int_equal(st.starttime, 4242);
    assert_int_equal(st.rss_pages, 300);
    assert_int_equal(proc_parse_stat("12 (x", &st), -EINVAL);
    assert_int_equal(proc_parse_stat("12 (x) S 1 2", &st), -EINVAL);
    /* a pid past pid_t's range was cut to -1 (found by fuzz_maps) */
    assert_int_equal(proc_parse_stat("99999999999 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
                                     "99 1 1 1", &st), -EINVAL);
    assert_int_equal(proc_read_stat(999, &st), -ESRCH);
}

/* A kernel that prints more fields than proc(5)'s 52 (found by fuzz_maps: the 53rd was
 * stored past the end of the parser's array). */
static void test_stat_more_fields_than_proc5(void **state)
{
    char line[512];
    struct proc_stat st;
    int n = snprintf(line, sizeof(line), "7 (x) S 1");

    for (int field = 5; field <= 60; field++)
        n += snprintf(line + n, sizeof(line) - (size_t)n, " %d", field == 22 ? 4242 : 0);
    assert_int_equal(proc_parse_stat(line, &st), 0);
    assert_int_equal(st.ppid, 1);
    assert_int_equal(st.starttime, 4242);
}

static void test_find_by_comm_and_children(void **state)
{
    pid_t *p;
    size_t n;
    assert_int_equal(proc_find_by_comm("worker", &p, &n), 0);
    assert_int_equal(n, 3); /* 200, 300 and the zombie 400: the caller decides */
    assert_int_equal(p[0], 200);
    assert_int_equal(p[1], 300);
    free(p);
    assert_int_equal(proc_find_by_comm("my (weird) app", &p, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(p[0], 100);
    free(p);
    assert_int_equal(proc_find_by_comm("nobody", &p, &n), 0);
    assert_int_equal(n, 0);
    free(p);
    assert_int_equal(proc_list_children(100, &p, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(p[0], 200);
    assert_int_equal(p[1], 300);
    free(p);
}

static void test_identity(void **state)
{
    struct proc_identity id;
    assert_int_equal(proc_identity_get(100, &id), 0);
    assert_int_equal(id.starttime, 4242);
    assert_true(proc_identity_alive(&id));
    id.starttime++; /* same pid, another process */
    assert_false(proc_identity_alive(&id));
    assert_int_equal(proc_identity_get(400, &id), 0);
    assert_false(proc_identity_alive(&id)); /* zombie */
}

static void test_root_override(void **state)
{
    char p[256];
    assert_int_equal(proc_path(p, sizeof(p), "%d/maps", 7), 0);
    assert_string_equal(p, KTEST_FIXTURES "/7/maps");
    procfs_set_root(NULL);
    assert_string_equal(procfs_root(), "/proc");
    sysfs_set_root("/x");
    assert_int_equal(sys_path(p, sizeof(p), "kernel/mm"), 0);
    assert_string_equal(p, "/x/kernel/mm");
    sysfs_set_root(NULL);
    assert_int_equal(proc_path(p, 8, "%s", "a-long-name"), -ENAMETOOLONG);
    procfs_set_root(KTEST_FIXTURES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meminfo),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_stat_comm_with_parens),
        cmocka_unit_test(test_stat_more_fields_than_proc5),
        cmocka_unit_test(test_find_by_comm_and_children),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_root_override),
    };
    return cmocka_run_group_tests(tests, fixtures_on, fixtures_off);
}
