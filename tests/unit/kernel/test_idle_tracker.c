/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_idle_tracker.c - the idle_pages tracker end to end on a fixture procfs tree: a
 * sparse idle_pages file holds records at offset = virtual address, as the kernel serves
 * them. Checks multi-read coverage of a VMA, huge units, holes, last_walk_end across VMAs
 * and a corrupt stream. */
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

#include "heatmap.h"
#include "proc.h"
#include "tracker.h"

#define PID 4321
static char root[64];

static void put(int fd, uint64_t off, const uint8_t *b, size_t n)
{
    assert_int_equal(pwrite(fd, b, n, (off_t)off), (ssize_t)n);
}

static size_t addr_cmd(uint8_t *b, uint64_t a)
{
    b[0] = 0xA0;
    for (int i = 0; i < 8; i++)
        b[1 + i] = (uint8_t)(a >> (56 - 8 * i));
    return 9;
}

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%d/%s", root, PID, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    char path[256];
    snprintf(root, sizeof(root), "/tmp/etmem-idlefx-XXXXXX");
    assert_non_null(mkdtemp(root));
    snprintf(path, sizeof(path), "%s/%d", root, PID);
    assert_int_equal(mkdir(path, 0700), 0);
    write_file("stat", "4321 (vm) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
    write_file("maps", "400000-600000 rw-p 00000000 00:00 0 \n"
                       "600000-700000 rw-p 00000000 00:00 0 \n"
                       "700000-a00000 rw-p 00000000 00:00 0 \n");
    snprintf(path, sizeof(path), "%s/%d/idle_pages", root, PID);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
    assert_true(fd >= 0);
    uint8_t b[64];
    size_t n = addr_cmd(b, 0x400000);
    b[n++] = 0x04; /* 4 PTE_ACCESS */
    b[n++] = 0x32; /* 2 PTE_DIRTY */
    b[n++] = 0x8a; /* 10 PTE_HOLE -> 0x410000 */
    n += addr_cmd(b + n, 0x500000);
    b[n++] = 0x5f; /* 15 PTE_IDLE -> 0x50f000 */
    put(fd, 0x400000, b, n);
    /* the kernel's buffer was "full" here: the rest comes from a second read at 0x50f000 */
    n = addr_cmd(b, 0x50f000);
    for (int i = 0; i < 16; i++)
        b[n++] = 0x8f; /* 240 holes */
    b[n++] = 0x81;     /* -> 0x600000 */
    put(fd, 0x50f000, b, n);
    n = addr_cmd(b, 0x600000);
    b[n++] = 0x11; /* PMD_ACCESS 0x600000-0x800000: runs past the VMA end */
    put(fd, 0x600000, b, n);
    n = addr_cmd(b, 0x800000);
    b[n++] = 0x41; /* PMD_DIRTY 0x800000-0xa00000 */
    put(fd, 0x800000, b, n);
    close(fd);
    procfs_set_root(root);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    procfs_set_root(NULL);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void expect(struct heat_map *hm, uint64_t a, unsigned count, unsigned flags)
{
    unsigned c, f;
    assert_int_equal(heat_map_get(hm, a, &c, &f), 0);
    assert_int_equal(c, count);
    assert_int_equal(f, flags);
}

/* The tracker on the fixture pid and one sample of it into *hm; returns the sample's rc. */
static int sample_fixture(struct tracker **t, struct heat_map **hm, struct scan_stats *st)
{
    struct scan_opts o;
    scan_opts_default(&o);
    o.anon_only = false;
    int err = 0;
    *t = tracker_idle_pages_ops.open(PID, &o, &err);
    assert_non_null(*t);
    *hm = heat_map_new_ps(4096);
    memset(st, 0, sizeof(*st));
    return tracker_idle_pages_ops.sample(*t, *hm, st);
}

static void test_scan_fixture(void **state)
{
    struct tracker *t;
    struct heat_map *hm;
    struct scan_stats st;
    assert_int_equal(sample_fixture(&t, &hm, &st), 0);
    expect(hm, 0x400000, 1, HEAT_PRESENT);
    expect(hm, 0x403000, 1, HEAT_PRESENT);
    expect(hm, 0x404000, 3, HEAT_PRESENT);
    expect(hm, 0x500000, 0, HEAT_PRESENT);
    expect(hm, 0x50e000, 0, HEAT_PRESENT);
    expect(hm, 0x600000, 1, HEAT_PRESENT | HEAT_HUGE);
    expect(hm, 0x7ff000, 1, HEAT_PRESENT | HEAT_HUGE);
    expect(hm, 0x800000, 3, HEAT_PRESENT | HEAT_HUGE);
    unsigned c, f;
    assert_int_equal(heat_map_get(hm, 0x406000, &c, &f), -ENOENT); /* hole */
    assert_int_equal(heat_map_get(hm, 0x50f000, &c, &f), -ENOENT);
    assert_int_equal(st.pages, 4 + 2 + 15 + 512 + 512);
    assert_int_equal(st.pages_dirty, 2 + 512);
    assert_int_equal(st.vmas, 3);
    assert_true(st.syscalls >= 4); /* VMA 1 needed two reads */
    /* a second sample accumulates */
    assert_int_equal(tracker_idle_pages_ops.sample(t, hm, &st), 0);
    expect(hm, 0x404000, 6, HEAT_PRESENT);
    tracker_idle_pages_ops.close(t);
    heat_map_free(hm);
}

static void test_corrupt_stream(void **state)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%d/idle_pages", root, PID);
    int fd = open(path, O_RDWR);
    uint8_t junk = 0x01; /* a record before any address */
    put(fd, 0x400000, &junk, 1);
    close(fd);
    struct tracker *t;
    struct heat_map *hm;
    struct scan_stats st;
    assert_int_equal(sample_fixture(&t, &hm, &st), -EBADMSG);
    tracker_idle_pages_ops.close(t);
    heat_map_free(hm);
    struct scan_opts o;
    scan_opts_default(&o);
    int err = 0;
    assert_null(tracker_idle_pages_ops.open(PID + 1, &o, &err));
    assert_int_equal(err, -ESRCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_fixture),
        cmocka_unit_test(test_corrupt_stream),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
