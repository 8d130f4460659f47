/* SPDX-License-Identifier: MulanPSL-2.0 */
/* metrics.c - the Prometheus text exposition of every task's figures (`etmem metrics`,
 * etmemd --metrics-file).
 *
 * The model is copied under its lock (names and the engines' reports, no I/O), then
 * rendered family by family from one table, as the format wants every sample of a family
 * together after its HELP and TYPE lines. Counters are the engines' totals since the task
 * started: they only grow while it runs and start from 0 when it is started again. */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "commands.h"
#include "diag.h"
#include "log.h"
#include "model.h"
#include "probe.h"
#include "runtime.h"
#include "tracker.h"
#include "xalloc.h"

/* One task as the metrics see it. */
struct task_sample {
    char *project, *task, *engine;
    bool figures;                   /* running, and its engine reports figures */
    unsigned long long running;
    unsigned long long dry_run;
    struct task_report rep;
};

/* V_KNOWN: -1 is unknown; V_MICRO: a double in millionths, shown in base units */
enum value_kind { V_ULL, V_PAGES, V_INT, V_DOUBLE, V_MICRO, V_TIME, V_KNOWN };

enum metric_only {
    FOR_ALL,
    FOR_DRY_RUN,                    /* only dry-run tasks */
    FOR_DAMOS,                      /* only the damon engine's tasks */
    FOR_PROBES,                     /* only tasks whose tracker probes (fallback) */
};

struct metric {
    const char *name;
    const char *type;               /* "gauge" or "counter" */
    const char *help;
    const char *extra_label;        /* NULL, or a label telling samples of one family apart */
    const char *extra_value;
    size_t offset;                  /* of the value in struct task_sample */
    enum value_kind kind;
    bool always;                    /* also for tasks without figures */
    enum metric_only only;          /* for which tasks */
};

#define AT(field) offsetof(struct task_sample, field)

