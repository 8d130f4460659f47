/* SPDX-License-Identifier: MulanPSL-2.0 */
/* folio_heads.c - tails of large folios (mTHP, PTE-mapped THP) mapped to their heads. */
#include "folio_heads.h"

#include <stdbool.h>

#include "sys_compat.h"

#define RUN_READ_MAX 512    /* kpageflags words read at once; also the furthest look back */
#define KPF_HEAD_BIT (1ull << KPF_COMPOUND_HEAD)
#define KPF_TAIL_BIT (1ull << KPF_COMPOUND_TAIL)
#define NO_HEAD UINT64_MAX

/* The head of the folio whose tail pages start at p0 (the folio began before p0). */
static int head_before(uint64_t p0, kpf_read_fn rd, void *arg, uint64_t *head)
{
    uint64_t flags[RUN_READ_MAX];
    uint64_t from = p0 > RUN_READ_MAX ? p0 - RUN_READ_MAX : 0;
    int rc;

    *head = NO_HEAD;
    if (p0 == 0 || (rc = rd(arg, from, (size_t)(p0 - from), flags)) != 0)
        return p0 == 0 ? 0 : rc;
    for (uint64_t p = p0; p-- > from;) {
        uint64_t f = flags[p - from];

        if (f & KPF_HEAD_BIT) {
            *head = p;
            return 0;
        }
        if (!(f & KPF_TAIL_BIT))
            return 0;   /* a page of no folio of ours: the run's first tail is orphaned */
    }
    return 0;
}

/* One run of consecutive PFNs, pfn[0] .. pfn[n-1], n <= RUN_READ_MAX. */
static int run_heads(const uint64_t *pfn, size_t n, kpf_read_fn rd, void *arg, uint64_t *head)
{
    uint64_t flags[RUN_READ_MAX], cur = NO_HEAD;
    int rc = rd(arg, pfn[0], n, flags);

    if (rc != 0)
        return rc;
    for (size_t k = 0; k < n; k++) {
        head[k] = pfn[k];
        if (flags[k] & KPF_HEAD_BIT) {
            cur = pfn[k];
        } else if (flags[k] & KPF_TAIL_BIT) {
            if (cur == NO_HEAD && k == 0 && (rc = head_before(pfn[0], rd, arg, &cur)) != 0)
                return rc;
            if (cur != NO_HEAD)
                head[k] = cur;
        } else {
            cur = NO_HEAD;
        }
    }
    return 0;
}

int folio_heads(const uint64_t *pfn, size_t n, kpf_read_fn rd, void *arg, uint64_t *head)
{
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        int rc;

        while (j < n && j - i < RUN_READ_MAX && pfn[j] == pfn[j - 1] + 1)
            j++;
        if (j - i == 1) {
            head[i] = pfn[i];
        } else if ((rc = run_heads(pfn + i, j - i, rd, arg, head + i)) != 0) {
            return rc;
        }
        i = j;
    }
    return 0;
}
