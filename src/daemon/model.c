/* SPDX-License-Identifier: MulanPSL-2.0 */
/* model.c - the object tree, project holds, and the start/stop lifecycle (engine ops are
 * called through engine_call.c; see "Locking" in model.h). */
#include "model.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "diag.h"
#include "log.h"
#include "swapknob.h"
#include "xalloc.h"

static SLIST_HEAD(project_list, project) projects = SLIST_HEAD_INITIALIZER(projects);
struct project *model_first_project(void)
{
    return SLIST_FIRST(&projects);
}

struct project *model_next_project(struct project *p)
{
    return SLIST_NEXT(p, entry);
}

struct project *model_find_project(const char *name)
{
    struct project *p;

    SLIST_FOREACH(p, &projects, entry) {
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

struct engine *project_find_engine(struct project *p, const char *identity)
{
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        if (strcmp(engine_obj(e)->identity, identity) == 0)
            return e;
    }
    return NULL;
}

struct task *engine_find_task(struct engine *e, const char *name)
{
    for (struct task *t = e->tasks; t != NULL; t = t->next) {
        if (strcmp(t->name, name) == 0)
            return t;
    }
    return NULL;
}

static bool held_by_me(const struct project_obj *po)
{
    return po->hold_depth > 0 && pthread_equal(po->holder, pthread_self());
}

static void hold_take(struct project_obj *po, const char *what)
{
    if (po->hold_depth++ > 0)
        return;
    po->holder = pthread_self();
    po->held_for = what;
    clock_gettime(CLOCK_MONOTONIC, &po->held_since);
}

struct project *project_hold(const char *name, const char *what, bool *missing,
                             struct diag *d)
{
    struct timespec deadline = plugin_deadline(HOLD_WAIT_SEC * 1000u);
    char *copy = xstrdup(name);     /* name may be the project's own, freed while we wait */
    struct project *p;

    *missing = false;
    for (;;) {
        struct project_obj *po;

        p = model_find_project(copy);
        if (p == NULL) {
            *missing = true;
            break;
        }
        po = project_obj(p);
        if (po->hold_depth == 0 || held_by_me(po)) {
            hold_take(po, what);
            break;
        }
        if (plugin_secs_since(&deadline) >= 0) {
            diag_error(d, "project '%s' is busy: %s has been running for %.0f s (a plug-in "
                       "call may be slow); try again later", copy, po->held_for,
                       plugin_secs_since(&po->held_since));
            p = NULL;
            break;
        }
        model_wait(&deadline);
    }
    free(copy);
    return p;
}

void project_release(struct project *p)
{
    struct project_obj *po = project_obj(p);

    if (!held_by_me(po) || --po->hold_depth > 0)
        return;
    po->held_for = NULL;
    model_wake();
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted distinct non-NULL names; returns how many. */
static size_t sort_names(const char *const *names, size_t n, const char **out)
{
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        if (names[i] != NULL)
            out[m++] = names[i];
    }
    qsort(out, m, sizeof(*out), cmp_names);
    for (size_t i = 1; i < m;) {
        if (strcmp(out[i], out[i - 1]) == 0)
            memmove(&out[i], &out[i + 1], (--m - i) * sizeof(*out));
        else
            i++;
    }
    return m;
}

int project_hold_names(const char *const *names, size_t n, const char *what, struct diag *d)
{
    const char **sorted = xcalloc(n + 1, sizeof(*sorted));
    size_t m = sort_names(names, n, sorted), i;
    bool missing;

    for (i = 0; i < m; i++) {
        if (project_hold(sorted[i], what, &missing, d) == NULL && !missing)
            break;
    }
    if (i < m) {
        project_release_names(sorted, i);
        free(sorted);
        return -1;
    }
    free(sorted);
    return 0;
}

void project_release_names(const char *const *names, size_t n)
{
    const char **sorted = xcalloc(n + 1, sizeof(*sorted));
    size_t m = sort_names(names, n, sorted);

    for (size_t i = 0; i < m; i++) {
        struct project *p = model_find_project(sorted[i]);

        if (p != NULL)
            project_release(p);
    }
    free(sorted);
}

void project_set_conf(struct project *p, const struct project_conf *pc)
{
    struct project_obj *po = project_obj(p);

    p->type = pc->scan_type;
    p->sysmem_threshold = pc->sysmem_threshold;
    p->swapcache_high_wmark = pc->swapcache_high_wmark;
    p->swapcache_low_wmark = pc->swapcache_low_wmark;
    po->page = (struct page_scan){
        .interval = pc->interval,
        .loop = pc->loop,
        .sleep = pc->sleep,
    };
    po->region = (struct region_scan){
        .sample_interval = pc->sample_interval,
        .aggr_interval = pc->aggr_interval,
        .update_interval = pc->update_interval,
        .min_nr_regions = pc->min_nr_regions,
        .max_nr_regions = pc->max_nr_regions,
    };
    po->psi = (struct psi_scan){ .interval = pc->interval };
    p->scan_param = p->type == PAGE_SCAN ? (void *)&po->page
                  : p->type == PSI_SCAN  ? (void *)&po->psi : (void *)&po->region;
    po->kernel_swap_enable = pc->kernel_swap_enable;
    po->dry_run = pc->dry_run == 1;
    po->conf = *pc;
    po->conf.name = NULL;
}

struct project *project_new(const struct project_conf *pc)
{
    struct project_obj *po = xcalloc(1, sizeof(*po));
    struct project *p = &po->pub;

