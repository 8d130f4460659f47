/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cmd_obj_update.c - `etmem obj update -f FILE`: bring a project to what FILE describes
 * (objupdate.h), keeping the runtime state of the tasks it keeps.
 *
 * DESIGN. Three phases, the project held throughout (model.h, "Locking"):
 *   plan    - compare the file with the project, section by section; refuse any change
 *             that cannot be made now (a key that cannot change while the project is
 *             started, an engine that cannot give its running tasks new keys) and check
 *             every task against the project as it will be. Nothing changes.
 *   stage   - build the new engines and tasks detached (a plug-in is loaded, its
 *             fill_*_params called). A failure discards them: nothing changed.
 *   commit  - suspend the running tasks that take new keys (their threads stop, their
 *             runtime state stays: engine.h suspend_task), give the project, engines and
 *             tasks their new keys, link and start what is new. A task that cannot start
 *             undoes all of it, so the update is still all or nothing. Only then are the
 *             tasks and engines the file no longer names removed and the suspended tasks
 *             resumed: they read their new keys from their next cycle on.
 * A plug-in task whose keys change is removed and added again (its plug-in took the keys
 * in fill_task_params); a plug-in engine's [engine] keys cannot change. Suspending and
 * resuming waits for the tasks' threads as stopping does, with the model unlocked. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "conffile.h"
#include "diag.h"
#include "log.h"
#include "model.h"
#include "objupdate.h"
#include "runtime.h"
#include "state.h"
#include "xalloc.h"

struct upd_engine {
    struct obj_file *of;
    struct engine *old;             /* the project's engine it keeps, or NULL */
    struct engine *added;           /* a new engine, detached until commit */
    void *conf;                     /* a kept built-in engine's new keys (project stopped) */
};

struct upd_task {
    struct obj_file *of;
    struct upd_engine *ue;
    struct task *old;               /* the task it keeps (or replaces), or NULL */
    struct task *added;             /* a new task, or a plug-in task's replacement */
    void *params;                   /* a kept built-in task's new keys, or NULL */
    void *old_params;               /* what it had, until commit is done */
    struct task_conf old_conf;      /* its generic keys before, while conf_saved */
    bool conf_saved;
    bool changed;                   /* kept with new keys */
    bool suspended;                 /* running: suspended for the commit */
    char *keys;
};

struct update {
    struct update_file uf;
    struct project *p;
    bool created;                   /* p is new (a replayed update of a missing project) */
    char *project_keys;
    bool project_changed;
    struct upd_engine *engines;
    struct upd_task *tasks;
    struct engine **gone_engines;
    size_t nr_gone_engines;
    struct task **gone_tasks;
    size_t nr_gone_tasks;
};

static const struct engine_kind *kind_of(const struct engine *e)
{
    return engine_obj((struct engine *)e)->kind;
}

/* "cannot change while project P is started" for the first key of changed that is not
 * live (or every key when live_ok is false); reported against of's section. -1 if any. */
static int refuse_not_live(const struct obj_file *of, const char *group,
                           const struct engine_kind *kind, char **changed, bool live_ok,
                           const char *what, const char *project, struct diag *d)
{
    for (size_t i = 0; changed[i] != NULL; i++) {
        const struct config_key *k = object_key_find(group, kind, changed[i]);

        if (live_ok && k != NULL && (k->flags & KEY_LIVE))
            continue;
        conf_error(of->cf, group, k != NULL ? changed[i] : NULL, d, "key `%s`%s cannot change "
                   "while project %s is started; stop it first", changed[i], what, project);
        return -1;
    }
    return 0;
}

/* The engine of the project's running tasks that cannot take new keys, or NULL. */
static struct engine *engine_without_retune(struct project *p)
{
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        for (struct task *t = e->tasks; t != NULL; t = t->next) {
            if (task_obj(t)->running && kind_of(e)->suspend_task == NULL)
                return e;
        }
    }
    return NULL;
}

static enum etmem_status plan_project(struct update *u, struct diag *d)
{
    struct obj_file *of = &u->uf.project;
    char **changed;
    struct engine *stuck;
    int rc = 0;

