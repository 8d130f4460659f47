/* SPDX-License-Identifier: MulanPSL-2.0 */
/* etmemd_engine_exp.h - struct engine and the plug-in interface struct engine_ops.
 * ABI: member order and signatures are those of the original openEuler etmem; do not change.
 *
 * Contract for plug-ins (calls come from etmemd, in this order over an object's life):
 *   fill_eng_params   at `etmem obj add` of the [engine] section; parse private keys from
 *                     the GKeyFile (group "engine"), store them in eng->params. Non-zero fails
 *                     the whole add.
 *   fill_task_params  at `obj add` of a [task]; private keys from group "task" into tk->params.
 *   start_task        at `project start` (or at add when the project is already started);
 *                     the plug-in creates its own threads if it needs any.
 *   alloc_pid_params / free_pid_params   around the life of each target pid of a task;
 *                     as in the original, never for thirdparty engines: their tk->pids
 *                     stays NULL and a plug-in finds its processes from tk->type/tk->value.
 *   eng_mgt_func      for `etmem engine <cmd>`; write the reply text to fd. Never write the
 *                     bytes 0xff or 0xfe (they are the protocol's own), do not close fd or
 *                     keep it after returning. Return 0 on success.
 *   stop_task         at `project stop`, `obj del` or daemon shutdown; must not block for long.
 *   clear_task_params / clear_eng_params   at `obj del`; free what fill_* allocated.
 * Any member may be NULL. A NULL start_task makes `project start` fail for that engine.
 * etmemd calls one member of a library at a time, each on a thread of its own, and waits at
 * most the engine's call_timeout (default 5 s); a call still running then is left running
 * and reported, and the objects it was given are kept (see docs/thirdparty.md). */
#ifndef ETMEMD_ENGINE_EXP_H
#define ETMEMD_ENGINE_EXP_H

#include <glib.h>
#include <stdint.h>

struct task;
struct task_pid;
struct project;
struct page_refs;

struct engine {
    int engine_type;            /* enum eng_type */
    char *name;                 /* engine name; eng_name for thirdparty engines */
    void *params;               /* the engine's own parameters */
    struct project *proj;
    struct page_refs *page_ref;
    struct engine_ops *ops;
    struct task *tasks;
    uint64_t page_cnt;
    struct engine *next;
    void *handler;              /* dlopen handle of a thirdparty engine */
};

struct engine_ops {
    int (*fill_eng_params)(GKeyFile *config, struct engine *eng);
    void (*clear_eng_params)(struct engine *eng);
    int (*fill_task_params)(GKeyFile *config, struct task *task);
    void (*clear_task_params)(struct task *tk);
    int (*start_task)(struct engine *eng, struct task *tk);
    void (*stop_task)(struct engine *eng, struct task *tk);
    int (*alloc_pid_params)(struct engine *eng, struct task_pid **tk_pid);
    void (*free_pid_params)(struct engine *eng, struct task_pid **tk_pid);
    int (*eng_mgt_func)(struct engine *eng, struct task *tk, char *cmd, int fd);
};

/* engine->engine_type values (the original's numbering). */
enum eng_type {
    SLIDE_ENGINE = 0,
    CSLIDE_ENGINE,
    MEMDCD_ENGINE,
    DAMON_ENGINE,
    DYNAMIC_FB_ENGINE,
    HISTORICAL_FB_ENGINE,
    THIRDPARTY_ENGINE,
    NOT_SUPPORT_ENGINE,
};

#endif
