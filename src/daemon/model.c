/* model.c - the object tree and its start/stop lifecycle. */
#include "model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "log.h"
#include "runtime.h"
#include "swapknob.h"
#include "xalloc.h"

static SLIST_HEAD(project_list, project) projects = SLIST_HEAD_INITIALIZER(projects);
static pthread_mutex_t model_mutex = PTHREAD_MUTEX_INITIALIZER;

void model_lock(void)
{
    pthread_mutex_lock(&model_mutex);
}

void model_unlock(void)
{
    pthread_mutex_unlock(&model_mutex);
}

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

struct project *project_new(const struct project_conf *pc)
{
    struct project_obj *po = xcalloc(1, sizeof(*po));
    struct project *p = &po->pub;

    p->name = xstrdup(pc->name);
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
    p->scan_param = p->type == PAGE_SCAN ? (void *)&po->page : (void *)&po->region;
    po->kernel_swap_enable = pc->kernel_swap_enable;
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

void project_destroy(struct project *p)
{
    if (p->start)
        project_stop(p);
    while (p->engs != NULL)
        engine_destroy(p->engs);
    if (project_is_linked(p))
        SLIST_REMOVE(&projects, p, project, entry);
    free(p->name);
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

int engine_attach(struct engine *e, GKeyFile *config, struct diag *d)
{
    struct engine_obj *eo = engine_obj(e);

    if (eo->kind->attach != NULL) {
        if (eo->kind->attach(e, eo->conf, config, d) < 0)
            return -1;
        eo->attached = true;
    }
    if (eo->kind->plugin && e->ops != NULL && e->ops->fill_eng_params != NULL) {
        if (e->ops->fill_eng_params(config, e) != 0) {
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

static void engine_conf_free(const struct engine_kind *kind, void *conf)
{
    if (conf == NULL)
        return;
    if (kind->engine_id_keys)
        conf_release(kind->engine_id_keys, conf);
    if (kind->engine_keys)
        conf_release(kind->engine_keys, conf);
    free(conf);
}

void engine_destroy(struct engine *e)
{
    struct engine_obj *eo = engine_obj(e);

    while (e->tasks != NULL)
        task_destroy(e->tasks);
    engine_unlink(e);
    if (eo->params_filled && e->ops->clear_eng_params)
        e->ops->clear_eng_params(e);
    if (eo->attached)
        eo->kind->detach(e, eo->conf);
    engine_conf_free(eo->kind, eo->conf);
    free(eo->identity);
    free(eo);
}

struct task *task_new(const struct task_conf *tc, void *params)
{
    struct task_obj *to = xcalloc(1, sizeof(*to));
    struct task *t = &to->pub;

    t->type = xstrdup(task_type_names[tc->type]);
    t->value = xstrdup(tc->value);
    t->name = xstrdup(tc->name);
    t->max_threads = tc->max_threads;
    t->swap_flag = tc->swap_flag;
    t->params = params;
    return t;
}

int task_fill_plugin_params(struct task *t, GKeyFile *config, struct diag *d)
{
    struct engine *e = t->eng;

    if (e->ops == NULL || e->ops->fill_task_params == NULL)
        return 0;
    if (e->ops->fill_task_params(config, t) != 0) {
        diag_error(d, "engine '%s': its plug-in rejected task '%s' (fill_task_params failed)",
                   e->name, t->name);
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

void task_destroy(struct task *t)
{
    struct engine *e = t->eng;

    task_stop(t);
    task_unlink(t);
    if (e != NULL && engine_obj(e)->kind->plugin) {
        if (task_obj(t)->params_filled && e->ops->clear_task_params)
            e->ops->clear_task_params(t);
    } else if (e != NULL && t->params != NULL) {
        conf_release(engine_obj(e)->kind->task_keys, t->params);
        free(t->params);
    }
    free(t->type);
    free(t->value);
    free(t->name);
    free(task_obj(t));
}

int task_start(struct task *t, struct diag *d)
{
    struct engine *e = t->eng;
    struct task_obj *to = task_obj(t);

    if (to->running)
        return 0;
    if (e->ops == NULL || e->ops->start_task == NULL) {
        if (engine_obj(e)->kind->plugin)
            diag_error(d, "engine '%s' cannot start task '%s': its plug-in has no "
                       "start_task", e->name, t->name);
        else
            diag_error(d, "engine '%s' cannot start task '%s': the %s engine is not "
                       "implemented in this etmemd yet", e->name, t->name,
                       engine_obj(e)->kind->name);
        return -1;
    }
    size_t errors_before = d->nr_errors;
    int rc;

    engine_diag_begin(d);
    rc = e->ops->start_task(e, t);
    engine_diag_end();
    if (rc != 0) {
        if (d->nr_errors == errors_before)
            diag_error(d, "engine '%s' failed to start task '%s' (see etmemd's log)",
                       e->name, t->name);
        return -1;
    }
    to->running = true;
    log_info("project %s: task %s of engine %s started", e->proj->name, t->name, e->name);
    return 0;
}

void task_stop(struct task *t)
{
    struct engine *e = t->eng;
    struct task_obj *to = task_obj(t);

    if (!to->running)
        return;
    if (e->ops && e->ops->stop_task)
        e->ops->stop_task(e, t);
    else
        log_err("engine %s has no stop_task; task %s cannot be stopped cleanly", e->name, t->name);
    to->running = false;
    log_info("project %s: task %s of engine %s stopped", e->proj->name, t->name, e->name);
}

int project_start(struct project *p, struct diag *d)
{
    int knob = project_obj(p)->kernel_swap_enable;

    if (knob >= 0 && swapknob_claim(p->name, knob, d) < 0)
        return -1;
    p->start = true;    /* so that a failure below stops (and releases) what started */
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        for (struct task *t = e->tasks; t != NULL; t = t->next) {
            if (task_start(t, d) < 0) {
                project_stop(p);
                return -1;
            }
        }
    }
    log_info("project %s started", p->name);
    return 0;
}

void project_stop(struct project *p)
{
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        for (struct task *t = e->tasks; t != NULL; t = t->next)
            task_stop(t);
    }
    if (p->start && project_obj(p)->kernel_swap_enable >= 0)
        swapknob_release();
    if (p->start)
        log_info("project %s stopped", p->name);
    p->start = false;
}

void model_shutdown(void)
{
    model_lock();
    while (!SLIST_EMPTY(&projects))
        project_destroy(SLIST_FIRST(&projects));
    model_unlock();
}
