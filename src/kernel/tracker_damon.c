/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tracker_damon.c - DAMON virtual-address monitoring through sysfs. The daemon creates
 * and owns ONE kdamond with one context holding every tracked process as a target (up to
 * DAMON_MAX_TARGETS), with one "stat" scheme per target whose access pattern is widened to
 * match every region and whose DAMOS "target" filter (kernel 6.6+) keeps only that
 * target's regions, so update_schemes_tried_regions tells each process's regions apart.
 * Targets join and leave online: the target and scheme lists are rewritten and applied
 * with "commit" (5.19+; DAMON keeps the regions of targets that stay at their index), or,
 * where commit fails, by turning the kdamond off and on again. Without target filters
 * (6.2-6.5) there is one scheme and one target at a time (-EBUSY for a second).
 * It never touches kdamonds it did not create: it only changes nr_kdamonds from 0 and back
 * to 0, and refuses when any other kdamond exists, but one: the kdamond an etmemd that was
 * killed left behind, which its record (damon_owner.h) names, is taken back. Every write
 * first checks that DAMON vaddr is available and that the kdamond is ours, so on a host
 * without vaddr (whose DAMON belongs to someone else) nothing is ever written. The writes
 * themselves are made by etmemd's DAMON writer process (damon_writer.h): the kernel answers
 * a command written to the kdamond's state at its next aggregation, uninterruptibly, and
 * etmemd's exit must not wait for that; a stopped task's sample gives up waiting (the
 * changes of the kdamond's set-up are waited for until etmemd exits). DAMON cannot tell
 * writes from reads; its nr_accesses covers the last aggregation interval before the
 * sample (the engines make that interval their window: scan_opts_damon_window). As a region
 * source (region projects) it hands out the regions themselves, with DAMON's nr_accesses
 * and age. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "damon_owner.h"
#include "damon_writer.h"
#include "heatmap.h"
#include "log.h"
#include "pagemap.h"
#include "pagemap_weigh.h"
#include "probe_internal.h"
#include "proc.h"
#include "region_tracker.h"
#include "stopper.h"
#include "tracker_common.h"
#include "xalloc.h"

#define KD "kernel/mm/damon/admin/kdamonds"
#define CTX KD "/0/contexts/0"
#define DAMON_MAX_TARGETS 64

/* Process-global ownership: DAMON sysfs is one global object. */
static pthread_mutex_t damon_lock = PTHREAD_MUTEX_INITIALIZER;
static bool damon_owned;    /* we created kdamond 0 (nr_kdamonds went 0 -> 1 by us) */
static bool damon_verified; /* vaddr availability checked before our first write */
static int damon_filters = -1; /* DAMOS target filters: -1 not known yet, 0 absent, 1 there */
static struct damon_attrs damon_attrs_used; /* of the first target: the context's */
/* The tracked processes in the order of the context's targets (and schemes), and the
 * scheme each asked for (has_spec false: the widened "stat" scheme whose regions are read). */
static pid_t damon_pids[DAMON_MAX_TARGETS];
static struct damos_spec damon_specs[DAMON_MAX_TARGETS];
static bool damon_has_spec[DAMON_MAX_TARGETS];
static size_t damon_n;
static uint64_t damon_generation; /* bumped whenever the scheme list is rewritten */

/* One region as tried_regions lists it. */
struct damon_raw_region {
    uint64_t start, end, nr_accesses, age;
};

struct tracker {
    pid_t pid;
    struct scan_opts_copy opts;
    struct vma_list vmas;
    struct pagemap pm;
    struct damon_raw_region *raw; /* the last read of tried_regions, sorted */
    size_t raw_n, raw_cap;
    struct mon_region *reg;       /* raw clipped to the filtered VMAs (regions op) */
    size_t reg_n, reg_cap;
    struct damos_stats stats_last; /* the kernel's counters at the last scheme_stats */
    uint64_t stats_generation;     /* damon_generation they were read in; 0: none yet */
};

static bool damon_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    if (!kernel_require(caps, why, len, 1, KF_DAMON_VADDR))
        return false;
    if (caps->damon_nr_kdamonds > 0) {
        char whose[160];

        /* one kdamond, left by an etmemd that was killed: taken back at the first open */
        if (caps->damon_nr_kdamonds == 1 && damon_owner_gone(whose, sizeof(whose)))
            return true;
        snprintf(why, len, "%d kdamond(s) already exist that etmemd did not create or still "
                 "uses (%s); DAMON is left to its owner", caps->damon_nr_kdamonds,
                 caps->damon_nr_kdamonds == 1 ? whose : "more than one");
        return false;
    }
    return true;
}