static const struct metric task_metrics[] = {
    { "etmem_task_running", "gauge", "1 while the task runs, 0 when it is stopped",
      NULL, NULL, AT(running), V_ULL, true, FOR_ALL },
    { "etmem_task_processes", "gauge", "Processes the task covers now",
      NULL, NULL, AT(rep.nr_pids), V_INT, false, FOR_ALL },
    { "etmem_task_scans_total", "counter", "Scan cycles completed since the task started",
      NULL, NULL, AT(rep.cycles), V_ULL, false, FOR_ALL },
    { "etmem_task_scanned_pages_total", "counter",
      "Pages scanned since the task started (regions count their pages)",
      NULL, NULL, AT(rep.pages_scanned_total), V_ULL, false, FOR_ALL },
    { "etmem_task_scan_cpu_seconds_total", "counter",
      "CPU time the task's scans used since it started",
      NULL, NULL, AT(rep.scan_cpu_secs), V_DOUBLE, false, FOR_ALL },
    { "etmem_task_swapped_out_bytes_total", "counter",
      "Bytes of the targets swapped out since the task started",
      NULL, NULL, AT(rep.bytes_swapped), V_ULL, false, FOR_ALL },
    { "etmem_task_moved_bytes_total", "counter",
      "Bytes moved between NUMA nodes since the task started, by direction",
      "direction", "to_slow", AT(rep.bytes_moved[0]), V_ULL, false, FOR_ALL },
    { "etmem_task_moved_bytes_total", "counter", NULL,
      "direction", "to_fast", AT(rep.bytes_moved[1]), V_ULL, false, FOR_ALL },
    { "etmem_task_refaults_total", "counter",
      "Major faults of the targets since the task started",
      NULL, NULL, AT(rep.refaults), V_ULL, false, FOR_ALL },
    { "etmem_task_hot_bytes", "gauge", "Memory the last cycle found hot",
      NULL, NULL, AT(rep.pages_hot), V_PAGES, false, FOR_ALL },
    { "etmem_task_cold_bytes", "gauge", "Memory the last cycle found cold",
      NULL, NULL, AT(rep.pages_cold), V_PAGES, false, FOR_ALL },
    { "etmem_task_rss_bytes", "gauge", "Resident memory of the targets (VmRSS summed)",
      NULL, NULL, AT(rep.rss_bytes), V_ULL, false, FOR_ALL },
    { "etmem_task_swap_bytes", "gauge", "Swapped memory of the targets (VmSwap summed)",
      NULL, NULL, AT(rep.swap_bytes), V_ULL, false, FOR_ALL },
    { "etmem_task_cgroup_memory_bytes", "gauge",
      "type=cgroup: memory its controller counts (memory.current, v1 memory.usage_in_bytes)",
      NULL, NULL, AT(rep.cgroup_memory), V_KNOWN, false, FOR_ALL },
    { "etmem_task_cgroup_swap_bytes", "gauge",
      "type=cgroup: swap its controller counts (memory.swap.current, v1 memsw minus usage)",
      NULL, NULL, AT(rep.cgroup_swap), V_KNOWN, false, FOR_ALL },
    { "etmem_task_dry_run", "gauge", "1 when the task only counts what it would do",
      NULL, NULL, AT(dry_run), V_ULL, false, FOR_ALL },
    { "etmem_task_dry_run_bytes_total", "counter",
      "Dry run: bytes the task would have swapped out, moved or reclaimed since it started",
      NULL, NULL, AT(rep.dry_bytes_total), V_ULL, false, FOR_DRY_RUN },
    { "etmem_task_dry_run_regions_total", "counter",
      "Dry run: regions (address ranges, or cgroups for psi) it would have acted on",
      NULL, NULL, AT(rep.dry_regions_total), V_ULL, false, FOR_DRY_RUN },
    { "etmem_task_damos_tried_bytes_total", "counter",
      "damon engine: bytes of the regions its scheme qualified since the task started "
      "(DAMOS sz_tried)", NULL, NULL, AT(rep.damos.sz_tried), V_ULL, false, FOR_DAMOS },
    { "etmem_task_damos_applied_bytes_total", "counter",
      "damon engine: bytes its action was applied to since the task started (DAMOS "
      "sz_applied)", NULL, NULL, AT(rep.damos.sz_applied), V_ULL, false, FOR_DAMOS },
    { "etmem_task_damos_quota_exceeded_total", "counter",
      "damon engine: times its scheme used up its quota (DAMOS qt_exceeds)",
      NULL, NULL, AT(rep.damos.qt_exceeds), V_ULL, false, FOR_DAMOS },
    { "etmem_task_last_scan_duration_seconds", "gauge", "How long the last cycle took",
      NULL, NULL, AT(rep.last_scan_secs), V_DOUBLE, false, FOR_ALL },
    { "etmem_task_last_scan_timestamp_seconds", "gauge", "When the last cycle started",
      NULL, NULL, AT(rep.last_scan), V_TIME, false, FOR_ALL },
    { "etmem_task_guard_share", "gauge",
      "The feedback guard's throttle: share of the cold pages taken per cycle (psi: the "
      "reclaim rate)", NULL, NULL, AT(rep.guard.share), V_DOUBLE, false, FOR_ALL },
    { "etmem_task_guard_refault_percent_per_minute", "gauge",
      "Major faults per minute as a % of the targets' resident memory, over the last minute",
      NULL, NULL, AT(rep.guard.m.refault_pct), V_DOUBLE, false, FOR_ALL },
    { "etmem_task_guard_stall_ratio", "gauge",
      "Share of the last cycle with a memory \"some\" stall (the target's cgroup, else the "
      "system)", NULL, NULL, AT(rep.guard.m.psi_us), V_MICRO, false, FOR_ALL },
    { "etmem_task_guard_held_bytes", "gauge",
      "Memory left alone because it came back after being swapped out",
      NULL, NULL, AT(rep.guard.held_pages), V_PAGES, false, FOR_ALL },
    { "etmem_task_guard_recalled_bytes_total", "counter",
      "Memory brought back in ahead of use (MADV_WILLNEED) because it was evidently read again",
      NULL, NULL, AT(rep.guard.recalled_bytes), V_ULL, false, FOR_ALL },
    { "etmem_task_probes_total", "counter",
      "Pages the tracker paged out to sense access (fallback probes) since the task started",
      NULL, NULL, AT(rep.probes.total), V_ULL, false, FOR_PROBES },
    { "etmem_task_probe_comebacks_total", "counter",
      "Probe pages that came back (each a major fault of the target) since the task started",
      NULL, NULL, AT(rep.probes.back_total), V_ULL, false, FOR_PROBES },
    { "etmem_task_probes_last_cycle", "gauge", "Probe pages sent in the last cycle",
      NULL, NULL, AT(rep.probes.cycle), V_ULL, false, FOR_PROBES },
    { "etmem_task_probe_comebacks_last_cycle", "gauge", "Probe pages back in the last cycle",
      NULL, NULL, AT(rep.probes.back_cycle), V_ULL, false, FOR_PROBES },
    { "etmem_task_probe_comeback_percent_per_minute", "gauge",
      "Probe pages back per minute as a % of the targets' resident memory, last cycle",
      NULL, NULL, AT(rep.probes.back_pct), V_DOUBLE, false, FOR_PROBES },
    { "etmem_task_probe_budget_percent_per_minute", "gauge",
      "The probe cost budget in force: probe pages back per minute, % of resident memory",
      NULL, NULL, AT(rep.probes.budget_pct), V_DOUBLE, false, FOR_PROBES },
};

