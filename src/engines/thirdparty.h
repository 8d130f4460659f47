/* SPDX-License-Identifier: MulanPSL-2.0 */
/* thirdparty.h - the thirdparty engine's parameters and its plug-in libraries. */
#ifndef ETMEM_THIRDPARTY_H
#define ETMEM_THIRDPARTY_H

#include "engine.h"

struct conf_file;
struct diag;
struct plugin_lib;

struct thirdparty_engine_conf {
    char *eng_name;     /* the engine's name in its project; tasks refer to it */
    char *libname;      /* absolute path of the plug-in */
    char *ops_name;     /* symbol of its struct engine_ops */
    int call_timeout;   /* seconds a call into the plug-in may take */
    struct plugin_lib *lib;         /* set by attach */
    struct plugin_binding binding;  /* what the daemon needs to call it */
};

/* Open libname, check the opened file as the guide requires (regular file, not a symlink,
 * owned by root, mode 500 or 700), load it through /proc/self/fd and find ops_name, a
 * struct engine_ops defined by the library itself. Errors name the file, the rule and
 * cf's line of the key. Libraries loaded twice are shared (one gate). */
struct plugin_lib *plugin_lib_load(const char *libname, const char *ops_name,
                                   struct engine_ops **ops, const struct conf_file *cf,
                                   struct diag *d);
struct plugin_gate *plugin_lib_gate(struct plugin_lib *lib);
void *plugin_lib_handle(struct plugin_lib *lib);
/* Drop one load; the last one dlcloses (no code of the library may still run). */
void plugin_lib_unload(struct plugin_lib *lib);

/* The mode rule alone: NULL when mode (st_mode & 07777) is acceptable, else why not. */
const char *plugin_mode_problem(unsigned mode);

#endif
