/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fallback_regions.c - region bookkeeping of the fallback tracker: sync with the VMAs,
 * resolve, merge/split (DAMON-like adaptive regions), round-robin probe picking. */
#include "fallback_regions.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void fb_set_init(struct fb_set *s, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

void fb_set_free(struct fb_set *s)
{
    free(s->r);
    memset(s, 0, sizeof(*s));
}

uint64_t fb_rand(struct fb_set *s)
{
    uint64_t x = s->rng; /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s->rng = x;
    return x;
}

static void fb_push(struct fb_region **v, size_t *n, size_t *cap, const struct fb_region *r)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *v = xreallocarray(*v, *cap, sizeof(**v));
    }
    (*v)[(*n)++] = *r;
}

/* Resident pages of [start, end) of VMA v, estimated from its Rss (smaps), or the whole
 * size when smaps was not read. */
static uint64_t fb_estimate(const struct vma_entry *v, uint64_t start, uint64_t end,
                            uint64_t page_size)
{
    uint64_t pages = (end - start) / page_size, size = v->end - v->start;
    if (!v->have_smaps || size == 0)
        return pages;
    uint64_t rss = v->rss_kb * 1024 / page_size;
    /* pages * rss / vma pages without overflow for any realistic size */
    return (uint64_t)((double)pages * (double)rss * (double)page_size / (double)size + 0.5);
}

static uint64_t fb_scale(uint64_t resident, uint64_t part, uint64_t whole)
{
    if (whole == 0 || part >= whole)
        return resident;
    return (uint64_t)((double)resident * (double)part / (double)whole + 0.5);
}

void fb_set_sync(struct fb_set *s, const struct vma_list *vmas, uint64_t page_size)
{
    struct fb_region *nv = NULL;
    size_t nn = 0, ncap = 0, j = 0;

    for (size_t i = 0; i < vmas->n; i++) {
        const struct vma_entry *v = &vmas->v[i];
        uint64_t vs = v->start, ve = v->end, cur = vs;
        while (j < s->n && s->r[j].end <= vs)
            j++;
        for (size_t k = j; k < s->n && s->r[k].start < ve; k++) {
            struct fb_region r = s->r[k];
            uint64_t size = r.end - r.start;
            if (r.start < vs)
                r.start = vs;
            if (r.end > ve)
                r.end = ve;
            r.resident = fb_scale(r.resident, r.end - r.start, size);
            if (r.end - r.start != size)
                r.swapped = 0; /* not known for the part: no comeback seen this window */
            if (r.start > cur) {
                struct fb_region gap = { .start = cur, .end = r.start };
                gap.vma = (uint32_t)i;
                gap.resident = fb_estimate(v, gap.start, gap.end, page_size);
                fb_push(&nv, &nn, &ncap, &gap);
            }
            r.vma = (uint32_t)i;
            fb_push(&nv, &nn, &ncap, &r);
            cur = r.end;
        }
        if (cur < ve) {
            struct fb_region gap = { .start = cur, .end = ve };
            gap.vma = (uint32_t)i;
            gap.resident = fb_estimate(v, cur, ve, page_size);
            fb_push(&nv, &nn, &ncap, &gap);
        }
    }
    free(s->r);
    s->r = nv;
    s->n = nn;
    s->cap = ncap;
    if (s->cursor >= s->n)
        s->cursor = 0;
}

void fb_region_resolve(struct fb_region *r, enum fb_result res, unsigned hot_skip)
{
    r->result = (uint8_t)res;
    r->pending = 0;
    r->nprobes = 0;
    r->hits = 0;
    r->mixed = 0;
    if (res == FB_ACCESSED) {
        r->idle_age = 0;
        r->seen_accessed = 1;
        if (hot_skip) {
            unsigned shift = r->hot_streak < FB_BACKOFF_MAX ? r->hot_streak : FB_BACKOFF_MAX;
            unsigned left = hot_skip << shift;
            r->hot_left = (uint8_t)(left > 255 ? 255 : left);
            if (r->hot_streak < UINT8_MAX)
                r->hot_streak++;
        }
    } else if (res == FB_IDLE) {
        if (r->idle_age < UINT16_MAX)
            r->idle_age++;
        r->hot_left = 0;
        r->hot_streak = 0;
    }
}

void fb_region_unprobed(struct fb_region *r)
{
    if (r->hot_left || r->hold_left) {
        r->result = FB_ACCESSED;
        return;
    }
    if (r->stale < UINT8_MAX)
        r->stale++;
    if (r->result == FB_IDLE && r->stale > FB_IDLE_STALE)
        r->result = FB_UNKNOWN;
}

