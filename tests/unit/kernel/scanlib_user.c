/* SPDX-License-Identifier: MulanPSL-2.0 */
/* scanlib_user.c - a user of libetmemd_scan.so calling every public function on a live
 * child process; built against the build tree by CMake and against the installed
 * library via `pkg-config --cflags --libs etmem` by scanlib_pkgconfig.sh.
 * Prints one line per check and "N passed, N failed"; exits non-zero on failure. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <etmemd_scan_export.h>

#include "ktest.h"

static int passed, failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            passed++;                                                            \
        } else {                                                                 \
            failed++;                                                            \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
        }                                                                        \
    } while (0)

#define LEN (8u << 20)
#define HOT (2u << 20)

static const struct vma *vma_with(const struct vmas *v, uint64_t addr)
{
    for (const struct vma *p = v ? v->vma_list : NULL; p; p = p->next)
        if (p->start <= addr && addr < p->end)
            return p;
    return NULL;
}

/* Entries inside [base, base+len): count them, sum their counts; list must be sorted. */
static void refs_in(const struct page_refs *r, uint64_t base, size_t len, size_t *n,
                    long *sum, int *sorted)
{
    *n = 0;
    *sum = 0;
    *sorted = 1;
    for (; r; r = r->next) {
        if (r->next && r->next->addr <= r->addr)
            *sorted = 0;
        if (r->addr >= base && r->addr < base + len) {
            (*n)++;
            *sum += r->count;
        }
    }
}

/* Open descriptors and resident kB of this process. */
static void self_usage(size_t *fds, long *rss_kb)
{
    char line[256];
    DIR *d = opendir("/proc/self/fd");

    *fds = 0;
    *rss_kb = 0;
    for (struct dirent *de; d && (de = readdir(d)) != NULL;)
        *fds += de->d_name[0] != '.';
    if (d)
        closedir(d);
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            *rss_kb = strtol(line + 6, NULL, 10);
    fclose(f);
}

/* One scan of a short-lived process, which then exits: the library keeps its tracker
 * between calls, and must let it go once the process is gone. */
static void scan_once_exited(unsigned seed)
{
    struct kchild k;
    char kp[16];
    struct page_refs *r = NULL;

    if (kchild_start(&k, 1u << 20, 0, seed) != 0) {
        failed++;
        return;
    }
    snprintf(kp, sizeof(kp), "%d", (int)k.pid);
    struct vmas *kv = etmemd_get_vmas(kp, NULL, 0, true);
    CHECK(kv != NULL && etmemd_get_page_refs(kv, kp, &r, 0) == 0);
    etmemd_free_page_refs(r);
    etmemd_free_vmas(kv);
    kchild_stop(&k);
}

/* 200 processes scanned once each and exited leave the library's fds and memory flat
 * (not +3 fds and ~120 kB each until etmemd_scan_exit). */
static void check_exited_targets_released(const char *live)
{
    size_t fds0, fds1;
    long rss0, rss1;
    struct page_refs *r = NULL;

    for (unsigned i = 0; i < 8; i++)   /* the allocator's and the library's first growth */
        scan_once_exited(100 + i);
    self_usage(&fds0, &rss0);
    for (unsigned i = 0; i < 200; i++)
        scan_once_exited(200 + i);
    struct timespec ts = { 1, 100000000 };
    nanosleep(&ts, NULL);           /* past the once-a-second sweep */
    struct vmas *lv = etmemd_get_vmas(live, NULL, 0, true);
    CHECK(lv != NULL && etmemd_get_page_refs(lv, live, &r, 0) == 0);
    etmemd_free_page_refs(r);
    etmemd_free_vmas(lv);
    self_usage(&fds1, &rss1);
    printf("200 exited targets: fds %zu -> %zu, RSS %ld -> %ld kB\n", fds0, fds1, rss0, rss1);
    CHECK(fds1 <= fds0);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) /* their allocators keep freed memory */
    CHECK(rss1 - rss0 < 4096);
#endif
}

