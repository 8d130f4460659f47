/* SPDX-License-Identifier: MulanPSL-2.0 */
/* select.c - backend registries and the selectors: pick the best usable tracker/action
 * for this kernel, or explain exactly what the kernel lacks for a requested one. */
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>

#include "action.h"
#include "log.h"
#include "probe.h"
#include "region_tracker.h"
#include "tracker.h"

const struct tracker_ops *const tracker_registry[] = {
    &tracker_idle_pages_ops, &tracker_page_idle_ops, &tracker_damon_ops,
    &tracker_fallback_ops, NULL,
};

const struct tracker_ops *const region_registry[] = {
    &tracker_damon_ops, &tracker_region_page_idle_ops, &tracker_region_probe_ops, NULL,
};

const char region_idle_pages_why[] =
    "per page by nature: a read walks and clears the accessed bits of every page from its "
    "offset until the buffer fills, so it cannot check one page per region; region projects "
    "use page_idle or the probes there";

const struct reclaim_ops *const reclaim_registry[] = {
    &reclaim_swap_pages_ops, &reclaim_madvise_ops, NULL,
};

const struct migrate_ops *const migrate_registry[] = {
    &migrate_move_pages_ops, NULL,
};

#define CHOICES_MAX 16   /* "auto", the backends of one registry, the NULL */

const char *tracker_choices[CHOICES_MAX];
const char *tracker_choices_in_place[CHOICES_MAX];
const char *reclaim_choices[CHOICES_MAX];

/* Config key tables point at the choices from static initialisers, so they are filled
 * before main() (and before a library user's first call). */
__attribute__((constructor)) static void choices_fill(void)
{
    size_t all = 0, in_place = 0, reclaim = 0;

    tracker_choices[all++] = "auto";
    tracker_choices_in_place[in_place++] = "auto";
    for (size_t i = 0; tracker_registry[i] != NULL && all < CHOICES_MAX - 1; i++) {
        tracker_choices[all++] = tracker_registry[i]->name;
        if (!tracker_registry[i]->pages_out)
            tracker_choices_in_place[in_place++] = tracker_registry[i]->name;
    }
    reclaim_choices[reclaim++] = "auto";
    for (size_t i = 0; reclaim_registry[i] != NULL && reclaim < CHOICES_MAX - 1; i++)
        reclaim_choices[reclaim++] = reclaim_registry[i]->name;
}

/* The registries differ in type but share the leading name and the usable() signature;
 * this walker takes accessors so one loop serves all three. */
typedef const char *(*name_fn)(const void *ops);
typedef bool (*usable_fn)(const void *ops, const struct kernel_caps *caps, char *why, size_t len);

static const void *select_from(const void *const *reg, name_fn name_of, usable_fn usable,
                               const char *kind, const struct kernel_caps *caps,
                               const char *want, const char *skip, char *why, size_t why_len)
{
    char reason[KERNEL_DETAIL_LEN];
    bool autosel = !want || strcmp(want, "auto") == 0;

    if (autosel) {
        size_t off = 0;
        off += (size_t)snprintf(why, why_len, "no %s usable:", kind);
        for (size_t i = 0; reg[i]; i++) {
            if (skip && strcmp(name_of(reg[i]), skip) == 0) {
                if (off < why_len)
                    off += (size_t)snprintf(why + off, why_len - off,
                                            " %s: not allowed by the configuration;", skip);
                continue;
            }
            if (usable(reg[i], caps, reason, sizeof(reason)))
                return reg[i];
            if (off < why_len)
                off += (size_t)snprintf(why + off, why_len - off, " %s: %s;", name_of(reg[i]),
                                        reason);
        }
        return NULL;
    }
    for (size_t i = 0; reg[i]; i++) {
        if (strcmp(name_of(reg[i]), want) != 0)
            continue;
        if (usable(reg[i], caps, reason, sizeof(reason)))
            return reg[i];
        snprintf(why, why_len, "%s '%s' unavailable: %s", kind, want, reason);
        return NULL;
    }
    size_t off = (size_t)snprintf(why, why_len, "unknown %s '%s' (known:", kind, want);
    for (size_t i = 0; reg[i] && off < why_len; i++)
        off += (size_t)snprintf(why + off, why_len - off, " %s", name_of(reg[i]));
    if (off < why_len)
        snprintf(why + off, why_len - off, ")");
    return NULL;
}

