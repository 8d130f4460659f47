/* SPDX-License-Identifier: MulanPSL-2.0 */
/* damon.c - the damon engine's configuration: the original's [engine] keys (one DAMOS
 * scheme), DAMOS's quotas and watermarks, and their checks. Its runtime is slide's region
 * path (slide_run.c): the same tasks, targets and region sources. Where the region source
 * is kernel DAMON, the kernel applies the scheme (etmemd writes it and reads its stats);
 * on the user-space monitor etmemd applies it, with the scheme's action instead of slide's
 * swap-out of cold regions. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conffile.h"
#include "damon.h"
#include "diag.h"
#include "engine.h"
#include "probe.h"
#include "region_tracker.h"
#include "region_monitor.h"
#include "runtime.h"
#include "slide.h"

const char *const damos_action_names[] = {
    [DAMOS_WILLNEED] = "willneed", [DAMOS_COLD] = "cold",
    [DAMOS_PAGEOUT] = "pageout",   [DAMOS_HUGEPAGE] = "hugepage",
    [DAMOS_NOHUGEPAGE] = "nohugepage", [DAMOS_STAT] = "stat",
    [DAMOS_MIGRATE_HOT] = "migrate_hot", [DAMOS_MIGRATE_COLD] = "migrate_cold", NULL,
};

static const char *const damos_wmark_metric_names[] = {
    [DAMOS_WMARK_NONE] = "none", [DAMOS_WMARK_FREE_MEM_RATE] = "free_mem_rate", NULL,
};

static bool damos_needs_kernel_action(const struct damos_params *s)
{
    return s->action == DAMOS_HUGEPAGE || s->action == DAMOS_NOHUGEPAGE ||
           s->action == DAMOS_MIGRATE_HOT || s->action == DAMOS_MIGRATE_COLD;
}

bool damos_action_is_cold(int action)
{
    return action == DAMOS_PAGEOUT || action == DAMOS_COLD || action == DAMOS_MIGRATE_COLD;
}

const char *damos_kernel_only(const struct damos_params *s, char *why, size_t len)
{
    if (damos_needs_kernel_action(s)) {
        snprintf(why, len, "action '%s' is a DAMOS action only the kernel can take "
                 "(process_madvise does not take it for another process)",
                 damos_action_names[s->action]);
        return "action";
    }
    if (s->quota_ms > 0) {
        snprintf(why, len, "quota_ms (%lu) limits the time the kernel spends applying the "
                 "scheme", s->quota_ms);
        return "quota_ms";
    }
    if (s->wmarks_metric != DAMOS_WMARK_NONE) {
        snprintf(why, len, "watermarks (wmarks_metric=%s) switch the kernel's scheme on and "
                 "off", damos_wmark_metric_names[s->wmarks_metric]);
        return "wmarks_metric";
    }
    return NULL;
}

void damos_spec_from(const struct damos_params *s, bool dry_run, struct damos_spec *out)
{
    *out = (struct damos_spec){
        .min_size = s->min_size, .max_size = s->max_size,
        .min_acc = s->min_acc, .max_acc = s->max_acc,
        .min_age = s->min_age, .max_age = s->max_age,
        .action = damos_action_names[dry_run ? DAMOS_STAT : s->action],
        .target_nid = dry_run ? -1 : s->target_nid,
        .quota_ms = s->quota_ms, .quota_bytes = s->quota_bytes,
        .quota_reset_ms = s->quota_reset_ms,
        .wmarks_metric = damos_wmark_metric_names[s->wmarks_metric],
        .wmarks_interval_us = s->wmarks_interval, .wmarks_high = s->wmarks_high,
        .wmarks_mid = s->wmarks_mid, .wmarks_low = s->wmarks_low,
    };
}

bool damos_matches(const struct damos_params *s, const struct mon_region *r)
{
    unsigned long size = (unsigned long)(r->end - r->start);
    return !r->fresh && size >= s->min_size && size <= s->max_size &&
           r->last_acc >= s->min_acc && r->last_acc <= s->max_acc && r->age >= s->min_age &&
           r->age <= s->max_age;
}

#define DP(field) offsetof(struct damos_params, field)
static const struct config_key damon_engine_keys[] = {
    { "min_size", KEY_ULONG, KEY_REQUIRED, 0, LONG_MAX, NULL, DP(min_size),
      .help = "smallest region the scheme acts on (bytes)" },
    { "max_size", KEY_ULONG, KEY_REQUIRED, 0, LONG_MAX, NULL, DP(max_size),
      .range = "min_size..", .help = "largest region the scheme acts on (bytes)" },
    { "min_acc", KEY_ULONG, KEY_REQUIRED, 0, UINT32_MAX, NULL, DP(min_acc),
      .help = "fewest accesses: checks of one aggregation interval that found the region "
              "accessed (at most aggr_interval/sample_interval)" },
    { "max_acc", KEY_ULONG, KEY_REQUIRED, 0, UINT32_MAX, NULL, DP(max_acc),
      .range = "min_acc..4294967295", .help = "most accesses (same unit)" },
    { "min_age", KEY_ULONG, KEY_REQUIRED, 0, UINT32_MAX, NULL, DP(min_age),
      .help = "youngest region: aggregation intervals its access count has held" },
    { "max_age", KEY_ULONG, KEY_REQUIRED, 0, UINT32_MAX, NULL, DP(max_age),
      .range = "min_age..4294967295", .help = "oldest region (same unit)" },
    { "action", KEY_ENUM, KEY_REQUIRED, 0, 0, NULL, DP(action), damos_action_names,
      .help = "what to do with a region that qualifies: willneed, cold, pageout (MADV_*), "
              "stat (count only); hugepage, nohugepage, migrate_hot, migrate_cold only where "
              "the kernel applies the scheme (kernel DAMON; see docs/region.md)" },
    { "target_nid", KEY_INT, 0, -1, 1023, "-1", DP(target_nid),
      .range = "-1 (none) or a NUMA node",
      .help = "migrate_hot, migrate_cold: the node the regions move to (required by them, "
              "refused with the other actions)" },
    { "quota_ms", KEY_ULONG, 0, 0, UINT32_MAX, "0", DP(quota_ms),
      .help = "time quota: at most this many ms of the kernel's work applying the scheme per "
              "reset interval (0: none; kernel DAMON only)" },
    { "quota_bytes", KEY_ULONG, 0, 0, LONG_MAX, "0", DP(quota_bytes),
      .help = "size quota: the action is applied to at most this many bytes per reset "
              "interval, coldest regions first for pageout/cold/migrate_cold, hottest first "
              "for the others (0: none)" },
    { "quota_reset_interval_ms", KEY_ULONG, 0, 1, UINT32_MAX, "1000", DP(quota_reset_ms),
      .help = "ms after which the quotas' charge starts again" },
    { "wmarks_metric", KEY_ENUM, 0, 0, 0, "none", DP(wmarks_metric), damos_wmark_metric_names,
      .help = "watermarks: none (the scheme always runs) or free_mem_rate (free memory in "
              "permil of all: the scheme runs while it is below wmarks_mid, stops above "
              "wmarks_high or below wmarks_low; kernel DAMON only)" },
    { "wmarks_interval", KEY_ULONG, 0, 1, UINT32_MAX, "5000000", DP(wmarks_interval),
      .help = "µs between two checks of the watermark metric" },
    { "wmarks_high", KEY_ULONG, 0, 0, 1000, "1000", DP(wmarks_high),
      .help = "permil: above it the scheme stops" },
    { "wmarks_mid", KEY_ULONG, 0, 0, 1000, "1000", DP(wmarks_mid),
      .range = "wmarks_low..wmarks_high", .help = "permil: below it the scheme runs" },
    { "wmarks_low", KEY_ULONG, 0, 0, 1000, "0", DP(wmarks_low),
      .help = "permil: below it the scheme stops (leaving memory to other means)" },
    KEY_END,
};

/* The damon engine's tasks have no key of the original; allow_fallback is ours. */
static const struct config_key damon_task_keys[] = {
    { "allow_fallback", KEY_YESNO, 0, 0, 0, "yes",
      offsetof(struct slide_task_params, allow_fallback),
      .help = "let auto use the pageout-probe region source (probes cost the target "
              "refaults)" },
    KEY_END,
};

