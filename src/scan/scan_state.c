/* SPDX-License-Identifier: MulanPSL-2.0 */
/* scan_state.c - libetmemd_scan's process-global state: init/exit, the tracker picked for
 * this kernel, and the per-process trackers kept between calls so that repeated
 * etmemd_get_page_refs() calls measure consecutive windows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "etmemd_scan_exp.h"
#include "log.h"
#include "probe.h"
#include "proc.h"
#include "ratelimit.h"
#include "scan_internal.h"
#include "strparse.h"
#include "xalloc.h"

pthread_mutex_t scan_lock = PTHREAD_MUTEX_INITIALIZER;

struct scan_target {
    struct proc_identity id;
    int flags;
    struct tracker *t;
};

static bool scan_inited;
static const struct tracker_ops *scan_ops;
static struct scan_target *targets;
static size_t ntargets;

/* Callers simply stop asking about a process that exited, so its tracker (fds, buffers) is
 * dropped by a sweep: at most once a second, or sooner when the table has doubled. */
#define SWEEP_INTERVAL_NS 1000000000ull
#define SWEEP_MIN_TARGETS 16
static size_t sweep_at = SWEEP_MIN_TARGETS;
static uint64_t last_sweep_ns;

bool scan_parse_pid(const char *s, pid_t *pid)
{
    int64_t v;
    if (!s || !parse_int_range(s, 1, INT32_MAX, &v))
        return false;
    *pid = (pid_t)v;
    return true;
}

int etmemd_scan_init(void)
{
    struct kernel_caps caps;
    char why[512];

    pthread_mutex_lock(&scan_lock);
    int rc = -1;
    /* the library's own copy of the log: warnings and errors only (to stderr) */
    log_set_level(LOG_LEVEL_WARN);
    if (scan_inited) {
        log_err("etmemd_scan_init: already initialised");
        goto out;
    }
    if (sysconf(_SC_PAGESIZE) <= 0) {
        log_err("etmemd_scan_init: cannot read the page size");
        goto out;
    }
    kernel_probe(&caps);
    scan_ops = tracker_select(&caps, NULL, true, why, sizeof(why));
    if (!scan_ops) {
        log_err("etmemd_scan_init: %s", why);
        goto out;
    }
    log_debug("etmemd_scan: using the %s tracker", scan_ops->name);
    scan_inited = true;
    rc = 0;
out:
    pthread_mutex_unlock(&scan_lock);
    return rc;
}

static void target_drop(size_t i)
{
    scan_ops->close(targets[i].t);
    targets[i] = targets[--ntargets];
}

void etmemd_scan_exit(void)
{
    pthread_mutex_lock(&scan_lock);
    while (ntargets)
        target_drop(ntargets - 1);
    free(targets);
    targets = NULL;
    sweep_at = SWEEP_MIN_TARGETS;
    scan_inited = false;
    pthread_mutex_unlock(&scan_lock);
}

static void targets_sweep(void)
{
    uint64_t now = monotonic_ns();

    if (ntargets < sweep_at && now - last_sweep_ns < SWEEP_INTERVAL_NS)
        return;
    for (size_t i = ntargets; i-- > 0;) {
        if (!proc_identity_alive(&targets[i].id))
            target_drop(i);     /* moves the last one, already looked at, to i */
    }
    last_sweep_ns = now;
    sweep_at = ntargets * 2 > SWEEP_MIN_TARGETS ? ntargets * 2 : SWEEP_MIN_TARGETS;
}

static struct scan_target *target_get(pid_t pid, int flags, int *err)
{
    struct proc_identity id;

    targets_sweep();
    if ((*err = proc_identity_get(pid, &id)) != 0)
        return NULL;
    for (size_t i = 0; i < ntargets; i++) {
        if (targets[i].id.pid != pid)
            continue;
        if (targets[i].id.starttime == id.starttime && targets[i].flags == flags)
            return &targets[i];
        target_drop(i); /* pid reused, or other scan flags: start over */
        break;
    }
    struct scan_opts o;
    scan_opts_default(&o);
    o.anon_only = false; /* the caller's vmas are the filter */
    o.scan_as_huge = flags & SCAN_AS_HUGE;
    o.ign_host = flags & SCAN_IGN_HOST;
    o.swap_flag_only = flags & VMA_SCAN_FLAG;
    struct tracker *t = scan_ops->open(pid, &o, err);
    if (!t)
        return NULL;
    if (!scan_ops->has_history && (*err = scan_ops->prime(t)) != 0) {
        scan_ops->close(t);
        return NULL;
    }
    targets = xreallocarray(targets, ntargets + 1, sizeof(*targets));
    targets[ntargets] = (struct scan_target){ id, flags, t };
    return &targets[ntargets++];
}

int scan_sample_locked(pid_t pid, int flags, struct heat_map *hm)
{
    struct scan_stats st = { 0 };
    int err;

    if (!scan_inited)
        return -1;
    struct scan_target *tg = target_get(pid, flags, &err);
    if (!tg)
        return err;
    err = scan_ops->sample(tg->t, hm, &st);
    if (err)
        target_drop((size_t)(tg - targets));
    return err;
}
