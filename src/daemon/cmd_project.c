/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cmd_project.c - `etmem project start|stop|show`. show prints the original's table (scripts
 * parse its columns) or, with --json, everything as one JSON object. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "model.h"
#include "state.h"
#include "runtime.h"
#include "strbuf.h"
#include "xalloc.h"

/* The original's six columns first, unchanged, so scripts that parse them keep working;
 * then what the engine reports about the running task, the free-text note last. */
#define SHOW_HEADER "%-8s %-8s %-16s %-16s %-16s %-8s %-8s %-18s %-5s %-7s %-7s %-7s %-9s %-8s %s\n"
#define SHOW_ROW "%-8d %-8s %-16s %-16s %-16s %-8s %-8s %-18s %-5d %-7s %-7s %-7s %-9s %-8llu %s\n"

static struct project *find_or_fail(const char *name, struct diag *d)
{
    struct project *p = model_find_project(name);

    if (p == NULL)
        diag_error(d, "project '%s' does not exist", name);
    return p;
}

/* start and stop: the same lookup and state check, then the transition. */
static enum etmem_status project_switch(const char *name, bool start, struct diag *d)
{
    enum etmem_status st = ST_OK;
    struct project *p;

    model_lock();
    p = find_or_fail(name, d);
    if (p == NULL) {
        st = ST_PRO_NOEXIST;
    } else if (p->start == start) {
        diag_error(d, start ? "project '%s' has been started already"
                            : "project '%s' has been stopped already (it is not running)",
                   p->name);
        st = start ? ST_PRO_STARTED : ST_PRO_STOPPED;
    } else if ((start ? project_start(p, d) : project_stop(p, d)) < 0) {
        st = ST_INTER_ERR;
    }
    model_unlock();
    return st;
}

enum etmem_status cmd_project_start(const struct etmem_request *req, struct reply *r,
                                    struct diag *d)
{
    enum etmem_status st = project_switch(req->field[FIELD_PROJECT], true, d);

    state_started_changed();
    return st;
}

enum etmem_status cmd_project_stop(const struct etmem_request *req, struct reply *r,
                                   struct diag *d)
{
    enum etmem_status st = project_switch(req->field[FIELD_PROJECT], false, d);

    state_started_changed();
    return st;
}

void task_report_get(struct task *t, struct task_report *rep)
{
    const struct engine_kind *kind = engine_obj(t->eng)->kind;

    memset(rep, 0, sizeof(*rep));
    rep->cgroup_memory = rep->cgroup_swap = -1;
    if (task_obj(t)->running && kind->report_task != NULL)
        kind->report_task(t, rep);
    if (rep->state == NULL)
        rep->state = task_obj(t)->running ? "running" : "stopped";
    if (rep->backend[0] == '\0')
        snprintf(rep->backend, sizeof(rep->backend), "-");
}

/* 1536 -> "1.5K"; sizes in bytes, powers of 1024, at most 7 characters. */
static const char *human_size(unsigned long long bytes, char *buf, size_t len)
{
    static const char units[] = "BKMGTP";
    double v = (double)bytes;
    int u = 0;

    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%llu", bytes);
    else
        snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
    return buf;
}

/* "zram0 holds 96.0 MiB in 40.1 MiB of RAM (2.7x compressed, 12% overhead)" */
static void zram_sentence(const struct guard_report *g, char *buf, size_t len)
{
    const struct zram_mm_stat *z = &g->zram_mm;

    buf[0] = '\0';
    if (!g->has_zram || z->orig_data_size == 0)
        return;
    snprintf(buf, len, "zram%d holds %.1f MiB in %.1f MiB of RAM (%.2fx compressed, %.0f%% "
             "allocator overhead)", g->zram, (double)z->orig_data_size / 1048576.0,
             (double)z->mem_used_total / 1048576.0,
             z->compr_data_size ? (double)z->orig_data_size / (double)z->compr_data_size : 0.0,
             z->compr_data_size ? ((double)z->mem_used_total / (double)z->compr_data_size - 1)
                                      * 100.0 : 0.0);
}

/* The guard's line under a task: each target against what was measured, the throttle and
 * why; then what the safety envelope stopped, and what zram makes of it. */
