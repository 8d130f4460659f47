/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cmd_obj.c - `etmem obj add|del -f FILE`: add or remove the project, engine and task a
 * config file describes.
 *
 * add is all-or-nothing: the file is parsed and checked without the model lock, then under
 * the lock new objects are built detached, checked against the tree (duplicates, missing
 * parents, cross-object ranges) and linked only when everything passed. A task added to a
 * running project is started, and rolled back if it cannot start.
 * del follows the original: task, then engine, then project; it removes what exists and
 * reports each object that does not.
 * Both hold the existing projects the file names (model.h, "Locking"), since calls into
 * plug-ins drop the model lock; a new project's name is checked again at commit. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "conffile.h"
#include "diag.h"
#include "log.h"
#include "model.h"
#include "objconf.h"
#include "objfile.h"
#include "objupdate.h"
#include "state.h"
#include "xalloc.h"

/* Objects an add builds before linking them into the tree. */
struct staged {
    struct project *project;        /* new project, or NULL */
    struct engine *engine;          /* new engine, or NULL */
    struct project *engine_parent;
    struct task *task;              /* new task, or NULL */
    struct engine *task_parent;
};

static enum etmem_status obj_file_load(const char *path, bool id_only, struct obj_file *of,
                                       struct diag *d)
{
    return obj_file_read(conf_file_load(path, d), id_only, of, d) < 0 ? ST_INVAL : ST_OK;
}

/* The project a section names: the one this file adds, or one already in the tree. */
static struct project *resolve_project(const struct staged *s, const char *name)
{
    if (s->project != NULL && strcmp(s->project->name, name) == 0)
        return s->project;
    return model_find_project(name);
}

static enum etmem_status no_project(struct obj_file *of, const char *group, const char *name,
                                    struct diag *d)
{
    conf_error(of->cf, group, "project", d, "project '%s' does not exist", name);
    return ST_PRO_NOEXIST;
}

static enum etmem_status stage_project(struct obj_file *of, struct staged *s, struct diag *d)
{
    if (model_find_project(of->pc.name) != NULL) {
        conf_error(of->cf, "project", "name", d, "project '%s' already exists", of->pc.name);
        return ST_PRO_EXISTED;
    }
    s->project = project_new(&of->pc);
    project_obj(s->project)->keys = object_keys(of->cf, "project", NULL);
    return ST_OK;
}

static enum etmem_status stage_engine(struct obj_file *of, struct staged *s, struct diag *d)
{
    const struct engine_kind *kind = of->ec.kind;
    struct project *p = resolve_project(s, of->ec.project);
    const char *identity = obj_file_engine_identity(of);
    struct engine *e;

    if (p == NULL)
        return no_project(of, "engine", of->ec.project, d);
    if (project_find_engine(p, identity) != NULL) {
        conf_error(of->cf, "engine", kind->identity ? "eng_name" : "name", d,
                   "engine '%s' already exists in project '%s'", identity, p->name);
        return ST_ENG_EXISTED;
    }
    e = engine_new(kind, kind_conf_take(&of->engine_kc), identity);
    engine_obj(e)->keys = object_keys(of->cf, "engine", kind);
    e->proj = p;    /* plug-ins may look at their project while being set up */
    if (engine_attach(e, of->cf, d) < 0) {
        engine_destroy(e, d);
        return ST_INTER_ERR;
    }
    s->engine = e;
    s->engine_parent = p;
    return ST_OK;
}

enum etmem_status task_section_check(struct obj_file *of, const struct project *p,
                                     const struct engine_kind *kind, void **params,
                                     struct diag *d)
{
    struct kind_conf kc;

    *params = NULL;
    if (of->tc.dry_run < 0)
        of->tc.dry_run = project_obj((struct project *)p)->dry_run;
    if (of->tc.dry_run == 1 && kind->plugin) {
        conf_error(of->cf, "task", "dry_run", d, "a thirdparty engine cannot be told to change "
                   "nothing: dry_run is for the built-in engines' tasks");
        return ST_INVAL;
    }
    if (kind->plugin)
        return ST_OK;
    if (kind_conf_parse(of->cf, "task", NULL, kind->task_keys, kind->task_params_size, &kc,
                        d) < 0) {
        kind_conf_release(&kc);
        return ST_INVAL;
    }
    *params = kind_conf_take(&kc);
    if (kind->check_task && kind->check_task(of->cf, p, *params, d) < 0) {
        conf_release(kind->task_keys, *params);
        free(*params);
        *params = NULL;
        return ST_INVAL;
    }
    conf_warn_unused(of->cf, "task", "not a key of this task's engine", d);
    return ST_OK;
}

static enum etmem_status stage_task(struct obj_file *of, struct staged *s, struct diag *d)
{
    struct project *p = resolve_project(s, of->tc.project);
    struct engine *e;
    const struct engine_kind *kind;
    void *params;
    enum etmem_status st;

    if (p == NULL)
        return no_project(of, "task", of->tc.project, d);
    if (s->engine != NULL && s->engine_parent == p &&
        strcmp(engine_obj(s->engine)->identity, of->tc.engine) == 0)
        e = s->engine;
    else
        e = project_find_engine(p, of->tc.engine);
    if (e == NULL) {
        conf_error(of->cf, "task", "engine", d, "engine '%s' does not exist in project '%s'",
                   of->tc.engine, p->name);
        return ST_ENG_NOEXIST;
    }
    if (engine_find_task(e, of->tc.name) != NULL) {
        conf_error(of->cf, "task", "name", d, "task '%s' already exists in engine '%s' of "
                   "project '%s'", of->tc.name, e->name, p->name);
        return ST_TASK_EXISTED;
    }
    kind = engine_obj(e)->kind;
    st = task_section_check(of, p, kind, &params, d);
    if (st != ST_OK)
        return st;
    s->task = task_new(&of->tc, params);
    s->task->eng = e;   /* engine hooks may look at it; linked at commit */
    s->task_parent = e;
    task_obj(s->task)->keys = object_keys(of->cf, "task", kind);
    if (kind->plugin)
        return task_fill_plugin_params(s->task, of->cf->kf, d) < 0 ? ST_INTER_ERR : ST_OK;
    return ST_OK;
}