static const char *tracker_name(const void *ops)
{
    return ((const struct tracker_ops *)ops)->name;
}

static bool tracker_usable(const void *ops, const struct kernel_caps *caps, char *why, size_t len)
{
    return ((const struct tracker_ops *)ops)->usable(caps, why, len);
}

static const char *reclaim_name(const void *ops)
{
    return ((const struct reclaim_ops *)ops)->name;
}

static bool reclaim_usable(const void *ops, const struct kernel_caps *caps, char *why, size_t len)
{
    return ((const struct reclaim_ops *)ops)->usable(caps, why, len);
}

static const char *migrate_name(const void *ops)
{
    return ((const struct migrate_ops *)ops)->name;
}

static bool migrate_usable(const void *ops, const struct kernel_caps *caps, char *why, size_t len)
{
    return ((const struct migrate_ops *)ops)->usable(caps, why, len);
}

const struct tracker_ops *tracker_select(const struct kernel_caps *caps, const char *name,
                                         bool allow_fallback, char *why, size_t why_len)
{
    const char *fb = tracker_fallback_ops.name;

    if (name && strcmp(name, fb) == 0 && !allow_fallback) {
        snprintf(why, why_len, "tracker '%s' forbidden by the configuration", fb);
        return NULL;
    }
    const struct tracker_ops *t = select_from((const void *const *)tracker_registry,
                                              tracker_name, tracker_usable, "tracker", caps,
                                              name, allow_fallback ? NULL : fb, why, why_len);
    static atomic_bool fallback_told;   /* once per process: every obj add and start picks */

    if (t == &tracker_fallback_ops && (!name || strcmp(name, "auto") == 0) &&
        !atomic_exchange(&fallback_told, true))
        log_warn("no kernel access tracking (idle_pages, page_idle, DAMON vaddr) on %s: using "
                 "the fallback tracker (clear_refs + smaps per VMA, ~140 ns/page per window, "
                 "and sampled MADV_PAGEOUT probes: each probe of a hot page costs the target "
                 "one refault)", caps->release);
    return t;
}

bool region_source_usable(const struct tracker_ops *ops, const struct kernel_caps *caps,
                          char *why, size_t len)
{
    return ops->usable(caps, why, len);
}

const struct tracker_ops *region_select(const struct kernel_caps *caps, const char *name,
                                        bool allow_fallback, char *why, size_t why_len)
{
    const char *probe = tracker_region_probe_ops.name;

    if (name && strcmp(name, probe) == 0 && !allow_fallback) {
        snprintf(why, why_len, "region source '%s' forbidden by the configuration", probe);
        return NULL;
    }
    return select_from((const void *const *)region_registry, tracker_name, tracker_usable,
                       "region source", caps, name, allow_fallback ? NULL : probe, why,
                       why_len);
}

/* The region source that checks memory the way each access tracker does. */
static const struct {
    const char *tracker, *source;
} region_source_over[] = {
    { "page_idle", "region_page_idle" },
    { "damon", "damon" },
    { "fallback", "region_probe" },
};

const struct tracker_ops *region_select_over(const struct kernel_caps *caps, const char *tracker,
                                             bool allow_fallback, char *why, size_t why_len)
{
    if (tracker == NULL || strcmp(tracker, "auto") == 0)
        return region_select(caps, NULL, allow_fallback, why, why_len);
    for (size_t i = 0; i < sizeof(region_source_over) / sizeof(region_source_over[0]); i++) {
        if (strcmp(tracker, region_source_over[i].tracker) == 0)
            return region_select(caps, region_source_over[i].source, allow_fallback, why,
                                 why_len);
    }
    snprintf(why, why_len, "'%s' is not a region source (%s); a region project takes auto, "
             "page_idle, damon or fallback", tracker, region_idle_pages_why);
    return NULL;
}

const struct reclaim_ops *reclaim_select(const struct kernel_caps *caps, const char *name,
                                         char *why, size_t why_len)
{
    return select_from((const void *const *)reclaim_registry, reclaim_name, reclaim_usable,
                       "reclaim", caps, name, NULL, why, why_len);
}

const struct migrate_ops *migrate_select(const struct kernel_caps *caps, const char *name,
                                         char *why, size_t why_len)
{
    return select_from((const void *const *)migrate_registry, migrate_name, migrate_usable,
                       "migrate", caps, name, NULL, why, why_len);
}