    u->project_keys = object_keys(of->cf, "project", NULL);
    if (u->created)
        return ST_OK;
    changed = section_keys_changed(project_obj(u->p)->keys, u->project_keys);
    object_keys_sort("project", NULL, changed);
    u->project_changed = changed[0] != NULL;
    if (u->p->start && u->project_changed)
        rc = refuse_not_live(of, "project", NULL, changed, true, "", u->p->name, d);
    stuck = rc == 0 && u->p->start && u->project_changed ? engine_without_retune(u->p) : NULL;
    if (stuck != NULL) {
        conf_error(of->cf, "project", changed[0], d, "key `%s` cannot change while project %s "
                   "is started: engine '%s' (%s) cannot give its running tasks new keys; stop "
                   "it first", changed[0], u->p->name, stuck->name, kind_of(stuck)->name);
        rc = -1;
    }
    section_keys_free(changed);
    return rc < 0 ? ST_INVAL : ST_OK;
}

static enum etmem_status plan_engine(struct update *u, struct upd_engine *ue, struct diag *d)
{
    const struct engine_kind *kind = ue->of->ec.kind;
    char *keys, **changed;
    int rc = 0;

    ue->old = u->created ? NULL : project_find_engine(u->p, obj_file_engine_identity(ue->of));
    if (ue->old == NULL || kind_of(ue->old) != kind) {
        if (ue->old != NULL) {
            conf_error(ue->of->cf, "engine", "name", d, "engine '%s' of project %s is a %s "
                       "engine; give the new one another name", ue->old->name, u->p->name,
                       kind_of(ue->old)->name);
            return ST_ENG_EXISTED;
        }
        return ST_OK;
    }
    keys = object_keys(ue->of->cf, "engine", kind);
    changed = section_keys_changed(engine_obj(ue->old)->keys, keys);
    object_keys_sort("engine", kind, changed);
    if (changed[0] != NULL && kind->plugin) {
        conf_error(ue->of->cf, "engine", NULL, d, "key `%s` of engine '%s' cannot change by obj "
                   "update: its plug-in took the [engine] keys when it was added; delete the "
                   "engine (obj del) and add it again", changed[0], ue->old->name);
        rc = -1;
    } else if (changed[0] != NULL && u->p->start) {
        rc = refuse_not_live(ue->of, "engine", kind, changed, false, " of an engine",
                             u->p->name, d);
    } else if (changed[0] != NULL) {
        ue->conf = kind_conf_take(&ue->of->engine_kc);
    }
    section_keys_free(changed);
    free(keys);
    return rc < 0 ? ST_INVAL : ST_OK;
}

static enum etmem_status plan_task(struct update *u, struct upd_task *ut,
                                   const struct project *future, struct diag *d)
{
    struct obj_file *of = ut->of;
    const struct engine_kind *kind;
    enum etmem_status st;
    char **changed, what[OBJ_NAME_MAX + 16];
    int rc = 0;

    for (size_t i = 0; i < u->uf.nr_engines; i++) {
        if (strcmp(obj_file_engine_identity(&u->uf.engines[i]), of->tc.engine) == 0)
            ut->ue = &u->engines[i];
    }
    kind = ut->ue->of->ec.kind;
    st = task_section_check(of, future, kind, &ut->params, d);
    if (st != ST_OK)
        return st;
    ut->keys = object_keys(of->cf, "task", kind);
    ut->old = ut->ue->old ? engine_find_task(ut->ue->old, of->tc.name) : NULL;
    if (ut->old == NULL)
        return ST_OK;
    changed = section_keys_changed(task_obj(ut->old)->keys, ut->keys);
    object_keys_sort("task", kind, changed);
    ut->changed = changed[0] != NULL;
    snprintf(what, sizeof(what), " of task %s", ut->old->name);
    if (ut->changed && !kind->plugin && task_obj(ut->old)->running) {
        rc = refuse_not_live(of, "task", kind, changed, true, what, u->p->name, d);
        if (rc == 0 && kind->suspend_task == NULL) {
            conf_error(of->cf, "task", changed[0], d, "key `%s` of task %s cannot change while "
                       "project %s is started: the %s engine cannot give a running task new "
                       "keys; stop it first", changed[0], ut->old->name, u->p->name,
                       kind->name);
            rc = -1;
        }
    }
    section_keys_free(changed);
    return rc < 0 ? ST_INVAL : ST_OK;
}

