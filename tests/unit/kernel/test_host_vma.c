/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_host_vma.c - the VMA layer and procfs readers on live processes of this host: a
 * child's mapping, a child exiting mid-scan (only 0 or -ESRCH may come back), a kernel
 * thread (-ENOENT), comm with spaces and parentheses, children and pid reuse identity. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ktest.h"
#include "proc.h"
#include "vma.h"

static void test_live_child_vma(void **state)
{
    struct kchild c;
    assert_int_equal(kchild_start(&c, 4 << 20, 0, 1), 0);
    struct vma_list l = VMA_LIST_INIT;
    assert_int_equal(vma_list_read(c.pid, VMA_SRC_SMAPS, &l), 0);
    const struct vma_entry *hit = NULL;
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i].start <= c.base && l.v[i].end >= c.base + c.len)
            hit = &l.v[i];
    assert_non_null(hit);
    assert_true(vma_is_anon(hit));
    assert_true(vma_has_vmflags(hit, "rd wr"));
    assert_true(vma_has_vmflags(hit, "nh")); /* MADV_NOHUGEPAGE */
    assert_true(hit->rss_kb >= 4096);
    for (size_t i = 1; i < l.n; i++)
        assert_true(l.v[i].start >= l.v[i - 1].end);
    vma_list_free(&l);
    kchild_stop(&c);
}

/* A child with thousands of VMAs that exits on its own while we read. */
static void test_exit_mid_scan(void **state)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (int i = 0; i < 20000; i++) {
            void *p = mmap(NULL, 4096, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED)
                break;
        }
        usleep(50000);
        _exit(0);
    }
    struct vma_list l = VMA_LIST_INIT;
    int rc, reads = 0, gone = 0;
    for (int i = 0; i < 100000 && gone < 3; i++) {
        rc = vma_list_read(pid, (i % 2) ? VMA_SRC_SMAPS : VMA_SRC_MAPS, &l);
        if (rc != 0 && rc != -ESRCH)
            fail_msg("vma_list_read: %d", rc);
        reads++;
        if (rc == -ESRCH) {
            assert_int_equal(l.n, 0);
            gone++;
        }
    }
    assert_int_equal(gone, 3); /* the zombie, before reaping, is gone too */
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_int_equal(vma_list_read(pid, VMA_SRC_MAPS, &l), -ESRCH);
    vma_list_free(&l);
    print_message("read %d times before the exit showed\n", reads);
}

static void test_kernel_thread(void **state)
{
    struct proc_stat st;
    if (proc_read_stat(2, &st) != 0 || strcmp(st.comm, "kthreadd") != 0)
        skip();
    struct vma_list l = VMA_LIST_INIT;
    assert_int_equal(vma_list_read(2, VMA_SRC_MAPS, &l), -ENOENT);
}

static void test_comm_children_identity(void **state)
{
    const char *name = "kt (x) y)";
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        prctl(PR_SET_NAME, name);
        pause();
        _exit(0);
    }
    pid_t *p = NULL;
    size_t n = 0;
    for (int i = 0; i < 200 && n == 0; i++) {
        free(p);
        assert_int_equal(proc_find_by_comm(name, &p, &n), 0);
        if (n == 0)
            usleep(5000);
    }
    assert_int_equal(n, 1);
    assert_int_equal(p[0], pid);
    free(p);
    assert_int_equal(proc_list_children(getpid(), &p, &n), 0);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= p[i] == pid;
    assert_true(found);
    free(p);
    struct proc_identity id;
    assert_int_equal(proc_identity_get(pid, &id), 0);
    assert_true(proc_identity_alive(&id));
    struct proc_status ps;
    assert_int_equal(proc_read_status(pid, &ps), 0);
    assert_string_equal(ps.name, name);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_false(proc_identity_alive(&id));
    struct meminfo mi;
    assert_int_equal(proc_read_meminfo(&mi), 0);
    assert_true(mi.mem_total > 0 && mi.mem_available > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_child_vma),
        cmocka_unit_test(test_exit_mid_scan),
        cmocka_unit_test(test_kernel_thread),
        cmocka_unit_test(test_comm_children_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
