/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_vma_parse.c - maps/smaps parsing (paths with spaces, [anon:name], deleted files,
 * lines longer than the read buffer), VmFlags as whole tokens, the anon rule, and the
 * procfs reader's -ESRCH/-ENOENT outcomes, on fixtures. */
#include <errno.h>
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

#include "proc.h"
#include "vma.h"

static void test_maps_fixture(void **state)
{
    struct vma_list l = VMA_LIST_INIT;
    procfs_set_root(KTEST_FIXTURES);
    assert_int_equal(vma_list_read(100, VMA_SRC_MAPS, &l), 0);
    procfs_set_root(NULL);
    assert_int_equal(l.n, 11);
    assert_int_equal(l.v[0].start, 0x55fbd75b1000);
    assert_int_equal(l.v[0].end, 0x55fbd75b3000);
    assert_string_equal(l.v[0].path, "/usr/bin/my app");
    assert_int_equal(l.v[0].dev_major, 0xfe);
    assert_int_equal(l.v[0].inode, 247498);
    assert_int_equal(l.v[1].perms, VMA_PERM_READ | VMA_PERM_EXEC);
    assert_int_equal(l.v[2].offset, 0x8000);
    assert_string_equal(l.v[3].path, "[heap]");
    assert_string_equal(l.v[4].path, "");
    assert_string_equal(l.v[5].path, "[anon:etmem_swap]");
    assert_string_equal(l.v[6].path, "/dev/shm/seg (deleted)");
    assert_true(l.v[6].perms & VMA_PERM_SHARED);
    assert_int_equal(l.v[10].start, 0xffffffffff600000);
    assert_false(l.v[0].have_smaps);
    vma_list_free(&l);
}

static void test_anon_rule(void **state)
{
    struct vma_list l = VMA_LIST_INIT;
    procfs_set_root(KTEST_FIXTURES);
    assert_int_equal(vma_list_read(100, VMA_SRC_MAPS, &l), 0);
    procfs_set_root(NULL);
    bool want[] = {
        false, /* r--p file */
        false, /* r-xp exec */
        true,  /* rw-p file: private writable counts as anon (the original's rule) */
        true,  /* heap */
        true,  /* anon */
        true,  /* [anon:etmem_swap] */
        false, /* shared */
        false, /* r--p file */
        true,  /* stack */
        false, /* vdso exec */
        false, /* vsyscall exec */
    };
    for (size_t i = 0; i < l.n; i++)
        assert_int_equal(vma_is_anon(&l.v[i]), want[i]);
    struct vma_filter f = { .anon_only = true, .skip_special = true };
    assert_int_equal(vma_list_filter(&l, &f), 5);
    struct vma_filter g = { .anon_name = "etmem_swap" };
    assert_int_equal(vma_list_filter(&l, &g), 1);
    assert_string_equal(l.v[0].path, "[anon:etmem_swap]");
    vma_list_free(&l);
}

static void test_smaps_fields_and_vmflags(void **state)
{
    struct vma_list l = VMA_LIST_INIT;
    procfs_set_root(KTEST_FIXTURES);
    assert_int_equal(vma_list_read(100, VMA_SRC_SMAPS, &l), 0);
    procfs_set_root(NULL);
    assert_int_equal(l.n, 3);
    assert_true(l.v[0].have_smaps);
    assert_int_equal(l.v[0].rss_kb, 2048);
    assert_int_equal(l.v[0].referenced_kb, 512);
    assert_int_equal(l.v[0].swap_kb, 64);
    assert_int_equal(l.v[0].anon_huge_kb, 2048);
    assert_string_equal(l.v[0].vmflags, "rd wr mr mw me ac sd hg");
    assert_true(vma_has_vmflags(&l.v[1], "ht"));
    assert_true(vma_has_vmflags(&l.v[1], "rd ht"));
    assert_false(vma_has_vmflags(&l.v[0], "ht"));
    assert_false(vma_has_vmflags(&l.v[0], "rd ht")); /* AND */
    /* whole tokens: "d " or "ag" (from "VmFlags") are not flags */
    assert_false(vma_has_vmflags(&l.v[0], "ag"));
    assert_false(vma_has_vmflags(&l.v[0], "dw"));
    struct vma_filter f = { .vm_flags = "ht" };
    assert_int_equal(vma_list_filter(&l, &f), 1);
    assert_int_equal(l.v[0].start, 0x7f0000400000);
    vma_list_free(&l);
}

