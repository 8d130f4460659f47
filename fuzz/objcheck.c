/* SPDX-License-Identifier: MulanPSL-2.0 */
/* objcheck.c - the sections of one config file checked as `obj add` does, minus the object
 * tree: src/daemon/objfile.c reads the sections; here a task's engine kind is taken from the
 * file's own [engine] when the identities match, else from a built-in kind of that name, and
 * its project is the file's [project], else a page-scan project with the largest loop. */
#include "objcheck.h"

#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "diag.h"
#include "engine.h"
#include "objconf.h"
#include "objfile.h"
#include "xalloc.h"

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
    if (kind_conf_parse(cf, "task", NULL, kind->task_keys, kind->task_params_size, &kc,
                        d) < 0)
        rc = -1;
    else if (kind->check_task != NULL && kind->check_task(cf, &proj, kc.params, d) < 0)
        rc = -1;
    else
        conf_warn_unused(cf, "task", "not a key of this task's engine", d);
    kind_conf_release(&kc);
    return rc;
}

int objfile_check_add(struct conf_file *cf, struct diag *d)
{
    struct obj_file of;
    int rc = obj_file_read(cf, false, &of, d);

    if (rc == 0 && of.has_task) {
        const char *identity = of.has_engine ? obj_file_engine_identity(&of) : NULL;
        const struct engine_kind *k = task_kind(&of.tc, identity, of.ec.kind);

        if (k != NULL && check_task(cf, &of.pc, of.has_project, &of.tc, k, d) < 0)
            rc = -1;
    }
    of.cf = NULL;   /* the caller's */
    obj_file_release(&of);
    return rc;
}

int objfile_check_del(struct conf_file *cf, struct diag *d)
{
    struct obj_file of;
    int rc = obj_file_read(cf, true, &of, d);

    of.cf = NULL;   /* the caller's */
    obj_file_release(&of);
    return rc;
}
