/* SPDX-License-Identifier: MulanPSL-2.0 */
/* model_obj.h - the daemon's objects: each wraps the public struct plug-ins see (struct
 * project/engine/task from include/etmem) as its first member, so the original's layouts
 * and linked lists hold exactly as plug-ins expect, followed by the daemon's bookkeeping.
 * Guarded by the model lock (model.h "Locking"). */
#ifndef ETMEM_MODEL_OBJ_H
#define ETMEM_MODEL_OBJ_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "engine.h"
#include "objconf.h"
#include "plugin_call.h"

struct project_obj {
    struct project pub;             /* first: what plug-ins see */
    struct page_scan page;          /* pub.scan_param points at one of these */
    struct region_scan region;
    struct psi_scan psi;
    int kernel_swap_enable;         /* -1: not set by this project */
    bool dry_run;                   /* its tasks' default (each task_ext holds its own) */
    struct project_conf conf;       /* its keys as parsed (conf.name unused: pub.name) */
    char *keys;                     /* its section's keys as text (objupdate.h) */
    unsigned hold_depth;            /* held by holder (see Locking) when > 0 */
    pthread_t holder;
    const char *held_for;           /* the holding command, for "busy" messages */
    struct timespec held_since;
    unsigned calls;                 /* plug-in calls under way in its engines */
};

struct engine_obj {
    struct engine pub;              /* first: what plug-ins see */
    const struct engine_kind *kind;
    void *conf;                     /* parsed engine keys (== pub.params for built-ins) */
    char *identity;                 /* name among its project's engines */
    bool attached;                  /* kind->attach succeeded: detach at destroy */
    bool params_filled;             /* plug-in fill_eng_params succeeded: clear at destroy */
    char *keys;                     /* its section's keys as text (objupdate.h) */
    unsigned calls;                 /* plug-in calls under way (or timed out) on it */
    enum plugin_op last_op;         /* the latest of them, for messages */
    struct timespec last_call;
};

struct task_obj {
    struct task_ext ext;            /* first: ext.pub is what plug-ins see */
    bool running;                   /* start_task succeeded and stop_task not yet called */
    bool params_filled;             /* plug-in fill_task_params succeeded: clear at destroy */
    char *keys;                     /* its section's keys as text (objupdate.h) */
    unsigned calls;                 /* as in engine_obj */
    enum plugin_op last_op;
    struct timespec last_call;
};

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
