/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide_show.c - cslide's commands showhostpages and showtaskpages: per node, the memory
 * of the engine's tasks that the last cycle found hot and cold, in the original's layouts
 * or JSON, from what the cycle published under rt->lock. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cslide_rt.h"
#include "protocol.h"
#include "strbuf.h"

static void title_time(time_t t, char *buf, size_t len)
{
    struct tm tm;
    char *nl;

    if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%a %b %e %H:%M:%S %Y", &tm) == 0)
        snprintf(buf, len, "%lld", (long long)t);
    nl = strchr(buf, '\n');
    if (nl != NULL)
        *nl = '\0';
}

/* Sum the usage of tk's processes per node into use[] (indexed like rt->nodes). */
static bool task_use(const struct cslide_rt *rt, const struct task *tk, struct node_use *use)
{
    bool any = false;

    memset(use, 0, sizeof(*use) * KERNEL_MAX_NODES);
    for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next) {
        const struct cslide_pid *sp = tp->params;

        if (sp == NULL || !sp->have_use)
            continue;
        any = true;
        for (int i = 0; i < sp->nuse; i++) {
            for (int k = 0; k < rt->nr_nodes; k++) {
                if (rt->nodes[k].id == sp->use_node[i]) {
                    use[k].hot += sp->use[i].hot;
                    use[k].cold += sp->use[i].cold;
                }
            }
        }
    }
    return any;
}

static void show_host(const struct cslide_rt *rt, bool json, struct strbuf *sb)
{
    struct node_use use[KERNEL_MAX_NODES] = { 0 };
    char when[64];

    for (const struct cslide_member *m = rt->members; m != NULL; m = m->next) {
        struct node_use one[KERNEL_MAX_NODES];

        if (!task_use(rt, m->tk, one))
            continue;
        for (int k = 0; k < rt->nr_nodes; k++) {
            use[k].hot += one[k].hot;
            use[k].cold += one[k].cold;
        }
    }
    if (json) {
        sb_printf(sb, "{\"time\":%lld,\"unit\":\"KB\",\"total_is\":\"%s\",\"cycles\":%llu,"
                  "\"moved_to_slow_kb\":%" PRIu64 ",\"moved_to_fast_kb\":%" PRIu64
                  ",\"move_secs\":%.3f,\"nodes\":[", (long long)rt->stat_time,
                  rt->hugetlb_only ? "hugetlb" : "memory", rt->cycles,
                  rt->moved_total[0] >> 10, rt->moved_total[1] >> 10, rt->move_secs);
        for (int k = 0; k < rt->nr_nodes; k++) {
            const struct node_now *n = &rt->nodes[k];
            uint64_t total = rt->hugetlb_only ? n->huge_total * (HUGE_BYTES >> 10)
                                              : n->mem_total_kb;

            sb_printf(sb, "%s{\"node\":%d,\"total\":%" PRIu64 ",\"used\":%" PRIu64 ",\"hot\":%"
                      PRIu64 ",\"cold\":%" PRIu64 ",\"free\":%" PRIu64 "}", k ? "," : "", n->id,
                      total, (use[k].hot + use[k].cold) >> 10, use[k].hot >> 10,
                      use[k].cold >> 10, n->free[rt->hugetlb_only ? CS_POOL_HUGETLB
                                                                   : CS_POOL_PAGE] >> 10);
        }
        sb_printf(sb, "]}\n");
        return;
    }
    title_time(rt->stat_time, when, sizeof(when));
    sb_printf(sb, "[%s] host pages info (KB):\n", when);
    sb_printf(sb, "%5s %10s %10s %10s %10s\n", "node", "total", "used", "hot", "cold");
    for (int k = 0; k < rt->nr_nodes; k++) {
        const struct node_now *n = &rt->nodes[k];
        uint64_t total = rt->hugetlb_only ? n->huge_total * (HUGE_BYTES >> 10)
                                          : n->mem_total_kb;

        sb_printf(sb, "%5d %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", n->id,
                  total, (use[k].hot + use[k].cold) >> 10, use[k].hot >> 10,
                  use[k].cold >> 10);
    }
}