static void show_guard_text(struct reply *r, const struct guard_report *g)
{
    char zram[160];

    if (g->on) {
        reply_printf(r, "    guard:");
        if (g->t.refault_pct > 0)
            reply_printf(r, " refaults %.3f%%/min (target %.3f%%)", g->m.refault_pct,
                         g->t.refault_pct);
        if (g->t.psi_us > 0)
            reply_printf(r, " stall %.0f us/s (target %.0f)", g->m.psi_us, g->t.psi_us);
        if (g->t.rate_mib_s > 0)
            reply_printf(r, " out %.2f MiB/s (cap %.0f)", g->m.out_mib_s, g->t.rate_mib_s);
        if (g->cold_cycles == 0) /* the psi engine: the share is its reclaim rate */
            reply_printf(r, "; reclaim rate %.3f; %s: %s\n", g->share, g->verdict, g->why);
        else
            reply_printf(r, "; share %.0f%%, cold >= %u cycle(s), %llu page(s) held, %.1f MiB "
                         "recalled; %s: %s\n", g->share * 100.0, g->cold_cycles, g->held_pages,
                         (double)g->recalled_bytes / 1048576.0, g->verdict, g->why);
    }
    if (g->stop != NULL)
        reply_printf(r, "    stopped (%s): %s\n", g->stop, g->stop_why);
    zram_sentence(g, zram, sizeof(zram));
    if (zram[0] != '\0' && (g->on || g->stop != NULL))
        reply_printf(r, "    %s\n", zram);
}

/* What sensing cost the targets: the tracker's probes and those that came back. */
static void show_probes_text(struct reply *r, const struct probe_report *pr)
{
    if (!pr->on)
        return;
    reply_printf(r, "    probes: %llu sent, %llu back last cycle (%.3f%%/min of resident "
                 "memory, budget %.3f%%%s); %llu sent, %llu back in total; %llu allowed next "
                 "window\n", pr->cycle, pr->back_cycle, pr->back_pct, pr->budget_pct,
                 pr->from_guard ? ", half the guard's target" : "", pr->total, pr->back_total,
                 pr->next);
}

static void show_text(struct reply *r, struct project *p)
{
    reply_printf(r, "project: %s\n", p->name);
    reply_printf(r, SHOW_HEADER, "number", "type", "value", "name", "engine", "started", "state",
                 "backend", "pids", "hot", "cold", "in_swap", "out_total", "refaults", "note");
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        int number = 1;

        for (struct task *t = e->tasks; t != NULL; t = t->next) {
            struct task_report rep;
            /* 20 digits of a 64-bit byte count and the NUL */
            char hot[24], cold[24], in_swap[24], out_total[24], cgmem[24], cgswap[24];
            unsigned long long ps = (unsigned long long)sysconf(_SC_PAGESIZE);

            task_report_get(t, &rep);
            if (rep.dry_run) {
                char note[sizeof(rep.note)], would[24];

                snprintf(note, sizeof(note), "%s", rep.note);
                snprintf(rep.note, sizeof(rep.note), "dry run: would have sent %s in %llu regions "
                         "to %s last cycle%s%.60s",
                         human_size(rep.dry_bytes_last, would, sizeof(would)),
                         rep.dry_regions_last, rep.dry_run_to, note[0] ? "; " : "", note);
            }
            if (rep.cgroup_dir[0] != '\0') {     /* type=cgroup: what its controller counts */
                char note[sizeof(rep.note)];

                snprintf(note, sizeof(note), "%s", rep.note);
                snprintf(rep.note, sizeof(rep.note), "cgroup memory %s, swap %s%s%.100s",
                         rep.cgroup_memory < 0 ? "-" :
                         human_size((unsigned long long)rep.cgroup_memory, cgmem, sizeof(cgmem)),
                         rep.cgroup_swap < 0 ? "-" :
                         human_size((unsigned long long)rep.cgroup_swap, cgswap, sizeof(cgswap)),
                         note[0] ? "; " : "", note);
            }
            reply_printf(r, SHOW_ROW, number++, t->type, t->value, t->name, e->name,
                         p->start ? "true" : "false", rep.state, rep.backend, rep.nr_pids,
                         human_size(rep.pages_hot * ps, hot, sizeof(hot)),
                         human_size(rep.pages_cold * ps, cold, sizeof(cold)),
                         human_size(rep.swap_bytes, in_swap, sizeof(in_swap)),
                         human_size(rep.bytes_swapped, out_total, sizeof(out_total)), rep.refaults,
                         rep.note);
            show_guard_text(r, &rep.guard);
            show_probes_text(r, &rep.probes);
            if (rep.damos.action != NULL)
                reply_printf(r, "    damos %s: tried %llu regions (%llu bytes), applied to %llu "
                             "(%llu bytes), quota used up %llu times; applied by %s\n",
                             rep.damos.action, rep.damos.nr_tried, rep.damos.sz_tried,
                             rep.damos.nr_applied, rep.damos.sz_applied, rep.damos.qt_exceeds,
                             rep.damos.by_kernel ? "the kernel" : "etmemd");
        }
    }
}

