/* SPDX-License-Identifier: MulanPSL-2.0 */
/* region_monitor.c - DAMON's adaptive-region algorithm (mm/damon/core.c: merge, age,
 * split, fit to the target's ranges), driven by a sampler that checks one page per region
 * per sample interval. Pure logic: all I/O is the sampler's. */
#include "region_monitor.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static uint32_t ratio(uint64_t a, uint64_t b)
{
    uint64_t r = b ? a / b : a;
    return r < 1 ? 1 : r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

void region_monitor_init(struct region_monitor *m, const struct damon_attrs *attrs,
                         uint64_t min_sample_us, uint64_t page_size, uint64_t seed)
{
    memset(m, 0, sizeof(*m));
    m->a = *attrs;
    if (m->a.min_nr_regions < 1)
        m->a.min_nr_regions = 1;
    if (m->a.max_nr_regions < m->a.min_nr_regions)
        m->a.max_nr_regions = m->a.min_nr_regions;
    m->page_size = page_size;
    m->rng = seed ? seed : 0x2545f4914f6cdd1dull;
    m->acc_max = ratio(m->a.aggr_us, m->a.sample_us);
    if (m->a.sample_us == 0)
        m->a.sample_us = 1;
    if (m->a.sample_us < min_sample_us) {
        /* sampling and aggregation stretched alike: as many checks per aggregation as
         * configured, so counts keep their meaning and their precision */
        uint64_t f = (min_sample_us + m->a.sample_us - 1) / m->a.sample_us;
        m->a.sample_us *= f;
        m->a.aggr_us = m->a.aggr_us > UINT64_MAX / f ? UINT64_MAX : m->a.aggr_us * f;
    }
    if (m->a.aggr_us < m->a.sample_us)
        m->a.aggr_us = m->a.sample_us;
    m->samples_per_aggr = ratio(m->a.aggr_us, m->a.sample_us);
    m->samples_per_update = ratio(m->a.update_us, m->a.sample_us);
}

void region_monitor_free(struct region_monitor *m)
{
    free(m->r);
    free(m->samples);
    m->r = NULL;
    m->samples = NULL;
    m->n = m->cap = m->samples_cap = 0;
}

uint64_t region_monitor_rand(struct region_monitor *m)
{
    /* xorshift64*: cheap, good enough for sample and split positions */
    m->rng ^= m->rng >> 12;
    m->rng ^= m->rng << 25;
    m->rng ^= m->rng >> 27;
    return m->rng * 0x2545f4914f6cdd1dull;
}

uint32_t region_monitor_max_acc(const struct region_monitor *m)
{
    return m->acc_max;
}

static uint64_t sz(const struct mon_region *r)
{
    return r->end - r->start;
}

static void reserve(struct mon_region **v, size_t *cap, size_t want)
{
    if (want <= *cap)
        return;
    size_t c = *cap ? *cap : 64;
    while (c < want)
        c *= 2;
    *v = xreallocarray(*v, c, sizeof(**v));
    *cap = c;
}

static void push(struct mon_region **v, size_t *n, size_t *cap, uint64_t start, uint64_t end,
                 const struct mon_region *from)
{
    reserve(v, cap, *n + 1);
    struct mon_region *r = &(*v)[(*n)++];
    if (from)
        *r = *from;
    else
        *r = (struct mon_region){ .fresh = true };
    r->start = start;
    r->end = end;
}

/* Join the ranges across their smallest gaps until at most max remain. */
static struct region_range *join_ranges(const struct region_range *in, size_t n, size_t max,
                                        size_t *out_n)
{
    struct region_range *v = xcalloc(n ? n : 1, sizeof(*v));
    memcpy(v, in, n * sizeof(*v));
    while (n > max && n > 1) {
        size_t best = 0;
        for (size_t i = 1; i + 1 < n; i++)
            if (v[i + 1].start - v[i].end < v[best + 1].start - v[best].end)
                best = i;
        v[best].end = v[best + 1].end;
        memmove(&v[best + 1], &v[best + 2], (n - best - 2) * sizeof(*v));
        n--;
    }
    *out_n = n;
    return v;
}

/* Cut [start, end) into k equal page-aligned fresh regions (fewer if it has fewer pages). */
static void push_even(struct region_monitor *m, struct mon_region **v, size_t *n, size_t *cap,
                      uint64_t start, uint64_t end, uint64_t k)
{
    uint64_t pages = (end - start) / m->page_size;
    if (k > pages)
        k = pages ? pages : 1;
    uint64_t cur = start;
    for (uint64_t i = 1; i <= k; i++) {
        uint64_t e = i == k ? end : start + pages * i / k * m->page_size;
        push(v, n, cap, cur, e, NULL);
        cur = e;
    }
}

void region_monitor_set_ranges(struct region_monitor *m, const struct region_range *in,
                               size_t nin)
{
    size_t nr;
    struct region_range *rg = join_ranges(in, nin, m->a.max_nr_regions, &nr);
    struct mon_region *v = NULL;
    size_t n = 0, cap = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < nr; i++)
        total += rg[i].end - rg[i].start;

    if (m->n == 0) {
        /* min_nr_regions by size, at least one per range; one each if that is too many */
        uint64_t sum = 0;
        for (size_t pass = 0; pass < 2; pass++) {
            for (size_t i = 0; i < nr; i++) {
                uint64_t k = total ? m->a.min_nr_regions * (rg[i].end - rg[i].start) / total : 1;
                if (k < 1 || sum > m->a.max_nr_regions)
                    k = 1;
                if (pass == 0)
                    sum += k;
                else
                    push_even(m, &v, &n, &cap, rg[i].start, rg[i].end, k);
            }
        }
    } else {
        size_t ri = 0;
        for (size_t i = 0; i < nr; i++) {
            uint64_t cur = rg[i].start;
            while (ri < m->n && m->r[ri].end <= rg[i].start)
                ri++;
            for (size_t j = ri; j < m->n && m->r[j].start < rg[i].end; j++) {
                uint64_t s = m->r[j].start > cur ? m->r[j].start : cur;
                uint64_t e = m->r[j].end < rg[i].end ? m->r[j].end : rg[i].end;
                if (s >= e)
                    continue;
                if (s > cur)
                    push(&v, &n, &cap, cur, s, NULL);
                push(&v, &n, &cap, s, e, &m->r[j]);
                cur = e;
            }
            if (cur < rg[i].end)
                push(&v, &n, &cap, cur, rg[i].end, NULL);
        }
    }
    free(rg);
    free(m->r);
    m->r = v;
    m->n = n;
    m->cap = cap;
    m->total_size = total;
    m->prepared = false; /* the samples belonged to the old regions */
}

