/* SPDX-License-Identifier: MulanPSL-2.0 */
/* targets.c - resolving a task's type/value into the processes it covers. */
#include "targets.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "proc.h"
#include "xalloc.h"

struct wanted {
    pid_t pid;
    uint64_t starttime;
};

static int cmp_wanted(const void *a, const void *b)
{
    const struct wanted *x = a, *y = b;

    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Why the process with this stat is refused; NULL when it may be covered. */
static const char *refusal(const struct proc_stat *st, bool allow_init)
{
    const char *never = proc_never_target(st->pid, st);

    if (never != NULL)
        return never;
    if (st->pid == 1 && !allow_init)
        return "it is init, whose children are every service of the host; set "
               "allow_init=yes in [task] to mean that";
    return NULL;
}

static bool refused(const struct proc_stat *st, bool allow_init, char *why, size_t why_len)
{
    const char *r = refusal(st, allow_init);

    if (r == NULL)
        return false;
    snprintf(why, why_len, "process %d (%s) is not managed: %s", (int)st->pid, st->comm, r);
    return true;
}

bool targets_refused(pid_t pid, bool allow_init, char *why, size_t why_len)
{
    struct proc_stat st;

    return proc_read_stat(pid, &st) == 0 && refused(&st, allow_init, why, why_len);
}

/* Add pid to the wanted set; false when it is gone or refused. */
static bool want(struct targets *tg, bool allow_init, struct wanted **w, size_t *n,
                 size_t *cap, pid_t pid)
{
    struct proc_stat st;

    if (proc_read_stat(pid, &st) < 0)
        return false;   /* gone already */
    if (refused(&st, allow_init, tg->refused, sizeof(tg->refused)))
        return false;
    for (size_t i = 0; i < *n; i++) {
        if ((*w)[i].pid == pid)
            return true;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *w = xreallocarray(*w, *cap, sizeof(**w));
    }
    (*w)[(*n)++] = (struct wanted){ pid, st.starttime };
    return true;
}

/* Tasks of type=name look their processes up every cycle: one walk of /proc, kept this
 * long, serves every task (thousands of them cost one walk, not thousands). */
#define NAME_INDEX_MS 100

static pthread_mutex_t name_index_lock = PTHREAD_MUTEX_INITIALIZER;
static struct proc_comm *name_index;
static size_t name_index_n;
static struct timespec name_index_at;

static bool name_index_fresh(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (name_index != NULL && (now.tv_sec - name_index_at.tv_sec) * 1000 +
                              (now.tv_nsec - name_index_at.tv_nsec) / 1000000 < NAME_INDEX_MS)
        return true;
    free(name_index);
    name_index = NULL;
    if (proc_list_comms(&name_index, &name_index_n) < 0)
        return false;
    name_index_at = now;
    return true;
}

/* The processes named name, ascending; none when /proc cannot be read. */
static void find_by_name(const char *name, pid_t **pids, size_t *n)
{
    bool ok;

    *pids = NULL;
    *n = 0;
    pthread_mutex_lock(&name_index_lock);
    ok = name_index_fresh();
    for (size_t i = 0; ok && i < name_index_n; i++) {
        if (strcmp(name_index[i].comm, name) != 0)
            continue;
        *pids = xreallocarray(*pids, *n + 1, sizeof(**pids));
        (*pids)[(*n)++] = name_index[i].pid;
    }
    pthread_mutex_unlock(&name_index_lock);
}

static bool is_cgroup_task(const struct task *tk)
{
    return strcmp(tk->type, "cgroup") == 0;
}

/* type=cgroup: find the cgroup again (it may come and go) and list its processes. */
static void find_cgroup_members(struct targets *tg, const struct task *tk, pid_t **pids,
                                size_t *n)
{
    tg->cgroup_found = cgroup_resolve(tk->value, &tg->cgroup) == 0;
    tg->cgroup_memory = tg->cgroup_swap = -1;
    if (!tg->cgroup_found)
        return;
    if (cgroup_list_procs(&tg->cgroup, pids, n) < 0)
        *n = 0;
    targets_measure(tg);
}

void targets_measure(struct targets *tg)
{
    if (tg->cgroup_found)
        cgroup_memory_usage(&tg->cgroup, &tg->cgroup_memory, &tg->cgroup_swap);
}

/* The processes the task names directly (before children). */
static void find_roots(struct targets *tg, const struct task *tk, pid_t **roots, size_t *n)
{
    struct proc_identity id;
    pid_t pid;

    *roots = NULL;
    *n = 0;
    if (is_cgroup_task(tk)) {
        find_cgroup_members(tg, tk, roots, n);
        return;
    }
    if (strcmp(tk->type, "name") == 0) {
        find_by_name(tk->value, roots, n);
        return;
    }
    pid = (pid_t)atoi(tk->value);
    if (proc_identity_get(pid, &id) < 0)
        return;
    if (!tg->root_known) {
        tg->root_known = true;
        tg->root_starttime = id.starttime;
    } else if (id.starttime != tg->root_starttime) {
        return;     /* the pid now belongs to another process */
    }
    *roots = xmalloc(sizeof(**roots));
    (*roots)[0] = pid;
    *n = 1;
}

static void free_entry(struct task *tk, struct task_pid *tp)
{
    struct engine *e = tk->eng;

    if (e->ops && e->ops->free_pid_params)
        e->ops->free_pid_params(e, &tp);
    free(tp);
}

void targets_update(struct targets *tg, struct task *tk, char *why, size_t why_len)
{
    struct wanted *w = NULL;
    size_t nw = 0, cap = 0, nroots;
    pid_t *roots;
    struct task_pid *old = tk->pids, *list = NULL, **tail = &list;

    bool allow_init = task_ext_of(tk)->allow_init;

    tg->refused[0] = '\0';
    find_roots(tg, tk, &roots, &nroots);
    for (size_t i = 0; i < nroots; i++) {
        pid_t *kids;
        size_t nk;

        if (!want(tg, allow_init, &w, &nw, &cap, roots[i]))
            continue;   /* a refused root's children come only with it */
        if (!is_cgroup_task(tk) && proc_list_children(roots[i], &kids, &nk) == 0) {
            for (size_t k = 0; k < nk; k++)
                want(tg, allow_init, &w, &nw, &cap, kids[k]);
            free(kids);
        }
    }
    free(roots);
    if (nw > 1)     /* w is NULL when no process is wanted (qsort's pointer must not be) */
        qsort(w, nw, sizeof(*w), cmp_wanted);

    /* Merge the sorted old list with the sorted wanted set. */
    for (size_t i = 0; i < nw; i++) {
        struct task_pid *tp;

        while (old != NULL && old->pid < (unsigned)w[i].pid) {
            struct task_pid *gone = old;

            old = old->next;
            log_info("task %s: process %u is gone", tk->name, gone->pid);
            free_entry(tk, gone);
        }
        if (old != NULL && old->pid == (unsigned)w[i].pid && old->starttime == w[i].starttime) {
            tp = old;
            old = old->next;
        } else {
            if (old != NULL && old->pid == (unsigned)w[i].pid) {
                struct task_pid *replaced = old;

                old = old->next;
                log_info("task %s: pid %u now belongs to another process", tk->name,
                         replaced->pid);
                free_entry(tk, replaced);
            }
            tp = xcalloc(1, sizeof(*tp));
            tp->pid = (unsigned)w[i].pid;
            tp->starttime = w[i].starttime;
            tp->tk = tk;
            if (tk->eng->ops && tk->eng->ops->alloc_pid_params &&
                tk->eng->ops->alloc_pid_params(tk->eng, &tp) != 0) {
                log_err("task %s: engine could not take process %u", tk->name, tp->pid);
                free(tp);
                continue;
            }
            log_info("task %s: now covers process %u", tk->name, tp->pid);
        }
        *tail = tp;
        tail = &tp->next;
    }
    while (old != NULL) {
        struct task_pid *gone = old;

        old = old->next;
        log_info("task %s: process %u is gone", tk->name, gone->pid);
        free_entry(tk, gone);
    }
    *tail = NULL;
    tk->pids = list;
    free(w);
    if (list == NULL && why != NULL) {
        if (tg->refused[0] != '\0')
            snprintf(why, why_len, "%s", tg->refused);
        else if (is_cgroup_task(tk) && !tg->cgroup_found)
            snprintf(why, why_len, "no cgroup %s (in the cgroup v2 or v1 memory hierarchy)",
                     tk->value);
        else if (is_cgroup_task(tk))
            snprintf(why, why_len, "no process in cgroup %s", tg->cgroup.dir);
        else if (strcmp(tk->type, "name") == 0)
            snprintf(why, why_len, "no process named %s", tk->value);
        else if (tg->root_known)
            snprintf(why, why_len, "process %s has exited", tk->value);
        else
            snprintf(why, why_len, "no process with pid %s", tk->value);
    }
}

void targets_clear(struct task *tk)
{
    while (tk->pids != NULL) {
        struct task_pid *tp = tk->pids;

        tk->pids = tp->next;
        free_entry(tk, tp);
    }
}

int targets_count(const struct task *tk)
{
    int n = 0;

    for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next)
        n++;
    return n;
}

void targets_append(const struct task *tk, struct task_pid ***arr, size_t *n, size_t *cap)
{
    for (struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *arr = xreallocarray(*arr, *cap, sizeof(**arr));
        }
        (*arr)[(*n)++] = tp;
    }
}

void targets_report(const struct targets *tg, const struct task *tk, struct task_report *rep)
{
    rep->cgroup_memory = rep->cgroup_swap = -1;
    rep->cgroup_dir[0] = '\0';
    if (tg->cgroup_found) {
        snprintf(rep->cgroup_dir, sizeof(rep->cgroup_dir), "%.*s",
                 (int)sizeof(rep->cgroup_dir) - 1, tg->cgroup.dir);     /* cut if longer */
        rep->cgroup_memory = tg->cgroup_memory;
        rep->cgroup_swap = tg->cgroup_swap;
    }
    rep->nr_pids = 0;
    for (const struct task_pid *tp = tk->pids; tp != NULL; tp = tp->next) {
        if (rep->nr_pids < REPORT_PIDS_MAX)
            rep->pids[rep->nr_pids] = tp->pid;
        rep->nr_pids++;
    }
}
