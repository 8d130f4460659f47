/* SPDX-License-Identifier: MulanPSL-2.0 */
/* engine.h - what an engine kind (slide, cslide, thirdparty) provides to the daemon.
 *
 * An engine kind is data plus hooks: its config keys (validated by the common key-table
 * walker into a params struct of the given size), cross-key checks, and the guide's
 * struct engine_ops for the runtime. Engines see projects, engines and tasks only through
 * the public structs of include/etmem; they never see the daemon's object model or RPC. */
#ifndef ETMEM_ENGINE_H
#define ETMEM_ENGINE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "etmemd_thirdparty_export.h"
#include "guard.h"
#include "keytable.h"

struct conf_file;
struct diag;
struct plugin_gate;

/* Per-pid record of a task's targets. The first fields are the original's private layout,
 * which existing plug-ins use blind through alloc_pid_params/free_pid_params. */
struct task_pid {
    unsigned int pid;
    float rt_swapin_rate;
    void *params;
    struct task *tk;
    struct task_pid *next;
    /* ours, after the original's fields: start time, so a reused pid is told apart */
    unsigned long long starttime;
};

/* The daemon's task: the guide's struct task (what plug-ins see) followed by what etmemd
 * keeps beside it. Every struct task an engine is given is the pub of one of these. */
struct task_ext {
    struct task pub;
    bool allow_init;            /* [task] allow_init=yes: pid 1 and its children may be covered */
    bool dry_run;               /* decide and count, change nothing ([project]/[task] dry_run) */
};

static inline const struct task_ext *task_ext_of(const struct task *tk)
{
    return (const struct task_ext *)tk;
}

/* What `project show` tells about a running task; engines fill what they know. */
#define REPORT_PIDS_MAX 64
struct task_report {
    const char *state;          /* running, waiting, idle, stopped, error; NULL: unknown */
    char backend[48];           /* e.g. "fallback+madvise" */
    int nr_pids;
    unsigned pids[REPORT_PIDS_MAX];
    unsigned long long cycles;
    unsigned long long idle_cycles;     /* cycles with nothing to do: no process, or
                                           available memory above sysmem_threshold */
    long long last_scan;        /* time(NULL) at the start of the last scan; 0: none yet */
    double last_scan_secs;      /* its duration */
    unsigned long long pages_scanned;   /* last cycle, all pids */
    unsigned long long pages_hot;
    unsigned long long pages_cold;
    unsigned long long bytes_swapped;   /* since start */
    unsigned long long refaults;        /* major faults of the targets since start */
    /* since start, for metrics: counters only grow while the task runs */
    unsigned long long pages_scanned_total;
    double scan_cpu_secs;               /* CPU time of its scans */
    unsigned long long bytes_moved[2];  /* between NUMA nodes: [0] to slow, [1] to fast */
    /* the targets' memory at the end of the last cycle (VmRSS, VmSwap summed) */
    unsigned long long rss_bytes;
    unsigned long long swap_bytes;
    /* type=cgroup: the cgroup found at the last cycle ("" none) and what its memory
     * controller counts (v2 memory.current, memory.swap.current); -1: not known */
    char cgroup_dir[256];
    long long cgroup_memory, cgroup_swap;
    /* dry run: what the task would have done, in its last cycle and since start */
    bool dry_run;
    const char *dry_run_to;             /* where it would have sent memory: "swap", ... */
    unsigned long long dry_bytes_last, dry_regions_last;
    unsigned long long dry_bytes_total, dry_regions_total;
    char note[192];             /* why it is waiting/idle, or the last error */
    struct guard_report guard;  /* the feedback guard and safety envelope */
    /* what sensing cost the targets: the probes of a tracker that pages out to sense
     * (fallback), and those of them that came back (each one a fault of the target) */
    struct probe_report {
        bool on;                        /* the tracker probes */
        double budget_pct;              /* the probe cost budget in force, %/min of RSS */
        bool from_guard;                /* ... a share of the guard's refault target */
        unsigned long long cycle, back_cycle;   /* probes and comebacks, last cycle */
        unsigned long long total, back_total;   /* since start */
        unsigned long long next;        /* probes the budget allows the next window */
        double back_pct;                /* last cycle's comebacks per minute, % of RSS */
    } probes;
    /* the damon engine's scheme since start, as DAMOS counts them: regions that qualified
     * (tried) and what its action was applied to */
    struct {
        const char *action;     /* NULL: not a damon task */
        bool by_kernel;         /* the kernel's DAMOS applies it (else etmemd does) */
        unsigned long long nr_tried, sz_tried, nr_applied, sz_applied, qt_exceeds;
    } damos;
};

