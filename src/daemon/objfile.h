/* SPDX-License-Identifier: MulanPSL-2.0 */
/* objfile.h - what one config file says, parsed and checked section by section: the part of
 * `etmem obj add` and `obj del` that needs neither the object tree nor its lock. The
 * commands (cmd_obj.c) then check it against the tree; the config fuzzer uses it alone. */
#ifndef ETMEM_OBJFILE_H
#define ETMEM_OBJFILE_H

#include <stdbool.h>

#include "objconf.h"

struct conf_file;
struct diag;

/* The values of one engine kind's key tables (identity keys, other keys). */
struct kind_conf {
    const struct config_key *tables[2];
    void *params;
};

struct obj_file {
    struct conf_file *cf;
    bool has_project, has_engine, has_task;
    struct project_conf pc;
    struct engine_conf ec;
    struct task_conf tc;
    struct kind_conf engine_kc;     /* the engine kind's own [engine] keys */
};

/* Read every section present: the generic tables, then the engine kind's tables (identity
 * keys only when id_only, as obj del needs). of takes cf over in every case. 0, or -1 with
 * the reason in d. */
int obj_file_read(struct conf_file *cf, bool id_only, struct obj_file *of, struct diag *d);
void obj_file_release(struct obj_file *of);
/* The [engine] section's engine name within its project (eng_name for thirdparty). */
const char *obj_file_engine_identity(const struct obj_file *of);

/* Walk a kind's tables of group into freshly allocated params of size bytes. */
int kind_conf_parse(struct conf_file *cf, const char *group, const struct config_key *id_keys,
                    const struct config_key *keys, size_t size, struct kind_conf *kc,
                    struct diag *d);
/* Hand the params to a new owner; kc no longer frees them. */
void *kind_conf_take(struct kind_conf *kc);
void kind_conf_release(struct kind_conf *kc);

#endif