void fb_region_hold(struct fb_region *r)
{
    fb_region_resolve(r, FB_ACCESSED, 0);
    r->hot_left = 0;
    r->hot_streak = 0;
    r->stale = 0;
    if (r->comebacks < UINT8_MAX)
        r->comebacks++;
    unsigned shift = r->comebacks - 1u < FB_BACKOFF_MAX ? r->comebacks - 1u : FB_BACKOFF_MAX;
    unsigned left = (unsigned)FB_HOLD_BASE << shift;
    r->hold_left = (uint8_t)(left > 255 ? 255 : left);
}

void fb_region_resolve_probes(struct fb_region *r, unsigned hot_skip)
{
    r->stale = 0;
    if (r->nprobes == 0) {
        r->pending = 0;
        r->hits = 0;
        r->mixed = 0;
        r->result = r->hot_left ? FB_ACCESSED : FB_UNKNOWN;
        return;
    }
    bool mixed = r->hits && r->hits < r->nprobes;
    if (r->hits == 0) {
        fb_region_resolve(r, FB_IDLE, hot_skip);
    } else if (mixed) {
        r->hot_streak = 0;
        r->hot_left = 0;
        fb_region_resolve(r, FB_ACCESSED, 0);
    } else {
        fb_region_resolve(r, FB_ACCESSED, hot_skip);
    }
    r->mixed = mixed;
}

bool fb_region_idle(const struct fb_region *r)
{
    return r->result == FB_IDLE && (!r->seen_accessed || r->idle_age >= FB_IDLE_STABLE);
}

size_t fb_set_check_hot(struct fb_set *s, const struct vma_list *vmas, uint64_t page_size)
{
    size_t cleared = 0;
    for (size_t i = 0; i < s->n;) {
        uint32_t vi = s->r[i].vma;
        size_t j = i;
        uint64_t hot = 0;
        while (j < s->n && s->r[j].vma == vi) {
            if (s->r[j].hot_left)
                hot += s->r[j].resident;
            j++;
        }
        if (vi < vmas->n && vmas->v[vi].have_smaps) {
            uint64_t ref = vmas->v[vi].referenced_kb * 1024 / page_size;
            if (hot > 2 * ref + FB_HOT_SLACK) {
                for (size_t k = i; k < j; k++) {
                    if (s->r[k].hot_left) {
                        s->r[k].hot_left = 0;
                        s->r[k].hot_streak = 0;
                        cleared++;
                    }
                }
            }
        }
        i = j;
    }
    return cleared;
}

static bool fb_can_merge(const struct fb_region *a, const struct fb_region *b, bool force)
{
    if (a->end != b->start || a->vma != b->vma || a->pending || b->pending)
        return false;
    if (force)
        return true;
    if (a->mixed || b->mixed)
        return false; /* it is being split to find where its hot part ends */
    /* An idle verdict from one probe may come from a region that is partly hot, or warm
     * (touched every few windows): merge idle regions only once both stayed idle for
     * FB_IDLE_MERGE windows, so such regions keep being probed on their own instead of
     * vanishing into the cold mass (whose every page their next touch would make look
     * accessed for a window). */
    if (a->result == FB_IDLE)
        return b->result == FB_IDLE && a->idle_age >= FB_IDLE_MERGE &&
               b->idle_age >= FB_IDLE_MERGE;
    return a->result == b->result;
}

static void fb_merge_into(struct fb_region *a, const struct fb_region *b)
{
    a->end = b->end;
    a->resident += b->resident;
    if (b->hot_left > a->hot_left)
        a->hot_left = b->hot_left;
    if (b->hot_streak < a->hot_streak)
        a->hot_streak = b->hot_streak;
    if (b->idle_age < a->idle_age)
        a->idle_age = b->idle_age;
    a->seen_accessed |= b->seen_accessed;
    a->mixed |= b->mixed;
    if (b->hold_left > a->hold_left)
        a->hold_left = b->hold_left;
    if (b->comebacks > a->comebacks)
        a->comebacks = b->comebacks;
    if (b->stale > a->stale)
        a->stale = b->stale;
    if (a->result != b->result)
        a->result = FB_UNKNOWN;
}

/* One pass: merge agreeing neighbours; force: merge disjoint pairs whatever they saw,
 * halving the count (used only above max_regions). */
static void fb_merge_pass(struct fb_set *s, bool force)
{
    size_t w = 0;
    bool last_merged = false;
    for (size_t i = 0; i < s->n; i++) {
        if (w && !(force && last_merged) && fb_can_merge(&s->r[w - 1], &s->r[i], force)) {
            fb_merge_into(&s->r[w - 1], &s->r[i]);
            last_merged = true;
            continue;
        }
        s->r[w++] = s->r[i];
        last_merged = false;
    }
    s->n = w;
}

/* How much a region deserves more probes: its resident pages where a probe can still
 * learn something, 0 where it cannot: wholly accessed (probes there are refaults; its own
 * probes find out if it turns partly cold), firmly idle, nothing resident. */
