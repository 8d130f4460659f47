/* SPDX-License-Identifier: MulanPSL-2.0 */
/* targets.h - which processes a task covers now, kept in tk->pids.
 *
 * type=pid: that process (identified by pid AND start time from the first time it is seen,
 * so a reused pid is never adopted) and its direct children. type=name: every process whose
 * name (comm) is the value, and their direct children. type=cgroup: every process in the
 * cgroup the value names and in the cgroups below it (a process that leaves is no longer
 * covered, its children included). Resolved from /proc and cgroupfs, without running pgrep,
 * each time targets_update is called.
 *
 * Never covered: etmemd itself and kernel threads; pid 1 (init), and so its children, only
 * when the task says allow_init=yes. */
#ifndef ETMEM_TARGETS_H
#define ETMEM_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup_tree.h"
#include "engine.h"

struct targets {
    bool root_known;            /* type=pid: root_starttime is the target's */
    uint64_t root_starttime;
    char refused[256];          /* why a process the task names was left out, or "" */
    /* type=cgroup: where it was found at the last update and what its controller counts */
    bool cgroup_found;
    struct cgroup_ref cgroup;
    int64_t cgroup_memory, cgroup_swap;
};

/* true (and why) when etmemd must not cover pid: itself, a kernel thread, or pid 1 without
 * allow_init. false for a pid that does not exist. */
bool targets_refused(pid_t pid, bool allow_init, char *why, size_t why_len);

/* Bring tk->pids up to date. New processes get eng->ops->alloc_pid_params (when the engine
 * has it; a failing one is left out and logged); processes gone or replaced get
 * free_pid_params. The caller serialises calls and readers of tk->pids.
 * why (may be NULL) says, when the list ends up empty, what was looked for. */
void targets_update(struct targets *tg, struct task *tk, char *why, size_t why_len);
/* type=cgroup: read the cgroup's memory figures again (a cycle's end reports what its
 * actions left, not what the cycle found). */
void targets_measure(struct targets *tg);
/* Free every entry (free_pid_params for each); tk->pids becomes NULL. */
void targets_clear(struct task *tk);
int targets_count(const struct task *tk);
/* Append the entries of tk->pids to (*arr)[*n...], growing *arr (its size in *cap). */
void targets_append(const struct task *tk, struct task_pid ***arr, size_t *n, size_t *cap);
/* The task's processes for `project show`: rep->nr_pids and up to REPORT_PIDS_MAX pids,
 * and for type=cgroup its directory and memory figures. */
void targets_report(const struct targets *tg, const struct task *tk, struct task_report *rep);

#endif