static uint32_t absdiff(uint32_t a, uint32_t b)
{
    return a > b ? a - b : b - a;
}

void region_monitor_age(struct region_monitor *m, uint32_t threshold)
{
    for (size_t i = 0; i < m->n; i++) {
        struct mon_region *r = &m->r[i];
        if (r->fresh || absdiff(r->nr_accesses, r->last_acc) > threshold ||
            (r->nr_accesses == 0) != (r->last_acc == 0))
            r->age = 0;
        else if (r->age < UINT32_MAX)
            r->age++;
    }
}

static uint32_t weighted(uint32_t a, uint64_t wa, uint32_t b, uint64_t wb)
{
    return (uint32_t)(((uint64_t)a * wa + (uint64_t)b * wb) / (wa + wb));
}

/* A fresh region that no check could tell about yet: it learned nothing to merge by. */
static bool unknown(const struct mon_region *r)
{
    return r->fresh && r->nr_checked == 0;
}

void region_monitor_merge(struct region_monitor *m, uint32_t threshold, uint64_t sz_limit)
{
    size_t out = 0;
    for (size_t i = 0; i < m->n; i++) {
        struct mon_region *r = &m->r[i];
        struct mon_region *prev = out ? &m->r[out - 1] : NULL;
        if (prev && prev->end == r->start && !unknown(prev) && !unknown(r) &&
            absdiff(prev->nr_accesses, r->nr_accesses) <= threshold &&
            sz(prev) + sz(r) <= sz_limit) {
            uint64_t wp = sz(prev), wr = sz(r);
            prev->nr_accesses = weighted(prev->nr_accesses, wp, r->nr_accesses, wr);
            prev->last_acc = weighted(prev->last_acc, wp, r->last_acc, wr);
            prev->age = weighted(prev->age, wp, r->age, wr);
            prev->nr_checked += r->nr_checked;
            prev->end = r->end;
        } else {
            m->r[out++] = *r;
        }
    }
    m->n = out;
}