/* One task's block; false when it has no numbers yet. */
static bool show_task(const struct cslide_rt *rt, const struct task *tk, bool json, bool first,
                      const uint64_t moved[2], struct strbuf *sb)
{
    struct node_use use[KERNEL_MAX_NODES];
    const struct cslide_task_params *p = tk->params;
    char when[64];

    if (p->rt == NULL || !task_use(rt, tk, use))
        return false;
    if (json) {
        sb_printf(sb, "%s{\"task\":", first ? "" : ",");
        sb_json_str(sb, tk->name);
        sb_printf(sb, ",\"pids\":[");
        for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next)
            sb_printf(sb, "%u%s", tp->pid, tp->next ? "," : "");
        sb_printf(sb, "],\"moved_to_slow_kb\":%" PRIu64 ",\"moved_to_fast_kb\":%" PRIu64
                  ",\"nodes\":[", moved[0] >> 10, moved[1] >> 10);
        for (int k = 0; k < rt->nr_nodes; k++)
            sb_printf(sb, "%s{\"node\":%d,\"used\":%" PRIu64 ",\"hot\":%" PRIu64 ",\"cold\":%"
                      PRIu64 "}", k ? "," : "", rt->nodes[k].id,
                      (use[k].hot + use[k].cold) >> 10, use[k].hot >> 10, use[k].cold >> 10);
        sb_printf(sb, "]}");
        return true;
    }
    title_time(rt->stat_time, when, sizeof(when));
    sb_printf(sb, "[%s] task ", when);
    for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next)
        sb_printf(sb, "%u%s", tp->pid, tp->next ? "," : "");
    sb_printf(sb, " pages info (KB):\n");
    sb_printf(sb, "%5s %10s %10s %10s\n", "node", "used", "hot", "cold");
    for (int k = 0; k < rt->nr_nodes; k++)
        sb_printf(sb, "%5d %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", rt->nodes[k].id,
                  (use[k].hot + use[k].cold) >> 10, use[k].hot >> 10, use[k].cold >> 10);
    return true;
}

/* Bytes the task's processes moved since start, those gone included. */
static void task_moved(const struct task *tk, uint64_t out[2])
{
    const struct cslide_task_params *p = tk->params;

    out[0] = p->rt->moved_gone[0];
    out[1] = p->rt->moved_gone[1];
    for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next) {
        const struct cslide_pid *sp = tp->params;

        out[0] += sp->moved[0];
        out[1] += sp->moved[1];
    }
}

static int show_tasks(struct cslide_rt *rt, struct engine *eng, struct task *only, bool json,
                      struct strbuf *sb)
{
    bool first = true;

    if (json)
        sb_printf(sb, "{\"time\":%lld,\"unit\":\"KB\",\"tasks\":[", (long long)rt->stat_time);
    for (struct task *tk = eng->tasks; tk != NULL; tk = tk->next) {
        struct cslide_task_params *p = tk->params;
        uint64_t moved[2];

        if ((only != NULL && tk != only) || p->rt == NULL)
            continue;
        task_moved(tk, moved);
        if (show_task(rt, tk, json, first, moved, sb))
            first = false;
    }
    if (json)
        sb_printf(sb, "]}\n");
    if (first) {
        engine_error("%s has no numbers yet: %s", only ? "the task" : "no task of the engine",
                     "it covers no process, or its first cycle (loop*interval seconds and the "
                     "moves) has not finished");
        return -1;
    }
    return 0;
}

int cslide_command(struct engine *eng, struct task *tk, const char *cmd, bool json, int fd)
{
    struct cslide_engine_params *ep = eng->params;
    struct cslide_rt *rt = ep->rt;
    struct strbuf sb = STRBUF_INIT;
    int rc = 0;

    if (strcmp(cmd, "showhostpages") != 0 && strcmp(cmd, "showtaskpages") != 0) {
        engine_error("invalid parameters: cslide has no command '%s' (commands: showtaskpages, "
                     "showhostpages)", cmd);
        return -1;
    }
    if (rt == NULL) {
        engine_error("engine '%s' runs no task", eng->name);
        return -1;
    }
    pthread_mutex_lock(&rt->lock);
    if (!rt->have_stats) {
        engine_error("engine '%s' has no numbers yet: its first cycle (loop*interval seconds "
                     "and the moves) has not finished", eng->name);
        rc = -1;
    } else if (strcmp(cmd, "showhostpages") == 0) {
        show_host(rt, json, &sb);
    } else {
        rc = show_tasks(rt, eng, tk, json, &sb);
    }
    pthread_mutex_unlock(&rt->lock);
    if (rc == 0 && sb.len > 0 && write_all(fd, sb.s, sb.len) < 0) {
        engine_error("cslide: writing the answer: %s", strerror(errno));
        rc = -1;
    }
    sb_free(&sb);
    return rc;
}