static void test_vmflags_valid(void **state)
{
    char why[160];
    assert_true(vma_vmflags_valid("ht", why, sizeof(why)));
    assert_true(vma_vmflags_valid("rd ht", why, sizeof(why)));
    assert_false(vma_vmflags_valid("h", why, sizeof(why)));
    assert_false(vma_vmflags_valid("htt", why, sizeof(why)));
    assert_false(vma_vmflags_valid("ht  rd", why, sizeof(why)));
    assert_false(vma_vmflags_valid("", why, sizeof(why)));
    assert_non_null(strstr(why, "empty"));
}

static void test_parse_text_edge_cases(void **state)
{
    struct vma_list l = VMA_LIST_INIT;
    const char *bad = "zz-10 rw-p 0 00:00 0\n";
    assert_int_equal(vma_list_parse(bad, strlen(bad), &l), -EIO);
    const char *no_nl = "1000-2000 rw-p 00000000 00:00 0   /path with  two  spaces";
    assert_int_equal(vma_list_parse(no_nl, strlen(no_nl), &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].path, "/path with  two  spaces");
    /* overlapping entry (a remap between two reads) is dropped */
    const char *ovl = "1000-3000 rw-p 0 00:00 0\n2000-4000 rw-p 0 00:00 0\n5000-6000 rw-p 0 00:00 0\n";
    assert_int_equal(vma_list_parse(ovl, strlen(ovl), &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[1].start, 0x5000);
    vma_list_free(&l);
    struct vma_entry e;
    const char *path;
    size_t plen;
    assert_false(vma_parse_header("1000-2000 rwxq", 14, &e, &path, &plen));
    assert_false(vma_parse_header("2000-1000 rw-p 0 00:00 0", 24, &e, &path, &plen));
    assert_false(vma_parse_header("1000-2000 rw-p 0 00:00 12x", 26, &e, &path, &plen));
}

/* A maps line longer than the reader's 64 KiB chunk must still parse whole. */
static void test_long_line_and_outcomes(void **state)
{
    char root[] = "/tmp/etmem-vmafx-XXXXXX", path[256];
    assert_non_null(mkdtemp(root));
    const int pids[] = { 7, 8 };
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%d", root, pids[i]);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/%d/stat", root, pids[i]);
        FILE *f = fopen(path, "w");
        fprintf(f, "%d (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                pids[i]);
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/7/maps", root);
    FILE *f = fopen(path, "w");
    fprintf(f, "1000-2000 rw-p 00000000 00:00 0 /");
    for (int i = 0; i < 100000; i++)
        fputc('a' + i % 26, f);
    fprintf(f, "\n3000-4000 rw-p 00000000 00:00 0 \n");
    fclose(f);
    snprintf(path, sizeof(path), "%s/8/maps", root);
    f = fopen(path, "w"); /* empty maps: a kernel thread */
    fclose(f);

    struct vma_list l = VMA_LIST_INIT;
    procfs_set_root(root);
    assert_int_equal(vma_list_read(7, VMA_SRC_MAPS, &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(strlen(l.v[0].path), 100001);
    assert_int_equal(l.v[1].start, 0x3000);
    assert_int_equal(vma_list_read(8, VMA_SRC_MAPS, &l), -ENOENT);
    assert_int_equal(l.n, 0);
    assert_int_equal(vma_list_read(9, VMA_SRC_MAPS, &l), -ESRCH);
    procfs_set_root(NULL);
    vma_list_free(&l);
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%d/stat", root, pids[i]);
        unlink(path);
        snprintf(path, sizeof(path), "%s/%d/maps", root, pids[i]);
        unlink(path);
        snprintf(path, sizeof(path), "%s/%d", root, pids[i]);
        rmdir(path);
    }
    rmdir(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maps_fixture),
        cmocka_unit_test(test_anon_rule),
        cmocka_unit_test(test_smaps_fields_and_vmflags),
        cmocka_unit_test(test_vmflags_valid),
        cmocka_unit_test(test_parse_text_edge_cases),
        cmocka_unit_test(test_long_line_and_outcomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
