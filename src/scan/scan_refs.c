/* SPDX-License-Identifier: MulanPSL-2.0 */
/* scan_refs.c - etmemd_get_page_refs/etmemd_free_page_refs: one tracker sample turned into
 * the original's address-sorted page_refs list (one node per base page, or per PMD for
 * huge-page units) and merged into the caller's list (count += weight). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "etmemd_scan_exp.h"
#include "heatmap.h"
#include "log.h"
#include "scan_internal.h"
#include "xalloc.h"

struct refs_build {
    struct page_refs **arr;
    size_t n, cap;
    uint64_t ps, pmd;
};

static void refs_add(struct refs_build *b, uint64_t addr, unsigned count, enum page_type type)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->arr = xreallocarray(b->arr, b->cap, sizeof(*b->arr));
    }
    struct page_refs *r = xmalloc(sizeof(*r));
    *r = (struct page_refs){ .addr = addr, .count = (int)count, .type = type };
    b->arr[b->n++] = r;
}

static int run_to_refs(const struct heat_run *run, void *arg)
{
    struct refs_build *b = arg;
    if (!(run->flags & HEAT_PRESENT))
        return 0; /* swapped pages are not scanned pages, as with idle_pages */
    for (uint64_t a = run->start; a < run->end;) {
        bool pmd = (run->flags & HEAT_HUGE) && a % b->pmd == 0 && run->end - a >= b->pmd;
        refs_add(b, a, run->count, pmd ? PMD_TYPE : PTE_TYPE);
        a += pmd ? b->pmd : b->ps;
    }
    return 0;
}

static int refs_cmp(const void *x, const void *y)
{
    const struct page_refs *a = *(struct page_refs *const *)x, *b = *(struct page_refs *const *)y;
    return (a->addr > b->addr) - (a->addr < b->addr);
}

/* Merge the sorted array into the sorted list *head. */
static void refs_merge(struct page_refs **head, struct page_refs **arr, size_t n)
{
    struct page_refs **link = head;
    for (size_t i = 0; i < n; i++) {
        while (*link && (*link)->addr < arr[i]->addr)
            link = &(*link)->next;
        if (*link && (*link)->addr == arr[i]->addr) {
            (*link)->count += arr[i]->count;
            free(arr[i]);
            continue;
        }
        arr[i]->next = *link;
        *link = arr[i];
        link = &arr[i]->next;
    }
}

int etmemd_get_page_refs(const struct vmas *vmas, const char *pid, struct page_refs **page_refs,
                         int flags)
{
    pid_t p;
    if (!vmas || !page_refs || !scan_parse_pid(pid, &p)) {
        log_err("etmemd_get_page_refs: invalid arguments");
        return -1;
    }
    struct heat_map *hm = heat_map_new();
    struct refs_build b = { .ps = (uint64_t)sysconf(_SC_PAGESIZE) };
    b.pmd = b.ps * (b.ps / 8); /* entries per page table page * page size: 2 MiB for 4 KiB */

    pthread_mutex_lock(&scan_lock);
    int rc = scan_sample_locked(p, flags & ALL_SCAN_FLAGS, hm);
    pthread_mutex_unlock(&scan_lock);
    if (rc) {
        if (rc != -1)
            log_err("etmemd_get_page_refs: pid %d: %s", (int)p, strerror(-rc));
        else
            log_err("etmemd_get_page_refs: etmemd_scan_init() not called");
        heat_map_free(hm);
        return -1;
    }
    for (const struct vma *v = vmas->vma_list; v; v = v->next)
        heat_map_for_each_run_in(hm, v->start, v->end, run_to_refs, &b);
    heat_map_free(hm);

    if (b.n > 1)        /* arr is NULL when the process had no page */
        qsort(b.arr, b.n, sizeof(*b.arr), refs_cmp);
    size_t w = 0; /* overlapping vmas in the caller's list: keep one node per address */
    for (size_t i = 0; i < b.n; i++) {
        if (w && b.arr[w - 1]->addr == b.arr[i]->addr) {
            free(b.arr[i]);
            continue;
        }
        b.arr[w++] = b.arr[i];
    }
    refs_merge(page_refs, b.arr, w);
    free(b.arr);
    return 0;
}

void etmemd_free_page_refs(struct page_refs *page_refs)
{
    while (page_refs) {
        struct page_refs *next = page_refs->next;
        free(page_refs);
        page_refs = next;
    }
}
