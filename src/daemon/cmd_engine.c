/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cmd_engine.c - `etmem engine <cmd> -n PROJECT -e ENGINE [-t TASK]`: an engine's own
 * command. The engine writes its answer to a pipe from another thread while this one
 * streams it to the client, passing nothing on from the first 0xff/0xfe byte, which the
 * guide reserves for the protocol (the rest is drained so the engine never blocks on a full
 * pipe). A built-in engine's command is trusted and quick: it runs with the model locked.
 * A plug-in's eng_mgt_func runs through engine_call_begin/end: the project is held, the
 * model unlocked, and both the call and the relay end at the engine's call_timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "log.h"
#include "model.h"
#include "relay_cut.h"
#include "runtime.h"

struct relay {
    int fd;                 /* read end of the engine's pipe */
    struct reply *r;
    struct relay_cut cut;   /* seen: the engine wrote 0xff/0xfe, output was cut there */
};

static void relay_chunk(struct relay *rl, const char *buf, size_t n)
{
    reply_out(rl->r, buf, relay_cut_pass(&rl->cut, buf, n));
}

/* Relay until the writers close the pipe (true) or deadline passes (false; NULL: none). */
static bool relay_run(struct relay *rl, const struct timespec *deadline)
{
    char buf[4096];

    for (;;) {
        struct pollfd pfd = { .fd = rl->fd, .events = POLLIN };
        int ms = -1, rc;
        ssize_t n;

        if (deadline != NULL) {
            double left = -plugin_secs_since(deadline);

            if (left <= 0)
                return false;
            ms = (int)(left * 1000) + 1;
        }
        rc = poll(&pfd, 1, ms);
        if (rc < 0 && errno != EINTR) {
            log_err("engine command: poll: %s", strerror(errno));
            return false;
        }
        if (rc <= 0)
            continue;
        n = read(rl->fd, buf, sizeof(buf));
        if (n == 0)
            return true;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            log_err("engine command: read: %s", strerror(errno));
            return false;
        }
        relay_chunk(rl, buf, (size_t)n);
    }
}

struct builtin_cmd {
    struct engine *e;
    struct task *t;
    const char *cmd;
    bool json;
    int fd;                 /* write end; closed when the command is done */
    struct diag *d;
    int rc;
};

static void *builtin_cmd_main(void *arg)
{
    struct builtin_cmd *bc = arg;
    char *cmd_copy = strdup(bc->cmd);

    engine_diag_begin(bc->d);   /* the engine's own error messages reach the client */
    bc->rc = cmd_copy != NULL ?
             engine_obj(bc->e)->kind->command(bc->e, bc->t, cmd_copy, bc->json, bc->fd) : -1;
    engine_diag_end();
    free(cmd_copy);
    close(bc->fd);
    return NULL;
}

/* A built-in engine's command, on a thread of its own while this one relays. */
static int run_builtin_command(struct engine *e, struct task *t, const char *cmd, bool json,
                               struct relay *rl, int wfd, struct diag *d)
{
    struct builtin_cmd bc = { e, t, cmd, json, wfd, d, -1 };
    pthread_t tid;
    int rc = pthread_create(&tid, NULL, builtin_cmd_main, &bc);

    if (rc != 0) {
        diag_error(d, "cannot run engine command: %s", strerror(rc));
        close(wfd);
        return -1;
    }
    relay_run(rl, NULL);
    pthread_join(tid, NULL);
    return bc.rc;
}

/* A plug-in's eng_mgt_func, time-limited; the model is unlocked meanwhile. */
static int run_plugin_command(struct engine *e, struct task *t, const char *cmd,
                              struct relay *rl, int wfd, struct diag *d)
{
    struct plugin_args a = {
        .op = PLUGIN_ENG_MGT, .ops = e->ops, .eng = e, .tk = t, .cmd = cmd, .fd = wfd,
    };
    struct timespec deadline;
    struct plugin_call *c = engine_call_begin(&a, &deadline, d);     /* owns wfd now */

    if (c == NULL)
        return -1;
    relay_run(rl, &deadline);
    return engine_call_end(c, &a, &deadline, d);
}

/* Run the engine's command with its output relayed to r; returns its result. */
static int run_engine_command(struct engine *e, struct task *t, const char *cmd, bool json,
                              struct reply *r, struct diag *d)
{
    int pipefd[2], rc;
    struct relay rl = { .r = r };

    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        diag_error(d, "cannot run engine command: %s", strerror(errno));
        return -1;
    }
    rl.fd = pipefd[0];
    if (engine_obj(e)->kind->command != NULL)
        rc = run_builtin_command(e, t, cmd, json, &rl, pipefd[1], d);
    else
        rc = run_plugin_command(e, t, cmd, &rl, pipefd[1], d);
    close(pipefd[0]);
    if (rl.cut.seen) {
        diag_error(d, "engine '%s' wrote a reserved byte (0xff or 0xfe) in its output; the "
                   "output was cut there", e->name);
        return -1;
    }
    return rc;
}

/* Why engine e cannot take command now (NULL: it can). */
static const char *command_refusal(struct project *p, struct engine *e, struct task *t,
                                   bool json, char *why, size_t len)
{
    const struct engine_kind *kind = engine_obj(e)->kind;

    if (!p->start)
        snprintf(why, len, "invalid parameters: project '%s' is not started; engine commands "
                 "need a running project", p->name);
    else if (kind->command == NULL && !plugin_op_present(e->ops, PLUGIN_ENG_MGT))
        snprintf(why, len, "invalid parameters: engine '%s' has no engine commands", e->name);
    else if (json && kind->command == NULL)
        snprintf(why, len, "invalid parameters: engine '%s' has no JSON output", e->name);
    else
        return NULL;
    return why;
}

enum etmem_status cmd_engine(const struct etmem_request *req, struct reply *r, struct diag *d)
{
    const char *cmd = req->field[FIELD_ENG_CMD];
    bool json = (req->flags & REQ_FLAG_JSON) != 0;
    enum etmem_status st = ST_OK;
    struct project *p;
    struct engine *e = NULL;
    struct task *t = NULL;
    char why[256];
    bool missing;

    model_lock();
    p = project_hold(req->field[FIELD_PROJECT], "an engine command", &missing, d);
    if (p == NULL) {
        if (missing)
            diag_error(d, "project '%s' does not exist", req->field[FIELD_PROJECT]);
        model_unlock();
        return missing ? ST_PRO_NOEXIST : ST_INTER_ERR;
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
    if (command_refusal(p, e, t, json, why, sizeof(why)) != NULL) {
        diag_error(d, "%s", why);
        st = ST_INVAL;
        goto out;
    }
    if (engine_obj(e)->kind->plugin && engine_call_pending(e, t, why, sizeof(why))) {
        diag_error(d, "engine '%s' cannot take commands now: %s", e->name, why);
        st = ST_INTER_ERR;
        goto out;
    }
    if (run_engine_command(e, t, cmd, json, r, d) != 0) {
        if (!diag_failed(d))
            diag_error(d, "invalid parameters: engine '%s' failed command '%s'", e->name, cmd);
        st = ST_INVAL;
    }
out:
    project_release(p);
    model_unlock();
    return st;
}