static void sb_label_value(struct strbuf *sb, const char *v)
{
    sb_add(sb, "\"", 1);
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            sb_printf(sb, "\\%c", *v);
        else if (*v == '\n')
            sb_add(sb, "\\n", 2);
        else
            sb_add(sb, v, 1);
    }
    sb_add(sb, "\"", 1);
}

static void sb_label(struct strbuf *sb, bool first, const char *name, const char *value)
{
    sb_printf(sb, "%s%s=", first ? "" : ",", name);
    sb_label_value(sb, value);
}

static void render_value(struct strbuf *sb, const struct metric *m, const struct task_sample *s)
{
    const char *p = (const char *)s + m->offset;

    switch (m->kind) {
    case V_ULL:
        sb_printf(sb, " %llu\n", *(const unsigned long long *)p);
        break;
    case V_PAGES:
        sb_printf(sb, " %llu\n",
                  *(const unsigned long long *)p * (unsigned long long)sysconf(_SC_PAGESIZE));
        break;
    case V_INT:
        sb_printf(sb, " %d\n", *(const int *)p);
        break;
    case V_DOUBLE:
        sb_printf(sb, " %.6f\n", *(const double *)p);
        break;
    case V_MICRO:
        sb_printf(sb, " %.9f\n", *(const double *)p / 1e6);
        break;
    case V_TIME:
    case V_KNOWN:
        sb_printf(sb, " %lld\n", *(const long long *)p);
        break;
    }
}

static void render_task_metrics(struct strbuf *sb, const struct task_sample *s, size_t n)
{
    const char *family = "";

    for (size_t i = 0; i < sizeof(task_metrics) / sizeof(task_metrics[0]); i++) {
        const struct metric *m = &task_metrics[i];

        if (strcmp(family, m->name) != 0) {
            family = m->name;
            sb_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, m->type);
        }
        for (size_t k = 0; k < n; k++) {
            if ((!m->always && !s[k].figures) || (m->only == FOR_DRY_RUN && !s[k].dry_run) ||
                (m->only == FOR_DAMOS && s[k].rep.damos.action == NULL) ||
                (m->only == FOR_PROBES && !s[k].rep.probes.on))
                continue;
            if (m->kind == V_KNOWN && *(const long long *)((const char *)&s[k] + m->offset) < 0)
                continue;
            sb_printf(sb, "%s{", m->name);
            sb_label(sb, true, "project", s[k].project);
            sb_label(sb, false, "task", s[k].task);
            sb_label(sb, false, "engine", s[k].engine);
            sb_label(sb, false, "backend", s[k].rep.backend);
            if (m->extra_label != NULL)
                sb_label(sb, false, m->extra_label, m->extra_value);
            sb_add(sb, "}", 1);
            render_value(sb, m, &s[k]);
        }
    }
}

/* The names of the backends this kernel can run, space separated. */
#define USABLE_NAMES(registry, out)                                                        \
    do {                                                                                   \
        char why_[256];                                                                    \
        for (size_t i_ = 0; caps != NULL && (registry)[i_] != NULL; i_++) {                \
            if ((registry)[i_]->usable(caps, why_, sizeof(why_)))                          \
                sb_printf((out), "%s%s", (out)->len ? " " : "", (registry)[i_]->name);     \
        }                                                                                  \
    } while (0)

static void render_info(struct strbuf *sb)
{
    const struct kernel_caps *caps = engines_caps();
    struct strbuf names[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };

    USABLE_NAMES(tracker_registry, &names[0]);
    USABLE_NAMES(reclaim_registry, &names[1]);
    USABLE_NAMES(migrate_registry, &names[2]);
    sb_printf(sb, "# HELP etmem_info etmemd's version and the kernel backends it can use\n"
              "# TYPE etmem_info gauge\netmem_info{");
    sb_label(sb, true, "version", PROJECT_VERSION);
    sb_label(sb, false, "trackers", names[0].s ? names[0].s : "");
    sb_label(sb, false, "reclaimers", names[1].s ? names[1].s : "");
    sb_label(sb, false, "migrators", names[2].s ? names[2].s : "");
    sb_add(sb, "} 1\n", 4);
    for (int i = 0; i < 3; i++)
        sb_free(&names[i]);
}

