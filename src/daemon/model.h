/* SPDX-License-Identifier: MulanPSL-2.0 */
/* model.h - the daemon's object tree: projects -> engines -> tasks (model_obj.h), and their
 * lifecycle. Every call of an engine's ops goes through engine_call.h.
 *
 * Locking.
 * - One mutex (model_lock) guards the tree's shape, every object's configuration, the start
 *   state and the bookkeeping below. Commands take it for short stretches only: never
 *   across a call into a plug-in (engine_call.c drops it for the call), so a slow or hung
 *   plug-in does not stop other commands. `project show` takes only the mutex.
 * - A command that changes a project or calls into its engines first holds the project
 *   (project_hold; reentrant within the command's thread). While it is held no other
 *   command adds, removes, starts or stops anything in it or calls its plug-ins, so its
 *   objects stay put while the mutex is dropped. Another command wanting it waits (the
 *   mutex released) up to HOLD_WAIT_SEC, then fails with "busy" and what holds it; it looks
 *   the project up again by name after waiting, as the project may be gone by then.
 *   Commands holding several projects (obj add/del) take them in name order.
 * - Objects obj add builds are invisible until linked, so calls on them need no hold; the
 *   name of a new project is checked again when it is linked.
 * - Plug-in calls run on helper threads with a time-out, one at a time per library
 *   (plugin_call.h). While a call is under way the task, engine and project it concerns
 *   count it (calls). A call that times out stays counted until it returns: such objects
 *   get no further calls, and destroying them only unlinks them; their memory (and the
 *   plug-in's library) is kept until etmemd exits, since the plug-in's thread may still use
 *   it. When the call returns at last its late hook takes the mutex, uncounts it and
 *   applies its result (a late start_task success marks the task running).
 * - Deleting an engine waits (mutex released, project held) up to ENGINE_DRAIN_SEC for
 *   such calls to return before it gives up and keeps the engine.
 * - Engine threads never take the mutex: they read only their task's configuration, which
 *   does not change while the task runs, and their own runtime state. Stopping a task
 *   marks it not running under the mutex, then waits for its threads with the mutex
 *   released (the project held); every wait of theirs ends on stop, so that is short.
 *
 * Targets of plug-in tasks: as in the original, etmemd does not resolve a thirdparty task's
 * processes (the original's pool adapter does that only for slide/memdcd, cslide and damon
 * do it themselves), so tk->pids stays NULL and alloc_pid_params/free_pid_params are never
 * called for plug-ins; a plug-in finds its processes from tk->type and tk->value. */
#ifndef ETMEM_MODEL_H
#define ETMEM_MODEL_H

#include <stdbool.h>

#include "engine_call.h"
#include "model_lock.h"
#include "model_obj.h"

struct diag;

#define HOLD_WAIT_SEC 20
#define ENGINE_DRAIN_SEC 2

/* Projects in the original's order: most recently added first. */
struct project *model_first_project(void);
struct project *model_next_project(struct project *p);
struct project *model_find_project(const char *name);
struct engine *project_find_engine(struct project *p, const char *identity);
struct task *engine_find_task(struct engine *e, const char *name);

/* Hold the project named name for this command (see Locking). NULL when it does not
 * exist (*missing set, nothing reported) or stays busy (reported to d). */
struct project *project_hold(const char *name, const char *what, bool *missing,
                             struct diag *d);
void project_release(struct project *p);
/* Hold every existing project among names (NULLs and repeats allowed), in name order;
 * -1 (reported, none held) when one stays busy. Release drops those still held. */
int project_hold_names(const char *const *names, size_t n, const char *what, struct diag *d);
void project_release_names(const char *const *names, size_t n);

/* Creation makes detached objects; link puts them in the tree (at the head, as the
 * original). destroy stops, unlinks and frees, children first; the caller holds the
 * project (or the objects were never linked), and destroying a project consumes its hold.
 * A plug-in call that times out meanwhile is reported to d; the object goes regardless. */
struct project *project_new(const struct project_conf *pc);
/* Give a project the keys of pc (name aside); while it is started only when none of its
 * tasks' threads runs (obj update suspends them). */
void project_set_conf(struct project *p, const struct project_conf *pc);
void project_link(struct project *p);
void project_destroy(struct project *p, struct diag *d);

struct engine *engine_new(const struct engine_kind *kind, void *conf, const char *identity);
/* Run the kind's attach and, for plug-ins, fill_eng_params with the config file. */
int engine_attach(struct engine *e, const struct conf_file *cf, struct diag *d);
void engine_link(struct project *p, struct engine *e);
void engine_destroy(struct engine *e, struct diag *d);
/* Free an engine's parsed keys (what engine_new was given). */
void engine_conf_free(const struct engine_kind *kind, void *conf);

struct task *task_new(const struct task_conf *tc, void *params);
/* Give a task the generic [task] keys of tc (name aside), as project_set_conf does. */
void task_set_conf(struct task *t, const struct task_conf *tc);
/* The generic keys a task has now, for task_set_conf later (tc->value allocated; the
 * identity keys left NULL). */
void task_get_conf(const struct task *t, struct task_conf *tc);
/* For a plug-in engine's task (t->eng set): its fill_task_params with the config file. */
int task_fill_plugin_params(struct task *t, GKeyFile *config, struct diag *d);
void task_link(struct engine *e, struct task *t);
void task_destroy(struct task *t, struct diag *d);

/* Start every task of every engine or none (on failure the started ones are stopped).
 * Both hold the project themselves; stop returns -1 (reported) when the project stays
 * busy or a plug-in's stop_task did not return in time (the project is stopped then). */
int project_start(struct project *p, struct diag *d);
int project_stop(struct project *p, struct diag *d);
int task_start(struct task *t, struct diag *d);
int task_stop(struct task *t, struct diag *d);

/* Stop and free every project (daemon shutdown). */
void model_shutdown(void);

#endif
