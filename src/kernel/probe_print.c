/* SPDX-License-Identifier: MulanPSL-2.0 */
/* probe_print.c - render kernel_caps: the human table of `etmemd --probe` and JSON. */
#include <stdio.h>
#include <string.h>

#include "action.h"
#include "probe.h"
#include "region_tracker.h"
#include "tracker.h"

static void print_backends(const struct kernel_caps *caps, FILE *out)
{
    char why[KERNEL_DETAIL_LEN];
    char pick[256];

    fprintf(out, "\nBackends (auto order):\n");
    for (size_t i = 0; tracker_registry[i]; i++) {
        const struct tracker_ops *t = tracker_registry[i];
        bool ok = t->usable(caps, why, sizeof(why));
        fprintf(out, "  tracker  %-11s %-3s %s\n", t->name, ok ? "yes" : "no",
                ok ? t->summary : why);
    }
    for (size_t i = 0; region_registry[i]; i++) {
        const struct tracker_ops *t = region_registry[i];
        bool ok = region_source_usable(t, caps, why, sizeof(why));
        fprintf(out, "  region   %-16s %-3s %s\n", t->name, ok ? "yes" : "no",
                ok ? t->summary : why);
    }
    fprintf(out, "  region   %-16s %-3s %s\n", tracker_idle_pages_ops.name, "no",
            region_idle_pages_why);
    for (size_t i = 0; reclaim_registry[i]; i++) {
        const struct reclaim_ops *r = reclaim_registry[i];
        bool ok = r->usable(caps, why, sizeof(why));
        fprintf(out, "  reclaim  %-11s %-3s %s\n", r->name, ok ? "yes" : "no",
                ok ? r->summary : why);
    }
    for (size_t i = 0; migrate_registry[i]; i++) {
        const struct migrate_ops *m = migrate_registry[i];
        bool ok = m->usable(caps, why, sizeof(why));
        fprintf(out, "  migrate  %-11s %-3s %s\n", m->name, ok ? "yes" : "no",
                ok ? m->summary : why);
    }
    const struct tracker_ops *t = NULL;
    for (size_t i = 0; tracker_registry[i] && !t; i++)
        if (tracker_registry[i]->usable(caps, why, sizeof(why)))
            t = tracker_registry[i];
    const struct tracker_ops *rs = region_select(caps, NULL, true, pick, sizeof(pick));
    const struct reclaim_ops *r = reclaim_select(caps, NULL, pick, sizeof(pick));
    const struct migrate_ops *m = migrate_select(caps, NULL, pick, sizeof(pick));
    fprintf(out, "  auto: tracker=%s%s region=%s%s reclaim=%s migrate=%s\n",
            t ? t->name : "none",
            t == &tracker_fallback_ops ? " (only if the config allows the fallback)" : "",
            rs ? rs->name : "none",
            rs == &tracker_region_probe_ops ? " (only if the config allows the fallback)" : "",
            r ? r->name : "none", m ? m->name : "none");
}

void kernel_caps_print(const struct kernel_caps *caps, FILE *out)
{
    fprintf(out, "Kernel %s, page size %ld\n\nFeatures:\n", caps->release, caps->page_size);
    for (int f = 0; f < KF_COUNT; f++)
        fprintf(out, "  %-18s %-3s %s\n", kernel_feature_name(f), caps->feat[f].ok ? "yes" : "no",
                caps->feat[f].detail);
    print_backends(caps, out);

    fprintf(out, "\nNUMA nodes: %d\n", caps->nr_nodes);
    fprintf(out, "  %4s %5s %12s %12s %10s %10s\n", "node", "cpus", "MemTotal kB", "MemFree kB",
            "2M total", "2M free");
    for (int i = 0; i < caps->nr_nodes; i++) {
        const struct numa_node_info *n = &caps->nodes[i];
        fprintf(out, "  %4d %5s %12llu %12llu %10llu %10llu\n", n->id, n->has_cpu ? "yes" : "no",
                (unsigned long long)n->mem_total_kb, (unsigned long long)n->mem_free_kb,
                (unsigned long long)n->huge2m_total, (unsigned long long)n->huge2m_free);
    }
    fprintf(out, "\nSwap: total %llu kB, free %llu kB, %d device(s)\n",
            (unsigned long long)caps->swap_total_kb, (unsigned long long)caps->swap_free_kb,
            caps->nr_swaps);
    for (int i = 0; i < caps->nr_swaps; i++)
        fprintf(out, "  %s %s size %llu kB used %llu kB prio %d\n", caps->swaps[i].path,
                caps->swaps[i].type, (unsigned long long)caps->swaps[i].size_kb,
                (unsigned long long)caps->swaps[i].used_kb, caps->swaps[i].prio);
    fprintf(out, "THP enabled: %s\n", caps->thp_enabled[0] ? caps->thp_enabled : "unknown");
}

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", *s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