/* What this kernel's region source can do with the scheme: kernel DAMON applies it all
 * (migrations from 6.17 on, to a node that exists); the user-space monitor refuses what
 * only the kernel can take. */
static int damon_check_kernel(const struct conf_file *cf, const struct damos_params *s,
                              struct diag *d)
{
    const struct kernel_caps *caps = engines_caps();
    char why[KERNEL_DETAIL_LEN], kwhy[256];
    const char *key = damos_kernel_only(s, kwhy, sizeof(kwhy));

    if (caps == NULL)
        return 0;
    if (!region_source_usable(&tracker_damon_ops, caps, why, sizeof(why))) {
        if (key == NULL)
            return 0;
        conf_error(cf, "engine", key, d, "%s, and kernel DAMON is unusable here, so etmemd "
                   "applies the scheme itself (etmemd --probe, region damon, says why)", kwhy);
        return -1;
    }
    if (!damon_action_usable(caps, damos_action_names[s->action], why, sizeof(why))) {
        conf_error(cf, "engine", "action", d, "%s", why);
        return -1;
    }
    if (s->target_nid < 0)
        return 0;
    for (int i = 0; i < caps->nr_nodes; i++)
        if (caps->nodes[i].id == s->target_nid)
            return 0;
    conf_error(cf, "engine", "target_nid", d, "node %d does not exist (this machine has %d "
               "node(s))", s->target_nid, caps->nr_nodes);
    return -1;
}