/* Every write under /sys/kernel/mm/damon goes through here, and is made by the DAMON writer
 * (damon_writer.h). A wait for it ends early (-ECANCELED) when stop is raised or etmemd
 * exits. Caller holds damon_lock. */
static int damon_write_or_stop(const char *rel, const char *val, struct stopper *stop)
{
    bool creating = strcmp(rel, KD "/nr_kdamonds") == 0;

    if (!damon_verified || (!damon_owned && !creating)) {
        log_err("DAMON: refusing to write %s: %s", rel,
                damon_verified ? "kdamond not ours" : "vaddr availability not verified");
        return -EPERM;
    }
    int err = damon_writer_write(rel, val, stop);
    if (err && err != -ECANCELED)
        log_debug("DAMON: write '%s' to %s: %s", val, rel, strerror(-err));
    return err;
}

/* A change of the kdamond's set-up: waited for until it is made (or etmemd exits), so
 * what etmemd knows of the kdamond stays what the kernel has. */
static int damon_write(const char *rel, const char *val)
{
    return damon_write_or_stop(rel, val, NULL);
}

static int damon_write_u64(const char *rel, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    return damon_write(rel, buf);
}

static int damon_read_u64(const char *rel, uint64_t *v)
{
    char path[512];
    if (sys_path(path, sizeof(path), "%s", rel))
        return -ENAMETOOLONG;
    return file_read_u64(path, v);
}

#define TEARDOWN_TRIES 3

/* Turn our kdamond off and remove it. Caller holds damon_lock. */
static void damon_teardown(void)
{
    char state[32], path[512];
    int rc = -EBUSY;
    if (!damon_owned)
        return;
    sys_path(path, sizeof(path), KD "/0/state");
    /* a command the kdamond was still handling when its task stopped (a tried-regions
     * update given up on) can keep both writes busy past the writer's patience */
    for (int i = 0; i < TEARDOWN_TRIES && rc == -EBUSY; i++) {
        if (file_read_line(path, state, sizeof(state)) != 0 || strcmp(state, "off") != 0)
            damon_write(KD "/0/state", "off");
        rc = damon_write(KD "/nr_kdamonds", "0");
    }
    if (rc == 0) {
        damon_owned = false;
        damon_owner_clear();
    } else if (rc != -ECANCELED)  /* canceled: etmemd exits, its DAMON writer removes it */
        log_err("DAMON: could not remove the kdamond etmemd created");
    damon_n = 0;
}

static bool damon_running(void)
{
    char state[32] = "", path[512];
    sys_path(path, sizeof(path), KD "/0/state");
    return file_read_line(path, state, sizeof(state)) == 0 && strcmp(state, "on") == 0;
}

static bool pid_alive(pid_t pid)
{
    return kill(pid, 0) == 0 || errno != ESRCH;
}

static long damon_index(pid_t pid)
{
    for (size_t i = 0; i < damon_n; i++)
        if (damon_pids[i] == pid)
            return (long)i;
    return -1;
}

static void damon_remove(pid_t pid)
{
    long i = damon_index(pid);
    if (i < 0)
        return;
    size_t after = damon_n - (size_t)i - 1;
    memmove(&damon_pids[i], &damon_pids[i + 1], after * sizeof(damon_pids[0]));
    memmove(&damon_specs[i], &damon_specs[i + 1], after * sizeof(damon_specs[0]));
    memmove(&damon_has_spec[i], &damon_has_spec[i + 1], after * sizeof(damon_has_spec[0]));
    damon_n--;
}

struct damon_num {
    const char *file; /* under the scheme's directory */
    uint64_t val;
};

