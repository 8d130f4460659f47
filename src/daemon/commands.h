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
enum etmem_status cmd_metrics(const struct etmem_request *req, struct reply *r, struct diag *d);

struct task;
struct task_report;
/* What a task reports now (its engine's figures while it runs), for show and metrics;
 * called with the model locked. */
void task_report_get(struct task *t, struct task_report *rep);

#endif
