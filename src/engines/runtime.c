/* SPDX-License-Identifier: MulanPSL-2.0 */
/* runtime.c - engine run-time services: caps, error routing, the per-process scan guard. */
#include "runtime.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "etmemd_project_exp.h"
#include "log.h"
#include "proc.h"
#include "tracker.h"
#include "xalloc.h"

static const struct kernel_caps *kernel_caps;
static _Thread_local struct diag *current_diag;

void engines_set_caps(const struct kernel_caps *caps)
{
    kernel_caps = caps;
}

const struct kernel_caps *engines_caps(void)
{
    return kernel_caps;
}

void engine_diag_begin(struct diag *d)
{
    current_diag = d;
}

void engine_diag_end(void)
{
    current_diag = NULL;
}

const char *scan_type_name(int type)
{
    static const char *const names[] = { [PAGE_SCAN] = "page", [REGION_SCAN] = "region",
                                         [PSI_SCAN] = "psi" };

    return type >= 0 && type <= PSI_SCAN ? names[type] : "unknown";
}

void engine_scan_attrs(struct scan_opts *opts, const struct project *proj)
{
    if (proj->type != REGION_SCAN) {
        scan_opts_damon_window(opts, (unsigned)((const struct page_scan *)proj->scan_param)->interval);
        return;
    }
    const struct region_scan *rs = proj->scan_param;
    opts->damon = (struct damon_attrs){ rs->sample_interval, rs->aggr_interval,
                                        rs->update_interval, rs->min_nr_regions,
                                        rs->max_nr_regions };
}

double engine_cycle_pause(const struct project *proj, bool worked)
{
    if (proj->type != REGION_SCAN)
        return ((const struct page_scan *)proj->scan_param)->sleep;
    return worked ? 0 : (double)((const struct region_scan *)proj->scan_param)->aggr_interval / 1e6;
}

void engine_error(const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (msg == NULL)
        return;
    if (current_diag != NULL)
        diag_error(current_diag, "%s", msg);
    else
        log_err("%s", msg);
    free(msg);
}

void engine_note_errno(char *buf, size_t len, pid_t pid, const char *what, int err)
{
    if (err == ESRCH || err == ENOENT)
        snprintf(buf, len, "process %d exited", (int)pid);
    else
        snprintf(buf, len, "process %d: %s failed: %s", (int)pid, what, strerror(err));
}

double thread_cpu_secs(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void proc_memory_bytes(pid_t pid, uint64_t *rss, uint64_t *swap)
{
    struct proc_status st;

    *rss = 0;
    *swap = 0;
    if (proc_read_status(pid, &st) < 0)
        return;
    *rss = st.vm_rss * 1024;
    *swap = st.vm_swap * 1024;
}

/* Pids being scanned right now: few at a time, so a small array will do. */
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t *guard_pids;
static size_t guard_nr, guard_cap;

bool scan_guard_claim(pid_t pid)
{
    bool ok = true;

    pthread_mutex_lock(&guard_lock);
    for (size_t i = 0; i < guard_nr; i++) {
        if (guard_pids[i] == pid)
            ok = false;
    }
    if (ok) {
        if (guard_nr == guard_cap) {
            guard_cap = guard_cap ? guard_cap * 2 : 16;
            guard_pids = xreallocarray(guard_pids, guard_cap, sizeof(*guard_pids));
        }
        guard_pids[guard_nr++] = pid;
    }
    pthread_mutex_unlock(&guard_lock);
    return ok;
}

void scan_guard_release(pid_t pid)
{
    pthread_mutex_lock(&guard_lock);
    for (size_t i = 0; i < guard_nr; i++) {
        if (guard_pids[i] == pid) {
            guard_pids[i] = guard_pids[--guard_nr];
            break;
        }
    }
    if (guard_nr == 0) {
        free(guard_pids);
        guard_pids = NULL;
        guard_cap = 0;
    }
    pthread_mutex_unlock(&guard_lock);
}
