/* SPDX-License-Identifier: MulanPSL-2.0 */
/* objconf.h - the generic [project], [engine] and [task] keys and what they parse into.
 * Engine-specific keys live with each engine (see engine.h). */
#ifndef ETMEM_OBJCONF_H
#define ETMEM_OBJCONF_H

#include "engine.h"
#include "keytable.h"

struct diag;
struct conf_file;

#define OBJ_NAME_MAX 64
#define TASK_VALUE_MAX 15

struct project_conf {
    char *name;
    int scan_type;              /* enum scan_type */
    int loop, interval, sleep;
    int sysmem_threshold;       /* -1: unset */
    int swapcache_high_wmark;   /* -1: unset */
    int swapcache_low_wmark;
    int kernel_swap_enable;     /* -1: leave the knob alone, else 0/1 */
    int dry_run;                /* tasks decide and count but change nothing */
    unsigned long sample_interval, aggr_interval, update_interval;
    unsigned long min_nr_regions, max_nr_regions;
};

struct engine_conf {
    char *project;
    const struct engine_kind *kind;
};

enum task_type { TASK_TYPE_PID = 0, TASK_TYPE_NAME = 1, TASK_TYPE_CGROUP = 2 };

struct task_conf {
    char *project;
    char *engine;
    char *name;
    int type;                   /* enum task_type */
    char *value;
    int max_threads;
    int swap_flag;
    int allow_init;             /* may cover pid 1 (init) and its direct children */
    int dry_run;                /* -1: as its project says */
};

extern const struct config_key project_id_keys[];
extern const struct config_key project_keys[];
extern const struct config_key engine_id_keys[];
extern const struct config_key task_id_keys[];
extern const struct config_key task_keys[];
extern const char *const task_type_names[];

void project_conf_init(struct project_conf *pc);
void task_conf_init(struct task_conf *tc);

/* Parse and check a whole section (identity keys first, then the rest unless id_only). */
int project_conf_parse(struct conf_file *cf, struct project_conf *pc, bool id_only,
                       struct diag *d);
int engine_conf_parse(struct conf_file *cf, struct engine_conf *ec, struct diag *d);
int task_conf_parse(struct conf_file *cf, struct task_conf *tc, bool id_only, struct diag *d);

void project_conf_release(struct project_conf *pc);
void engine_conf_release(struct engine_conf *ec);
void task_conf_release(struct task_conf *tc);

/* Print every key table (generic and per engine) for --help-config: text, markdown
 * (docs/config-keys.md) or the man page etmem.conf(5). */
void objconf_print_help(FILE *out, enum key_format format);

#endif