void region_monitor_split(struct region_monitor *m)
{
    size_t max = m->a.max_nr_regions;
    if (m->n > max / 2)
        return;
    unsigned pieces = m->last_nr_regions == m->n && m->n < max / 3 ? 3 : 2;
    struct mon_region *v = NULL;
    size_t n = 0, cap = 0;
    reserve(&v, &cap, m->n * pieces);
    for (size_t i = 0; i < m->n; i++) {
        struct mon_region r = m->r[i];
        /* as DAMON: cut off a random tenth-multiple of what is left, pieces - 1 times */
        uint64_t cuts[2];
        unsigned nc = 0;
        uint64_t left = sz(&r);
        for (unsigned p = 0; p + 1 < pieces && left > 2 * m->page_size; p++) {
            uint64_t sub = (1 + region_monitor_rand(m) % 9) * left / 10;
            sub -= sub % m->page_size;
            if (sub == 0 || sub >= left)
                continue;
            cuts[nc++] = r.start + sub;
            left = sub;
        }
        uint64_t cur = r.start;
        for (unsigned c = nc; c > 0; c--) { /* the cuts came in descending order */
            push(&v, &n, &cap, cur, cuts[c - 1], &r);
            cur = cuts[c - 1];
        }
        push(&v, &n, &cap, cur, r.end, &r);
    }
    m->last_nr_regions = n;
    free(m->r);
    m->r = v;
    m->n = n;
    m->cap = cap;
}

/* Counts as if every check of the aggregation had been conclusive, in the configured
 * scale; no conclusive check: the last verdict stands (a fresh region stays fresh). */
static void normalize(struct region_monitor *m)
{
    for (size_t i = 0; i < m->n; i++) {
        struct mon_region *r = &m->r[i];
        if (r->nr_checked == 0)
            r->nr_accesses = r->last_acc;
        else
            r->nr_accesses = (uint32_t)(((uint64_t)r->nr_accesses * m->acc_max +
                                         r->nr_checked / 2) / r->nr_checked);
    }
}

static void aggregate(struct region_monitor *m)
{
    uint32_t max_thres = m->acc_max / 10, threshold = max_thres;
    uint64_t sz_limit = m->total_size / m->a.min_nr_regions;
    if (sz_limit < m->page_size)
        sz_limit = m->page_size;
    normalize(m);
    region_monitor_age(m, threshold);
    /* as DAMON: raise the threshold until the count is within bounds */
    do {
        region_monitor_merge(m, threshold, sz_limit);
        threshold = threshold ? threshold * 2 : 1;
    } while (m->n > m->a.max_nr_regions && threshold / 2 <= max_thres);
    for (size_t i = 0; i < m->n; i++) {
        struct mon_region *r = &m->r[i];
        r->last_acc = r->nr_accesses;
        r->fresh = r->fresh && r->nr_checked == 0;
        r->nr_accesses = r->nr_checked = 0;
    }
    m->aggregations++;
    region_monitor_split(m);
}

static int update_ranges(struct region_monitor *m, const struct region_sampler *s)
{
    const struct region_range *rg;
    size_t n;
    int rc = s->ops->ranges(s->ctx, &rg, &n);
    if (rc)
        return rc;
    region_monitor_set_ranges(m, rg, n);
    m->since_update = 0;
    return 0;
}

static int prepare(struct region_monitor *m, const struct region_sampler *s)
{
    if (m->n > m->samples_cap) {
        m->samples = xreallocarray(m->samples, m->n, sizeof(*m->samples));
        m->samples_cap = m->n;
    }
    for (size_t i = 0; i < m->n; i++) {
        uint64_t pages = sz(&m->r[i]) / m->page_size;
        uint64_t off = pages > 1 ? region_monitor_rand(m) % pages : 0;
        m->samples[i] = (struct region_sample){ .addr = m->r[i].start + off * m->page_size };
    }
    int rc = m->n ? s->ops->prepare(s->ctx, m->samples, m->n) : 0;
    m->prepared = rc == 0;
    return rc;
}

int region_monitor_step(struct region_monitor *m, const struct region_sampler *s,
                        bool *aggregated)
{
    int rc;
    *aggregated = false;
    if (m->prepared) {
        m->prepared = false;
        if ((rc = s->ops->check(s->ctx, m->samples, m->n)) != 0)
            return rc;
        for (size_t i = 0; i < m->n; i++) {
            uint8_t res = m->samples[i].result;
            struct mon_region *r = &m->r[i];
            m->checks++;
            m->checks_unknown += res == RA_UNKNOWN;
            if (res == RA_UNKNOWN || r->nr_checked >= m->samples_per_aggr)
                continue;
            r->nr_checked++;
            r->nr_accesses += res == RA_ACCESSED;
        }
        m->since_update++;
        if (++m->since_aggr >= m->samples_per_aggr) {
            aggregate(m);
            m->since_aggr = 0;
            *aggregated = true;
        }
    }
    if (m->n == 0 || m->since_update >= m->samples_per_update)
        if ((rc = update_ranges(m, s)) != 0)
            return rc;
    return prepare(m, s);
}