/* Copy what the metrics need under the model lock; *projects gets "name started" pairs. */
static struct task_sample *snapshot(size_t *n, struct strbuf *projects)
{
    struct task_sample *s = NULL;
    size_t cap = 0;

    *n = 0;
    model_lock();
    for (struct project *p = model_first_project(); p != NULL; p = model_next_project(p)) {
        sb_printf(projects, "etmem_project_started{");
        sb_label(projects, true, "project", p->name);
        sb_printf(projects, "} %d\n", p->start ? 1 : 0);
        for (struct engine *e = p->engs; e != NULL; e = e->next) {
            for (struct task *t = e->tasks; t != NULL; t = t->next) {
                if (*n == cap) {
                    cap = cap ? cap * 2 : 16;
                    s = xreallocarray(s, cap, sizeof(*s));
                }
                task_report_get(t, &s[*n].rep);
                s[*n].project = xstrdup(p->name);
                s[*n].task = xstrdup(t->name);
                s[*n].engine = xstrdup(e->name);
                s[*n].running = task_obj(t)->running;
                s[*n].dry_run = task_ext_of(t)->dry_run;
                s[*n].figures = task_obj(t)->running && engine_obj(e)->kind->report_task;
                s[*n].rep.state = NULL;     /* may point into the engine: not kept */
                (*n)++;
            }
        }
    }
    model_unlock();
    return s;
}

void metrics_render(struct strbuf *sb)
{
    struct strbuf projects = STRBUF_INIT;
    size_t n;
    struct task_sample *s = snapshot(&n, &projects);

    render_info(sb);
    sb_printf(sb, "# HELP etmem_project_started 1 when the project is started\n"
              "# TYPE etmem_project_started gauge\n");
    if (projects.s != NULL)
        sb_add(sb, projects.s, projects.len);
    render_task_metrics(sb, s, n);
    for (size_t k = 0; k < n; k++) {
        free(s[k].project);
        free(s[k].task);
        free(s[k].engine);
    }
    free(s);
    sb_free(&projects);
}

enum etmem_status cmd_metrics(const struct etmem_request *req, struct reply *r, struct diag *d)
{
    struct strbuf sb = STRBUF_INIT;

    metrics_render(&sb);
    reply_out(r, sb.s, sb.len);
    sb_free(&sb);
    return ST_OK;
}

/* ---- --metrics-file ---- */

static struct {
    char *path;
    char *tmp;
    struct stopper stop;
    pthread_t thread;
    bool running;
} mfile;

/* Write the exposition to the temporary file and rename it over the path; 0 or -errno. */
static int metrics_file_write(void)
{
    struct strbuf sb = STRBUF_INIT;
    int fd, rc = 0;

    metrics_render(&sb);
    fd = open(mfile.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        rc = -errno;
    } else {
        rc = write_all(fd, sb.s, sb.len);
        if (close(fd) < 0 && rc == 0)
            rc = -errno;
        if (rc == 0 && rename(mfile.tmp, mfile.path) < 0)
            rc = -errno;
        if (rc < 0)
            unlink(mfile.tmp);
    }
    sb_free(&sb);
    return rc;
}

static void *metrics_file_main(void *arg)
{
    int last = 0;

    while (stopper_sleep(&mfile.stop, METRICS_FILE_PERIOD_SEC)) {
        int rc = metrics_file_write();

        if (rc < 0 && rc != last)   /* say so once per kind of failure */
            log_err("metrics file %s: %s", mfile.path, strerror(-rc));
        last = rc;
    }
    return NULL;
}

int metrics_file_start(const char *path)
{
    int rc;

    mfile.path = xstrdup(path);
    xasprintf(&mfile.tmp, "%s.%d.tmp", path, (int)getpid());
    rc = metrics_file_write();
    if (rc < 0) {
        log_err("--metrics-file %s: cannot write it: %s", path, strerror(-rc));
        goto fail;
    }
    stopper_init(&mfile.stop);
    rc = pthread_create(&mfile.thread, NULL, metrics_file_main, NULL);
    if (rc != 0) {
        log_err("--metrics-file: cannot start its thread: %s", strerror(rc));
        stopper_destroy(&mfile.stop);
        goto fail;
    }
    mfile.running = true;
    return 0;
fail:
    free(mfile.path);
    free(mfile.tmp);
    mfile.path = mfile.tmp = NULL;
    return -1;
}

void metrics_file_stop(void)
{
    if (!mfile.running)
        return;
    stopper_raise(&mfile.stop);
    pthread_join(mfile.thread, NULL);
    stopper_destroy(&mfile.stop);
    free(mfile.path);
    free(mfile.tmp);
    memset(&mfile, 0, sizeof(mfile));
}