static void json_ll_or_null(struct strbuf *sb, const char *key, long long v)
{
    if (v < 0)
        sb_printf(sb, ",\"%s\":null", key);
    else
        sb_printf(sb, ",\"%s\":%lld", key, v);
}

static void json_double_or_null(struct strbuf *sb, const char *key, double v, bool known)
{
    if (known)
        sb_printf(sb, ",\"%s\":%.6g", key, v);
    else
        sb_printf(sb, ",\"%s\":null", key);
}

static void show_json_guard(struct strbuf *sb, const struct guard_report *g)
{
    const struct zram_mm_stat *z = &g->zram_mm;

    sb_printf(sb, ",\"guard\":{\"on\":%s,\"targets\":{", g->on ? "true" : "false");
    sb_printf(sb, "\"refault_pct\":%.6g,\"psi_us\":%.6g,\"rate_mib_s\":%.6g}",
              g->t.refault_pct, g->t.psi_us, g->t.rate_mib_s);
    sb_printf(sb, ",\"measured\":{\"secs\":%.3f", g->m.secs);
    json_double_or_null(sb, "refault_pct", g->m.refault_pct, g->measured && g->m.refault_known);
    json_double_or_null(sb, "psi_us", g->m.psi_us, g->measured && g->m.psi_known);
    sb_printf(sb, ",\"psi_source\":\"%s\"", g->m.psi_cgroup ? "cgroup" : "system");
    json_double_or_null(sb, "out_mib_s", g->m.out_mib_s, g->measured);
    sb_printf(sb, "},\"share\":%.6g,\"cold_cycles\":%u,\"verdict\":", g->share,
              g->cold_cycles);
    sb_json_str(sb, g->verdict ? g->verdict : "off");
    sb_add(sb, ",\"why\":", 7);
    sb_json_str(sb, g->why);
    sb_printf(sb, ",\"held_pages\":%llu,\"comebacks\":%llu,\"recalled_bytes\":%llu,"
              "\"vmstat_pswpin\":%llu,\"stop\":", g->held_pages, g->comebacks,
              g->recalled_bytes, g->vmstat_pswpin);
    if (g->stop != NULL) {
        sb_json_str(sb, g->stop);
        sb_add(sb, ",\"stop_why\":", 12);
        sb_json_str(sb, g->stop_why);
    } else {
        sb_add(sb, "null,\"stop_why\":null", 20);
    }
    if (g->has_zram)
        sb_printf(sb, ",\"zram\":{\"device\":%d,\"orig_data_size\":%llu,\"compr_data_size\":%llu,"
                  "\"mem_used_total\":%llu,\"huge_pages\":%llu,\"judged_cycles\":%llu,"
                  "\"unjudged_shared_cycles\":%llu}", g->zram,
                  (unsigned long long)z->orig_data_size, (unsigned long long)z->compr_data_size,
                  (unsigned long long)z->mem_used_total, (unsigned long long)z->huge_pages,
                  g->zram_judged, g->zram_unjudged_shared);
    else
        sb_add(sb, ",\"zram\":null", 12);
    sb_add(sb, "}", 1);
}

