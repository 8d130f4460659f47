/* SPDX-License-Identifier: MulanPSL-2.0 */
/* objconf.c - key tables of the generic [project]/[engine]/[task] sections and the checks
 * that span several keys of one section. */
#include "objconf.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "cgroup_tree.h"
#include "conffile.h"
#include "diag.h"
#include "manpage.h"
#include "strparse.h"
#include "swapknob.h"
#include "targets.h"
#include "xalloc.h"

static const char *const scan_type_names[] = { "page", "region", "psi", NULL };
const char *const task_type_names[] = { "pid", "name", "cgroup", NULL };

#define PC(field) offsetof(struct project_conf, field)
#define EC(field) offsetof(struct engine_conf, field)
#define TC(field) offsetof(struct task_conf, field)

static bool is_page_scan(const void *base)
{
    return ((const struct project_conf *)base)->scan_type == PAGE_SCAN;
}

static bool is_page_or_psi_scan(const void *base)
{
    return is_page_scan(base) || ((const struct project_conf *)base)->scan_type == PSI_SCAN;
}

static bool is_region_scan(const void *base)
{
    return ((const struct project_conf *)base)->scan_type == REGION_SCAN;
}

const struct config_key project_id_keys[] = {
    { "name", KEY_NAME, KEY_REQUIRED, 0, OBJ_NAME_MAX, NULL, PC(name),
      .help = "the project's name; engines and tasks name it in project=" },
    KEY_END,
};

const struct config_key project_keys[] = {
    { "scan_type", KEY_ENUM, 0, 0, 0, "page", PC(scan_type), scan_type_names,
      .help = "page: per-page access scans; region: DAMON-style region monitoring; psi: "
              "cgroups reclaimed against a memory pressure target every interval seconds "
              "(the psi engine)" },
    { "loop", KEY_INT, KEY_LIVE, 1, 120, NULL, PC(loop), .required_if = is_page_scan,
      .help = "scans per cycle; access weights are summed over them" },
    { "interval", KEY_INT, KEY_LIVE, 1, 1200, NULL, PC(interval), .required_if = is_page_or_psi_scan,
      .help = "seconds between the scans of one cycle" },
    { "sleep", KEY_INT, KEY_LIVE, 1, 1200, NULL, PC(sleep), .required_if = is_page_scan,
      .help = "seconds between the end of a cycle (scans and moves) and the next" },
    { "sysmem_threshold", KEY_INT, KEY_LIVE, 0, 100, NULL, PC(sysmem_threshold),
      .help = "slide: only swap while available memory (MemAvailable) is below this % of RAM" },
    { "swapcache_high_wmark", KEY_INT, KEY_LIVE, 1, 100, NULL, PC(swapcache_high_wmark),
      .alias = "swapcache_high_vmark",
      .help = "slide: reclaim swap cache when it exceeds this % of RAM (set with low)" },
    { "swapcache_low_wmark", KEY_INT, KEY_LIVE, 1, 100, NULL, PC(swapcache_low_wmark),
      .alias = "swapcache_low_vmark", .range = "1..swapcache_high_wmark-1",
      .help = "slide: swap cache reclaim stops below this % of RAM" },
    { "kernel_swap_enable", KEY_YESNO, 0, 0, 0, NULL, PC(kernel_swap_enable),
      .help = "openEuler only: set /sys/kernel/mm/swap/kernel_swap_enable while the project "
              "runs (restored after)" },
    { "dry_run", KEY_YESNO, 0, 0, 0, "no", PC(dry_run),
      .help = "the tasks scan and decide as usual but only count and log what they would "
              "move or reclaim, changing nothing (a task may say otherwise)" },
    { "sample_interval", KEY_ULONG, 0, 1, LONG_MAX, NULL, PC(sample_interval),
      .required_if = is_region_scan, .help = "region: access sampling period (us)" },
    { "aggr_interval", KEY_ULONG, 0, 1, LONG_MAX, NULL, PC(aggr_interval),
      .required_if = is_region_scan, .help = "region: aggregation period (us)" },
    { "update_interval", KEY_ULONG, 0, 1, LONG_MAX, NULL, PC(update_interval),
      .required_if = is_region_scan, .help = "region: target update period (us)" },
    { "min_nr_regions", KEY_ULONG, 0, 3, LONG_MAX, NULL, PC(min_nr_regions),
      .required_if = is_region_scan, .help = "region: fewest monitoring regions" },
    { "max_nr_regions", KEY_ULONG, 0, 3, LONG_MAX, NULL, PC(max_nr_regions),
      .required_if = is_region_scan, .range = "min_nr_regions+1..",
      .help = "region: most monitoring regions" },
    KEY_END,
};

