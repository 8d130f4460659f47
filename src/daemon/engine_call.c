/* SPDX-License-Identifier: MulanPSL-2.0 */
/* engine_call.c - calling an engine's ops: built-ins at once, plug-ins on their own thread
 * with the engine's time-out and the model lock dropped, and the bookkeeping of calls that
 * did not return in time (engine_call.h). */
#include "engine_call.h"

#include <stdio.h>

#include "diag.h"
#include "log.h"
#include "model_lock.h"
#include "model_obj.h"
#include "runtime.h"
#include "xalloc.h"

/* Objects a late call may still use: kept reachable, never freed. */
static void **kept;
static size_t nr_kept;

void engine_call_keep(void *obj)
{
    kept = xreallocarray(kept, nr_kept + 1, sizeof(*kept));
    kept[nr_kept++] = obj;
}

static void count_call(struct engine *e, struct task *t, enum plugin_op op, int delta)
{
    struct engine_obj *eo = engine_obj(e);
    struct timespec now;

    /* last_op names the oldest call under way: the one a later refusal is about */
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (delta > 0 && eo->calls == 0) {
        eo->last_op = op;
        eo->last_call = now;
    }
    eo->calls += (unsigned)delta;
    if (e->proj != NULL)
        project_obj(e->proj)->calls += (unsigned)delta;
    if (t == NULL)
        return;
    if (delta > 0 && task_obj(t)->calls == 0) {
        task_obj(t)->last_op = op;
        task_obj(t)->last_call = now;
    }
    task_obj(t)->calls += (unsigned)delta;
}

/* "start_task for task 'x'" or "fill_eng_params" */
static const char *call_desc(enum plugin_op op, const struct task *t, char *buf, size_t len)
{
    if (t != NULL)
        snprintf(buf, len, "%s for task '%s'", plugin_op_name(op), t->name);
    else
        snprintf(buf, len, "%s", plugin_op_name(op));
    return buf;
}

/* An abandoned call came back: uncount it and apply what it did. */
static void call_late(const struct plugin_args *a, int rc, double secs)
{
    char desc[160];

    model_lock();
    count_call(a->eng, a->tk, a->op, -1);
    if (a->op == PLUGIN_START_TASK && rc == 0)
        task_obj(a->tk)->running = true;    /* it runs now: obj del will stop it */
    log_warn("engine '%s': its plug-in's %s returned %d after %.1f s, past its time-out%s",
             a->eng->name, call_desc(a->op, a->tk, desc, sizeof(desc)), rc, secs,
             a->op == PLUGIN_START_TASK && rc == 0 ? "; the task is running" : "");
    model_wake();
    model_unlock();
}

static const struct plugin_binding *binding_of(struct engine *e)
{
    const struct engine_obj *eo = engine_obj(e);

    return eo->kind->binding(eo->conf);
}

struct plugin_call *engine_call_begin(const struct plugin_args *a, struct timespec *deadline,
                                      struct diag *d)
{
    const struct plugin_binding *b = binding_of(a->eng);
    struct plugin_call *c;
    char why[256], desc[160];

    *deadline = plugin_deadline(b->timeout_ms);
    count_call(a->eng, a->tk, a->op, 1);
    model_unlock();
    c = plugin_call_start(b->gate, a, deadline, call_late, why, sizeof(why));
    if (c != NULL)
        return c;
    model_lock();
    count_call(a->eng, a->tk, a->op, -1);
    diag_error(d, "engine '%s': cannot call its plug-in's %s: %s", a->eng->name,
               call_desc(a->op, a->tk, desc, sizeof(desc)), why);
    return NULL;
}

int engine_call_end(struct plugin_call *c, const struct plugin_args *a,
                    const struct timespec *deadline, struct diag *d)
{
    char desc[160];
    int rc;
    bool done = plugin_call_finish(c, deadline, &rc);

    model_lock();
    if (done) {
        count_call(a->eng, a->tk, a->op, -1);
        return rc;
    }
    if (a->op == PLUGIN_START_TASK || a->op == PLUGIN_STOP_TASK)
        task_obj(a->tk)->running = false;   /* asked to stop, or not known to run */
    diag_error(d, "engine '%s': its plug-in's %s did not return within %u s; it was left "
               "running on its own thread, and etmemd keeps what it may use until it returns",
               a->eng->name, call_desc(a->op, a->tk, desc, sizeof(desc)),
               binding_of(a->eng)->timeout_ms / 1000);
    return -1;
}

int engine_call(enum plugin_op op, struct engine *e, struct task *t, GKeyFile *config,
                struct diag *d)
{
    struct plugin_args a = {
        .op = op, .ops = e->ops, .eng = e, .tk = t, .config = config, .fd = -1,
    };
    struct timespec deadline;
    struct plugin_call *c;
    int rc;

    if (!engine_obj(e)->kind->plugin) {
        bool waits = op == PLUGIN_STOP_TASK;    /* for the engine's threads: not locked */

        engine_diag_begin(d);
        if (waits)
            model_unlock();
        rc = plugin_op_run(&a);
        if (waits)
            model_lock();
        engine_diag_end();
        return rc;
    }
    c = engine_call_begin(&a, &deadline, d);
    if (c == NULL)
        return -1;
    return engine_call_end(c, &a, &deadline, d);
}

bool engine_call_pending(struct engine *e, struct task *t, char *why, size_t len)
{
    const struct timespec *since;
    enum plugin_op op;

    if (t != NULL && task_obj(t)->calls > 0) {
        op = task_obj(t)->last_op;
        since = &task_obj(t)->last_call;
    } else if (engine_obj(e)->calls > 0) {
        op = engine_obj(e)->last_op;
        since = &engine_obj(e)->last_call;
    } else {
        return false;
    }
    snprintf(why, len, "its plug-in has not returned from %s, called %.0f s ago",
             plugin_op_name(op), plugin_secs_since(since));
    return true;
}