static void staged_discard(struct staged *s, struct diag *d)
{
    if (s->task != NULL)
        task_destroy(s->task, d);
    if (s->engine != NULL)
        engine_destroy(s->engine, d);
    if (s->project != NULL)
        project_destroy(s->project, d);
}

static enum etmem_status staged_commit(struct obj_file *of, struct staged *s, struct diag *d)
{
    if (s->project != NULL && model_find_project(s->project->name) != NULL) {
        /* added by another command while a plug-in call had the lock dropped */
        conf_error(of->cf, "project", "name", d, "project '%s' already exists",
                   s->project->name);
        return ST_PRO_EXISTED;
    }
    if (s->project != NULL)
        project_link(s->project);
    if (s->engine != NULL)
        engine_link(s->engine_parent, s->engine);
    if (s->task == NULL)
        return ST_OK;
    task_link(s->task_parent, s->task);
    if (s->task_parent->proj->start && task_start(s->task, d) < 0)
        return ST_INTER_ERR;
    return ST_OK;
}

enum etmem_status obj_add_conf(struct conf_file *cf, struct diag *d)
{
    struct obj_file of;
    struct staged s = { 0 };
    enum etmem_status st = obj_file_read(cf, false, &of, d) < 0 ? ST_INVAL : ST_OK;

    if (st != ST_OK) {
        obj_file_release(&of);
        return st;
    }
    const char *names[] = { of.has_engine ? of.ec.project : NULL,
                            of.has_task ? of.tc.project : NULL };

    model_lock();
    if (project_hold_names(names, 2, "obj add", d) < 0) {
        model_unlock();
        obj_file_release(&of);
        return ST_INTER_ERR;
    }
    if (of.has_project)
        st = stage_project(&of, &s, d);
    if (st == ST_OK && of.has_engine)
        st = stage_engine(&of, &s, d);
    if (st == ST_OK && of.has_task)
        st = stage_task(&of, &s, d);
    if (st == ST_OK)
        st = staged_commit(&of, &s, d);
    if (st != ST_OK)
        staged_discard(&s, d);
    project_release_names(names, 2);
    model_unlock();
    if (st == ST_OK)
        log_info("added %s%s%sfrom %s", of.has_project ? "project " : "",
                 of.has_engine ? "engine " : "", of.has_task ? "task " : "", of.cf->path);
    obj_file_release(&of);
    return st;
}

enum etmem_status cmd_obj_add(const struct etmem_request *req, struct reply *r, struct diag *d)
{
    struct conf_file *cf = conf_file_load(req->field[FIELD_FILE], d);
    char *text = cf ? xstrndup(cf->text, cf->len) : NULL;
    size_t len = cf ? cf->len : 0;
    enum etmem_status st = obj_add_conf(cf, d);

    if (st == ST_OK)
        state_object_added(req->field[FIELD_FILE], text, len);
    free(text);
    return st;
}

/* Remove the objects of a file; each one missing is reported, the rest still go. */
enum etmem_status cmd_obj_del(const struct etmem_request *req, struct reply *r, struct diag *d)
{
    struct obj_file of;
    enum etmem_status st = obj_file_load(req->field[FIELD_FILE], true, &of, d), last = ST_OK;
    struct project *p;
    struct engine *e;
    struct task *t;

    if (st != ST_OK) {
        obj_file_release(&of);
        return st;
    }
    const char *names[] = { of.has_task ? of.tc.project : NULL,
                            of.has_engine ? of.ec.project : NULL,
                            of.has_project ? of.pc.name : NULL };

    model_lock();
    if (project_hold_names(names, 3, "obj del", d) < 0) {
        model_unlock();
        obj_file_release(&of);
        return ST_INTER_ERR;
    }
    if (of.has_task) {
        p = model_find_project(of.tc.project);
        e = p ? project_find_engine(p, of.tc.engine) : NULL;
        t = e ? engine_find_task(e, of.tc.name) : NULL;
        if (t != NULL) {
            task_destroy(t, d);
        } else {
            last = p == NULL ? ST_PRO_NOEXIST : e == NULL ? ST_ENG_NOEXIST : ST_TASK_NOEXIST;
            conf_error(of.cf, "task", "name", d, "no task '%s' in engine '%s' of project '%s'",
                       of.tc.name, of.tc.engine, of.tc.project);
        }
    }
    if (of.has_engine) {
        const char *identity = obj_file_engine_identity(&of);

        p = model_find_project(of.ec.project);
        e = p ? project_find_engine(p, identity) : NULL;
        if (e != NULL) {
            engine_destroy(e, d);
        } else {
            last = p == NULL ? ST_PRO_NOEXIST : ST_ENG_NOEXIST;
            conf_error(of.cf, "engine", "project", d, "no engine '%s' in project '%s'",
                       identity, of.ec.project);
        }
    }
    if (of.has_project) {
        p = model_find_project(of.pc.name);
        if (p != NULL) {
            project_destroy(p, d);
        } else {
            last = ST_PRO_NOEXIST;
            conf_error(of.cf, "project", "name", d, "no project '%s'", of.pc.name);
        }
    }
    project_release_names(names, 3);
    model_unlock();
    state_objects_deleted();
    if (last == ST_OK)
        log_info("removed the objects of %s", of.cf->path);
    obj_file_release(&of);
    return last;
}