static uint64_t fb_split_weight(const struct fb_region *r)
{
    if (r->pending || r->resident == 0)
        return 0;
    if (r->mixed)
        return 4 * r->resident;
    if (r->result == FB_ACCESSED || r->hot_left || r->hold_left)
        return 0;
    if (r->result == FB_IDLE && r->idle_age >= FB_IDLE_STABLE)
        return 0;
    return r->resident;
}

/* Split s->r[i] into k parts of equal size, each boundary moved by up to a quarter part
 * at random, page aligned, never a part below min_size. Parts are appended. */
static void fb_split_region(struct fb_set *s, size_t i, uint64_t k, uint64_t min_size,
                            uint64_t page_size)
{
    struct fb_region whole = s->r[i];
    uint64_t size = whole.end - whole.start, part = size / k, prev = whole.start;
    for (uint64_t p = 1; p <= k; p++) {
        uint64_t at = whole.end;
        if (p < k) {
            uint64_t jit = part / 4 / page_size, base = whole.start + p * part;
            if (jit)
                base = base - jit * page_size + (fb_rand(s) % (2 * jit + 1)) * page_size;
            at = base - (base - whole.start) % page_size;
            if (at < prev + min_size)
                at = prev + min_size;
            if (at > whole.end - (k - p) * min_size)
                at = whole.end - (k - p) * min_size;
        }
        struct fb_region r = whole;
        r.start = prev;
        r.end = at;
        r.resident = fb_scale(whole.resident, at - prev, size);
        if (p == 1) {
            s->r[i] = r;
        } else {
            if (s->n == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 64;
                s->r = xreallocarray(s->r, s->cap, sizeof(*s->r));
            }
            s->r[s->n++] = r;
        }
        prev = at;
    }
}

static int fb_region_cmp(const void *a, const void *b)
{
    const struct fb_region *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static void fb_split_pass(struct fb_set *s, size_t max_regions, uint64_t min_size,
                          uint64_t page_size)
{
    size_t n0 = s->n, extra = max_regions - n0;
    double total = 0;
    size_t nmixed = 0;
    for (size_t i = 0; i < n0; i++) {
        uint64_t w = fb_split_weight(&s->r[i]);
        total += (double)w;
        nmixed += w && s->r[i].mixed && s->r[i].end - s->r[i].start >= 2 * min_size;
    }
    if (total <= 0)
        return;
    /* a region whose probes disagreed is split in two at least: it holds an edge */
    if (nmixed > extra)
        nmixed = extra;
    extra -= nmixed;
    for (size_t i = 0; i < n0 && s->n < max_regions; i++) {
        struct fb_region *r = &s->r[i];
        uint64_t w = fb_split_weight(r), size = r->end - r->start;
        if (!w || size < 2 * min_size)
            continue;
        uint64_t k = 1 + (uint64_t)((double)extra * (double)w / total);
        if (r->mixed && k < 2 && nmixed) {
            k = 2;
            nmixed--;
        }
        if (k > size / min_size)
            k = size / min_size;
        if (k > max_regions - s->n + 1)
            k = max_regions - s->n + 1;
        if (k >= 2)
            fb_split_region(s, i, k, min_size, page_size);
    }
    if (s->n > 1) /* qsort wants a non-NULL array even for no elements */
        qsort(s->r, s->n, sizeof(*s->r), fb_region_cmp); /* parts were appended */
}

void fb_set_adapt(struct fb_set *s, size_t max_regions, uint64_t min_size, uint64_t page_size)
{
    if (min_size < page_size)
        min_size = page_size;
    fb_merge_pass(s, false);
    for (size_t guard = 0; s->n > max_regions && guard < 64; guard++) {
        size_t before = s->n;
        fb_merge_pass(s, true);
        if (s->n == before)
            break; /* VMA boundaries keep regions apart: the pick rotates instead */
    }
    if (s->n < max_regions)
        fb_split_pass(s, max_regions, min_size, page_size);
}

size_t fb_set_pick(struct fb_set *s, size_t budget, fb_skip_fn skip, void *arg, size_t *out)
{
    size_t k = 0, start = s->cursor;
    for (size_t seen = 0; seen < s->n && k < budget; seen++) {
        size_t i = (start + seen) % s->n;
        struct fb_region *r = &s->r[i];
        if (r->hot_left || r->hold_left) {
            r->hot_left -= r->hot_left > 0;
            r->hold_left -= r->hold_left > 0;
            continue;
        }
        if (skip && skip(arg, r))
            continue;
        out[k++] = i;
        s->cursor = (i + 1) % s->n;
    }
    return k;
}

long fb_set_find(const struct fb_set *s, uint64_t addr)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->r[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->r[lo].start <= addr ? (long)lo : -1;
}