/* Every engine and task of the project that the file does not name. */
static void plan_removals(struct update *u)
{
    for (struct engine *e = u->p->engs; e != NULL; e = e->next) {
        bool named = false;

        for (size_t i = 0; i < u->uf.nr_engines; i++)
            named = named || u->engines[i].old == e;
        if (!named) {
            u->gone_engines = xreallocarray(u->gone_engines, u->nr_gone_engines + 1,
                                            sizeof(*u->gone_engines));
            u->gone_engines[u->nr_gone_engines++] = e;
            continue;
        }
        for (struct task *t = e->tasks; t != NULL; t = t->next) {
            bool kept = false;

            for (size_t i = 0; i < u->uf.nr_tasks; i++)
                kept = kept || u->tasks[i].old == t;
            if (!kept) {
                u->gone_tasks = xreallocarray(u->gone_tasks, u->nr_gone_tasks + 1,
                                              sizeof(*u->gone_tasks));
                u->gone_tasks[u->nr_gone_tasks++] = t;
            }
        }
    }
}

static enum etmem_status plan(struct update *u, struct diag *d)
{
    struct project *future = project_new(&u->uf.project.pc);     /* detached, for checks */
    enum etmem_status st = plan_project(u, d);

    for (size_t i = 0; st == ST_OK && i < u->uf.nr_engines; i++)
        st = plan_engine(u, &u->engines[i], d);
    for (size_t i = 0; st == ST_OK && i < u->uf.nr_tasks; i++)
        st = plan_task(u, &u->tasks[i], future, d);
    project_destroy(future, d);
    if (st == ST_OK && !u->created)
        plan_removals(u);
    return st;
}

/* Whether a kept task must be suspended and resumed: its keys or its project's change
 * while it runs. */
static bool needs_retune(const struct update *u, const struct upd_task *ut)
{
    return ut->old != NULL && task_obj(ut->old)->running && ut->added == NULL &&
           (ut->changed || u->project_changed);
}

static enum etmem_status stage(struct update *u, struct diag *d)
{
    for (size_t i = 0; i < u->uf.nr_engines; i++) {
        struct upd_engine *ue = &u->engines[i];
        const struct engine_kind *kind = ue->of->ec.kind;

        if (ue->old != NULL)
            continue;
        ue->added = engine_new(kind, kind_conf_take(&ue->of->engine_kc),
                               obj_file_engine_identity(ue->of));
        engine_obj(ue->added)->keys = object_keys(ue->of->cf, "engine", kind);
        ue->added->proj = u->p;
        if (engine_attach(ue->added, ue->of->cf, d) < 0)
            return ST_INTER_ERR;
    }
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        struct upd_task *ut = &u->tasks[i];
        bool plugin = ut->ue->of->ec.kind->plugin;

        if (ut->old != NULL && !(plugin && ut->changed))
            continue;
        ut->added = task_new(&ut->of->tc, ut->params);
        ut->params = NULL;
        ut->added->eng = ut->ue->old ? ut->ue->old : ut->ue->added;
        task_obj(ut->added)->keys = ut->keys;
        ut->keys = NULL;
        if (plugin && task_fill_plugin_params(ut->added, ut->of->cf->kf, d) < 0)
            return ST_INTER_ERR;
    }
    return ST_OK;
}

static void suspend_tasks(struct update *u)
{
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        struct upd_task *ut = &u->tasks[i];

        if (!needs_retune(u, ut))
            continue;
        model_unlock();     /* waits for the task's threads, as a stop does */
        kind_of(ut->old->eng)->suspend_task(ut->old);
        model_lock();
        ut->suspended = true;
    }
}

/* New keys for the project and what it keeps; undo_keys puts the old ones back. */
static void apply_keys(struct update *u, struct project_conf *saved)
{
    struct project_obj *po = project_obj(u->p);

    *saved = po->conf;
    if (u->project_changed)
        project_set_conf(u->p, &u->uf.project.pc);
    for (size_t i = 0; i < u->uf.nr_engines; i++) {
        struct upd_engine *ue = &u->engines[i];

        if (ue->conf == NULL)
            continue;
        /* only while the project is stopped: nothing reads the engine's keys */
        engine_conf_free(kind_of(ue->old), engine_obj(ue->old)->conf);
        engine_obj(ue->old)->conf = ue->conf;
        ue->old->params = ue->conf;
        ue->conf = NULL;
    }
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        struct upd_task *ut = &u->tasks[i];

        /* a running task's fields are read by its threads: only while they are suspended */
        if (ut->old == NULL || ut->added != NULL ||
            (task_obj(ut->old)->running && !ut->suspended))
            continue;
        if (ut->changed) {
            ut->old_params = ut->old->params;
            ut->old->params = ut->params;
            ut->params = NULL;
        }
        task_get_conf(ut->old, &ut->old_conf);
        ut->conf_saved = true;
        task_set_conf(ut->old, &ut->of->tc);
    }
}