/* How the daemon calls a plug-in engine (see plugin_call.h); filled by the kind's attach. */
struct plugin_binding {
    struct plugin_gate *gate;           /* its library's: one call at a time */
    unsigned timeout_ms;                /* how long one call may take */
};

struct engine_kind {
    const char *name;                   /* [engine] name=... */
    int engine_type;                    /* enum eng_type */
    const char *summary;                /* one line for help and docs */

    /* [engine] keys that identify the engine within its project (thirdparty: eng_name);
     * NULL means the engine is identified by its kind name. */
    const struct config_key *engine_id_keys;
    const struct config_key *engine_keys;   /* the other [engine] keys */
    size_t engine_params_size;              /* walker fills one of these, eng->params */
    const struct config_key *task_keys;     /* [task] keys of this engine */
    size_t task_params_size;                /* walker fills one of these, tk->params */
    /* A plug-in owns eng->params, tk->params and every key the tables do not name;
     * built-in engines get their parsed params struct there instead. */
    bool plugin;

    /* The engine's name among its project's engines (default: the kind name). */
    const char *(*identity)(const void *engine_params);
    /* Cross-key and cross-object checks; d gets the message (with file:line from cf). */
    int (*check_engine)(const struct conf_file *cf, void *engine_params, struct diag *d);
    int (*check_task)(const struct conf_file *cf, const struct project *proj,
                      void *task_params, struct diag *d);
    /* Runtime set-up at obj add (thirdparty: load the plug-in) and its undo at obj del,
     * after the plug-in's clear_* ran; engine_conf is what the walker parsed from
     * engine_keys, cf the file (for file:line in messages). attach sets eng->ops when the
     * engine brings its own. NULL: nothing to do. The model calls fill_eng_params after. */
    int (*attach)(struct engine *eng, void *engine_conf, const struct conf_file *cf,
                  struct diag *d);
    void (*detach)(struct engine *eng, void *engine_conf);
    /* Plug-in kinds: how to call the attached plug-in. */
    const struct plugin_binding *(*binding)(const void *engine_conf);

    struct engine_ops *ops;             /* built-in engines' runtime; NULL until implemented */
    /* obj update of a running task; NULL: the kind's running tasks cannot take new keys.
     * suspend_task stops the task's cycles and keeps its runtime state (heat, the guard's,
     * its counters); it is called as stop_task is (the model unlocked). The daemon then
     * gives the task its new keys (tk->params, its generic fields, its project's keys) and
     * calls resume_task with the params it ran with: it moves the runtime state over and
     * starts its cycles again, which read the new keys from their next cycle on. -1 from
     * resume_task (reported with engine_error): the task is stopped, its state freed. */
    void (*suspend_task)(struct task *tk);
    int (*resume_task)(struct task *tk, void *old_params);
    /* Fill rep for `project show` (called with the model locked; must not block). */
    void (*report_task)(struct task *tk, struct task_report *rep);
    /* A built-in engine's own commands (`etmem engine <cmd>`), writing the answer to fd;
     * json asks for JSON. 0 on success. NULL: ops->eng_mgt_func (the plug-in ABI, which has
     * no JSON form) serves them. */
    int (*command)(struct engine *eng, struct task *tk, const char *cmd, bool json, int fd);
};

const struct engine_kind *engine_kind_find(const char *name);
/* NULL-terminated list of every kind, for help and docs. */
extern const struct engine_kind *const engine_kinds[];

/* The kinds, defined in their own files. */
extern const struct engine_kind slide_engine_kind;
extern const struct engine_kind cslide_engine_kind;
extern const struct engine_kind thirdparty_engine_kind;
extern const struct engine_kind psi_engine_kind;
extern const struct engine_kind damon_engine_kind;

/* The newest original numbers its psi engine between DAMON and the fallback engines, which
 * moves THIRDPARTY_ENGINE; plug-ins built for the guide see the guide's numbers, so ours
 * comes after them. */
#define PSI_ENGINE (NOT_SUPPORT_ENGINE + 1)

#endif
