/* SPDX-License-Identifier: MulanPSL-2.0 */
/* slide.c - the slide engine: swap out the pages of a process that stay cold over a window
 * of `loop` scans. This file holds its configuration; slide_run.c its runtime. */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "conffile.h"
#include "diag.h"
#include "engine.h"
#include "probe.h"
#include "region_tracker.h"
#include "runtime.h"
#include "slide.h"
#include "strparse.h"
#include "tracker.h"
#include "xalloc.h"

#define SLIDE_WEIGHT_MAX 3          /* a dirty page scores 3 per scan */
#define SWAP_THRESHOLD_MAX_LEN 10   /* the original's limit on "<digits>g" */

/* swap_threshold: "<digits>g" or "<digits>G", in GiB, as the guide says. */
static bool parse_swap_threshold(const struct config_key *key, const char *text, void *dst,
                                 char **why)
{
    size_t len = strlen(text);
    uint64_t gib;
    char digits[SWAP_THRESHOLD_MAX_LEN + 1];

    if (len < 2 || len > SWAP_THRESHOLD_MAX_LEN || (text[len - 1] != 'g' && text[len - 1] != 'G')) {
        xasprintf(why, "'%s' is not a size in GiB (allowed: <number>g or <number>G, at most %d "
                  "characters, e.g. 10g)", text, SWAP_THRESHOLD_MAX_LEN);
        return false;
    }
    memcpy(digits, text, len - 1);
    digits[len - 1] = '\0';
    if (!parse_uint64(digits, &gib) || gib > UINT64_MAX / (1024 * 1024)) {
        xasprintf(why, "'%s' is not a size in GiB (allowed: <number>g, e.g. 10g)", text);
        return false;
    }
    *(uint64_t *)dst = gib * 1024 * 1024;
    return true;
}

static const struct config_key slide_task_keys[] = {
    { "T", KEY_INT, KEY_REQUIRED | KEY_LIVE, 0, 120 * SLIDE_WEIGHT_MAX, NULL,
      offsetof(struct slide_task_params, T), .range = "0..loop*3",
      .help = "hot threshold: pages whose access weight summed over loop scans is below T "
              "are cold (read = 1, write = 3 per scan)" },
    { "swap_threshold", KEY_CUSTOM, KEY_LIVE, 0, 0, NULL,
      offsetof(struct slide_task_params, swap_threshold_kb), .parse = parse_swap_threshold,
      .range = "<number>g", .help = "do not swap a process whose resident memory is below "
              "this size (GiB, e.g. 10g)" },
    { "dram_percent", KEY_INT, KEY_LIVE, 1, 100, NULL,
      offsetof(struct slide_task_params, dram_percent),
      .help = "keep at most this percentage of the process in RAM, coldest pages out first" },
    { "scan_backend", KEY_ENUM, 0, 0, 0, "auto", offsetof(struct slide_task_params, scan_backend),
      tracker_choices, .help = "access tracker; auto picks the best the kernel offers (a region "
      "project: the region source checking memory that way)" },
    { "swap_backend", KEY_ENUM, 0, 0, 0, "auto", offsetof(struct slide_task_params, swap_backend),
      reclaim_choices, .help = "swap-out backend; auto picks the best the kernel offers" },
    { "allow_fallback", KEY_YESNO, 0, 0, 0, "yes",
      offsetof(struct slide_task_params, allow_fallback),
      .help = "let auto use the fallback tracker (probes cost the target refaults)" },
    GUARD_TASK_KEYS(struct slide_task_params, guard),
    KEY_END,
};

/* The largest T: loop*3 for page projects (a write scores 3 per scan), the checks of one
 * aggregation for region projects (a region is cold when fewer found it accessed). */
static int slide_max_T(const struct project *proj)
{
    if (proj->type == PAGE_SCAN)
        return ((const struct page_scan *)proj->scan_param)->loop * SLIDE_WEIGHT_MAX;
    const struct region_scan *rs = proj->scan_param;
    unsigned long checks = rs->aggr_interval / rs->sample_interval;
    return checks < 1 ? 1 : checks > INT_MAX ? INT_MAX : (int)checks;
}

static int slide_check_task(const struct conf_file *cf, const struct project *proj,
                            void *task_params, struct diag *d)
{
    const struct slide_task_params *p = task_params;
    const struct kernel_caps *caps = engines_caps();
    char why[1024]; /* one reason per backend tried */

    if (proj->type != PAGE_SCAN && proj->type != REGION_SCAN) {
        conf_error(cf, "task", "engine", d, "the slide engine needs a project with "
                   "scan_type=page or region; project '%s' uses %s scans", proj->name,
                   scan_type_name(proj->type));
        return -1;
    }
    int max = slide_max_T(proj);
    if (p->T > max) {
        if (proj->type == PAGE_SCAN)
            conf_error(cf, "task", "T", d, "value %d is out of range 0..%d (loop*3 with "
                       "loop=%d in project '%s')", p->T, max,
                       ((const struct page_scan *)proj->scan_param)->loop, proj->name);
        else
            conf_error(cf, "task", "T", d, "value %d is out of range 0..%d (a region project's "
                       "checks per aggregation, aggr_interval/sample_interval, in project "
                       "'%s')", p->T, max, proj->name);
        return -1;
    }
    if (caps == NULL)
        return 0;   /* nothing probed (unit tests): checked again at start */
    if (slide_tracker_select(caps, proj, p, why, sizeof(why)) == NULL) {
        conf_error(cf, "task", p->scan_backend ? "scan_backend" : "allow_fallback", d, "%s",
                   why);
        return -1;
    }
    if (reclaim_select(caps, reclaim_choices[p->swap_backend], why, sizeof(why)) == NULL) {
        conf_error(cf, "task", "swap_backend", d, "%s", why);
        return -1;
    }
    return 0;
}

const struct tracker_ops *slide_tracker_select(const struct kernel_caps *caps,
                                               const struct project *proj,
                                               const struct slide_task_params *p, char *why,
                                               size_t why_len)
{
    if (proj->type == REGION_SCAN)
        return region_select_over(caps, tracker_choices[p->scan_backend], p->allow_fallback, why,
                                  why_len);
    return tracker_select(caps, tracker_choices[p->scan_backend], p->allow_fallback, why,
                          why_len);
}

const struct engine_kind slide_engine_kind = {
    .name = "slide",
    .engine_type = SLIDE_ENGINE,
    .summary = "swap out the cold pages of processes (hot/cold by access over loop scans)",
    .task_keys = slide_task_keys,
    .task_params_size = sizeof(struct slide_task_params),
    .check_task = slide_check_task,
    .ops = &slide_engine_ops,
    .suspend_task = slide_suspend_task,
    .resume_task = slide_resume_task,
    .report_task = slide_report_task,
};
