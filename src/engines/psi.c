/* SPDX-License-Identifier: MulanPSL-2.0 */
/* psi.c - the psi engine's configuration: the original's [task] keys (cg_dir, pressure,
 * reclaim_rate, reclaim_rate_max, reclaim_rate_min, limit_min_bytes, limit_min_ratio,
 * reclaim_max_bytes) with their defaults, the cross-key checks, and what the kernel must
 * offer. psi_run.c holds its runtime. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"
#include "diag.h"
#include "engine.h"
#include "memsig.h"
#include "proc.h"
#include "psi.h"
#include "runtime.h"
#include "strparse.h"
#include "xalloc.h"

#define PSI_CG_DIR_MAX 255

/* cg_dir: a glob relative to the cgroup v2 mount; no way out of it. */
static bool parse_cg_dir(const struct config_key *key, const char *text, void *dst, char **why)
{
    size_t len = strlen(text);

    if (len == 0 || len > PSI_CG_DIR_MAX || !str_is_printable_ascii(text, true)) {
        xasprintf(why, "'%s' is not a cgroup path (allowed: 1..%d printable characters, no "
                  "blanks, e.g. isulad/*)", text, PSI_CG_DIR_MAX);
        return false;
    }
    if (text[0] == '/' || strcmp(text, "..") == 0 || strncmp(text, "../", 3) == 0 ||
        strstr(text, "/../") != NULL || (len >= 3 && strcmp(text + len - 3, "/..") == 0)) {
        xasprintf(why, "'%s' must stay below the cgroup v2 mount (a relative path without "
                  "'..', e.g. isulad/*)", text);
        return false;
    }
    *(char **)dst = xstrdup(text);
    return true;
}

#define PT(field) offsetof(struct psi_task_params, field)
static const struct config_key psi_task_keys[] = {
    { "cg_dir", KEY_CUSTOM, KEY_REQUIRED, 0, PSI_CG_DIR_MAX, NULL, PT(cg_dir),
      .parse = parse_cg_dir, .release = key_release_string, .range = "glob below the mount",
      .help = "the cgroups to reclaim: a glob relative to the cgroup v2 mount "
              "(e.g. isulad/*), matched again every cycle" },
    { "pressure", KEY_CUSTOM, 0, KEY_MILLIONTHS(0.001), KEY_MILLIONTHS(100), "0.1",
      PT(pressure), .parse = key_parse_decimal, .range = "0.001..100",
      .help = "target memory pressure: the cgroup's \"some\" stall in % of wall time over "
              "the last interval; the reclaim rate halves above it and creeps up below" },
    { "reclaim_rate", KEY_CUSTOM, 0, KEY_MILLIONTHS(0.01), KEY_MILLIONTHS(0.5), "0.05",
      PT(reclaim_rate), .parse = key_parse_decimal, .range = "0.01..0.5",
      .help = "starting share of the reclaimable memory asked for per step" },
    { "reclaim_rate_max", KEY_CUSTOM, 0, KEY_MILLIONTHS(0.01), KEY_MILLIONTHS(0.5), "0.5",
      PT(reclaim_rate_max), .parse = key_parse_decimal, .range = "0.01..0.5",
      .help = "highest reclaim rate" },
    { "reclaim_rate_min", KEY_CUSTOM, 0, KEY_MILLIONTHS(0.01), KEY_MILLIONTHS(0.5), "0.01",
      PT(reclaim_rate_min), .parse = key_parse_decimal, .range = "0.01..reclaim_rate_max",
      .help = "lowest reclaim rate" },
    { "limit_min_bytes", KEY_ULONG, 0, 0, (int64_t)1 << 50, "0", PT(limit_min_bytes),
      .help = "floor: never reclaim a cgroup below this many bytes" },
    { "limit_min_ratio", KEY_CUSTOM, 0, 0, KEY_MILLIONTHS(1), "0.1", PT(limit_min_ratio),
      .parse = key_parse_decimal, .range = "0..1",
      .help = "floor: never below this share of the cgroup's memory.max (when it has one)" },
    { "reclaim_max_bytes", KEY_ULONG, 0, 4096, (int64_t)1 << 50, "1073741824",
      PT(reclaim_max_bytes), .help = "cap: at most this many bytes per step and cgroup" },
    GUARD_ENVELOPE_KEYS(struct psi_task_params, guard),
    KEY_END,
};

