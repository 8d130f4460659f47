/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cgroup_tree.h - the processes of a cgroup and of every cgroup below it, and the memory
 * the cgroup's controller counts: what a task of type=cgroup covers.
 *
 * Contract: as memsig.h (paths under procfs_root()/sysfs_root(), 0 or a negative errno,
 * nothing sleeps). */
#ifndef ETMEM_KERNEL_CGROUP_TREE_H
#define ETMEM_KERNEL_CGROUP_TREE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CGROUP_PATH_MAX 4095    /* longest type=cgroup value */

struct cgroup_ref {
    char dir[4096];             /* the cgroup's directory */
    int version;                /* 2, or 1 for a v1 memory-controller hierarchy */
};

/* Find the cgroup a value names: an absolute path inside a cgroup v2 or v1 memory
 * hierarchy as it is; anything else relative to the v2 mount, then to the v1 memory
 * controller's mount. -ENOENT when no such directory exists (or no hierarchy at all). */
int cgroup_resolve(const char *value, struct cgroup_ref *cg);
/* Every process in the cgroup and in the cgroups below it (no repeats, any order);
 * *pids allocated (NULL when none). */
int cgroup_list_procs(const struct cgroup_ref *cg, pid_t **pids, size_t *n);
/* What the memory controller counts for the cgroup: v2 memory.current and
 * memory.swap.current, v1 memory.usage_in_bytes and memory.memsw.usage_in_bytes minus
 * it. -1 where the controller or its swap accounting is not there. */
void cgroup_memory_usage(const struct cgroup_ref *cg, int64_t *memory, int64_t *swap);

#endif
