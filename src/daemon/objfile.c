/* SPDX-License-Identifier: MulanPSL-2.0 */
/* objfile.c - a config file's sections parsed without the object tree. */
#include "objfile.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "diag.h"
#include "engine.h"
#include "xalloc.h"

int kind_conf_parse(struct conf_file *cf, const char *group, const struct config_key *id_keys,
                    const struct config_key *keys, size_t size, struct kind_conf *kc,
                    struct diag *d)
{
    kc->tables[0] = id_keys;
    kc->tables[1] = keys;
    kc->params = xcalloc(1, size ? size : 1);
    for (int i = 0; i < 2; i++) {
        if (kc->tables[i] != NULL && conf_walk(cf, group, kc->tables[i], kc->params, d) < 0)
            return -1;
    }
    return 0;
}

void *kind_conf_take(struct kind_conf *kc)
{
    void *params = kc->params;

    kc->params = NULL;
    return params;
}

void kind_conf_release(struct kind_conf *kc)
{
    for (int i = 0; i < 2; i++) {
        if (kc->tables[i] != NULL && kc->params != NULL)
            conf_release(kc->tables[i], kc->params);
    }
    free(kc->params);
    kc->params = NULL;
}

int obj_file_read(struct conf_file *cf, bool id_only, struct obj_file *of, struct diag *d)
{
    const struct engine_kind *k;

    memset(of, 0, sizeof(*of));
    project_conf_init(&of->pc);
    task_conf_init(&of->tc);
    of->cf = cf;
    if (cf == NULL)
        return -1;
    of->has_project = conf_group_find(cf, "project") != NULL;
    of->has_engine = conf_group_find(cf, "engine") != NULL;
    of->has_task = conf_group_find(cf, "task") != NULL;
    if (of->has_project && project_conf_parse(cf, &of->pc, id_only, d) < 0)
        return -1;
    if (of->has_engine && engine_conf_parse(cf, &of->ec, d) < 0)
        return -1;
    if (of->has_task && task_conf_parse(cf, &of->tc, id_only, d) < 0)
        return -1;
    if (!id_only && of->has_project)
        conf_warn_unused(cf, "project", "not a [project] key", d);
    if (!of->has_engine)
        return 0;
    k = of->ec.kind;
    if (kind_conf_parse(cf, "engine", k->engine_id_keys, id_only ? NULL : k->engine_keys,
                        k->engine_params_size, &of->engine_kc, d) < 0)
        return -1;
    if (id_only)
        return 0;
    if (k->check_engine != NULL && k->check_engine(cf, of->engine_kc.params, d) < 0)
        return -1;
    if (!k->plugin)
        conf_warn_unused(cf, "engine", "not a key of the engine", d);
    return 0;
}

const char *obj_file_engine_identity(const struct obj_file *of)
{
    const struct engine_kind *k = of->ec.kind;

    return k->identity ? k->identity(of->engine_kc.params) : k->name;
}

void obj_file_release(struct obj_file *of)
{
    kind_conf_release(&of->engine_kc);
    if (of->has_project)
        project_conf_release(&of->pc);
    if (of->has_engine)
        engine_conf_release(&of->ec);
    if (of->has_task)
        task_conf_release(&of->tc);
    conf_file_free(of->cf);
    of->cf = NULL;
#ifdef __GLIBC__
    malloc_trim(0);     /* a 10 MiB file's parse takes tens of MiB: give them back */
#endif
}
