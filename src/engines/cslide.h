/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide.h - the cslide engine's parameters, its tracker choice and runtime hooks. */
#ifndef ETMEM_CSLIDE_H
#define ETMEM_CSLIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "guard_keys.h"

#define CSLIDE_MAX_NODES 1024

struct node_pair {
    int hot_node;       /* fast tier (DRAM) */
    int cold_node;      /* slow tier (PMEM, CXL) */
};

struct node_pairs {
    struct node_pair *pair;
    int nr;
};

struct cslide_engine_params {
    struct node_pairs pairs;
    int hot_threshold;      /* pages with fewer accesses than this are cold */
    int node_mig_quota;     /* MiB moved per direction per cycle */
    int node_hot_reserve;   /* MiB kept free on the fast node for hot pages */
    struct cslide_rt *rt;   /* while any of its tasks runs (cslide_run.c) */
};

struct cslide_task_params {
    char *vm_flags;         /* only VMAs carrying every one of these smaps VmFlags */
    int anon_only;
    int ign_host;
    int scan_backend;       /* index into tracker_choices_in_place */
    struct guard_task_keys guard; /* feedback guard targets on its demotions */
    struct cslide_member *rt;   /* while the task runs */
};

struct kernel_caps;
struct tracker_ops;
/* The tracker for a task: the one asked for, or with auto the best this kernel has that
 * sees the memory the task names (vm_flags=ht: hugetlb, which not every tracker sees) and
 * leaves memory in place. NULL with the reason in why. */
const struct tracker_ops *cslide_tracker_pick(const struct kernel_caps *caps,
                                              const struct cslide_task_params *p, char *why,
                                              size_t why_len);
/* A region project's region source (scan_backend auto): one that leaves memory in place
 * and sees the task's memory; NULL with the reason in why. */
const struct tracker_ops *cslide_region_source_pick(const struct kernel_caps *caps,
                                                    const struct cslide_task_params *p,
                                                    char *why, size_t why_len);
struct project;
/* The tracker or region source for a task of proj. */
const struct tracker_ops *cslide_source_pick(const struct kernel_caps *caps,
                                             const struct project *proj,
                                             const struct cslide_task_params *p, char *why,
                                             size_t why_len);
bool cslide_wants_hugetlb(const struct cslide_task_params *p);

struct engine;
struct engine_ops;
struct task;
struct task_report;
extern struct engine_ops cslide_engine_ops;
void cslide_report_task(struct task *tk, struct task_report *rep);
int cslide_command(struct engine *eng, struct task *tk, const char *cmd, bool json, int fd);

#endif