static void show_json_report(struct strbuf *sb, struct task *t)
{
    struct task_report rep;

    task_report_get(t, &rep);
    sb_printf(sb, ",\"running\":%s,\"state\":\"%s\",\"backend\":", task_obj(t)->running ?
              "true" : "false", rep.state);
    sb_json_str(sb, rep.backend);
    sb_printf(sb, ",\"nr_pids\":%d,\"pids\":[", rep.nr_pids);
    for (int i = 0; i < rep.nr_pids && i < REPORT_PIDS_MAX; i++)
        sb_printf(sb, "%s%u", i ? "," : "", rep.pids[i]);
    sb_printf(sb, "],\"cycles\":%llu,\"idle_cycles\":%llu,\"last_scan\":%lld,\"last_scan_secs\":%.3f,"
              "\"pages_scanned\":%llu,\"pages_hot\":%llu,\"pages_cold\":%llu,"
              "\"bytes_swapped\":%llu,\"refaults\":%llu,\"page_size\":%ld,"
              "\"pages_scanned_total\":%llu,\"scan_cpu_secs\":%.6f,\"bytes_moved_to_slow\":%llu,"
              "\"bytes_moved_to_fast\":%llu,\"rss_bytes\":%llu,\"swap_bytes\":%llu,\"note\":",
              rep.cycles, rep.idle_cycles, rep.last_scan, rep.last_scan_secs, rep.pages_scanned, rep.pages_hot,
              rep.pages_cold, rep.bytes_swapped, rep.refaults, sysconf(_SC_PAGESIZE),
              rep.pages_scanned_total, rep.scan_cpu_secs, rep.bytes_moved[0], rep.bytes_moved[1],
              rep.rss_bytes, rep.swap_bytes);
    sb_json_str(sb, rep.note);
    show_json_guard(sb, &rep.guard);
    if (rep.probes.on)
        sb_printf(sb, ",\"probes\":{\"budget_pct\":%.6g,\"budget_from\":\"%s\",\"cycle\":%llu,"
                  "\"back_cycle\":%llu,\"back_pct\":%.6g,\"total\":%llu,\"back_total\":%llu,"
                  "\"next\":%llu}", rep.probes.budget_pct,
                  rep.probes.from_guard ? "guard" : "default", rep.probes.cycle,
                  rep.probes.back_cycle, rep.probes.back_pct, rep.probes.total,
                  rep.probes.back_total, rep.probes.next);
    else
        sb_add(sb, ",\"probes\":null", 13);
    if (rep.damos.action != NULL)
        sb_printf(sb, ",\"damos\":{\"action\":\"%s\",\"applied_by\":\"%s\",\"nr_tried\":%llu,"
                  "\"sz_tried\":%llu,\"nr_applied\":%llu,\"sz_applied\":%llu,"
                  "\"qt_exceeds\":%llu}", rep.damos.action,
                  rep.damos.by_kernel ? "kernel" : "etmemd", rep.damos.nr_tried,
                  rep.damos.sz_tried, rep.damos.nr_applied, rep.damos.sz_applied,
                  rep.damos.qt_exceeds);
    sb_printf(sb, ",\"dry_run\":%s", rep.dry_run ? "true" : "false");
    if (rep.dry_run)
        sb_printf(sb, ",\"dry_run_to\":\"%s\",\"dry_bytes_last\":%llu,\"dry_regions_last\":%llu,"
                  "\"dry_bytes_total\":%llu,\"dry_regions_total\":%llu", rep.dry_run_to,
                  rep.dry_bytes_last, rep.dry_regions_last, rep.dry_bytes_total,
                  rep.dry_regions_total);
    if (strcmp(t->type, "cgroup") != 0)
        return;
    sb_printf(sb, ",\"cgroup\":{\"dir\":");
    if (rep.cgroup_dir[0] != '\0')
        sb_json_str(sb, rep.cgroup_dir);
    else
        sb_add(sb, "null", 4);
    json_ll_or_null(sb, "memory_bytes", rep.cgroup_memory);
    json_ll_or_null(sb, "swap_bytes", rep.cgroup_swap);
    sb_add(sb, "}", 1);
}