static int damon_write_nums(size_t i, const struct damon_num *nums, size_t n)
{
    char rel[256];
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        snprintf(rel, sizeof(rel), CTX "/schemes/%zu/%s", i, nums[k].file);
        rc = damon_write_u64(rel, nums[k].val);
    }
    return rc;
}

/* The access pattern, quota, watermarks and action of scheme i. Without a spec: "stat"
 * on every region (the defaults are min=max=0, which match nothing: widen every max). */
static int damon_write_pattern(size_t i)
{
    char rel[256];
    const struct damos_spec *sp = damon_has_spec[i] ? &damon_specs[i] : NULL;
    uint64_t nr_acc_max = damon_attrs_used.sample_us
                              ? damon_attrs_used.aggr_us / damon_attrs_used.sample_us + 1
                              : 1000;
    const struct damon_num widest[] = {
        { "access_pattern/sz/max", UINT64_MAX },
        { "access_pattern/nr_accesses/max", nr_acc_max },
        { "access_pattern/age/max", UINT32_MAX },
    };
    int rc;
    if (!sp) {
        if ((rc = damon_write_nums(i, widest, sizeof(widest) / sizeof(widest[0]))) != 0)
            return rc;
        snprintf(rel, sizeof(rel), CTX "/schemes/%zu/action", i);
        return damon_write(rel, "stat");
    }
    const struct damon_num pattern[] = {
        { "access_pattern/sz/min", sp->min_size },
        { "access_pattern/sz/max", sp->max_size },
        { "access_pattern/nr_accesses/min", sp->min_acc },
        { "access_pattern/nr_accesses/max", sp->max_acc },
        { "access_pattern/age/min", sp->min_age },
        { "access_pattern/age/max", sp->max_age },
        { "quotas/ms", sp->quota_ms },
        { "quotas/bytes", sp->quota_bytes },
        { "quotas/reset_interval_ms", sp->quota_reset_ms },
    };
    /* under a quota the kernel goes coldest first (pageout, cold) or hottest first */
    const struct damon_num weights[] = {
        { "quotas/weights/sz_permil", 0 },
        { "quotas/weights/nr_accesses_permil", 1000 },
        { "quotas/weights/age_permil", 1000 },
    };
    const struct damon_num wmarks[] = {
        { "watermarks/interval_us", sp->wmarks_interval_us },
        { "watermarks/high", sp->wmarks_high },
        { "watermarks/mid", sp->wmarks_mid },
        { "watermarks/low", sp->wmarks_low },
    };
    if ((rc = damon_write_nums(i, pattern, sizeof(pattern) / sizeof(pattern[0]))) != 0)
        return rc;
    if ((sp->quota_ms || sp->quota_bytes) &&
        (rc = damon_write_nums(i, weights, sizeof(weights) / sizeof(weights[0]))) != 0)
        return rc;
    if (strcmp(sp->wmarks_metric, "none") != 0) {
        snprintf(rel, sizeof(rel), CTX "/schemes/%zu/watermarks/metric", i);
        if ((rc = damon_write(rel, sp->wmarks_metric)) != 0 ||
            (rc = damon_write_nums(i, wmarks, sizeof(wmarks) / sizeof(wmarks[0]))) != 0)
            return rc;
    }
    if (sp->target_nid >= 0 &&
        (rc = damon_write_nums(i, &(struct damon_num){ "target_nid", (uint64_t)sp->target_nid },
                               1)) != 0)
        return rc;
    snprintf(rel, sizeof(rel), CTX "/schemes/%zu/action", i);
    return damon_write(rel, sp->action);
}

/* Scheme i: target i's (the target filter drops the others' regions; without target
 * filters there is a single target and no filter). Caller holds damon_lock. */
