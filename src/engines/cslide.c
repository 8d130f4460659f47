/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide.c - the cslide engine: keep hot pages on the fast NUMA node and cold ones on the
 * slow node of each node pair. This file holds its configuration, the checks against the
 * machine's nodes and the tracker choice; cslide_run.c its runtime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "cslide.h"
#include "diag.h"
#include "engine.h"
#include "probe.h"
#include "region_tracker.h"
#include "runtime.h"
#include "strparse.h"
#include "tracker.h"
#include "vma.h"
#include "xalloc.h"

static bool node_pair_fail(char **why, const char *text, const char *detail)
{
    xasprintf(why, "'%s' %s (allowed: hot,cold node pairs separated by ';', e.g. 0,2;1,3)",
              text, detail);
    return false;
}

static bool node_id(const char *s, int *out)
{
    int64_t v;

    if (!parse_int_range(s, 0, CSLIDE_MAX_NODES - 1, &v))
        return false;
    *out = (int)v;
    return true;
}

/* node_pair: "hot,cold;hot,cold". Separators may also be blanks, as in the original. */
static bool parse_node_pairs(const struct config_key *key, const char *text, void *dst,
                             char **why)
{
    struct node_pairs *np = dst;
    char *copy = xstrdup(text), *save = NULL, *pair;
    struct node_pair *out = NULL;
    int nr = 0;

    for (pair = strtok_r(copy, ";", &save); pair != NULL; pair = strtok_r(NULL, ";", &save)) {
        char *psave = NULL, *hot = strtok_r(pair, ", \t", &psave);
        char *cold = hot ? strtok_r(NULL, ", \t", &psave) : NULL;
        struct node_pair p;

        if (hot == NULL)
            continue;   /* tolerate a trailing ';' */
        if (cold == NULL || strtok_r(NULL, ", \t", &psave) != NULL ||
            !node_id(hot, &p.hot_node) || !node_id(cold, &p.cold_node)) {
            free(copy);
            free(out);
            return node_pair_fail(why, text, "is not a list of node number pairs 0..1023");
        }
        if (p.hot_node == p.cold_node) {
            free(copy);
            free(out);
            return node_pair_fail(why, text, "pairs a node with itself");
        }
        for (int i = 0; i < nr; i++) {
            if (out[i].hot_node == p.hot_node || out[i].cold_node == p.cold_node ||
                out[i].hot_node == p.cold_node || out[i].cold_node == p.hot_node) {
                free(copy);
                free(out);
                return node_pair_fail(why, text, "names a node in more than one pair");
            }
        }
        out = xreallocarray(out, (size_t)nr + 1, sizeof(*out));
        out[nr++] = p;
    }
    free(copy);
    if (nr == 0)
        return node_pair_fail(why, text, "has no node pair");
    np->pair = out;
    np->nr = nr;
    return true;
}

static void release_node_pairs(void *dst)
{
    struct node_pairs *np = dst;

    free(np->pair);
    np->pair = NULL;
    np->nr = 0;
}

/* vm_flags: two-letter smaps VmFlags separated by blanks, e.g. "ht" or "ht rd". */
static bool parse_vm_flags(const struct config_key *key, const char *text, void *dst, char **why)
{
    size_t len = strlen(text), i = 0;

    if ((int64_t)len > key->max) {
        xasprintf(why, "'%s' is longer than %lld characters", text, (long long)key->max);
        return false;
    }
    while (i < len) {
        size_t tok = i;

        while (tok < len && text[tok] != ' ')
            tok++;
        if (tok - i != 2 || text[i] < 'a' || text[i] > 'z' || text[i + 1] < 'a' ||
            text[i + 1] > 'z') {
            xasprintf(why, "'%s' is not a list of two-letter VmFlags separated by blanks "
                      "(e.g. ht)", text);
            return false;
        }
        i = tok;
        while (i < len && text[i] == ' ')
            i++;
    }
    *(char **)dst = xstrdup(text);
    return true;
}

bool cslide_wants_hugetlb(const struct cslide_task_params *p)
{
    struct vma_entry e = { 0 };

    snprintf(e.vmflags, sizeof(e.vmflags), "ht");
    return p->vm_flags != NULL && vma_has_vmflags(&e, p->vm_flags);
}

/* The names of the trackers cslide may use that see hugetlb pages, "a or b". */
static void hugetlb_trackers(char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; tracker_registry[i] != NULL && used < len; i++) {
        const struct tracker_ops *t = tracker_registry[i];

        if (t->sees_hugetlb && !t->pages_out)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " or " : "",
                                     t->name);
    }
}