void kernel_caps_json(const struct kernel_caps *caps, FILE *out)
{
    char why[KERNEL_DETAIL_LEN];

    fprintf(out, "{\"release\":");
    json_str(out, caps->release);
    fprintf(out, ",\"page_size\":%ld,\"features\":{", caps->page_size);
    for (int f = 0; f < KF_COUNT; f++) {
        fprintf(out, "%s\"%s\":{\"ok\":%s,\"detail\":", f ? "," : "", kernel_feature_name(f),
                caps->feat[f].ok ? "true" : "false");
        json_str(out, caps->feat[f].detail);
        fputc('}', out);
    }
    fprintf(out, "},\"trackers\":{");
    for (size_t i = 0; tracker_registry[i]; i++) {
        bool ok = tracker_registry[i]->usable(caps, why, sizeof(why));
        fprintf(out, "%s\"%s\":%s", i ? "," : "", tracker_registry[i]->name, ok ? "true" : "false");
    }
    fprintf(out, "},\"regions\":{");
    for (size_t i = 0; region_registry[i]; i++) {
        bool ok = region_source_usable(region_registry[i], caps, why, sizeof(why));
        fprintf(out, "%s\"%s\":%s", i ? "," : "", region_registry[i]->name, ok ? "true" : "false");
    }
    fprintf(out, "},\"reclaim\":{");
    for (size_t i = 0; reclaim_registry[i]; i++) {
        bool ok = reclaim_registry[i]->usable(caps, why, sizeof(why));
        fprintf(out, "%s\"%s\":%s", i ? "," : "", reclaim_registry[i]->name, ok ? "true" : "false");
    }
    fprintf(out, "},\"migrate\":{");
    for (size_t i = 0; migrate_registry[i]; i++) {
        bool ok = migrate_registry[i]->usable(caps, why, sizeof(why));
        fprintf(out, "%s\"%s\":%s", i ? "," : "", migrate_registry[i]->name, ok ? "true" : "false");
    }
    fprintf(out, "},\"damon_nr_kdamonds\":%d,\"nodes\":[", caps->damon_nr_kdamonds);
    for (int i = 0; i < caps->nr_nodes; i++) {
        const struct numa_node_info *n = &caps->nodes[i];
        fprintf(out, "%s{\"id\":%d,\"has_cpu\":%s,\"mem_total_kb\":%llu,\"mem_free_kb\":%llu,"
                "\"huge2m_total\":%llu,\"huge2m_free\":%llu}", i ? "," : "", n->id,
                n->has_cpu ? "true" : "false", (unsigned long long)n->mem_total_kb,
                (unsigned long long)n->mem_free_kb, (unsigned long long)n->huge2m_total,
                (unsigned long long)n->huge2m_free);
    }
    fprintf(out, "],\"swap\":{\"total_kb\":%llu,\"free_kb\":%llu,\"devices\":[",
            (unsigned long long)caps->swap_total_kb, (unsigned long long)caps->swap_free_kb);
    for (int i = 0; i < caps->nr_swaps; i++) {
        fprintf(out, "%s{\"path\":", i ? "," : "");
        json_str(out, caps->swaps[i].path);
        fprintf(out, ",\"size_kb\":%llu,\"used_kb\":%llu,\"prio\":%d}",
                (unsigned long long)caps->swaps[i].size_kb,
                (unsigned long long)caps->swaps[i].used_kb, caps->swaps[i].prio);
    }
    fprintf(out, "]},\"thp_enabled\":");
    json_str(out, caps->thp_enabled);
    fprintf(out, ",\"kernel_swap_enable\":%d}", caps->kernel_swap_enable);
}
