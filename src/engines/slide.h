/* SPDX-License-Identifier: MulanPSL-2.0 */
/* slide.h - the slide engine's per-task parameters and runtime hooks. */
#ifndef ETMEM_SLIDE_H
#define ETMEM_SLIDE_H

#include <stdint.h>

struct slide_runtime;

struct slide_task_params {
    int T;                      /* hot if the summed weight over `loop` scans is >= T */
    uint64_t swap_threshold_kb; /* skip processes using less; 0 = unset */
    int dram_percent;           /* keep at most this share in RAM; 0 = unset */
    int scan_backend;           /* index into tracker_choices */
    int swap_backend;           /* index into reclaim_choices */
    int allow_fallback;
    struct slide_runtime *rt;   /* while the task runs */
};

struct engine_ops;
struct task;
struct task_report;
extern struct engine_ops slide_engine_ops;
void slide_report_task(struct task *tk, struct task_report *rep);

#endif