const struct tracker_ops *cslide_tracker_pick(const struct kernel_caps *caps,
                                              const struct cslide_task_params *p, char *why,
                                              size_t why_len)
{
    const char *want = tracker_choices_in_place[p->scan_backend];
    bool hugetlb = cslide_wants_hugetlb(p);
    size_t used = 0;

    for (size_t i = 0; tracker_registry[i] != NULL; i++) {
        const struct tracker_ops *t = tracker_registry[i], *ops;
        char one[192];

        if (t->pages_out || (p->scan_backend != 0 && strcmp(want, t->name) != 0))
            continue;
        if (hugetlb && !t->sees_hugetlb) {
            char usable[64];

            hugetlb_trackers(usable, sizeof(usable));
            snprintf(one, sizeof(one), "tracker '%s' cannot see hugetlb pages (vm_flags=ht): "
                     "they would all look accessed; use %s", t->name, usable);
            ops = NULL;
        } else {
            ops = tracker_select(caps, t->name, false, one, sizeof(one));
        }
        if (ops != NULL)
            return ops;
        if (used < why_len)
            used += (size_t)snprintf(why + used, why_len - used, "%s%s", used ? "; " : "", one);
    }
    if (used == 0)
        snprintf(why, why_len, "no tracker");
    return NULL;
}

static const struct numa_node_info *node_find(const struct kernel_caps *caps, int id)
{
    for (int i = 0; i < caps->nr_nodes; i++) {
        if (caps->nodes[i].id == id)
            return &caps->nodes[i];
    }
    return NULL;
}

static void node_list(const struct kernel_caps *caps, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int i = 0; i < caps->nr_nodes && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "",
                                 caps->nodes[i].id);
}

/* As the original etmem: every NUMA node of the machine is in a pair (so their number is
 * even), and node_pair names no node twice (parse_node_pairs). */
static int check_every_node_paired(const struct conf_file *cf,
                                   const struct cslide_engine_params *p,
                                   const struct kernel_caps *caps, const char *nodes,
                                   struct diag *d)
{
    for (int i = 0; i < caps->nr_nodes; i++) {
        int id = caps->nodes[i].id;
        bool paired = false;

        for (int k = 0; k < p->pairs.nr && !paired; k++)
            paired = p->pairs.pair[k].hot_node == id || p->pairs.pair[k].cold_node == id;
        if (!paired) {
            conf_error(cf, "engine", "node_pair", d, "node %d is in no pair; every NUMA node "
                       "of this machine (%s) must be paired", id, nodes);
            return -1;
        }
    }
    return 0;
}

/* Every node of node_pair exists and has memory; a pair whose slow node has CPUs while its
 * fast node has none looks reversed (the fast node comes first). */
static int cslide_check_engine(const struct conf_file *cf, void *engine_params, struct diag *d)
{
    const struct cslide_engine_params *p = engine_params;
    const struct kernel_caps *caps = engines_caps();
    char nodes[128];

    if (caps == NULL)
        return 0;   /* nothing probed (unit tests) */
    node_list(caps, nodes, sizeof(nodes));
    for (int i = 0; i < p->pairs.nr; i++) {
        const struct node_pair *pr = &p->pairs.pair[i];
        const int ids[2] = { pr->hot_node, pr->cold_node };
        const struct numa_node_info *n[2];

        for (int k = 0; k < 2; k++) {
            n[k] = node_find(caps, ids[k]);
            if (n[k] == NULL && caps->nr_nodes < 2) {
                conf_error(cf, "engine", "node_pair", d, "node %d does not exist: this "
                           "machine has no NUMA tiers (%s%s); cslide moves memory between a "
                           "fast and a slow NUMA node", ids[k],
                           caps->nr_nodes ? "its only NUMA node is node " : "no NUMA node",
                           caps->nr_nodes ? nodes : "");
                return -1;
            }
            if (n[k] == NULL) {
                conf_error(cf, "engine", "node_pair", d, "node %d does not exist (this "
                           "machine's NUMA nodes: %s)", ids[k], nodes);
                return -1;
            }
            if (n[k]->mem_total_kb == 0) {
                conf_error(cf, "engine", "node_pair", d, "node %d has no memory", ids[k]);
                return -1;
            }
        }
        if (n[1]->has_cpu && !n[0]->has_cpu)
            conf_warning(cf, "engine", "node_pair", d, "pair %d,%d looks reversed: node %d "
                         "has no CPUs (slow memory?) and node %d has CPUs; node_pair lists "
                         "the fast node first (hot,cold)", ids[0], ids[1], ids[0], ids[1]);
    }
    return check_every_node_paired(cf, p, caps, nodes, d);
}

