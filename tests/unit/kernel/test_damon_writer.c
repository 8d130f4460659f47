/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_damon_writer.c - the DAMON writer process on a fake sysfs: it is forked where DAMON
 * vaddr is listed, named etmemd-damon, writes what it is asked under DAMON's admin
 * directory and nothing elsewhere; a caller whose stopper is raised stops waiting for a
 * write that does not end (a FIFO nobody reads stands for the kdamond's slow answer), the
 * next request gets its own answer, not the late one; after detach nothing is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "damon_writer.h"
#include "proc.h"
#include "stopper.h"

#define ADMIN "kernel/mm/damon/admin"
#define KD ADMIN "/kdamonds/0"

static char root[] = "/tmp/etmem-damon-writer.XXXXXX";

static void put(const char *rel, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    assert_non_null(f = fopen(path, "w"));
    fputs(text, f);
    fclose(f);
}

static void get(const char *rel, char *buf, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    assert_non_null(f = fopen(path, "r"));
    assert_non_null(fgets(buf, (int)len, f));
    fclose(f);
}

static void make_dir(const char *rel)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_writer(void **state)
{
    static const char *const dirs[] = {
        "kernel", "kernel/mm", "kernel/mm/damon", ADMIN, ADMIN "/kdamonds", KD,
        KD "/contexts", KD "/contexts/0",
    };
    char buf[64], path[512], comm[32];
    struct stopper stop;
    struct timespec t0;

    assert_non_null(mkdtemp(root));
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        make_dir(dirs[i]);
    put(ADMIN "/kdamonds/nr_kdamonds", "1\n");
    put(KD "/contexts/nr_contexts", "1\n");
    put(KD "/contexts/0/avail_operations", "paddr vaddr\n");
    put(KD "/contexts/0/operations", "\n");
    snprintf(path, sizeof(path), "%s/" KD "/state", root);
    assert_int_equal(mkfifo(path, 0600), 0);
    sysfs_set_root(root);

    assert_int_equal(damon_writer_start(), 0);
    assert_true(damon_writer_pid() > 0);
    assert_int_equal(damon_writer_write(KD "/contexts/0/operations", "vaddr", NULL), 0);
    /* it has answered, so it has named itself */
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)damon_writer_pid());
    assert_int_equal(file_read_line(path, comm, sizeof(comm)), 0);
    assert_string_equal(comm, "etmemd-damon");
    get(KD "/contexts/0/operations", buf, sizeof(buf));
    assert_string_equal(buf, "vaddr");
    /* nothing outside DAMON's admin directory, however it is spelt */
    assert_int_equal(damon_writer_write("kernel/mm/transparent_hugepage/enabled", "never",
                                        NULL), -EPERM);
    assert_int_equal(damon_writer_write(ADMIN "/../../transparent_hugepage/enabled", "never",
                                        NULL), -EPERM);

    /* the write into the FIFO does not end until it is read: a raised stopper ends the
     * wait for it at once */
    stopper_init(&stop);
    stopper_raise(&stop);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(damon_writer_write(KD "/state", "update_schemes_tried_regions", &stop),
                     -ECANCELED);
    assert_true(ms_since(&t0) < 1000);
    stopper_destroy(&stop);
    /* the writer still makes it; the next caller gets its own answer */
    snprintf(path, sizeof(path), "%s/" KD "/state", root);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(damon_writer_write(KD "/contexts/0/operations", "paddr", NULL), 0);
    assert_int_equal(read(fd, buf, sizeof(buf)), (ssize_t)strlen("update_schemes_tried_regions"));
    close(fd);
    get(KD "/contexts/0/operations", buf, sizeof(buf));
    assert_string_equal(buf, "paddr");

    /* etmemd exits: nothing is sent any more */
    damon_writer_detach();
    assert_int_equal(damon_writer_write(KD "/contexts/0/operations", "vaddr", NULL),
                     -ECANCELED);
    get(KD "/contexts/0/operations", buf, sizeof(buf));
    assert_string_equal(buf, "paddr");
    sysfs_set_root(NULL);
}

static int teardown(void **state)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_writer, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