static int damon_check_engine(const struct conf_file *cf, void *engine_params, struct diag *d)
{
    const struct damos_params *s = engine_params;
    static const struct {
        const char *min, *max;
        size_t off_min, off_max;
    } pairs[] = {
        { "min_size", "max_size", DP(min_size), DP(max_size) },
        { "min_acc", "max_acc", DP(min_acc), DP(max_acc) },
        { "min_age", "max_age", DP(min_age), DP(max_age) },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        unsigned long lo = *(const unsigned long *)((const char *)s + pairs[i].off_min);
        unsigned long hi = *(const unsigned long *)((const char *)s + pairs[i].off_max);
        if (hi < lo) {
            conf_error(cf, "engine", pairs[i].max, d, "value %lu must not be below %s (%lu)",
                       hi, pairs[i].min, lo);
            return -1;
        }
    }
    if (s->wmarks_high < s->wmarks_mid || s->wmarks_mid < s->wmarks_low) {
        conf_error(cf, "engine", "wmarks_mid", d, "watermarks must keep wmarks_high (%lu) >= "
                   "wmarks_mid (%lu) >= wmarks_low (%lu)", s->wmarks_high, s->wmarks_mid,
                   s->wmarks_low);
        return -1;
    }
    bool migrates = s->action == DAMOS_MIGRATE_HOT || s->action == DAMOS_MIGRATE_COLD;
    if (migrates != (s->target_nid >= 0)) {
        conf_error(cf, "engine", "target_nid", d, migrates ? "action %s needs target_nid, "
                   "the node to move regions to" : "target_nid is for migrate_hot and "
                   "migrate_cold; action %s moves nothing between nodes",
                   damos_action_names[s->action]);
        return -1;
    }
    return damon_check_kernel(cf, s, d);
}

static int damon_check_task(const struct conf_file *cf, const struct project *proj,
                            void *task_params, struct diag *d)
{
    const struct slide_task_params *p = task_params;
    const struct kernel_caps *caps = engines_caps();
    char why[1024];

    if (proj->type != REGION_SCAN) {
        conf_error(cf, "task", "engine", d, "the damon engine needs a project with "
                   "scan_type=region; project '%s' uses %s scans", proj->name,
                   scan_type_name(proj->type));
        return -1;
    }
    if (caps != NULL && slide_tracker_select(caps, proj, p, why, sizeof(why)) == NULL) {
        conf_error(cf, "task", "allow_fallback", d, "%s", why);
        return -1;
    }
    return 0;
}

const struct engine_kind damon_engine_kind = {
    .name = "damon",
    .engine_type = DAMON_ENGINE,
    .summary = "apply one DAMOS scheme (size, accesses, age -> action) to the regions of "
               "processes in a region project",
    .engine_keys = damon_engine_keys,
    .engine_params_size = sizeof(struct damos_params),
    .check_engine = damon_check_engine,
    .task_keys = damon_task_keys,
    .task_params_size = sizeof(struct slide_task_params),
    .check_task = damon_check_task,
    .ops = &slide_engine_ops,
    .suspend_task = slide_suspend_task,
    .resume_task = slide_resume_task,
    .report_task = slide_report_task,
};