static int damon_write_scheme(size_t i)
{
    char rel[256];
    int rc;
    if ((rc = damon_write_pattern(i)) != 0)
        return rc;
    if (damon_filters == 0)
        return 0;
    snprintf(rel, sizeof(rel), CTX "/schemes/%zu/filters/nr_filters", i);
    if ((rc = damon_write_u64(rel, 1)) != 0)
        return rc;
    snprintf(rel, sizeof(rel), CTX "/schemes/%zu/filters/0/type", i);
    rc = damon_write(rel, "target");
    if (rc == -EINVAL && damon_filters < 0) {
        /* a kernel before 6.6: no target filters, so one target only */
        damon_filters = 0;
        snprintf(rel, sizeof(rel), CTX "/schemes/%zu/filters/nr_filters", i);
        return damon_write_u64(rel, 0);
    }
    if (rc)
        return rc;
    damon_filters = 1;
    /* the file is damon_target_idx up to 6.14, target_idx since */
    snprintf(rel, sizeof(rel), CTX "/schemes/%zu/filters/0/damon_target_idx", i);
    if ((rc = damon_write_u64(rel, i)) == -ENOENT) {
        snprintf(rel, sizeof(rel), CTX "/schemes/%zu/filters/0/target_idx", i);
        rc = damon_write_u64(rel, i);
    }
    if (rc)
        return rc;
    /* "filter out what does not match target i" */
    snprintf(rel, sizeof(rel), CTX "/schemes/%zu/filters/0/matching", i);
    return damon_write(rel, "N");
}

/* Write the target and scheme lists for damon_pids (writing nr_targets/nr_schemes
 * recreates their directories, so everything is written again), then apply them: "on"
 * when the kdamond is off, else "commit", else off and on. Caller holds damon_lock. */
static int damon_apply(void)
{
    char rel[256];
    int rc;
    if ((rc = damon_write_u64(CTX "/targets/nr_targets", damon_n)) != 0)
        return rc;
    for (size_t i = 0; i < damon_n; i++) {
        snprintf(rel, sizeof(rel), CTX "/targets/%zu/pid_target", i);
        if ((rc = damon_write_u64(rel, (uint64_t)damon_pids[i])) != 0)
            return rc;
    }
    size_t nschemes = damon_filters == 0 ? 1 : damon_n;
    damon_generation++;
    if ((rc = damon_write_u64(CTX "/schemes/nr_schemes", nschemes)) != 0)
        return rc;
    for (size_t i = 0; i < nschemes; i++)
        if ((rc = damon_write_scheme(i)) != 0)
            return rc;
    if (!damon_running())
        return damon_write(KD "/0/state", "on");
    if ((rc = damon_write(KD "/0/state", "commit")) == 0)
        return 0;
    log_debug("DAMON: commit failed (%s); restarting the kdamond", strerror(-rc));
    damon_write(KD "/0/state", "off");
    return damon_write(KD "/0/state", "on");
}

/* Drop members that exited (a commit naming one fails), then apply. Caller holds
 * damon_lock. */
static int damon_apply_live(void)
{
    int rc = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        for (size_t i = 0; i < damon_n;) {
            if (pid_alive(damon_pids[i]))
                i++;
            else
                damon_remove(damon_pids[i]);
        }
        if (damon_n == 0)
            return -ESRCH;
        if ((rc = damon_apply()) != -EINVAL)
            return rc;
    }
    return rc;
}

static void damon_set_spec(size_t i, const struct damos_spec *spec)
{
    damon_has_spec[i] = spec != NULL;
    if (spec)
        damon_specs[i] = *spec;
}

