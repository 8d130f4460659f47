/* SPDX-License-Identifier: MulanPSL-2.0 */
/* dispatch.c - the command table: which fields each command needs and who runs it. */
#include "dispatch.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "log.h"
#include "xalloc.h"

#define NEED(f) (1u << (f))

static const struct {
    unsigned need;          /* request fields that must be present */
    command_fn run;
} command_table[CMD_COUNT] = {
    [CMD_OBJ_ADD] = { NEED(FIELD_FILE), cmd_obj_add },
    [CMD_OBJ_DEL] = { NEED(FIELD_FILE), cmd_obj_del },
    [CMD_PROJ_START] = { NEED(FIELD_PROJECT), cmd_project_start },
    [CMD_PROJ_STOP] = { NEED(FIELD_PROJECT), cmd_project_stop },
    [CMD_PROJ_SHOW] = { 0, cmd_project_show },
    [CMD_ENG_CMD] = { NEED(FIELD_PROJECT) | NEED(FIELD_ENGINE) | NEED(FIELD_ENG_CMD), cmd_engine },
    [CMD_METRICS] = { 0, cmd_metrics },
    [CMD_OBJ_UPDATE] = { NEED(FIELD_FILE), cmd_obj_update },
};

static const char *const field_desc[FIELD_COUNT] = {
    [FIELD_PROJECT] = "a project name",
    [FIELD_FILE] = "a config file",
    [FIELD_ENGINE] = "an engine name",
    [FIELD_ENG_CMD] = "an engine command",
    [FIELD_TASK] = "a task name",
};

/* The original client sends the path as typed; resolve it where that client ran. */
static void absolutize_file(struct etmem_request *req, pid_t pid)
{
    char link[64], cwd[PATH_MAX], *abs;
    ssize_t n;

    if (req->field[FIELD_FILE] == NULL || req->field[FIELD_FILE][0] == '/')
        return;
    snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
    n = readlink(link, cwd, sizeof(cwd) - 1);
    if (n < 0)
        return;     /* the file check will then report the relative path */
    cwd[n] = '\0';
    xasprintf(&abs, "%s/%s", cwd, req->field[FIELD_FILE]);
    free(req->field[FIELD_FILE]);
    req->field[FIELD_FILE] = abs;
}

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

void dispatch_request(struct etmem_request *req, const struct peer *peer, struct reply *r)
{
    struct diag d = { 0 };
    enum etmem_status st;

    absolutize_file(req, peer->pid);
    log_debug("request from pid %d: %s project=%s file=%s engine=%s cmd=%s task=%s",
              (int)peer->pid, etmem_cmd_name(req->cmd),
              or_dash(req->field[FIELD_PROJECT]), or_dash(req->field[FIELD_FILE]),
              or_dash(req->field[FIELD_ENGINE]), or_dash(req->field[FIELD_ENG_CMD]),
              or_dash(req->field[FIELD_TASK]));
    st = ST_OK;
    for (int f = 0; f < FIELD_COUNT; f++) {
        if ((command_table[req->cmd].need & NEED(f)) && req->field[f] == NULL) {
            diag_error(&d, "invalid parameters: %s needs %s", etmem_cmd_name(req->cmd),
                       field_desc[f]);
            st = ST_INVAL;
        }
    }
    if (st == ST_OK)
        st = command_table[req->cmd].run(req, r, &d);
    reply_diag(r, &d);
    reply_end(r, st);
    diag_free(&d);
}
