/* SPDX-License-Identifier: MulanPSL-2.0 */
/* probe_sys.c - the sysfs side of the probe: DAMON (read-only: existing contexts'
 * avail_operations, else the kernel's symbol table), NUMA nodes, swap devices. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_internal.h"
#include "proc.h"

#define DAMON_ADMIN "kernel/mm/damon/admin/kdamonds"

static int damon_nr_kdamonds(void)
{
    char path[512];
    uint64_t n;
    sys_path(path, sizeof(path), DAMON_ADMIN "/nr_kdamonds");
    return file_read_u64(path, &n) == 0 ? (int)n : -1;
}

/* 1: some existing context lists vaddr, 0: they exist and none does, -1: no context */
static int damon_ops_from_contexts(int nr)
{
    int seen = -1;
    for (int k = 0; k < nr; k++) {
        char path[512];
        uint64_t nctx;
        sys_path(path, sizeof(path), DAMON_ADMIN "/%d/contexts/nr_contexts", k);
        if (file_read_u64(path, &nctx))
            continue;
        for (uint64_t c = 0; c < nctx; c++) {
            char ops[256];
            sys_path(path, sizeof(path), DAMON_ADMIN "/%d/contexts/%d/avail_operations", k, (int)c);
            if (file_read_line(path, ops, sizeof(ops)))
                continue;
            seen = 0;
            char *save;
            for (char *t = strtok_r(ops, " ", &save); t; t = strtok_r(NULL, " ", &save))
                if (strcmp(t, "vaddr") == 0)
                    return 1;
        }
    }
    return seen;
}

/* Without a context to ask, the vaddr operations' functions in the symbol table tell. */
static int damon_ops_from_kallsyms(void)
{
    char path[512], line[512];
    proc_path(path, sizeof(path), "kallsyms");
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int found = 0;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, " damon_va_")) {
            found = 1;
            break;
        }
    fclose(f);
    return found;
}

bool damon_vaddr_available(char *why, size_t why_len)
{
    char path[512];
    sys_path(path, sizeof(path), "kernel/mm/damon/admin");
    DIR *d = opendir(path);
    if (!d) {
        snprintf(why, why_len, "/sys/kernel/mm/damon/admin missing (kernel built without "
                 "CONFIG_DAMON_SYSFS)");
        return false;
    }
    closedir(d);
    int nr = damon_nr_kdamonds();
    int v = damon_ops_from_contexts(nr);
    if (v == 1) {
        snprintf(why, why_len, "DAMON vaddr listed in avail_operations");
        return true;
    }
    if (v == 0) {
        snprintf(why, why_len, "DAMON sysfs present but avail_operations lacks vaddr (kernel "
                 "built without CONFIG_DAMON_VADDR)");
        return false;
    }
    v = damon_ops_from_kallsyms();
    if (v == 1) {
        snprintf(why, why_len, "DAMON vaddr operations in the kernel symbol table");
        return true;
    }
    snprintf(why, why_len, v == 0 ? "DAMON sysfs present but no vaddr operations (kernel built "
             "without CONFIG_DAMON_VADDR)" : "DAMON sysfs present; vaddr support unknown "
             "(no context to ask, /proc/kallsyms unreadable)");
    return false;
}

void probe_damon(struct kernel_caps *caps)
{
    char why[KERNEL_DETAIL_LEN];
    caps->damon_nr_kdamonds = damon_nr_kdamonds();
    if (caps->damon_nr_kdamonds < 0)
        feat_set(caps, KF_DAMON_SYSFS, false, "/sys/kernel/mm/damon/admin missing (kernel built "
                 "without CONFIG_DAMON_SYSFS)");
    else
        feat_set(caps, KF_DAMON_SYSFS, true, "DAMON sysfs present, %d kdamond(s) exist",
                 caps->damon_nr_kdamonds);
    bool ok = damon_vaddr_available(why, sizeof(why));
    feat_set(caps, KF_DAMON_VADDR, ok, "%s", why);
}

int numa_node_read(int id, struct numa_node_info *n)
{
    char path[512], cpus[256] = "", *text;
    int rc;

    memset(n, 0, sizeof(*n));
    n->id = id;
    sys_path(path, sizeof(path), "devices/system/node/node%d/cpulist", id);
    n->has_cpu = file_read_line(path, cpus, sizeof(cpus)) == 0 && cpus[0] != '\0';
    if (sys_path(path, sizeof(path), "devices/system/node/node%d/meminfo", id) < 0)
        return -ENAMETOOLONG;
    rc = file_read_all(path, &text, NULL);
    if (rc < 0)
        return rc;
    /* lines look like "Node 0 MemTotal:  24684096 kB" */
    for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char key[32];
        unsigned long long v;
        int nid;
        if (sscanf(l, "Node %d %31[^:]: %llu", &nid, key, &v) != 3)
            continue;
        if (strcmp(key, "MemTotal") == 0)
            n->mem_total_kb = v;
        else if (strcmp(key, "MemFree") == 0)
            n->mem_free_kb = v;
    }
    free(text);
    /* absent: no hugetlb pool on this node */
    sys_path(path, sizeof(path),
             "devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages", id);
    (void)file_read_u64(path, &n->huge2m_total);
    sys_path(path, sizeof(path),
             "devices/system/node/node%d/hugepages/hugepages-2048kB/free_hugepages", id);
    (void)file_read_u64(path, &n->huge2m_free);
    return 0;
}

void probe_numa(struct kernel_caps *caps)
{
    char path[512];
    sys_path(path, sizeof(path), "devices/system/node");
    DIR *d = opendir(path);
    caps->nr_nodes = 0;
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && caps->nr_nodes < KERNEL_MAX_NODES) {
        int id;
        char tail;
        if (sscanf(de->d_name, "node%d%c", &id, &tail) != 1)
            continue;
        /* a node whose meminfo cannot be read is listed with no memory */
        (void)numa_node_read(id, &caps->nodes[caps->nr_nodes++]);
    }
    closedir(d);
    /* readdir order is arbitrary: sort by id (few entries) */
    for (int i = 1; i < caps->nr_nodes; i++)
        for (int j = i; j > 0 && caps->nodes[j].id < caps->nodes[j - 1].id; j--) {
            struct numa_node_info t = caps->nodes[j];
            caps->nodes[j] = caps->nodes[j - 1];
            caps->nodes[j - 1] = t;
        }
}

void probe_swaps(struct kernel_caps *caps)
{
    char path[512], *text;
    struct meminfo mi;

    if (proc_read_meminfo(&mi) == 0) {
        caps->swap_total_kb = mi.swap_total;
        caps->swap_free_kb = mi.swap_free;
    }
    proc_path(path, sizeof(path), "swaps");
    if (file_read_all(path, &text, NULL))
        return;
    char *l = strchr(text, '\n'); /* skip the header */
    while (l && *++l && caps->nr_swaps < KERNEL_MAX_SWAPS) {
        struct swap_dev_info *s = &caps->swaps[caps->nr_swaps];
        unsigned long long size, used;
        if (sscanf(l, "%127s %15s %llu %llu %d", s->path, s->type, &size, &used, &s->prio) == 5) {
            s->size_kb = size;
            s->used_kb = used;
            caps->nr_swaps++;
        }
        l = strchr(l, '\n');
    }
    free(text);
}
