/* SPDX-License-Identifier: MulanPSL-2.0 */
/* swapcache.c - the swap cache watermarks: the openEuler ioctl argument, the trigger from
 * /proc/meminfo, and upstream the choice of a process's resident pages that are in the
 * swap cache (pagemap PFN -> /proc/kpageflags), coldest first by the heat map. */
#include "swapcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heatmap.h"
#include "pagemap.h"
#include "proc.h"
#include "sys_compat.h"
#include "vma.h"
#include "xalloc.h"

#define KPF_SPAN 512 /* kpageflags entries read at once when candidates' PFNs are close */

unsigned int swapcache_wmark_arg(unsigned low_pct, unsigned high_pct)
{
    return (low_pct & 0xffu) | ((high_pct << 8) & 0xff00u);
}

static int real_ioctl(int fd, unsigned long cmd, unsigned int *arg)
{
    return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int (*swapcache_ioctl)(int fd, unsigned long cmd, unsigned int *arg) = real_ioctl;

int swapcache_check(const struct swapcache_wmark *wm, struct swapcache_result *res)
{
    struct meminfo mi;
    int rc = proc_read_meminfo(&mi);
    if (rc)
        return rc;
    res->swapcached_kb = mi.swap_cached;
    res->low_kb = mi.mem_total * wm->low_pct / 100;
    res->high_kb = mi.mem_total * wm->high_pct / 100;
    res->triggered = mi.swap_cached > res->high_kb;
    return 0;
}

static int cand_cmp_heat(const void *a, const void *b)
{
    const struct swapcache_cand *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    if (x->dirty != y->dirty)
        return x->dirty ? 1 : -1;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

static int cand_cmp_addr(const void *a, const void *b)
{
    const struct swapcache_cand *x = a, *y = b;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

uint64_t swapcache_select(struct swapcache_cand *cand, size_t n, uint64_t need,
                          long page_size, struct page_range **ranges, size_t *nranges)
{
    size_t take = need < n ? (size_t)need : n, cap = 0;
    *ranges = NULL;
    *nranges = 0;
    if (take == 0)
        return 0;
    qsort(cand, n, sizeof(*cand), cand_cmp_heat);
    qsort(cand, take, sizeof(*cand), cand_cmp_addr);
    for (size_t i = 0; i < take; i++) {
        struct page_range *last = *nranges ? &(*ranges)[*nranges - 1] : NULL;
        if (last && last->start + last->len == cand[i].addr) {
            last->len += (uint64_t)page_size;
            continue;
        }
        if (*nranges == cap) {
            cap = cap ? 2 * cap : 64;
            *ranges = xreallocarray(*ranges, cap, sizeof(**ranges));
        }
        (*ranges)[(*nranges)++] = (struct page_range){ cand[i].addr, (uint64_t)page_size };
    }
    return take;
}

/* Resident, exclusively mapped pages with their PFN and heat, before the kpageflags test. */
struct pfn_cand {
    uint64_t pfn;
    uint64_t addr;
    uint16_t count;
};

struct collect {
    struct pagemap pm;
    struct pfn_cand *v;
    size_t n, cap;
    uint64_t present;   /* resident pages seen */
    uint64_t with_pfn;  /* ... of which pagemap showed the PFN */
    unsigned count;     /* heat of the run being walked */
};

static int collect_entries(void *arg, uint64_t addr, const uint64_t *e, size_t n)
{
    struct collect *c = arg;
    for (size_t i = 0; i < n; i++, addr += (uint64_t)c->pm.page_size) {
        if (!(e[i] & PM_PRESENT))
            continue;
        c->present++;
        uint64_t pfn = e[i] & PM_PFN_MASK;
        c->with_pfn += pfn != 0;
        if (!pfn || !(e[i] & PM_EXCLUSIVE))
            continue;
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 1024;
            c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
        }
        c->v[c->n++] = (struct pfn_cand){ pfn, addr, (uint16_t)c->count };
    }
    return 0;
}

static int collect_run(const struct heat_run *run, void *arg)
{
    struct collect *c = arg;
    if (!(run->flags & HEAT_PRESENT))
        return 0;
    c->count = run->count;
    return pagemap_walk(&c->pm, run->start, run->end, collect_entries, c);
}

static int pfn_cmp(const void *a, const void *b)
{
    const struct pfn_cand *x = a, *y = b;
    return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

/* Keep the candidates whose page is in the swap cache (and not under writeback). */
static int filter_swapcache(struct collect *c, struct swapcache_cand **out, size_t *nout)
{
    char path[256];
    int rc = proc_path(path, sizeof(path), "kpageflags");
    if (rc)
        return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == EACCES ? -EPERM : -errno;
    qsort(c->v, c->n, sizeof(*c->v), pfn_cmp);
    uint64_t *flags = xcalloc(KPF_SPAN, sizeof(*flags));
    struct swapcache_cand *res = c->n ? xcalloc(c->n, sizeof(*res)) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < c->n && rc == 0;) {
        /* one pread for the candidates within KPF_SPAN entries of the first */
        size_t j = i;
        while (j < c->n && c->v[j].pfn - c->v[i].pfn < KPF_SPAN)
            j++;
        size_t span = (size_t)(c->v[j - 1].pfn - c->v[i].pfn + 1);
        ssize_t got = pread(fd, flags, span * sizeof(*flags), (off_t)(c->v[i].pfn * sizeof(*flags)));
        if (got < 0) {
            rc = -errno;
            break;
        }
        for (size_t q = i; q < j; q++) {
            size_t off = (size_t)(c->v[q].pfn - c->v[i].pfn);
            if ((size_t)got < (off + 1) * sizeof(*flags))
                continue;
            uint64_t f = flags[off];
            if (!(f & (1ull << KPF_SWAPCACHE)) || (f & (1ull << KPF_WRITEBACK)))
                continue;
            res[k++] = (struct swapcache_cand){ c->v[q].addr, c->v[q].count,
                                                (f & (1ull << KPF_DIRTY)) != 0 };
        }
        i = j;
    }
    close(fd);
    free(flags);
    if (rc) {
        free(res);
        return rc;
    }
    *out = res;
    *nout = k;
    return 0;
}

int swapcache_candidates(pid_t pid, const struct heat_map *hm, struct swapcache_cand **cand,
                         size_t *n)
{
    struct collect c = { 0 };
    int rc;
    *cand = NULL;
    *n = 0;
    c.pm.fd = -1;
    if ((rc = pagemap_open(&c.pm, pid)) != 0)
        return rc;
    if (hm) {
        rc = heat_map_for_each_run(hm, collect_run, &c);
    } else {
        struct vma_list vl = VMA_LIST_INIT;
        rc = vma_list_read(pid, VMA_SRC_MAPS, &vl);
        for (size_t i = 0; rc == 0 && i < vl.n; i++)
            rc = pagemap_walk(&c.pm, vl.v[i].start, vl.v[i].end, collect_entries, &c);
        vma_list_free(&vl);
    }
    pagemap_close(&c.pm);
    if (rc == 0 && c.present && c.with_pfn == 0) {
        /* resident pages but never a PFN: pagemap hides them (no CAP_SYS_ADMIN) */
        rc = -EPERM;
    }
    if (rc == 0)
        rc = filter_swapcache(&c, cand, n);
    free(c.v);
    return rc;
}
