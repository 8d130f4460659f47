/* SPDX-License-Identifier: MulanPSL-2.0 */
/* commands.h - the daemon side of each client command. A handler runs with the request's
 * fields checked for presence, writes output through r, puts its messages into d, and
 * returns the status the client gets. */
#ifndef ETMEM_COMMANDS_H
#define ETMEM_COMMANDS_H

#include "protocol.h"
#include "reply.h"

struct diag;

typedef enum etmem_status (*command_fn)(const struct etmem_request *req, struct reply *r,
                                        struct diag *d);

enum etmem_status cmd_obj_add(const struct etmem_request *req, struct reply *r, struct diag *d);
enum etmem_status cmd_obj_del(const struct etmem_request *req, struct reply *r, struct diag *d);
enum etmem_status cmd_project_start(const struct etmem_request *req, struct reply *r,
                                    struct diag *d);
enum etmem_status cmd_project_stop(const struct etmem_request *req, struct reply *r,
                                   struct diag *d);
enum etmem_status cmd_project_show(const struct etmem_request *req, struct reply *r,
                                   struct diag *d);
enum etmem_status cmd_engine(const struct etmem_request *req, struct reply *r, struct diag *d);
struct conf_file;
/* obj add of a file already loaded (cf is consumed): what cmd_obj_add and a restart run. */
enum etmem_status obj_add_conf(struct conf_file *cf, struct diag *d);
enum etmem_status cmd_obj_update(const struct etmem_request *req, struct reply *r,
                                 struct diag *d);
/* obj update of a file's text (label names it in messages); create: a project that does not
 * exist is added (a restart replaying a kept update), else that is an error. */
enum etmem_status obj_update_text(const char *label, const char *text, size_t len, bool create,
                                  struct diag *d);
struct obj_file;
struct project;
struct engine_kind;
/* A [task] section checked as obj add and update check it, for an engine of kind in project
 * p (for update, the project as it will be): dry_run defaulted from p, a built-in engine's
 * keys parsed into *params (NULL for plug-ins) and its cross-checks run. */
enum etmem_status task_section_check(struct obj_file *of, const struct project *p,
                                     const struct engine_kind *kind, void **params,
                                     struct diag *d);
enum etmem_status cmd_metrics(const struct etmem_request *req, struct reply *r, struct diag *d);

struct task;
struct task_report;
/* What a task reports now (its engine's figures while it runs), for show and metrics;
 * called with the model locked. */
void task_report_get(struct task *t, struct task_report *rep);

#endif
