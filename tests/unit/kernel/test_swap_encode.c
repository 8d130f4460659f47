/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_swap_encode.c - the swap_pages line encoder (whole lines only) and the swap_pages
 * reclaimer writing into a fixture procfs tree. */
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
#include "probe.h"
#include "proc.h"
#include "swap_encode.h"

static void test_encode_lines(void **state)
{
    uint64_t a[] = { 0x7f0000001000, 0x0, 0xffffffffffffffff };
    char buf[128];
    size_t used;
    assert_int_equal(swap_pages_encode(a, 3, buf, sizeof(buf), &used), 3);
    buf[used] = '\0';
    assert_string_equal(buf, "0x7f0000001000\n0x0\n0xffffffffffffffff\n");
}

static void test_encode_whole_lines_only(void **state)
{
    uint64_t a[] = { 0x1000, 0x2000, 0x3000 };
    char buf[15]; /* room for two 7-byte lines, not three */
    size_t used;
    assert_int_equal(swap_pages_encode(a, 3, buf, sizeof(buf), &used), 2);
    assert_int_equal(used, 14);
    assert_int_equal(buf[used - 1], '\n');
    assert_int_equal(swap_pages_encode(a, 3, buf, 6, &used), 0);
    assert_int_equal(used, 0);
}

static void test_writer_into_fixture(void **state)
{
    char root[] = "/tmp/etmem-swapfx-XXXXXX", path[256];
    assert_non_null(mkdtemp(root));
    snprintf(path, sizeof(path), "%s/4242", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/4242/swap_pages", root);
    int fd = open(path, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    char stat_path[256];
    snprintf(stat_path, sizeof(stat_path), "%s/4242/stat", root);
    fd = open(stat_path, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    assert_true(dprintf(fd, "4242 (fx) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0\n") > 0);
    close(fd);

    procfs_set_root(root);
    struct kernel_caps caps = { 0 };
    caps.feat[KF_SWAP_PAGES].ok = true;
    char why[256];
    assert_ptr_equal(reclaim_select(&caps, NULL, why, sizeof(why)), &reclaim_swap_pages_ops);

    int err = 0;
    /* the pid is another process now (other start time): nothing is opened */
    struct proc_identity other = { 4242, 778 }, id = { 4242, 777 };
    assert_null(reclaim_swap_pages_ops.open(&other, NULL, &err));
    assert_int_equal(err, -ESRCH);
    struct reclaimer *r = reclaim_swap_pages_ops.open(&id, NULL, &err);
    assert_non_null(r);
    /* 300 pages: more than one 200-line batch */
    struct page_range ranges[] = { { 0x7f0000000000, 250 * 4096 }, { 0x7f1000000000, 50 * 4096 } };
    struct action_counters c = { 0 };
    assert_int_equal(reclaim_swap_pages_ops.reclaim(r, ranges, 2, &c), 0);
    reclaim_swap_pages_ops.close(r);
    assert_int_equal(c.pages_tried, 300);
    assert_int_equal(c.pages_done, 300);
    assert_int_equal(c.syscalls, 2);

    char *text;
    assert_int_equal(file_read_all(path, &text, NULL), 0);
    size_t lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 300);
    assert_memory_equal(text, "0x7f0000000000\n0x7f0000001000\n", 30);
    assert_non_null(strstr(text, "\n0x7f1000031000\n"));
    free(text);

    /* a pid without the file: -ESRCH, as for an exited target */
    struct proc_identity absent = { 4243, 777 };
    assert_null(reclaim_swap_pages_ops.open(&absent, NULL, &err));
    assert_int_equal(err, -ESRCH);
    procfs_set_root(NULL);
    unlink(stat_path);
    unlink(path);
    snprintf(path, sizeof(path), "%s/4242", root);
    rmdir(path);
    rmdir(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_lines),
        cmocka_unit_test(test_encode_whole_lines_only),
        cmocka_unit_test(test_writer_into_fixture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
