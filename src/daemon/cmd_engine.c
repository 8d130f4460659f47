/* cmd_engine.c - `etmem engine <cmd> -n PROJECT -e ENGINE [-t TASK]`: an engine's own
 * command. The engine writes its answer to a pipe; a relay thread streams it to the client
 * and stops passing it on at the first 0xff/0xfe byte, which the guide reserves for the
 * protocol (the rest is drained so the engine never blocks on a full pipe). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "log.h"
#include "model.h"

struct relay {
    int fd;                 /* read end of the engine's pipe */
    struct reply *r;
    bool reserved_byte;     /* the engine wrote 0xff/0xfe: output was cut there */
};

static void *relay_main(void *arg)
{
    struct relay *rl = arg;
    char buf[4096];
    ssize_t n;

    while ((n = read(rl->fd, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (rl->reserved_byte)
            continue;
        for (ssize_t i = 0; i < n; i++) {
            if ((unsigned char)buf[i] == ETMEM_LEGACY_OK ||
                (unsigned char)buf[i] == ETMEM_LEGACY_FAIL) {
                rl->reserved_byte = true;
                n = i;
                break;
            }
        }
        reply_out(rl->r, buf, (size_t)n);
    }
    return NULL;
}

/* Run the engine's command with its output relayed to r; returns its result. */
static int run_engine_command(struct engine *e, struct task *t, const char *cmd, bool json,
                              struct reply *r, struct diag *d)
{
    int pipefd[2];
    pthread_t tid;
    struct relay rl = { .r = r };
    char *cmd_copy = strdup(cmd);
    int rc;

    if (cmd_copy == NULL || pipe2(pipefd, O_CLOEXEC) < 0) {
        diag_error(d, "cannot run engine command: %s", strerror(errno));
        free(cmd_copy);
        return -1;
    }
    rl.fd = pipefd[0];
    if ((rc = pthread_create(&tid, NULL, relay_main, &rl)) != 0) {
        diag_error(d, "cannot run engine command: %s", strerror(rc));
        close(pipefd[0]);
        close(pipefd[1]);
        free(cmd_copy);
        return -1;
    }
    if (engine_obj(e)->kind->command != NULL)
        rc = engine_obj(e)->kind->command(e, t, cmd_copy, json, pipefd[1]);
    else
        rc = e->ops->eng_mgt_func(e, t, cmd_copy, pipefd[1]);
    close(pipefd[1]);
    pthread_join(tid, NULL);
    close(pipefd[0]);
    free(cmd_copy);
    if (rl.reserved_byte) {
        diag_error(d, "engine '%s' wrote a reserved byte (0xff or 0xfe) in its output; the "
                   "output was cut there", e->name);
        return -1;
    }
    return rc;
}

enum etmem_status cmd_engine(const struct etmem_request *req, struct reply *r, struct diag *d)
{
    const char *cmd = req->field[FIELD_ENG_CMD];
    bool json = (req->flags & REQ_FLAG_JSON) != 0;
    enum etmem_status st = ST_OK;
    struct project *p;
    struct engine *e = NULL;
    struct task *t = NULL;

    model_lock();
    p = model_find_project(req->field[FIELD_PROJECT]);
    if (p == NULL) {
        diag_error(d, "project '%s' does not exist", req->field[FIELD_PROJECT]);
        st = ST_PRO_NOEXIST;
        goto out;
    }
    e = project_find_engine(p, req->field[FIELD_ENGINE]);
    if (e == NULL) {
        diag_error(d, "engine '%s' does not exist in project '%s'", req->field[FIELD_ENGINE],
                   p->name);
        st = ST_ENG_NOEXIST;
        goto out;
    }
    if (req->field[FIELD_TASK] != NULL) {
        t = engine_find_task(e, req->field[FIELD_TASK]);
        if (t == NULL) {
            diag_error(d, "task '%s' does not exist in engine '%s' of project '%s'",
                       req->field[FIELD_TASK], e->name, p->name);
            st = ST_TASK_NOEXIST;
            goto out;
        }
    }
    if (!p->start) {
        diag_error(d, "invalid parameters: project '%s' is not started; engine commands need "
                   "a running project", p->name);
        st = ST_INVAL;
        goto out;
    }
    if (engine_obj(e)->kind->command == NULL && (e->ops == NULL || e->ops->eng_mgt_func == NULL)) {
        diag_error(d, "invalid parameters: engine '%s' has no engine commands", e->name);
        st = ST_INVAL;
        goto out;
    }
    if (json && engine_obj(e)->kind->command == NULL) {
        diag_error(d, "invalid parameters: engine '%s' has no JSON output", e->name);
        st = ST_INVAL;
        goto out;
    }
    if (run_engine_command(e, t, cmd, json, r, d) != 0) {
        if (!diag_failed(d))
            diag_error(d, "invalid parameters: engine '%s' failed command '%s'", e->name, cmd);
        st = ST_INVAL;
    }
out:
    model_unlock();
    return st;
}
