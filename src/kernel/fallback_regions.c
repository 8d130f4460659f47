/* fallback_regions.c - region bookkeeping of the fallback tracker: sync with the VMAs,
 * resolve, merge/split (DAMON-like adaptive regions), round-robin probe picking. */
#include "fallback_regions.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define FB_IDLE_STABLE 2

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

void fb_set_sync(struct fb_set *s, const struct vma_list *vmas)
{
    struct fb_region *nv = NULL;
    size_t nn = 0, ncap = 0, j = 0;

    for (size_t i = 0; i < vmas->n; i++) {
        uint64_t vs = vmas->v[i].start, ve = vmas->v[i].end, cur = vs;
        while (j < s->n && s->r[j].end <= vs)
            j++;
        for (size_t k = j; k < s->n && s->r[k].start < ve; k++) {
            struct fb_region r = s->r[k];
            if (r.start < vs)
                r.start = vs;
            if (r.end > ve)
                r.end = ve;
            if (r.start > cur) {
                struct fb_region gap = { .start = cur, .end = r.start };
                gap.vma = (uint32_t)i;
                fb_push(&nv, &nn, &ncap, &gap);
            }
            r.vma = (uint32_t)i;
            fb_push(&nv, &nn, &ncap, &r);
            cur = r.end;
        }
        if (cur < ve) {
            struct fb_region gap = { .start = cur, .end = ve };
            gap.vma = (uint32_t)i;
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
    r->nprobes = 0;
    r->hits = 0;
    r->mixed = 0;
    if (res == FB_ACCESSED) {
        r->idle_age = 0;
        if (hot_skip)
            r->hot_left = (uint8_t)(hot_skip > 255 ? 255 : hot_skip);
    } else if (res == FB_IDLE && r->idle_age < UINT16_MAX) {
        r->idle_age++;
    }
}

void fb_region_resolve_probes(struct fb_region *r, unsigned hot_skip)
{
    bool mixed = r->hits && r->hits < r->nprobes;
    if (r->hits == 0)
        fb_region_resolve(r, FB_IDLE, hot_skip);
    else
        fb_region_resolve(r, FB_ACCESSED, mixed ? 0 : hot_skip);
    r->mixed = mixed;
}

static bool fb_can_merge(const struct fb_region *a, const struct fb_region *b, bool force)
{
    if (a->end != b->start || a->vma != b->vma || a->nprobes || b->nprobes)
        return false;
    if (force)
        return true;
    if (a->mixed || b->mixed)
        return false; /* it is being split to find where its hot part ends */
    /* An idle verdict from one probe may come from a region that is partly hot: merge
     * idle regions only once both stayed idle for FB_IDLE_STABLE windows, so mixed
     * regions keep being split and probed instead of vanishing into the cold mass. */
    if (a->result == FB_IDLE)
        return b->result == FB_IDLE && a->idle_age >= FB_IDLE_STABLE &&
               b->idle_age >= FB_IDLE_STABLE;
    return a->result == b->result;
}

static void fb_merge_into(struct fb_region *a, const struct fb_region *b)
{
    a->end = b->end;
    if (b->hot_left > a->hot_left)
        a->hot_left = b->hot_left;
    if (b->idle_age < a->idle_age)
        a->idle_age = b->idle_age;
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

static int fb_region_cmp(const void *a, const void *b)
{
    const struct fb_region *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static void fb_split_pass(struct fb_set *s, size_t max_regions, uint64_t min_size,
                          uint64_t page_size)
{
    size_t n0 = s->n;
    /* two passes: regions whose probes disagreed first, as they hold a hot/cold edge */
    for (size_t k = 0; k < 2 * n0 && s->n < max_regions; k++) {
        struct fb_region *r = &s->r[k % n0];
        uint64_t size = r->end - r->start;
        if ((k < n0) != (r->mixed != 0) || size < 2 * min_size || r->nprobes)
            continue;
        /* a random page boundary in the middle half */
        uint64_t pages = size / page_size;
        uint64_t at = r->start + (pages / 4 + fb_rand(s) % (pages / 2 + 1)) * page_size;
        if (at - r->start < min_size)
            at = r->start + min_size;
        if (r->end - at < min_size)
            at = r->end - min_size;
        struct fb_region tail = *r;
        tail.start = at;
        r->end = at;
        if (s->n == s->cap) {
            s->cap *= 2;
            s->r = xreallocarray(s->r, s->cap, sizeof(*s->r));
        }
        s->r[s->n++] = tail; /* appended; sorted below */
    }
    if (s->n > 1) /* qsort wants a non-NULL array even for no elements */
        qsort(s->r, s->n, sizeof(*s->r), fb_region_cmp); /* tails were appended */
}

void fb_set_adapt(struct fb_set *s, size_t max_regions, uint64_t min_size, uint64_t page_size)
{
    fb_merge_pass(s, false);
    for (size_t guard = 0; s->n > max_regions && guard < 64; guard++) {
        size_t before = s->n;
        fb_merge_pass(s, true);
        if (s->n == before)
            break; /* VMA boundaries keep regions apart: the pick rotates instead */
    }
    if (s->n < max_regions / 2)
        fb_split_pass(s, max_regions, min_size, page_size);
}

size_t fb_set_pick(struct fb_set *s, size_t budget, fb_skip_fn skip, void *arg, size_t *out)
{
    size_t k = 0, start = s->cursor;
    for (size_t seen = 0; seen < s->n && k < budget; seen++) {
        size_t i = (start + seen) % s->n;
        struct fb_region *r = &s->r[i];
        if (r->hot_left) {
            r->hot_left--;
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