double psi_rate_of(const struct psi_task_params *p, double share)
{
    double r = share * p->reclaim_rate_max;

    return r < p->reclaim_rate_min ? p->reclaim_rate_min
                                   : r > p->reclaim_rate_max ? p->reclaim_rate_max : r;
}

uint64_t psi_step_bytes(const struct psi_task_params *p, double rate, uint64_t current,
                        uint64_t max, uint64_t protect, uint64_t reclaimable, uint64_t *floor)
{
    uint64_t f = p->limit_min_bytes, step;

    if (max != UINT64_MAX && (uint64_t)((double)max * p->limit_min_ratio) > f)
        f = (uint64_t)((double)max * p->limit_min_ratio);
    if (protect > f)
        f = protect;
    if (current > reclaimable && current - reclaimable > f)
        f = current - reclaimable;
    *floor = f;
    if (current <= f)
        return 0;
    step = (uint64_t)((double)(current - f) * rate);
    if (step > p->reclaim_max_bytes)
        step = p->reclaim_max_bytes;
    return step & ~(uint64_t)4095;
}

const char *psi_unsupported(char *buf, size_t len)
{
    char mnt[256], path[300], controllers[256];

    if (cgroup2_mount(mnt, sizeof(mnt)) < 0) {
        snprintf(buf, len, "the psi engine needs cgroup v2, and no cgroup2 hierarchy is "
                 "mounted");
        return buf;
    }
    snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
    if (file_read_line(path, controllers, sizeof(controllers)) < 0 ||
        strstr(controllers, "memory") == NULL) {
        snprintf(buf, len, "the psi engine needs the memory controller on cgroup v2, and %s "
                 "offers only '%s'", mnt, controllers);
        return buf;
    }
    snprintf(path, sizeof(path), "%s/memory.reclaim", mnt);
    if (access(path, F_OK) != 0) {
        snprintf(buf, len, "the psi engine needs memory.reclaim (Linux 5.19 or later), and "
                 "this kernel has no %s", path);
        return buf;
    }
    return NULL;
}

static int psi_check_task(const struct conf_file *cf, const struct project *proj,
                          void *task_params, struct diag *d)
{
    const struct psi_task_params *p = task_params;
    char why[512];

    if (proj->type != PSI_SCAN) {
        conf_error(cf, "task", "engine", d, "the psi engine needs a project with "
                   "scan_type=psi; project '%s' uses %s scans", proj->name,
                   scan_type_name(proj->type));
        return -1;
    }
    if (p->reclaim_rate_min > p->reclaim_rate_max) {
        conf_error(cf, "task", "reclaim_rate_min", d, "value %g must not be above "
                   "reclaim_rate_max (%g)", p->reclaim_rate_min, p->reclaim_rate_max);
        return -1;
    }
    if (p->reclaim_rate < p->reclaim_rate_min || p->reclaim_rate > p->reclaim_rate_max) {
        conf_error(cf, "task", "reclaim_rate", d, "value %g is out of range %g..%g "
                   "(reclaim_rate_min..reclaim_rate_max)", p->reclaim_rate,
                   p->reclaim_rate_min, p->reclaim_rate_max);
        return -1;
    }
    if (engines_caps() != NULL && psi_unsupported(why, sizeof(why)) != NULL) {
        conf_error(cf, "task", "engine", d, "%s", why);
        return -1;
    }
    return 0;
}

const struct engine_kind psi_engine_kind = {
    .name = "psi",
    .engine_type = PSI_ENGINE,
    .summary = "reclaim cgroups through memory.reclaim at a rate held against a memory "
               "pressure target",
    .task_keys = psi_task_keys,
    .task_params_size = sizeof(struct psi_task_params),
    .check_task = psi_check_task,
    .ops = &psi_engine_ops,
    .report_task = psi_report_task,
};