/* Create our kdamond for its first target. Caller holds damon_lock. */
static int damon_create(pid_t pid, const struct damon_attrs *a, const struct damos_spec *spec)
{
    char ops[256], path[512], why[KERNEL_DETAIL_LEN];
    uint64_t nr;
    int rc;

    if (!damon_vaddr_available(why, sizeof(why))) {
        log_err("DAMON tracker: %s", why);
        return -EOPNOTSUPP;
    }
    damon_verified = true;
    damon_teardown();   /* one whose removal failed before (busy) is still ours to remove */
    if ((rc = damon_read_u64(KD "/nr_kdamonds", &nr)) != 0)
        return rc;
    if (nr == 1 && damon_owner_gone(why, sizeof(why))) {
        log_warn("DAMON: taking back kdamond 0: %s", why);
        damon_owned = true;
        damon_teardown();
        if ((rc = damon_read_u64(KD "/nr_kdamonds", &nr)) != 0)
            return rc;
    }
    if (nr != 0) {
        /* we remove ours when the last target goes, and take back one a killed etmemd
         * left: any kdamond here now is someone else's */
        log_err("DAMON: refusing to touch %" PRIu64 " kdamond(s) etmemd did not create or "
                "still uses", nr);
        return -EBUSY;
    }
    /* recorded first: a crash right after the kdamond exists still leaves it ours */
    if ((rc = damon_owner_record()) != 0)
        log_warn("DAMON: cannot record the kdamond as etmemd's in %s (%s): if etmemd is "
                 "killed, the next one will leave it alone", DAMON_OWNER_FILE, strerror(-rc));
    if ((rc = damon_write(KD "/nr_kdamonds", "1")) != 0) {
        damon_owner_clear();
        return rc;
    }
    damon_owned = true;
    damon_attrs_used = *a;
    const struct {
        const char *rel;
        uint64_t val;
    } nums[] = {
        { CTX "/monitoring_attrs/intervals/sample_us", a->sample_us },
        { CTX "/monitoring_attrs/intervals/aggr_us", a->aggr_us },
        { CTX "/monitoring_attrs/intervals/update_us", a->update_us },
        { CTX "/monitoring_attrs/nr_regions/min", a->min_nr_regions },
        { CTX "/monitoring_attrs/nr_regions/max", a->max_nr_regions },
    };
    if ((rc = damon_write_u64(KD "/0/contexts/nr_contexts", 1)) != 0)
        goto fail;
    /* our own context can now be asked directly */
    sys_path(path, sizeof(path), CTX "/avail_operations");
    if (file_read_line(path, ops, sizeof(ops)) == 0 && !strstr(ops, "vaddr")) {
        log_err("DAMON: avail_operations '%s' lacks vaddr", ops);
        rc = -EOPNOTSUPP;
        goto fail;
    }
    if ((rc = damon_write(CTX "/operations", "vaddr")) != 0)
        goto fail;
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
        if ((rc = damon_write_u64(nums[i].rel, nums[i].val)) != 0)
            goto fail;
    damon_pids[0] = pid;
    damon_set_spec(0, spec);
    damon_n = 1;
    if ((rc = damon_apply()) == 0)
        return 0;
fail:
    damon_teardown();
    if (!pid_alive(pid))
        rc = -ESRCH; /* it exited while we set up: "on" was refused for that */
    return rc;
}

static void damon_close(struct tracker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&damon_lock);
    if (damon_index(t->pid) >= 0) {
        damon_remove(t->pid);
        int rc = damon_n ? damon_apply_live() : -ESRCH;
        if (rc == -ESRCH)
            damon_teardown();
        else if (rc && rc != -ECANCELED)
            log_warn("DAMON: removing pid %d from the kdamond's targets: %s", (int)t->pid,
                     strerror(-rc));
    }
    pthread_mutex_unlock(&damon_lock);
    pagemap_close(&t->pm);
    vma_list_free(&t->vmas);
    scan_opts_copy_free(&t->opts);
    free(t->raw);
    free(t->reg);
    free(t);
}

static struct tracker *damon_open(pid_t pid, const struct scan_opts *opts, int *err)
{
    if (!pid_alive(pid)) {
        *err = -ESRCH;
        return NULL;
    }
    pthread_mutex_lock(&damon_lock);
    if (damon_index(pid) >= 0) {
        log_err("DAMON tracker already monitors pid %d", (int)pid);
        *err = -EBUSY;
        goto unlock;
    }
    if (damon_n == 0) {
        if ((*err = damon_create(pid, &opts->damon, opts->scheme)) != 0)
            goto unlock;
    } else {
        if (damon_filters == 0 || damon_n >= DAMON_MAX_TARGETS) {
            log_err("DAMON tracker: cannot add pid %d: %s", (int)pid,
                    damon_filters == 0 ? "this kernel's DAMON has no target filters (6.6+), "
                                         "so one target at a time"
                                       : "too many targets");
            *err = -EBUSY;
            goto unlock;
        }
        if (memcmp(&opts->damon, &damon_attrs_used, sizeof(damon_attrs_used)) != 0)
            log_warn("DAMON: pid %d joins a kdamond whose intervals were set for its first "
                     "target (sample %llu us, aggregation %llu us)", (int)pid,
                     (unsigned long long)damon_attrs_used.sample_us,
                     (unsigned long long)damon_attrs_used.aggr_us);
        damon_set_spec(damon_n, opts->scheme);
        damon_pids[damon_n++] = pid;
        if ((*err = damon_apply_live()) != 0) {
            damon_remove(pid);
            if (damon_n == 0 || damon_apply_live() == -ESRCH)
                damon_teardown();
            if (!pid_alive(pid))
                *err = -ESRCH;
            goto unlock;
        }
        log_debug("DAMON: pid %d joins as target %zu", (int)pid, damon_n - 1);
    }
    pthread_mutex_unlock(&damon_lock);

