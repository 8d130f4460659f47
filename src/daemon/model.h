/* model.h - the daemon's object tree: projects -> engines -> tasks, and their lifecycle.
 *
 * Every object wraps the public struct that plug-ins see (struct project/engine/task from
 * include/etmem) as its first member, so the original's layouts and linked lists (engs,
 * next, tasks) hold exactly as plug-ins expect.
 *
 * Locking: one mutex guards the tree's shape, every object's configuration and the
 * start state. RPC handlers hold it for a whole command (model_lock/model_unlock). Engine
 * threads never take it: they read only their task's configuration, which does not change
 * while the task runs, and their own runtime state; stopping a task waits for its threads. */
#ifndef ETMEM_MODEL_H
#define ETMEM_MODEL_H

#include <stdbool.h>

#include "engine.h"
#include "objconf.h"

struct diag;

struct project_obj {
    struct project pub;             /* first: what plug-ins see */
    struct page_scan page;          /* pub.scan_param points at one of these */
    struct region_scan region;
    int kernel_swap_enable;         /* -1: not set by this project */
};

struct engine_obj {
    struct engine pub;              /* first: what plug-ins see */
    const struct engine_kind *kind;
    void *conf;                     /* parsed engine keys (== pub.params for built-ins) */
    char *identity;                 /* name among its project's engines */
    bool attached;                  /* kind->attach succeeded: detach at destroy */
    bool params_filled;             /* plug-in fill_eng_params succeeded: clear at destroy */
};

struct task_obj {
    struct task pub;                /* first: what plug-ins see */
    bool running;                   /* start_task succeeded and stop_task not yet called */
    bool params_filled;             /* plug-in fill_task_params succeeded: clear at destroy */
};

void model_lock(void);
void model_unlock(void);

/* Projects in the original's order: most recently added first. */
struct project *model_first_project(void);
struct project *model_next_project(struct project *p);
struct project *model_find_project(const char *name);
struct engine *project_find_engine(struct project *p, const char *identity);
struct task *engine_find_task(struct engine *e, const char *name);

/* Creation makes detached objects; link puts them in the tree (at the head, as the
 * original). destroy stops, unlinks and frees, children first. */
struct project *project_new(const struct project_conf *pc);
void project_link(struct project *p);
void project_destroy(struct project *p);

struct engine *engine_new(const struct engine_kind *kind, void *conf, const char *identity);
/* Run the kind's attach and, for plug-ins, fill_eng_params with the config file. */
int engine_attach(struct engine *e, GKeyFile *config, struct diag *d);
void engine_link(struct project *p, struct engine *e);
void engine_destroy(struct engine *e);

struct task *task_new(const struct task_conf *tc, void *params);
/* For a plug-in engine's task (t->eng set): its fill_task_params with the config file. */
int task_fill_plugin_params(struct task *t, GKeyFile *config, struct diag *d);
void task_link(struct engine *e, struct task *t);
void task_destroy(struct task *t);

/* Start every task of every engine or none (on failure the started ones are stopped). */
int project_start(struct project *p, struct diag *d);
void project_stop(struct project *p);
int task_start(struct task *t, struct diag *d);
void task_stop(struct task *t);

/* Stop and free every project (daemon shutdown). */
void model_shutdown(void);

static inline struct project_obj *project_obj(struct project *p)
{
    return (struct project_obj *)p;
}

static inline struct engine_obj *engine_obj(struct engine *e)
{
    return (struct engine_obj *)e;
}

static inline struct task_obj *task_obj(struct task *t)
{
    return (struct task_obj *)t;
}

#endif
