/* SPDX-License-Identifier: MulanPSL-2.0 */
/* slide.h - the slide engine's per-task parameters and runtime hooks. */
#ifndef ETMEM_SLIDE_H
#define ETMEM_SLIDE_H

#include <stddef.h>
#include <stdint.h>

#include "guard_keys.h"

struct slide_runtime;

struct slide_task_params {
    int T;                      /* hot if the summed weight over `loop` scans is >= T;
                                   region projects: checks of one aggregation that found
                                   the region accessed */
    uint64_t swap_threshold_kb; /* skip processes using less; 0 = unset */
    int dram_percent;           /* keep at most this share in RAM; 0 = unset */
    int scan_backend;           /* index into tracker_choices */
    int swap_backend;           /* index into reclaim_choices */
    int allow_fallback;
    struct guard_task_keys guard; /* feedback guard targets and safety envelope */
    struct slide_runtime *rt;   /* while the task runs */
};

struct engine_ops;
struct kernel_caps;
struct project;
struct task;
struct task_report;
struct tracker_ops;
extern struct engine_ops slide_engine_ops;
void slide_report_task(struct task *tk, struct task_report *rep);
/* obj update of a running task (engine_kind's suspend_task and resume_task). */
void slide_suspend_task(struct task *tk);
int slide_resume_task(struct task *tk, void *old_params);
/* The tracker of a task: a region source for region projects, else the page tracker its
 * scan_backend names; NULL + why when the kernel has none that fits. */
const struct tracker_ops *slide_tracker_select(const struct kernel_caps *caps,
                                               const struct project *proj,
                                               const struct slide_task_params *p, char *why,
                                               size_t why_len);

#endif