    struct tracker *t = xcalloc(1, sizeof(*t));
    t->pid = pid;
    t->pm.fd = -1;
    scan_opts_copy_init(&t->opts, opts);
    if ((*err = pagemap_open(&t->pm, pid)) != 0) {
        damon_close(t);
        return NULL;
    }
    return t;
unlock:
    pthread_mutex_unlock(&damon_lock);
    return NULL;
}

static int damon_prime(struct tracker *t)
{
    return 0; /* DAMON monitors continuously from open() on */
}

static void raw_add(struct tracker *t, const struct damon_raw_region *r)
{
    if (t->raw_n == t->raw_cap) {
        t->raw_cap = t->raw_cap ? t->raw_cap * 2 : 64;
        t->raw = xreallocarray(t->raw, t->raw_cap, sizeof(*t->raw));
    }
    t->raw[t->raw_n++] = *r;
}

static int raw_by_start(const void *a, const void *b)
{
    const struct damon_raw_region *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Read every region listed under scheme's tried_regions into t->raw, sorted by address.
 * Caller holds damon_lock (another thread's update rewrites the directory). */
static int damon_read_regions(struct tracker *t, size_t scheme, struct scan_stats *st)
{
    static const char *const fields[] = { "start", "end", "nr_accesses", "age" };
    char path[512];
    sys_path(path, sizeof(path), CTX "/schemes/%zu/tried_regions", scheme);
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    struct dirent *de;
    t->raw_n = 0;
    while ((de = readdir(d)) != NULL) {
        uint64_t v[4];
        size_t got = 0;
        if (de->d_name[0] < '0' || de->d_name[0] > '9' || strlen(de->d_name) > 32)
            continue;
        for (; got < 4; got++) {
            char rel[160];
            snprintf(rel, sizeof(rel), CTX "/schemes/%zu/tried_regions/%.32s/%s", scheme,
                     de->d_name, fields[got]);
            if (damon_read_u64(rel, &v[got]))
                break;
        }
        st->syscalls += got;
        if (got == 4 && v[0] < v[1])
            raw_add(t, &(struct damon_raw_region){ v[0], v[1], v[2], v[3] });
    }
    closedir(d);
    qsort(t->raw, t->raw_n, sizeof(*t->raw), raw_by_start);
    return 0;
}

/* The scheme index of pid's target, with the kdamond running (DAMON stops it when every
 * target is gone: ours may live on). Caller holds damon_lock. */
static int damon_target_ready(pid_t pid, long *idx)
{
    int rc = 0;
    *idx = damon_index(pid);
    if (*idx < 0)
        return -ESRCH;
    if (!damon_running()) {
        rc = pid_alive(pid) ? damon_apply_live() : -ESRCH;
        *idx = damon_index(pid);
        if (rc == 0 && *idx < 0)
            rc = -ESRCH;
    }
    return rc;
}

/* One update + read of this target's regions under the lock. */
static int damon_sample_once(struct tracker *t, struct scan_stats *st)
{
    pthread_mutex_lock(&damon_lock);
    long idx;
    int rc = damon_target_ready(t->pid, &idx);
    /* answered at the kdamond's next aggregation: a stopped task does not wait for it */
    if (rc == 0)
        rc = damon_write_or_stop(KD "/0/state", "update_schemes_tried_regions",
                                 t->opts.o.stop);
    if (rc == -EINVAL)
        rc = pid_alive(t->pid) ? -EIO : -ESRCH; /* kdamond stopped: the target exited */
    if (rc == 0)
        rc = damon_read_regions(t, (size_t)idx, st);
    pthread_mutex_unlock(&damon_lock);
    return rc;
}

/* Re-read the target's filtered VMAs and its regions as DAMON's last aggregation left
 * them. The kernel may answer the update before the scheme was applied once in the new
 * round, leaving the list empty: ask again after an aggregation interval. */
static int damon_snapshot(struct tracker *t, struct scan_stats *st)
{
    int rc = tracker_read_vmas(t->pid, &t->opts.o, VMA_SRC_MAPS, &t->vmas);
    if (rc)
        return rc == -ENOENT ? -ESRCH : rc;
    st->vmas += t->vmas.n;
    t->raw_n = 0;
    for (int attempt = 0; attempt < 3 && rc == 0 && t->raw_n == 0; attempt++) {
        if (attempt && !stopper_sleep(t->opts.o.stop, (double)t->opts.o.damon.aggr_us / 1e6))
            return -ECANCELED;
        rc = damon_sample_once(t, st);
    }
    if (rc == 0 && t->raw_n == 0)
        log_warn("DAMON: no regions reported for pid %d", (int)t->pid);
    return rc;
}

/* Call fn on each part of each region inside the filtered VMAs (DAMON's regions span
 * gaps and every kind of mapping). Both lists are sorted by address. */
static int damon_for_each_clipped(struct tracker *t,
                                  int (*fn)(struct tracker *t, uint64_t s, uint64_t e,
                                            const struct damon_raw_region *r, void *arg),
                                  void *arg)
{
    size_t v = 0;
    for (size_t i = 0; i < t->raw_n; i++) {
        const struct damon_raw_region *r = &t->raw[i];
        while (v < t->vmas.n && t->vmas.v[v].end <= r->start)
            v++;
        for (size_t k = v; k < t->vmas.n && t->vmas.v[k].start < r->end; k++) {
            uint64_t s = r->start > t->vmas.v[k].start ? r->start : t->vmas.v[k].start;
            uint64_t e = r->end < t->vmas.v[k].end ? r->end : t->vmas.v[k].end;
            int rc = s < e ? fn(t, s, e, r, arg) : 0;
            if (rc)
                return rc;
        }
    }
    return 0;
}

struct weigh_arg {
    struct heat_map *hm;
    struct scan_stats *st;
};

static int weigh_part(struct tracker *t, uint64_t s, uint64_t e,
                      const struct damon_raw_region *r, void *arg)
{
    struct weigh_arg *w = arg;
    return pagemap_weigh_range(&t->pm, w->hm, w->st, s, e,
                               r->nr_accesses ? HEAT_W_ACCESS : HEAT_W_IDLE, NULL);
}

static int damon_sample(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    int rc = damon_snapshot(t, st);
    if (rc == 0)
        rc = damon_for_each_clipped(t, weigh_part, &(struct weigh_arg){ hm, st });
    st->bytes_read += t->pm.bytes_read;
    st->syscalls += t->pm.syscalls;
    t->pm.bytes_read = t->pm.syscalls = 0;
    return rc;
}

static int region_part(struct tracker *t, uint64_t s, uint64_t e,
                       const struct damon_raw_region *r, void *arg)
{
    if (t->reg_n == t->reg_cap) {
        t->reg_cap = t->reg_cap ? t->reg_cap * 2 : 64;
        t->reg = xreallocarray(t->reg, t->reg_cap, sizeof(*t->reg));
    }
    t->reg[t->reg_n++] = (struct mon_region){
        .start = s,
        .end = e,
        .nr_accesses = (uint32_t)(r->nr_accesses > UINT32_MAX ? UINT32_MAX : r->nr_accesses),
        .last_acc = (uint32_t)(r->nr_accesses > UINT32_MAX ? UINT32_MAX : r->nr_accesses),
        .age = (uint32_t)(r->age > UINT32_MAX ? UINT32_MAX : r->age),
    };
    return 0;
}

/* Region projects: each call waits for the kdamond's next aggregation (the update command
 * returns once the schemes were applied in it) and hands out its regions, clipped to the
 * filtered VMAs, with DAMON's own nr_accesses and age. */
static int damon_regions(struct tracker *t, bool *aggregated, const struct mon_region **regions,
                         size_t *n, struct scan_stats *st)
{
    int rc = damon_snapshot(t, st);
    t->reg_n = 0;
    if (rc == 0)
        rc = damon_for_each_clipped(t, region_part, NULL);
    *aggregated = rc == 0;
    *regions = t->reg;
    *n = t->reg_n;
    return rc;
}

/* Ask the kdamond to refresh its schemes' stats and read this target's. Caller holds
 * damon_lock. */
static int damon_read_stats(size_t scheme, struct damos_stats *out, struct stopper *stop)
{
    const struct {
        const char *file;
        uint64_t *val;
    } fields[] = {
        { "nr_tried", &out->nr_tried },     { "sz_tried", &out->sz_tried },
        { "nr_applied", &out->nr_applied }, { "sz_applied", &out->sz_applied },
        { "qt_exceeds", &out->qt_exceeds },
    };
    char rel[160];
    int rc = damon_write_or_stop(KD "/0/state", "update_schemes_stats", stop);
    for (size_t k = 0; rc == 0 && k < sizeof(fields) / sizeof(fields[0]); k++) {
        snprintf(rel, sizeof(rel), CTX "/schemes/%zu/stats/%s", scheme, fields[k].file);
        rc = damon_read_u64(rel, fields[k].val);
    }
    return rc;
}

static uint64_t counter_delta(uint64_t now, uint64_t last)
{
    return now >= last ? now - last : now; /* the kdamond restarted: counted from 0 */
}

static int damon_scheme_stats(struct tracker *t, struct damos_stats *d)
{
    struct damos_stats now = { 0 };
    uint64_t gen;
    pthread_mutex_lock(&damon_lock);
    long idx;
    int rc = damon_target_ready(t->pid, &idx);
    if (rc == 0)
        rc = damon_read_stats((size_t)idx, &now, t->opts.o.stop);
    if (rc == -EINVAL)
        rc = pid_alive(t->pid) ? -EIO : -ESRCH; /* kdamond stopped: the target exited */
    gen = damon_generation;
    pthread_mutex_unlock(&damon_lock);
    *d = (struct damos_stats){ 0 };
    if (rc)
        return rc;
    /* after a rewrite of the scheme list, index i may hold another target's old counts */
    if (t->stats_generation == gen) {
        d->nr_tried = counter_delta(now.nr_tried, t->stats_last.nr_tried);
        d->sz_tried = counter_delta(now.sz_tried, t->stats_last.sz_tried);
        d->nr_applied = counter_delta(now.nr_applied, t->stats_last.nr_applied);
        d->sz_applied = counter_delta(now.sz_applied, t->stats_last.sz_applied);
        d->qt_exceeds = counter_delta(now.qt_exceeds, t->stats_last.qt_exceeds);
    }
    t->stats_last = now;
    t->stats_generation = gen;
    return 0;
}

bool damon_action_usable(const struct kernel_caps *caps, const char *action, char *why,
                         size_t len)
{
    unsigned major = 0, minor = 0;
    if (strncmp(action, "migrate_", 8) != 0)
        return true;
    /* DAMON's vaddr operations apply the migrate actions from 6.17 on (6.11-6.16: paddr
     * only, where vaddr takes them and does nothing) */
    if (sscanf(caps->release, "%u.%u", &major, &minor) == 2 &&
        (major > 6 || (major == 6 && minor >= 17)))
        return true;
    snprintf(why, len, "DAMON's vaddr operations apply %s from Linux 6.17 on; this kernel "
             "is %s", action, caps->release);
    return false;
}

const struct tracker_ops tracker_damon_ops = {
    .name = "damon",
    .summary = "DAMON vaddr via sysfs (own kdamond, every tracked process a target): per "
               "region, reads+writes as one, low cost",
    .per_page = false,
    .sees_writes = false,
    .sees_hugetlb = true,       /* vaddr checks the huge page table entries */
    .shared_handles = true,
    .usable = damon_usable,
    .open = damon_open,
    .prime = damon_prime,
    .sample = damon_sample,
    .close = damon_close,
    .regions = damon_regions,
    .scheme_stats = damon_scheme_stats,
};