static bool parse_engine_kind(const struct config_key *key, const char *text, void *dst,
                              char **why)
{
    const struct engine_kind *kind = engine_kind_find(text);

    if (kind == NULL) {
        bool original = strcmp(text, "damon") == 0 || strcmp(text, "memdcd") == 0;
        char allowed[128] = "";

        for (int i = 0; engine_kinds[i] != NULL; i++)
            snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed), "%s%s",
                     i ? "|" : "", engine_kinds[i]->name);
        xasprintf(why, "engine '%s' is not supported%s (allowed: %s)", text,
                  original ? " by this etmemd" : "", allowed);
        return false;
    }
    *(const struct engine_kind **)dst = kind;
    return true;
}

const struct config_key engine_id_keys[] = {
    { "project", KEY_NAME, KEY_REQUIRED, 0, OBJ_NAME_MAX, NULL, EC(project),
      .help = "the project the engine belongs to" },
    { "name", KEY_CUSTOM, KEY_REQUIRED, 0, 0, NULL, EC(kind), .parse = parse_engine_kind,
      .range = "slide|cslide|thirdparty", .help = "the engine (policy) to use" },
    KEY_END,
};

/* type=cgroup: a path of printable characters without blanks or a ".." component. */
static bool parse_cgroup_path(const char *text, char **why)
{
    size_t len = strlen(text);

    if (len > CGROUP_PATH_MAX) {
        xasprintf(why, "'%.40s...' is %zu characters long; cgroup paths have at most %d", text,
                  len, CGROUP_PATH_MAX);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] <= ' ' || text[i] > '~') {
            xasprintf(why, "'%s' contains a blank, control or non-ASCII character (a cgroup "
                      "path is printable ASCII without blanks)", text);
            return false;
        }
    }
    for (const char *p = text; (p = strstr(p, "..")) != NULL; p += 2) {
        if ((p == text || p[-1] == '/') && (p[2] == '/' || p[2] == '\0')) {
            xasprintf(why, "'%s' contains '..' (a cgroup path may not leave its hierarchy)",
                      text);
            return false;
        }
    }
    return true;
}

/* value: the guide's rule for process names and pids, 1..15 of [A-Za-z0-9./%_-]; a cgroup
 * path for type=cgroup. type comes first in task_keys, so it is already set in dst's
 * struct task_conf. */
static bool parse_task_value(const struct config_key *key, const char *text, void *dst,
                             char **why)
{
    const struct task_conf *tc =
        (const struct task_conf *)((char *)dst - offsetof(struct task_conf, value));
    size_t len = strlen(text);

    if (tc->type == TASK_TYPE_CGROUP) {
        if (!parse_cgroup_path(text, why))
            return false;
        *(char **)dst = xstrdup(text);
        return true;
    }
    if (len > TASK_VALUE_MAX) {
        xasprintf(why, "'%s' is %zu characters long; process names and pids have at most %d",
                  text, len, TASK_VALUE_MAX);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = text[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("./%_-", c) != NULL)) {
            xasprintf(why, "'%s' contains '%c' (allowed: letters, digits and . / %% _ -)", text, c);
            return false;
        }
    }
    *(char **)dst = xstrdup(text);
    return true;
}

const struct config_key task_id_keys[] = {
    { "project", KEY_NAME, KEY_REQUIRED, 0, OBJ_NAME_MAX, NULL, TC(project),
      .help = "the project the task belongs to" },
    { "engine", KEY_NAME, KEY_REQUIRED, 0, OBJ_NAME_MAX, NULL, TC(engine),
      .help = "the engine of that project (for thirdparty: its eng_name)" },
    { "name", KEY_NAME, KEY_REQUIRED, 0, OBJ_NAME_MAX, NULL, TC(name),
      .help = "the task's name, unique within its engine" },
    KEY_END,
};

const struct config_key task_keys[] = {
    { "type", KEY_ENUM, KEY_REQUIRED, 0, 0, NULL, TC(type), task_type_names,
      .help = "how the target is named: by pid, by process name or by cgroup" },
    { "value", KEY_CUSTOM, KEY_REQUIRED, 0, CGROUP_PATH_MAX, NULL, TC(value),
      .parse = parse_task_value, .release = key_release_string,
      .range = "1..15 of [A-Za-z0-9./%_-]; cgroup: a path of up to 4095 printable characters",
      .help = "the target's pid or process name; for cgroup a path relative to the cgroup v2 "
              "mount (or the v1 memory controller's), or an absolute path in either" },
    { "max_threads", KEY_INT, KEY_LIVE, 1, INT_MAX, "1", TC(max_threads),
      .range = "1..2*cores+1 (more is lowered to that)",
      .help = "worker threads for this task's processes" },
    { "swap_flag", KEY_YESNO, 0, 0, 0, "no", TC(swap_flag),
      .help = "slide: only swap memory the process marked for swapping" },
    { "allow_init", KEY_YESNO, 0, 0, 0, "no", TC(allow_init),
      .help = "let the task cover pid 1 (init) and so, as its direct children, every service "
              "of the host; without it a task on pid 1 is refused and init is never covered "
              "(etmemd itself and kernel threads never are)" },
    { "dry_run", KEY_YESNO, 0, 0, 0, NULL, TC(dry_run),
      .help = "this task only counts and logs what it would do (default: as [project] "
              "dry_run says)" },
    KEY_END,
};