static void undo_keys(struct update *u, const struct project_conf *saved)
{
    if (u->project_changed)
        project_set_conf(u->p, saved);
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        struct upd_task *ut = &u->tasks[i];

        if (ut->conf_saved)
            task_set_conf(ut->old, &ut->old_conf);
        if (ut->old_params == NULL)
            continue;
        ut->params = ut->old->params;
        ut->old->params = ut->old_params;
        ut->old_params = NULL;
    }
}

static void resume_tasks(struct update *u, struct diag *d)
{
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        struct upd_task *ut = &u->tasks[i];
        struct task *t = ut->old;

        if (!ut->suspended)
            continue;
        ut->suspended = false;
        engine_diag_begin(d);
        if (kind_of(t->eng)->resume_task(t, ut->old_params ? ut->old_params : t->params) < 0) {
            task_obj(t)->running = false;
            diag_error(d, "task %s of engine %s could not run on again and is stopped (see "
                       "etmemd's log)", t->name, t->eng->name);
        }
        engine_diag_end();
    }
}

static void free_task_params(const struct engine_kind *kind, void *params)
{
    if (params == NULL)
        return;
    conf_release(kind->task_keys, params);
    free(params);
}

/* Link what is new; when the project is started, start it. -1: a task did not start, and
 * whatever this linked is unlinked and destroyed again. */
static int link_added(struct update *u, struct diag *d)
{
    int rc = 0;

    if (u->created)
        project_link(u->p);
    for (size_t i = 0; i < u->uf.nr_engines; i++) {
        if (u->engines[i].added != NULL)
            engine_link(u->p, u->engines[i].added);
    }
    for (size_t i = 0; i < u->uf.nr_tasks && rc == 0; i++) {
        struct upd_task *ut = &u->tasks[i];

        if (ut->added == NULL || ut->old != NULL)
            continue;       /* plug-in replacements are linked once their old task is gone */
        task_link(ut->added->eng, ut->added);
        if (u->p->start && task_start(ut->added, d) < 0)
            rc = -1;
    }
    if (rc == 0)
        return 0;
    /* every new task, linked or not, before the new engines the later ones still point to */
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        struct upd_task *ut = &u->tasks[i];

        if (ut->added != NULL && ut->old == NULL) {
            task_destroy(ut->added, d);
            ut->added = NULL;
        }
    }
    for (size_t i = 0; i < u->uf.nr_engines; i++) {
        if (u->engines[i].added != NULL) {
            engine_destroy(u->engines[i].added, d);
            u->engines[i].added = NULL;
        }
    }
    return -1;
}

/* Remove what the file no longer names; replace the plug-in tasks whose keys changed. */
static void remove_gone(struct update *u, struct diag *d)
{
    for (size_t i = 0; i < u->nr_gone_tasks; i++)
        task_destroy(u->gone_tasks[i], d);
    for (size_t i = 0; i < u->nr_gone_engines; i++)
        engine_destroy(u->gone_engines[i], d);
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        struct upd_task *ut = &u->tasks[i];
        struct engine *e;

        if (ut->added == NULL || ut->old == NULL)
            continue;
        e = ut->old->eng;
        task_destroy(ut->old, d);
        ut->old = NULL;
        task_link(e, ut->added);
        if (u->p->start && task_start(ut->added, d) < 0)
            diag_error(d, "task %s of engine %s: its keys changed, so it was removed and added "
                       "again, but it could not start again; it stays, stopped",
                       ut->added->name, e->name);
        ut->added = NULL;
    }
}

static enum etmem_status commit(struct update *u, struct diag *d)
{
    struct project_conf saved;