    p->name = xstrdup(pc->name);
    project_set_conf(p, pc);
    return p;
}

void project_link(struct project *p)
{
    SLIST_INSERT_HEAD(&projects, p, entry);
}

static bool project_is_linked(struct project *p)
{
    struct project *q;

    SLIST_FOREACH(q, &projects, entry) {
        if (q == p)
            return true;
    }
    return false;
}

void project_destroy(struct project *p, struct diag *d)
{
    if (p->start)
        project_stop(p, d);
    while (p->engs != NULL)
        engine_destroy(p->engs, d);
    if (project_is_linked(p))
        SLIST_REMOVE(&projects, p, project, entry);
    model_wake();   /* commands waiting for its hold find it gone */
    if (project_obj(p)->calls > 0) {
        log_warn("project %s is kept in memory: a plug-in call about it has not returned",
                 p->name);
        engine_call_keep(p);
        return;
    }
    free(p->name);
    free(project_obj(p)->keys);
    free(project_obj(p));
}

struct engine *engine_new(const struct engine_kind *kind, void *conf, const char *identity)
{
    struct engine_obj *eo = xcalloc(1, sizeof(*eo));
    struct engine *e = &eo->pub;

    eo->kind = kind;
    eo->conf = conf;
    eo->identity = xstrdup(identity);
    e->engine_type = kind->engine_type;
    e->name = eo->identity;
    e->ops = kind->ops;
    if (!kind->plugin)
        e->params = conf;
    return e;
}

int engine_attach(struct engine *e, const struct conf_file *cf, struct diag *d)
{
    struct engine_obj *eo = engine_obj(e);
    int rc;

    if (eo->kind->attach != NULL) {
        /* a plug-in's constructors run while it loads: not under the lock (e is staged) */
        if (eo->kind->plugin)
            model_unlock();
        rc = eo->kind->attach(e, eo->conf, cf, d);
        if (eo->kind->plugin)
            model_lock();
        if (rc < 0)
            return -1;
        eo->attached = true;
    }
    if (eo->kind->plugin && plugin_op_present(e->ops, PLUGIN_FILL_ENG)) {
        size_t errors_before = d->nr_errors;

        if (engine_call(PLUGIN_FILL_ENG, e, NULL, cf->kf, d) != 0) {
            if (d->nr_errors == errors_before)
                diag_error(d, "engine '%s': its plug-in rejected the [engine] section "
                           "(fill_eng_params failed)", e->name);
            return -1;
        }
        eo->params_filled = true;
    }
    return 0;
}

void engine_link(struct project *p, struct engine *e)
{
    e->proj = p;
    e->next = p->engs;
    p->engs = e;
}

static void engine_unlink(struct engine *e)
{
    struct engine **pp;

    if (e->proj == NULL)
        return;
    for (pp = &e->proj->engs; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    }
    e->next = NULL;
}

void engine_conf_free(const struct engine_kind *kind, void *conf)
{
    if (conf == NULL)
        return;
    if (kind->engine_id_keys)
        conf_release(kind->engine_id_keys, conf);
    if (kind->engine_keys)
        conf_release(kind->engine_keys, conf);
    free(conf);
}

/* Wait (project held, lock released) a little for late plug-in calls on e to return. */
static bool engine_drained(struct engine *e)
{
    struct timespec deadline = plugin_deadline(ENGINE_DRAIN_SEC * 1000u);

    while (engine_obj(e)->calls > 0 && plugin_secs_since(&deadline) < 0)
        model_wait(&deadline);
    return engine_obj(e)->calls == 0;
}

void engine_destroy(struct engine *e, struct diag *d)
{
    struct engine_obj *eo = engine_obj(e);
    char why[160];

    while (e->tasks != NULL)
        task_destroy(e->tasks, d);
    engine_unlink(e);
    /* only plug-ins have params_filled, and calls */
    if (engine_drained(e) && eo->params_filled && plugin_op_present(e->ops, PLUGIN_CLEAR_ENG))
        engine_call(PLUGIN_CLEAR_ENG, e, NULL, NULL, d);
    if (eo->calls > 0) {
        engine_call_pending(e, NULL, why, sizeof(why));
        log_warn("engine %s is kept, and its plug-in stays loaded: %s", e->name, why);
        engine_call_keep(e);
        return;
    }
    if (eo->attached) {
        if (eo->kind->plugin)
            model_unlock();     /* the plug-in's destructors run as it unloads */
        eo->kind->detach(e, eo->conf);
        if (eo->kind->plugin)
            model_lock();
    }
    engine_conf_free(eo->kind, eo->conf);
    free(eo->identity);
    free(eo->keys);
    free(eo);
}

void task_set_conf(struct task *t, const struct task_conf *tc)
{
    struct task_obj *to = task_obj(t);

    free(t->type);
    free(t->value);
    t->type = xstrdup(task_type_names[tc->type]);
    t->value = xstrdup(tc->value);
    t->max_threads = tc->max_threads;
    t->swap_flag = tc->swap_flag;
    to->ext.allow_init = tc->allow_init;
    to->ext.dry_run = tc->dry_run == 1;
}

void task_get_conf(const struct task *t, struct task_conf *tc)
{
    const struct task_obj *to = (const struct task_obj *)t;

    task_conf_init(tc);
    for (int i = 0; task_type_names[i] != NULL; i++) {
        if (strcmp(task_type_names[i], t->type) == 0)
            tc->type = i;
    }
    tc->value = xstrdup(t->value);
    tc->max_threads = t->max_threads;
    tc->swap_flag = t->swap_flag;
    tc->allow_init = to->ext.allow_init;
    tc->dry_run = to->ext.dry_run;
}

struct task *task_new(const struct task_conf *tc, void *params)
{
    struct task_obj *to = xcalloc(1, sizeof(*to));
    struct task *t = &to->ext.pub;

