/* objfile.c - the sections of one config file, parsed and checked as `obj add` does
 * (src/daemon/cmd_obj.c) minus the object tree: a task's engine kind is taken from the
 * file's own [engine] when the identities match, else from a built-in kind of that name;
 * its project is the file's [project], else a page-scan project with the largest loop. */
#include "objfile.h"

#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "diag.h"
#include "engine.h"
#include "objconf.h"
#include "xalloc.h"

struct kind_conf {
    const struct engine_kind *kind;
    const struct config_key *tables[2];
    void *params;
};

static int kind_conf_parse(struct conf_file *cf, const char *group,
                           const struct engine_kind *kind, const struct config_key *id_keys,
                           const struct config_key *keys, size_t size, struct kind_conf *kc,
                           struct diag *d)
{
    kc->kind = kind;
    kc->tables[0] = id_keys;
    kc->tables[1] = keys;
    kc->params = xcalloc(1, size ? size : 1);
    for (int i = 0; i < 2; i++) {
        if (kc->tables[i] != NULL && conf_walk(cf, group, kc->tables[i], kc->params, d) < 0)
            return -1;
    }
    return 0;
}

static void kind_conf_release(struct kind_conf *kc)
{
    for (int i = 0; i < 2; i++) {
        if (kc->tables[i] != NULL && kc->params != NULL)
            conf_release(kc->tables[i], kc->params);
    }
    free(kc->params);
    kc->params = NULL;
}

/* The kind a task's engine= names: the file's engine when its identity matches. */
static const struct engine_kind *task_kind(const struct task_conf *tc, const char *eng_identity,
                                           const struct engine_kind *eng_kind)
{
    if (eng_identity != NULL && strcmp(eng_identity, tc->engine) == 0)
        return eng_kind;
    return engine_kind_find(tc->engine);
}

static int check_task(struct conf_file *cf, const struct project_conf *pc, bool has_project,
                      const struct task_conf *tc, const struct engine_kind *kind, struct diag *d)
{
    struct page_scan scan = { .interval = 1, .loop = 120, .sleep = 1 };
    struct project proj = { .name = (char *)"fuzz", .type = PAGE_SCAN, .scan_param = &scan,
                            .sysmem_threshold = -1, .swapcache_high_wmark = -1,
                            .swapcache_low_wmark = -1 };
    struct kind_conf kc = { 0 };
    int rc = 0;

    if (has_project && strcmp(pc->name, tc->project) == 0) {
        proj.name = pc->name;
        proj.type = (enum scan_type)pc->scan_type;
        scan.loop = pc->loop;
        scan.interval = pc->interval;
        scan.sleep = pc->sleep;
    }
    if (kind->plugin)
        return 0;   /* the plug-in's fill_task_params reads the rest */
    if (kind_conf_parse(cf, "task", kind, NULL, kind->task_keys, kind->task_params_size, &kc,
                        d) < 0)
        rc = -1;
    else if (kind->check_task != NULL && kind->check_task(cf, &proj, kc.params, d) < 0)
        rc = -1;
    else
        conf_warn_unused(cf, "task", "not a key of this task's engine", d);
    kind_conf_release(&kc);
    return rc;
}

/* What one file holds, parsed. */
struct sections {
    bool has_project, has_engine, has_task;
    struct project_conf pc;
    struct engine_conf ec;
    struct task_conf tc;
    struct kind_conf ekc;       /* the engine kind's own [engine] keys */
};

/* The generic tables of each section present, then the engine kind's [engine] tables
 * (identity keys only for del, as obj del reads them). */
static int sections_parse(struct conf_file *cf, bool id_only, struct sections *s,
                          struct diag *d)
{
    const struct engine_kind *k;

    memset(s, 0, sizeof(*s));
    project_conf_init(&s->pc);
    task_conf_init(&s->tc);
    s->has_project = conf_group_find(cf, "project") != NULL;
    s->has_engine = conf_group_find(cf, "engine") != NULL;
    s->has_task = conf_group_find(cf, "task") != NULL;
    if (s->has_project && project_conf_parse(cf, &s->pc, id_only, d) < 0)
        return -1;
    if (s->has_engine && engine_conf_parse(cf, &s->ec, d) < 0)
        return -1;
    if (s->has_task && task_conf_parse(cf, &s->tc, id_only, d) < 0)
        return -1;
    if (!id_only && s->has_project)
        conf_warn_unused(cf, "project", "not a [project] key", d);
    if (!s->has_engine)
        return 0;
    k = s->ec.kind;
    return kind_conf_parse(cf, "engine", k, k->engine_id_keys, id_only ? NULL : k->engine_keys,
                           k->engine_params_size, &s->ekc, d);
}

static void sections_release(struct sections *s)
{
    kind_conf_release(&s->ekc);
    if (s->has_project)
        project_conf_release(&s->pc);
    if (s->has_engine)
        engine_conf_release(&s->ec);
    if (s->has_task)
        task_conf_release(&s->tc);
}

int objfile_check_add(struct conf_file *cf, struct diag *d)
{
    struct sections s;
    const char *identity = NULL;
    int rc = -1;

    if (sections_parse(cf, false, &s, d) < 0)
        goto out;
    if (s.has_engine) {
        const struct engine_kind *k = s.ec.kind;

        identity = k->identity ? k->identity(s.ekc.params) : k->name;
        if (k->check_engine != NULL && k->check_engine(cf, s.ekc.params, d) < 0)
            goto out;
        if (!k->plugin)
            conf_warn_unused(cf, "engine", "not a key of the engine", d);
    }
    if (s.has_task) {
        const struct engine_kind *k = task_kind(&s.tc, identity, s.ec.kind);

        if (k != NULL && check_task(cf, &s.pc, s.has_project, &s.tc, k, d) < 0)
            goto out;
    }
    rc = 0;
out:
    sections_release(&s);
    return rc;
}

int objfile_check_del(struct conf_file *cf, struct diag *d)
{
    struct sections s;
    int rc = sections_parse(cf, true, &s, d);

    sections_release(&s);
    return rc;
}