    suspend_tasks(u);
    apply_keys(u, &saved);
    if (link_added(u, d) < 0) {
        undo_keys(u, &saved);
        resume_tasks(u, d);
        return ST_INTER_ERR;
    }
    for (size_t i = 0; i < u->uf.nr_engines; i++)
        u->engines[i].added = NULL;     /* linked: the project owns them */
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        if (u->tasks[i].old == NULL)
            u->tasks[i].added = NULL;
    }
    remove_gone(u, d);
    resume_tasks(u, d);
    free(project_obj(u->p)->keys);
    project_obj(u->p)->keys = u->project_keys;
    u->project_keys = NULL;
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        struct upd_task *ut = &u->tasks[i];

        if (ut->old == NULL || ut->keys == NULL)
            continue;
        free(task_obj(ut->old)->keys);
        task_obj(ut->old)->keys = ut->keys;
        ut->keys = NULL;
        free_task_params(kind_of(ut->old->eng), ut->old_params);
        ut->old_params = NULL;
    }
    for (size_t i = 0; i < u->uf.nr_engines; i++) {
        struct upd_engine *ue = &u->engines[i];

        if (ue->old != NULL) {
            free(engine_obj(ue->old)->keys);
            engine_obj(ue->old)->keys = object_keys(ue->of->cf, "engine", ue->of->ec.kind);
        }
    }
    return ST_OK;
}

/* Free what the update still owns (all of it when it did not commit). */
static void update_release(struct update *u, struct diag *d)
{
    for (size_t i = 0; i < u->uf.nr_tasks; i++) {
        struct upd_task *ut = &u->tasks[i];

        if (ut->added != NULL)
            task_destroy(ut->added, d);
        if (ut->ue != NULL)
            free_task_params(ut->ue->of->ec.kind, ut->params);
        free(ut->keys);
        free(ut->old_conf.value);
    }
    for (size_t i = 0; i < u->uf.nr_engines; i++) {
        struct upd_engine *ue = &u->engines[i];

        if (ue->added != NULL)
            engine_destroy(ue->added, d);
        engine_conf_free(ue->of->ec.kind, ue->conf);
    }
    if (u->created && u->p != NULL)
        project_destroy(u->p, d);
    free(u->tasks);
    free(u->engines);
    free(u->gone_engines);
    free(u->gone_tasks);
    free(u->project_keys);
    update_file_release(&u->uf);
}

static enum etmem_status update_run(struct update *u, bool create, struct diag *d)
{
    const char *name = u->uf.project.pc.name;
    enum etmem_status st;
    bool missing;

    bool held;

    u->p = project_hold(name, "obj update", &missing, d);
    if (u->p == NULL && !missing)
        return ST_BUSY;
    if (u->p == NULL && !create) {
        conf_error(u->uf.project.cf, "project", "name", d, "project '%s' does not exist; obj "
                   "update changes a project that obj add made", name);
        return ST_PRO_NOEXIST;
    }
    held = u->p != NULL;
    if (!held) {
        u->p = project_new(&u->uf.project.pc);
        u->created = true;
    }
    st = plan(u, d);
    if (st == ST_OK)
        st = stage(u, d);
    if (st == ST_OK)
        st = commit(u, d);
    if (st == ST_OK)
        u->created = false;     /* linked: no longer the update's to free */
    if (held)
        project_release(u->p);
    return st;
}

enum etmem_status obj_update_text(const char *label, const char *text, size_t len, bool create,
                                  struct diag *d)
{
    struct update u = { 0 };
    enum etmem_status st;
    char *name;

    if (update_file_read(label, text, len, false, &u.uf, d) < 0)
        return ST_INVAL;
    name = xstrdup(u.uf.project.pc.name);
    u.engines = xcalloc(u.uf.nr_engines + 1, sizeof(*u.engines));
    u.tasks = xcalloc(u.uf.nr_tasks + 1, sizeof(*u.tasks));
    for (size_t i = 0; i < u.uf.nr_engines; i++)
        u.engines[i].of = &u.uf.engines[i];
    for (size_t i = 0; i < u.uf.nr_tasks; i++)
        u.tasks[i].of = &u.uf.tasks[i];
    model_lock();
    st = update_run(&u, create, d);
    update_release(&u, d);
    model_unlock();
    if (st == ST_OK)
        log_info("project %s updated from %s", name, label);
    free(name);
    return st;
}

enum etmem_status cmd_obj_update(const struct etmem_request *req, struct reply *r,
                                 struct diag *d)
{
    const char *path = req->field[FIELD_FILE];
    size_t len;
    char *text = conf_file_read_checked(path, &len, d);
    enum etmem_status st;

    if (text == NULL)
        return ST_INVAL;
    st = obj_update_text(path, text, len, false, d);
    if (st == ST_OK)
        state_project_updated(path, text, len);
    free(text);
    return st;
}