const struct tracker_ops *cslide_region_source_pick(const struct kernel_caps *caps,
                                                    const struct cslide_task_params *p,
                                                    char *why, size_t why_len)
{
    const char *want = tracker_choices_in_place[p->scan_backend];

    if (cslide_wants_hugetlb(p)) {
        snprintf(why, why_len, "a cslide region project does not tier hugetlb memory "
                 "(vm_flags=ht); use a scan_type=page project (idle_pages or damon tracker)");
        return NULL;
    }
    /* region_probe is left out (not allowed): its probes page memory out, and cslide's
     * choices have no fallback tracker */
    return region_select_over(caps, want, false, why, why_len);
}

const struct tracker_ops *cslide_source_pick(const struct kernel_caps *caps,
                                             const struct project *proj,
                                             const struct cslide_task_params *p, char *why,
                                             size_t why_len)
{
    if (proj->type == REGION_SCAN)
        return cslide_region_source_pick(caps, p, why, why_len);
    return cslide_tracker_pick(caps, p, why, why_len);
}

static int cslide_check_task(const struct conf_file *cf, const struct project *proj,
                             void *task_params, struct diag *d)
{
    const struct cslide_task_params *p = task_params;
    const struct kernel_caps *caps = engines_caps();
    char why[1024]; /* one reason per backend tried */

    if (proj->type != PAGE_SCAN && proj->type != REGION_SCAN) {
        conf_error(cf, "task", "engine", d, "the cslide engine needs a project with "
                   "scan_type=page or region; project '%s' uses %s scans", proj->name,
                   scan_type_name(proj->type));
        return -1;
    }
    if (caps != NULL && cslide_source_pick(caps, proj, p, why, sizeof(why)) == NULL) {
        conf_error(cf, "task", p->scan_backend ? "scan_backend" : "vm_flags", d, "%s", why);
        return -1;
    }
    return 0;
}

static const struct config_key cslide_engine_keys[] = {
    { "node_pair", KEY_CUSTOM, KEY_REQUIRED, 0, 0, NULL,
      offsetof(struct cslide_engine_params, pairs), .parse = parse_node_pairs,
      .release = release_node_pairs, .range = "hot,cold[;hot,cold...]",
      .help = "NUMA node pairs: the fast node first, then its slow node" },
    { "hot_threshold", KEY_INT, KEY_REQUIRED, 0, 2147483647, NULL,
      offsetof(struct cslide_engine_params, hot_threshold),
      .help = "pages with fewer accesses than this over a cycle are cold" },
    { "node_mig_quota", KEY_INT, KEY_REQUIRED, 0, 2147483647, NULL,
      offsetof(struct cslide_engine_params, node_mig_quota),
      .help = "most MiB migrated in each direction per cycle" },
    { "node_hot_reserve", KEY_INT, KEY_REQUIRED, 0, 2147483647, NULL,
      offsetof(struct cslide_engine_params, node_hot_reserve),
      .help = "MiB kept free on the fast node for hot pages" },
    KEY_END,
};

static const struct config_key cslide_task_keys[] = {
    { "vm_flags", KEY_CUSTOM, 0, 0, 256, NULL, offsetof(struct cslide_task_params, vm_flags),
      .parse = parse_vm_flags, .release = key_release_string, .range = "two-letter VmFlags, e.g. ht",
      .help = "only scan VMAs whose smaps VmFlags carry all of these (ht: hugetlb)" },
    { "anon_only", KEY_YESNO, 0, 0, 0, "no", offsetof(struct cslide_task_params, anon_only),
      .help = "scan anonymous memory only" },
    { "ign_host", KEY_YESNO, 0, 0, 0, "no", offsetof(struct cslide_task_params, ign_host),
      .help = "for VMs: ignore accesses made by the host, count the guest's only" },
    { "scan_backend", KEY_ENUM, 0, 0, 0, "auto", offsetof(struct cslide_task_params, scan_backend),
      tracker_choices_in_place, .help = "access tracker; auto picks the best the kernel offers "
      "that sees the task's memory (hugetlb: idle_pages or damon); region projects: the "
      "region source, auto, page_idle (the user-space monitor over it) or damon" },
    GUARD_TARGET_KEYS(struct cslide_task_params, guard),
    KEY_END,
};

const struct engine_kind cslide_engine_kind = {
    .name = "cslide",
    .engine_type = CSLIDE_ENGINE,
    .summary = "tier memory between a fast and a slow NUMA node by access heat",
    .engine_keys = cslide_engine_keys,
    .engine_params_size = sizeof(struct cslide_engine_params),
    .task_keys = cslide_task_keys,
    .task_params_size = sizeof(struct cslide_task_params),
    .check_engine = cslide_check_engine,
    .check_task = cslide_check_task,
    .ops = &cslide_engine_ops,
    .report_task = cslide_report_task,
    .command = cslide_command,
};
