/* SPDX-License-Identifier: MulanPSL-2.0 */
/* guard_measure.c - what a task's processes suffered over a window.
 *
 * Refaults are the process's major faults (/proc/PID/stat majflt): every page it had to
 * wait for, read back from swap (zram included) or from a file. That is what the task
 * feels, it is attributed to the process exactly, and it needs no cgroup. It also counts
 * file page-ins, so a task that streams files reads higher than its swap-ins alone; the
 * pages etmem itself sent out and saw back (guard_pages, from pagemap) are what the engine
 * uses to decide which memory to leave alone. Pressure is the "some" stall total of the
 * process's own cgroup v2 memory.pressure when it has one below the root, else the
 * system's /proc/pressure/memory. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "guard.h"
#include "proc.h"
#include "ratelimit.h"

bool guard_cgroup_of(pid_t pid, char *buf, size_t len)
{
    char mnt[256];
    struct psi_memory pm;

    if (cgroup2_dir_of(pid, buf, len) < 0 || cgroup2_mount(mnt, sizeof(mnt)) < 0)
        return false;
    if (strcmp(buf, mnt) == 0)
        return false;
    return psi_read_cgroup(buf, &pm) == 0;
}

int guard_counters_read(pid_t pid, const char *cgdir, uint64_t bytes_out,
                        struct guard_counters *c)
{
    struct proc_stat st;
    struct proc_status ss;
    struct psi_memory pm;
    int rc;

    memset(c, 0, sizeof(*c));
    rc = proc_read_stat(pid, &st);
    if (rc == 0)
        rc = proc_read_status(pid, &ss);
    if (rc < 0)
        return rc;
    c->t_ns = monotonic_ns();
    c->majflt = st.majflt;
    c->rss_kb = ss.vm_rss;
    c->bytes_out = bytes_out;
    if (cgdir != NULL && psi_read_cgroup(cgdir, &pm) == 0) {
        c->psi_known = c->psi_cgroup = true;
        c->psi_some_us = pm.some.total_us;
    } else if (psi_read_system(&pm) == 0) {
        c->psi_known = true;
        c->psi_some_us = pm.some.total_us;
    }
    return 0;
}

void guard_window_add(struct guard_window *w, const struct guard_counters *before,
                      const struct guard_counters *after)
{
    double secs = (double)(after->t_ns - before->t_ns) / 1e9;

    if (after->t_ns <= before->t_ns)
        return;
    w->procs++;
    if (secs > w->secs)
        w->secs = secs;
    if (after->majflt >= before->majflt)
        w->refaults += after->majflt - before->majflt;
    w->rss_kb += after->rss_kb;
    if (after->bytes_out >= before->bytes_out)
        w->bytes_out += after->bytes_out - before->bytes_out;
    if (before->psi_known && after->psi_known && before->psi_cgroup == after->psi_cgroup &&
        after->psi_some_us >= before->psi_some_us) {
        double rate = (double)(after->psi_some_us - before->psi_some_us) / secs;

        if (!w->psi_known || rate > w->psi_us_per_s)
            w->psi_us_per_s = rate;
        w->psi_known = true;
        w->psi_cgroup = w->psi_cgroup || after->psi_cgroup;
    }
}

void guard_window_measure(const struct guard_window *w, struct guard_measured *m)
{
    long ps = sysconf(_SC_PAGESIZE);
    double rss_pages = (double)w->rss_kb * 1024.0 / (double)(ps > 0 ? ps : 4096);

    memset(m, 0, sizeof(*m));
    m->secs = w->secs;
    if (w->procs == 0 || w->secs <= 0)
        return;
    m->refault_known = rss_pages > 0;
    if (m->refault_known) {
        m->refault_pct = (double)w->refaults / rss_pages * 100.0 * 60.0 / w->secs;
        m->probe_refault_pct = (double)w->probe_refaults / rss_pages * 100.0 * 60.0 / w->secs;
    }
    m->psi_known = w->psi_known;
    m->psi_cgroup = w->psi_cgroup;
    m->psi_us = w->psi_us_per_s;
    m->out_mib_s = (double)w->bytes_out / 1048576.0 / w->secs;
}

void guard_history_push(struct guard_history *h, const struct guard_window *w)
{
    h->head = (h->head + 1) % GUARD_HISTORY;
    h->w[h->head] = *w;
    if (h->n < GUARD_HISTORY)
        h->n++;
}

void guard_history_measure(const struct guard_history *h, struct guard_measured *m)
{
    struct guard_window sum = { 0 };
    struct guard_measured span;

    memset(m, 0, sizeof(*m));
    if (h->n == 0)
        return;
    guard_window_measure(&h->w[h->head], m);
    for (size_t i = 0; i < h->n && sum.secs < GUARD_REFAULT_SECS; i++) {
        const struct guard_window *w = &h->w[(h->head + GUARD_HISTORY - i) % GUARD_HISTORY];

        sum.secs += w->secs;
        sum.refaults += w->refaults;
        sum.probe_refaults += w->probe_refaults;
        sum.procs += w->procs;
    }
    sum.rss_kb = h->w[h->head].rss_kb;
    guard_window_measure(&sum, &span);
    m->refault_known = span.refault_known;
    m->refault_pct = span.refault_pct;
    m->probe_refault_pct = span.probe_refault_pct;
}