void project_conf_init(struct project_conf *pc)
{
    memset(pc, 0, sizeof(*pc));
    pc->sysmem_threshold = -1;
    pc->swapcache_high_wmark = -1;
    pc->swapcache_low_wmark = -1;
    pc->kernel_swap_enable = -1;
}

void task_conf_init(struct task_conf *tc)
{
    memset(tc, 0, sizeof(*tc));
    tc->dry_run = -1;
}

/* The spelling of a project key that the file uses: its alias when only that is set, so
 * that a message names the line and the word the user wrote. */
static const char *project_key_spelled(const struct conf_file *cf, const char *name)
{
    for (const struct config_key *key = project_keys; key->name != NULL; key++) {
        if (strcmp(key->name, name) == 0 && key->alias != NULL &&
            conf_key_find(cf, "project", name) == NULL &&
            conf_key_find(cf, "project", key->alias) != NULL)
            return key->alias;
    }
    return name;
}

int project_conf_parse(struct conf_file *cf, struct project_conf *pc, bool id_only,
                       struct diag *d)
{
    if (conf_walk(cf, "project", project_id_keys, pc, d) < 0)
        return -1;
    if (id_only)
        return 0;
    if (conf_walk(cf, "project", project_keys, pc, d) < 0)
        return -1;
    if ((pc->swapcache_high_wmark < 0) != (pc->swapcache_low_wmark < 0)) {
        conf_error(cf, "project",
                   project_key_spelled(cf, pc->swapcache_high_wmark < 0 ? "swapcache_low_wmark"
                                                                        : "swapcache_high_wmark"),
                   d, "swapcache_high_wmark and swapcache_low_wmark go together; set both");
        return -1;
    }
    if (pc->swapcache_high_wmark >= 0 && pc->swapcache_low_wmark >= pc->swapcache_high_wmark) {
        conf_error(cf, "project", project_key_spelled(cf, "swapcache_low_wmark"), d,
                   "value %d must be below swapcache_high_wmark (%d)", pc->swapcache_low_wmark,
                   pc->swapcache_high_wmark);
        return -1;
    }
    if (pc->kernel_swap_enable >= 0 && !swapknob_present()) {
        conf_error(cf, "project", "kernel_swap_enable", d, "this kernel has no "
                   "/sys/kernel/mm/swap/kernel_swap_enable (an openEuler knob)");
        return -1;
    }
    if (pc->scan_type == REGION_SCAN && pc->min_nr_regions >= pc->max_nr_regions) {
        conf_error(cf, "project", "max_nr_regions", d,
                   "value %lu must be above min_nr_regions (%lu)", pc->max_nr_regions,
                   pc->min_nr_regions);
        return -1;
    }
    return 0;
}

int engine_conf_parse(struct conf_file *cf, struct engine_conf *ec, struct diag *d)
{
    return conf_walk(cf, "engine", engine_id_keys, ec, d);
}

/* type=pid on a process etmemd must not manage: refused now, with the reason. A pid that
 * does not exist (yet) is fine: the task waits for it. */
static int check_task_pid(pid_t pid, bool allow_init, struct conf_file *cf, struct diag *d)
{
    char why[256];

    if (!targets_refused(pid, allow_init, why, sizeof(why)))
        return 0;
    conf_error(cf, "task", "value", d, "%s", why);
    return -1;
}

int task_conf_parse(struct conf_file *cf, struct task_conf *tc, bool id_only, struct diag *d)
{
    int64_t pid;
    int max_threads = 2 * get_nprocs() + 1;

    if (conf_walk(cf, "task", task_id_keys, tc, d) < 0)
        return -1;
    if (id_only)
        return 0;
    if (conf_walk(cf, "task", task_keys, tc, d) < 0)
        return -1;
    if (tc->type == TASK_TYPE_PID && !parse_int_range(tc->value, 1, INT_MAX, &pid)) {
        conf_error(cf, "task", "value", d, "'%s' is not a pid (type=pid wants a positive number)",
                   tc->value);
        return -1;
    }
    if (tc->type == TASK_TYPE_PID && check_task_pid((pid_t)pid, tc->allow_init, cf, d) < 0)
        return -1;
    if (tc->max_threads > max_threads) {
        conf_warning(cf, "task", "max_threads", d, "%d is more than 2*cores+1 on this machine; "
                     "using %d", tc->max_threads, max_threads);
        tc->max_threads = max_threads;
    }
    return 0;
}

