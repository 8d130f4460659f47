/* SPDX-License-Identifier: MulanPSL-2.0 */
/* damon.c - the damon engine's configuration: the original's [engine] keys (one DAMOS
 * scheme) and their checks. Its runtime is slide's region path (slide_run.c): the same
 * tasks, targets and region sources, with the scheme's action instead of slide's swap-out
 * of cold regions. */
#include <limits.h>
#include <stdint.h>

#include "conffile.h"
#include "damon.h"
#include "diag.h"
#include "engine.h"
#include "region_monitor.h"
#include "runtime.h"
#include "slide.h"

const char *const damos_action_names[] = {
    [DAMOS_WILLNEED] = "willneed", [DAMOS_COLD] = "cold",
    [DAMOS_PAGEOUT] = "pageout",   [DAMOS_HUGEPAGE] = "hugepage",
    [DAMOS_NOHUGEPAGE] = "nohugepage", [DAMOS_STAT] = "stat",
    [DAMOS_MIGRATE_HOT] = "migrate_hot", [DAMOS_MIGRATE_COLD] = "migrate_cold", NULL,
};

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
              "stat (count only); hugepage, nohugepage, migrate_hot, migrate_cold are "
              "DAMOS actions of the kernel (refused: see docs/region.md)" },
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
    if (s->action == DAMOS_HUGEPAGE || s->action == DAMOS_NOHUGEPAGE ||
        s->action == DAMOS_MIGRATE_HOT || s->action == DAMOS_MIGRATE_COLD) {
        conf_error(cf, "engine", "action", d, "'%s' is a DAMOS action only the kernel can "
                   "take (process_madvise does not take it for another process), and this "
                   "etmemd applies schemes itself (allowed: willneed|cold|pageout|stat)",
                   damos_action_names[s->action]);
        return -1;
    }
    return 0;
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