    t->name = xstrdup(tc->name);
    t->params = params;
    task_set_conf(t, tc);
    return t;
}

int task_fill_plugin_params(struct task *t, GKeyFile *config, struct diag *d)
{
    struct engine *e = t->eng;
    size_t errors_before = d->nr_errors;
    char why[160];

    if (!plugin_op_present(e->ops, PLUGIN_FILL_TASK))
        return 0;
    if (engine_call_pending(e, NULL, why, sizeof(why))) {
        diag_error(d, "engine '%s' cannot take task '%s' now: %s", e->name, t->name, why);
        return -1;
    }
    if (engine_call(PLUGIN_FILL_TASK, e, t, config, d) != 0) {
        if (d->nr_errors == errors_before)
            diag_error(d, "engine '%s': its plug-in rejected task '%s' (fill_task_params "
                       "failed)", e->name, t->name);
        return -1;
    }
    task_obj(t)->params_filled = true;
    return 0;
}

void task_link(struct engine *e, struct task *t)
{
    t->eng = e;
    t->next = e->tasks;
    e->tasks = t;
}

static void task_unlink(struct task *t)
{
    struct task **pp;

    if (t->eng == NULL)
        return;
    for (pp = &t->eng->tasks; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
}

void task_destroy(struct task *t, struct diag *d)
{
    struct engine *e = t->eng;
    struct task_obj *to = task_obj(t);
    char why[160];

    task_stop(t, d);
    task_unlink(t);
    if (e != NULL && engine_obj(e)->kind->plugin) {
        /* a call still inside the plug-in may walk e->tasks: then t stays, untouched */
        bool pending = engine_call_pending(e, t, why, sizeof(why));

        if (!pending && to->params_filled && plugin_op_present(e->ops, PLUGIN_CLEAR_TASK))
            engine_call(PLUGIN_CLEAR_TASK, e, t, NULL, d);
        if (pending || to->calls > 0) {
            log_warn("task %s of engine %s is kept in memory: %s", t->name, e->name,
                     pending ? why : "its clear_task_params has not returned");
            engine_call_keep(t);
            return;
        }
    } else if (e != NULL && t->params != NULL) {
        conf_release(engine_obj(e)->kind->task_keys, t->params);
        free(t->params);
    }
    free(t->type);
    free(t->value);
    free(t->name);
    free(to->keys);
    free(to);
}

/* Why t cannot be started now (reported to d), or 0. */
static int task_start_refusal(struct task *t, struct diag *d)
{
    struct engine *e = t->eng;
    const struct engine_kind *kind = engine_obj(e)->kind;
    char why[160];

    if (!plugin_op_present(e->ops, PLUGIN_START_TASK)) {
        if (kind->plugin)
            diag_error(d, "engine '%s' cannot start task '%s': its plug-in has no start_task",
                       e->name, t->name);
        else
            diag_error(d, "engine '%s' cannot start task '%s': the %s engine is not "
                       "implemented in this etmemd yet", e->name, t->name, kind->name);
        return -1;
    }
    if (engine_call_pending(e, t, why, sizeof(why))) {
        diag_error(d, "engine '%s' cannot start task '%s': %s", e->name, t->name, why);
        return -1;
    }
    return 0;
}

int task_start(struct task *t, struct diag *d)
{
    struct engine *e = t->eng;
    struct task_obj *to = task_obj(t);
    size_t errors_before = d->nr_errors;
    int rc;

    if (to->running)
        return 0;
    if (task_start_refusal(t, d) < 0)
        return -1;
    rc = engine_call(PLUGIN_START_TASK, e, t, NULL, d);
    if (rc != 0) {
        if (d->nr_errors == errors_before)
            diag_error(d, "engine '%s' failed to start task '%s' (%s returned %d; see "
                       "etmemd's log)", e->name, t->name,
                       engine_obj(e)->kind->plugin ? "its plug-in's start_task" : "start",
                       rc);
        return -1;
    }
    to->running = true;
    log_info("project %s: task %s of engine %s started", e->proj->name, t->name, e->name);
    return 0;
}

/* task_stop without its log line: 1 when it was running, 0 when not, -1 on an error. */
static int task_halt(struct task *t, struct diag *d)
{
    struct engine *e = t->eng;
    struct task_obj *to = task_obj(t);
    char why[160];

    if (!to->running)
        return 0;
    to->running = false;    /* from now on nothing reads its runtime (project show) */
    if (!plugin_op_present(e->ops, PLUGIN_STOP_TASK))
        log_err("engine %s has no stop_task; task %s cannot be stopped cleanly", e->name,
                t->name);
    else if (engine_call_pending(e, t, why, sizeof(why)))
        log_err("task %s of engine %s cannot be stopped: %s", t->name, e->name, why);
    else if (engine_call(PLUGIN_STOP_TASK, e, t, NULL, d) != 0)
        return -1;
    return 1;
}

int task_stop(struct task *t, struct diag *d)
{
    int rc = task_halt(t, d);

    if (rc != 0)
        log_info("project %s: task %s of engine %s stopped", t->eng->proj->name, t->name,
                 t->eng->name);
    return rc < 0 ? -1 : 0;
}

int project_start(struct project *p, struct diag *d)
{
    int knob = project_obj(p)->kernel_swap_enable;
    bool missing;

    p = project_hold(p->name, "project start", &missing, d);
    if (p == NULL) {
        if (missing)
            diag_error(d, "the project was removed meanwhile");
        return -1;
    }
    if (knob >= 0 && swapknob_claim(p->name, knob, d) < 0) {
        project_release(p);
        return -1;
    }
    p->start = true;    /* so that a failure below stops (and releases) what started */
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        for (struct task *t = e->tasks; t != NULL; t = t->next) {
            if (task_start(t, d) < 0) {
                project_stop(p, d);
                project_release(p);
                return -1;
            }
        }
    }
    log_info("project %s started", p->name);
    project_release(p);
    return 0;
}

int project_stop(struct project *p, struct diag *d)
{
    bool missing, was_started;
    size_t ntasks = 0;
    int rc = 0;

    p = project_hold(p->name, "project stop", &missing, d);
    if (p == NULL)
        return missing ? 0 : -1;
    was_started = p->start;
    p->start = false;   /* at once: commands that see it meanwhile see it stopping */
    /* one line for the project, not one per task: 10,000 of them slowed a shutdown */
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        for (struct task *t = e->tasks; t != NULL; t = t->next) {
            int halted = task_halt(t, d);

            if (halted < 0)
                rc = -1;
            ntasks += halted != 0;
        }
    }
    if (was_started && project_obj(p)->kernel_swap_enable >= 0)
        swapknob_release();
    if (was_started)
        log_info("project %s stopped (%zu task%s)", p->name, ntasks, ntasks == 1 ? "" : "s");
    project_release(p);
    return rc;
}

void model_shutdown(void)
{
    struct diag d = { 0 };
    bool missing;

    model_lock();
    while (!SLIST_EMPTY(&projects)) {
        struct project *p = project_hold(SLIST_FIRST(&projects)->name, "shutdown", &missing,
                                         &d);

        if (p == NULL)
            break;      /* cannot happen: no command runs any more */
        project_destroy(p, &d);
    }
    model_unlock();
    for (size_t i = 0; i < d.nr_errors; i++)
        log_err("shutting down: %s", d.errors[i]);
    diag_free(&d);
}