void project_conf_release(struct project_conf *pc)
{
    conf_release(project_id_keys, pc);
    conf_release(project_keys, pc);
}

void engine_conf_release(struct engine_conf *ec)
{
    conf_release(engine_id_keys, ec);
}

void task_conf_release(struct task_conf *tc)
{
    conf_release(task_id_keys, tc);
    conf_release(task_keys, tc);
}

/* A heading of etmem.conf(5); the other formats name the section on every key. */
static void man_heading(FILE *out, enum key_format format, const char *macro, const char *text)
{
    if (format == KEY_FORMAT_MAN)
        man_macro(out, macro, text);
}

static void man_conf_begin(FILE *out)
{
    man_begin(out, "etmem.conf", "5", "etmem project, engine and task files");
    fputs(".SH SYNOPSIS\n.B /etc/etmem/*.yaml\n.SH DESCRIPTION\n", out);
    man_text(out, "A file given to `etmem obj add -f FILE' describes what etmemd should "
             "manage: a [project] section (how often to scan), an [engine] section (the "
             "policy: slide, cslide or a thirdparty plug-in) and [task] sections (which "
             "processes). The syntax is GLib's key file (INI style: [section], key=value, "
             "# comments) despite the .yaml name the original etmem used. A file may hold "
             "one or more of these sections; `etmem obj add' adds everything in it or "
             "nothing, and `etmem obj del' with the same file removes it again.");
    fputs(".PP\n", out);
    man_text(out, "etmemd reads the file itself: it must be owned by root, have mode 600 or "
             "400 and be at most 10 MiB. Each error names the file, line, section and key "
             "and says what is allowed; keys no table below names are reported as unknown.");
    fputs(".PP\n", out);
    man_text(out, "Below, each key shows its type, the values allowed, its default (applied "
             "when the key is absent), whether it is required, and for engine-specific keys "
             "the engine it belongs to.");
}

static void man_conf_end(FILE *out)
{
    fputs(".SH EXAMPLES\nThe slide engine swapping out the cold memory of every process "
         "named mysql:\n.PP\n.nf\n.RS\n[project]\nname=test\nloop=1\ninterval=1\nsleep=1\n"
         "\n[engine]\nname=slide\nproject=test\n\n[task]\nproject=test\nengine=slide\n"
         "name=background_slide\ntype=name\nvalue=mysql\nT=1\n.RE\n.fi\n.SH FILES\n.TP\n"
         ".I /etc/etmem/slide_conf.yaml\n.TQ\n.I /etc/etmem/cslide_conf.yaml\n.TQ\n"
         ".I /etc/etmem/thirdparty_conf.yaml\nexamples of each engine\n.SH SEE ALSO\n"
         ".BR etmem (8),\n.BR etmemd (8),\n.BR etmem\\-engine\\-abi (3)\n", out);
}

void objconf_print_help(FILE *out, enum key_format format)
{
    if (format == KEY_FORMAT_MD) {
        fprintf(out, "| section | key | applies to | required | allowed | default | meaning |\n");
        fprintf(out, "|---|---|---|---|---|---|---|\n");
    } else if (format == KEY_FORMAT_MAN) {
        man_conf_begin(out);
    }
    man_heading(out, format, "SH", "[project] SECTION");
    key_table_print(out, "project", "all", project_id_keys, format);
    key_table_print(out, "project", "all", project_keys, format);
    man_heading(out, format, "SH", "[engine] SECTION");
    key_table_print(out, "engine", "all", engine_id_keys, format);
    for (int i = 0; engine_kinds[i] != NULL; i++) {
        const struct engine_kind *k = engine_kinds[i];

        if (k->engine_id_keys || k->engine_keys)
            man_heading(out, format, "SS", k->name);
        if (k->engine_id_keys)
            key_table_print(out, "engine", k->name, k->engine_id_keys, format);
        if (k->engine_keys)
            key_table_print(out, "engine", k->name, k->engine_keys, format);
    }
    man_heading(out, format, "SH", "[task] SECTION");
    key_table_print(out, "task", "all", task_id_keys, format);
    key_table_print(out, "task", "all", task_keys, format);
    for (int i = 0; engine_kinds[i] != NULL; i++) {
        if (engine_kinds[i]->task_keys) {
            man_heading(out, format, "SS", engine_kinds[i]->name);
            key_table_print(out, "task", engine_kinds[i]->name, engine_kinds[i]->task_keys,
                            format);
        }
    }
    if (format == KEY_FORMAT_MAN)
        man_conf_end(out);
}