/* An object's section keys (objupdate.h) as a JSON object of strings. */
static void show_json_keys(struct strbuf *sb, const char *keys)
{
    bool first = true;

    sb_add(sb, ",\"keys\":{", 9);
    for (const char *line = keys ? keys : ""; *line != '\0';) {
        const char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line);
        const char *eq = memchr(line, '=', (size_t)(end - line));
        char *key, *value;

        if (eq != NULL) {
            key = xstrndup(line, (size_t)(eq - line));
            value = xstrndup(eq + 1, (size_t)(end - eq - 1));
            sb_add(sb, first ? "" : ",", first ? 0 : 1);
            sb_json_str(sb, key);
            sb_add(sb, ":", 1);
            sb_json_str(sb, value);
            first = false;
            free(key);
            free(value);
        }
        line = nl ? nl + 1 : end;
    }
    sb_add(sb, "}", 1);
}

static void show_json_project(struct strbuf *sb, struct project *p)
{
    sb_add(sb, "{\"name\":", 8);
    sb_json_str(sb, p->name);
    sb_printf(sb, ",\"started\":%s,\"scan_type\":\"%s\"", p->start ? "true" : "false",
              scan_type_name(p->type));
    if (p->type == PSI_SCAN)
        sb_printf(sb, ",\"interval\":%d", ((const struct psi_scan *)p->scan_param)->interval);
    if (p->type == PAGE_SCAN) {
        const struct page_scan *ps = p->scan_param;

        sb_printf(sb, ",\"loop\":%d,\"interval\":%d,\"sleep\":%d", ps->loop, ps->interval,
                  ps->sleep);
    }
    json_ll_or_null(sb, "sysmem_threshold", p->sysmem_threshold);
    json_ll_or_null(sb, "swapcache_high_wmark", p->swapcache_high_wmark);
    json_ll_or_null(sb, "swapcache_low_wmark", p->swapcache_low_wmark);
    show_json_keys(sb, project_obj(p)->keys);
    sb_add(sb, ",\"engines\":[", 12);
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        sb_add(sb, "{\"name\":", 8);
        sb_json_str(sb, e->name);
        sb_add(sb, ",\"kind\":", 8);
        sb_json_str(sb, engine_obj(e)->kind->name);
        show_json_keys(sb, engine_obj(e)->keys);
        sb_add(sb, ",\"tasks\":[", 10);
        for (struct task *t = e->tasks; t != NULL; t = t->next) {
            sb_add(sb, "{\"name\":", 8);
            sb_json_str(sb, t->name);
            sb_add(sb, ",\"type\":", 8);
            sb_json_str(sb, t->type);
            sb_add(sb, ",\"value\":", 9);
            sb_json_str(sb, t->value);
            show_json_keys(sb, task_obj(t)->keys);
            show_json_report(sb, t);
            sb_printf(sb, "}%s", t->next ? "," : "");
        }
        sb_printf(sb, "]}%s", e->next ? "," : "");
    }
    sb_add(sb, "]}", 2);
}

static void show_json(struct reply *r, const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    bool first = true;

    sb_add(&sb, "{\"projects\":[", 13);
    for (struct project *p = model_first_project(); p != NULL; p = model_next_project(p)) {
        if (name != NULL && strcmp(p->name, name) != 0)
            continue;
        if (!first)
            sb_add(&sb, ",", 1);
        first = false;
        show_json_project(&sb, p);
    }
    sb_add(&sb, "]}\n", 3);
    reply_out(r, sb.s, sb.len);
    sb_free(&sb);
}

enum etmem_status cmd_project_show(const struct etmem_request *req, struct reply *r,
                                   struct diag *d)
{
    const char *name = req->field[FIELD_PROJECT];
    struct project *p;

    model_lock();
    if (req->flags & REQ_FLAG_JSON) {
        show_json(r, name);
    } else if (name != NULL) {
        p = model_find_project(name);
        if (p != NULL)
            show_text(r, p);
        else
            reply_printf(r, "project: project %s is not existed\n\n", name);
    } else if (model_first_project() == NULL) {
        reply_printf(r, "no project exists\n\n");
    } else {
        for (p = model_first_project(); p != NULL; p = model_next_project(p))
            show_text(r, p);
    }
    model_unlock();
    return ST_OK;
}
