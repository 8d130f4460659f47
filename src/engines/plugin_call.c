/* SPDX-License-Identifier: MulanPSL-2.0 */
/* plugin_call.c - plug-in calls on helper threads, with deadlines and per-library gates.
 *
 * DESIGN. A call record is shared by the caller and its helper thread (two references).
 * The thread runs the op, closes what the call owns, leaves the gate, then marks the record
 * done; if the caller gave up by then (abandoned), the thread runs the late hook. Whoever
 * drops the last reference frees the record, so neither side waits for the other. */
#include "monotime.h"
#include "plugin_call.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "liveness.h"
#include "log.h"
#include "xalloc.h"

struct plugin_gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool busy;
    char *library;
    char what[96];              /* the call inside, for messages */
    struct timespec since;
};

struct plugin_call {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int refs;
    bool done, abandoned;
    int rc;
    struct plugin_args a;
    char *cmd;
    dev_t fd_dev;               /* what a->fd was when we got it, so a plug-in that closed */
    ino_t fd_ino;               /* it does not make us close a reused number */
    struct plugin_gate *gate;
    plugin_late_fn late;
    struct timespec started;
};

static const struct {
    const char *name;
    size_t offset;
} op_table[PLUGIN_OP_COUNT] = {
    [PLUGIN_FILL_ENG] = { "fill_eng_params", offsetof(struct engine_ops, fill_eng_params) },
    [PLUGIN_CLEAR_ENG] = { "clear_eng_params", offsetof(struct engine_ops, clear_eng_params) },
    [PLUGIN_FILL_TASK] = { "fill_task_params", offsetof(struct engine_ops, fill_task_params) },
    [PLUGIN_CLEAR_TASK] = { "clear_task_params", offsetof(struct engine_ops, clear_task_params) },
    [PLUGIN_START_TASK] = { "start_task", offsetof(struct engine_ops, start_task) },
    [PLUGIN_STOP_TASK] = { "stop_task", offsetof(struct engine_ops, stop_task) },
    [PLUGIN_ENG_MGT] = { "eng_mgt_func", offsetof(struct engine_ops, eng_mgt_func) },
    [PLUGIN_ALLOC_PID] = { "alloc_pid_params", offsetof(struct engine_ops, alloc_pid_params) },
    [PLUGIN_FREE_PID] = { "free_pid_params", offsetof(struct engine_ops, free_pid_params) },
};

const char *plugin_op_name(enum plugin_op op)
{
    return op < PLUGIN_OP_COUNT ? op_table[op].name : "?";
}

const void *plugin_op_address(const struct engine_ops *ops, enum plugin_op op)
{
    void (*fn)(void);

    if (ops == NULL || op >= PLUGIN_OP_COUNT)
        return NULL;
    memcpy(&fn, (const char *)ops + op_table[op].offset, sizeof(fn));
    return (const void *)fn;
}

struct timespec plugin_deadline(unsigned ms)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

double plugin_secs_since(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return timespec_secs(t, &now);
}

static void cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
}

struct plugin_gate *plugin_gate_new(const char *library)
{
    struct plugin_gate *g = xcalloc(1, sizeof(*g));

    pthread_mutex_init(&g->lock, NULL);
    cond_init_monotonic(&g->cond);
    g->library = xstrdup(library);
    return g;
}

void plugin_gate_free(struct plugin_gate *g)
{
    if (g == NULL)
        return;
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->lock);
    free(g->library);
    free(g);
}

static int gate_enter(struct plugin_gate *g, const struct plugin_args *a,
                      const struct timespec *deadline, char *why, size_t why_len)
{
    int rc = 0;

    pthread_mutex_lock(&g->lock);
    while (g->busy && rc == 0)
        rc = pthread_cond_timedwait(&g->cond, &g->lock, deadline);
    if (g->busy) {
        snprintf(why, why_len, "its library %s is busy: %s has been running for %.0f s",
                 g->library, g->what, plugin_secs_since(&g->since));
        pthread_mutex_unlock(&g->lock);
        return -1;
    }
    g->busy = true;
    snprintf(g->what, sizeof(g->what), "%s of engine '%s'", plugin_op_name(a->op),
             a->eng->name ? a->eng->name : "?");
    clock_gettime(CLOCK_MONOTONIC, &g->since);
    pthread_mutex_unlock(&g->lock);
    return 0;
}

