/* cslide.c - the cslide engine: keep hot pages on the fast NUMA node and cold ones on the
 * slow node of each node pair. This file holds its configuration. */
#include <stdlib.h>
#include <string.h>

#include "cslide.h"
#include "engine.h"
#include "strparse.h"
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

static void release_string(void *dst)
{
    free(*(char **)dst);
    *(char **)dst = NULL;
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
      .parse = parse_vm_flags, .release = release_string, .range = "two-letter VmFlags, e.g. ht",
      .help = "only scan VMAs whose smaps VmFlags carry all of these (ht: hugetlb)" },
    { "anon_only", KEY_YESNO, 0, 0, 0, "no", offsetof(struct cslide_task_params, anon_only),
      .help = "scan anonymous memory only" },
    { "ign_host", KEY_YESNO, 0, 0, 0, "no", offsetof(struct cslide_task_params, ign_host),
      .help = "for VMs: ignore accesses made by the host, count the guest's only" },
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
};