int main(void)
{
    struct kchild c;
    char pid[16];
    struct page_refs *refs = NULL;

    if (kchild_start(&c, LEN, HOT, 5) != 0) {
        fprintf(stderr, "cannot start the child\n");
        return 1;
    }
    snprintf(pid, sizeof(pid), "%d", (int)c.pid);

    struct vmas *v = etmemd_get_vmas(pid, NULL, 0, true); /* no init needed */
    CHECK(v != NULL && v->vma_cnt > 0);
    const struct vma *mine = vma_with(v, c.base);
    CHECK(mine != NULL && mine->stat[VMA_STAT_READ] && mine->stat[VMA_STAT_WRITE] &&
          !mine->stat[VMA_STAT_MAY_SHARE] && mine->path[0] == '\0');

    CHECK(etmemd_get_page_refs(v, pid, &refs, 0) == -1); /* before init */
    CHECK(etmemd_scan_init() == 0);
    CHECK(etmemd_scan_init() == -1);

    char *ok_flags[] = { "rd", "wr" }, *bad1[] = { "r" }, *bad2[] = { "r " }, *bad3[] = { NULL };
    struct vmas *vf = etmemd_get_vmas(pid, ok_flags, 2, true);
    CHECK(vf != NULL && vma_with(vf, c.base) != NULL);
    CHECK(etmemd_get_vmas(pid, bad1, 1, true) == NULL);
    CHECK(etmemd_get_vmas(pid, bad2, 1, true) == NULL);
    CHECK(etmemd_get_vmas(pid, bad3, 1, true) == NULL);
    CHECK(etmemd_get_vmas("12ab", NULL, 0, true) == NULL);
    CHECK(etmemd_get_vmas(NULL, NULL, 0, true) == NULL);

    CHECK(etmemd_get_page_refs(v, pid, &refs, 0) == 0);
    size_t n1, n2, present, swapped;
    long sum1, sum2;
    int sorted;
    refs_in(refs, c.base, LEN, &n1, &sum1, &sorted);
    CHECK(sorted);
    /* one node per resident page of the buffer: compare with pagemap */
    CHECK(ktest_pagemap_count(c.pid, c.base, LEN, &present, &swapped) == 0);
    printf("first call: %zu refs in the buffer (pagemap: %zu resident), sum %ld\n", n1,
           present, sum1);
    CHECK(n1 > 0 && n1 <= LEN / 4096 && n1 + 64 >= present);

    struct timespec ts = { 0, 300000000 };
    nanosleep(&ts, NULL);
    CHECK(etmemd_get_page_refs(vf, pid, &refs, 0) == 0); /* accumulates */
    refs_in(refs, c.base, LEN, &n2, &sum2, &sorted);
    printf("second call: %zu refs, sum %ld\n", n2, sum2);
    CHECK(sorted);
    CHECK(sum2 > sum1);
    size_t hot_counted = 0;
    for (const struct page_refs *r = refs; r; r = r->next)
        hot_counted += r->addr >= c.base && r->addr < c.base + HOT && r->count > 0;
    CHECK(hot_counted >= (HOT / 4096) / 2);
    CHECK(etmemd_get_page_refs(v, "1x", &refs, 0) == -1);
    CHECK(etmemd_get_page_refs(NULL, pid, &refs, 0) == -1);

    etmemd_free_page_refs(refs);
    etmemd_free_page_refs(NULL);
    etmemd_free_vmas(vf);
    etmemd_free_vmas(v);
    etmemd_free_vmas(NULL);
    etmemd_scan_exit();
    refs = NULL;
    struct vmas *v2 = etmemd_get_vmas(pid, NULL, 0, false);
    CHECK(v2 != NULL);
    CHECK(etmemd_get_page_refs(v2, pid, &refs, 0) == -1); /* after exit */
    CHECK(etmemd_scan_init() == 0);                        /* init again works */
    CHECK(etmemd_get_page_refs(v2, pid, &refs, SCAN_AS_HUGE | SCAN_IGN_HOST) == 0);
    etmemd_free_page_refs(refs);
    check_exited_targets_released(pid);
    etmemd_free_vmas(v2);
    etmemd_scan_exit();
    kchild_stop(&c);

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