static void gate_leave(struct plugin_gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->busy = false;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

int plugin_op_run(const struct plugin_args *a)
{
    struct engine_ops *o = a->ops;

    switch (a->op) {
    case PLUGIN_FILL_ENG:
        return o->fill_eng_params(a->config, a->eng);
    case PLUGIN_CLEAR_ENG:
        o->clear_eng_params(a->eng);
        return 0;
    case PLUGIN_FILL_TASK:
        return o->fill_task_params(a->config, a->tk);
    case PLUGIN_CLEAR_TASK:
        o->clear_task_params(a->tk);
        return 0;
    case PLUGIN_START_TASK:
        return o->start_task(a->eng, a->tk);
    case PLUGIN_STOP_TASK:
        o->stop_task(a->eng, a->tk);
        return 0;
    case PLUGIN_ENG_MGT:
        return o->eng_mgt_func(a->eng, a->tk, (char *)a->cmd, a->fd);
    case PLUGIN_ALLOC_PID:
    case PLUGIN_FREE_PID:
    case PLUGIN_OP_COUNT:
        break;
    }
    return -1;
}

/* Close the eng_mgt_func fd unless the plug-in closed it (and the number was reused). */
static void close_owned_fd(struct plugin_call *c)
{
    struct stat st;

    if (c->a.fd < 0)
        return;
    if (fstat(c->a.fd, &st) == 0 && st.st_dev == c->fd_dev && st.st_ino == c->fd_ino)
        close(c->a.fd);
    else
        log_warn("engine '%s': its %s closed the fd etmemd gave it", c->a.eng->name,
                 plugin_op_name(c->a.op));
    c->a.fd = -1;
}

static void call_release(struct plugin_call *c)
{
    pthread_mutex_lock(&c->lock);
    bool last = --c->refs == 0;
    pthread_mutex_unlock(&c->lock);
    if (!last)
        return;
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    free(c->cmd);
    free(c);
}

static void *call_main(void *arg)
{
    struct plugin_call *c = arg;
    int rc;
    bool abandoned;

    liveness_busy("a plug-in call");    /* judged until this thread ends */
    rc = plugin_op_run(&c->a);

    close_owned_fd(c);
    if (c->a.config != NULL)
        g_key_file_unref(c->a.config);
    gate_leave(c->gate);
    pthread_mutex_lock(&c->lock);
    c->done = true;
    c->rc = rc;
    abandoned = c->abandoned;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
    if (abandoned && c->late != NULL)
        c->late(&c->a, rc, plugin_secs_since(&c->started));
    call_release(c);
    return NULL;
}

struct plugin_call *plugin_call_start(struct plugin_gate *g, const struct plugin_args *a,
                                      const struct timespec *deadline, plugin_late_fn late,
                                      char *why, size_t why_len)
{
    struct plugin_call *c;
    pthread_attr_t attr;
    pthread_t tid;
    struct stat st;
    int rc;

    if (gate_enter(g, a, deadline, why, why_len) < 0) {
        if (a->op == PLUGIN_ENG_MGT && a->fd >= 0)
            close(a->fd);
        return NULL;
    }
    c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    cond_init_monotonic(&c->cond);
    c->refs = 2;
    c->a = *a;
    c->gate = g;
    c->late = late;
    c->a.fd = a->op == PLUGIN_ENG_MGT ? a->fd : -1;
    if (c->a.fd >= 0 && fstat(c->a.fd, &st) == 0) {
        c->fd_dev = st.st_dev;
        c->fd_ino = st.st_ino;
    }
    if (a->cmd != NULL)
        c->a.cmd = c->cmd = xstrdup(a->cmd);
    if (a->config != NULL)
        g_key_file_ref(a->config);
    clock_gettime(CLOCK_MONOTONIC, &c->started);

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&tid, &attr, call_main, c);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        snprintf(why, why_len, "cannot start a thread for it: %s", strerror(rc));
        if (c->a.fd >= 0)
            close(c->a.fd);
        if (c->a.config != NULL)
            g_key_file_unref(c->a.config);
        gate_leave(g);
        c->refs = 1;
        call_release(c);
        return NULL;
    }
    return c;
}

bool plugin_call_finish(struct plugin_call *c, const struct timespec *deadline, int *rc)
{
    bool done;

    pthread_mutex_lock(&c->lock);
    while (!c->done) {
        if (pthread_cond_timedwait(&c->cond, &c->lock, deadline) == ETIMEDOUT)
            break;
    }
    done = c->done;
    if (done)
        *rc = c->rc;
    else
        c->abandoned = true;
    pthread_mutex_unlock(&c->lock);
    call_release(c);
    return done;
}
