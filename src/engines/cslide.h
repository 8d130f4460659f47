/* cslide.h - the cslide engine's parameters. */
#ifndef ETMEM_CSLIDE_H
#define ETMEM_CSLIDE_H

#include <stdbool.h>

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
};

struct cslide_task_params {
    char *vm_flags;         /* only VMAs carrying every one of these smaps VmFlags */
    int anon_only;
    int ign_host;
};

#endif
