/* SPDX-License-Identifier: MulanPSL-2.0 */
/* testplug.c - thirdparty plug-ins for the tests: one well-behaved struct engine_ops (named
 * my_engine_ops, as in the guide's example config) and variants that misbehave in one way
 * each, chosen with ops_name. Every call appends a line to the file named by the engine's
 * private key trace_file (when set), so tests can check the order of calls; the private
 * keys engine_private_key and task_private_key are echoed by the "echo" command. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "etmemd_thirdparty_export.h"

struct tp_eng {
    char *trace;            /* trace_file */
    char *key;              /* engine_private_key */
};

struct tp_task {
    char *key;              /* task_private_key */
    int delay;              /* delay_secs: slow_start_ops sleeps this long in start_task */
};

static char *private_value(GKeyFile *config, const char *group, const char *key)
{
    if (!g_key_file_has_key(config, group, key, NULL))
        return NULL;
    return g_key_file_get_string(config, group, key, NULL);
}

/* Append the line "<what><arg>" to the trace file. */
static void trace(struct engine *eng, const char *what, const char *arg)
{
    struct tp_eng *p = eng->params;
    char line[512];
    int fd, n;

    if (p == NULL || p->trace == NULL)
        return;
    n = snprintf(line, sizeof(line), "%s%s\n", what, arg ? arg : "-");
    fd = open(p->trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    if (write(fd, line, (size_t)n) != n)
        fprintf(stderr, "testplug: cannot write %s: %s\n", p->trace, strerror(errno));
    close(fd);
}

/* "<what><arg><tail>" */
static void trace_tail(struct engine *eng, const char *what, const char *arg, const char *tail)
{
    char buf[256];

    snprintf(buf, sizeof(buf), "%s%s", arg, tail);
    trace(eng, what, buf);
}

static int fill_eng(GKeyFile *config, struct engine *eng)
{
    struct tp_eng *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return -1;
    p->trace = private_value(config, "engine", "trace_file");
    p->key = private_value(config, "engine", "engine_private_key");
    eng->params = p;
    trace(eng, "fill_eng_params engine_private_key=", p->key);
    return 0;
}

static void clear_eng(struct engine *eng)
{
    struct tp_eng *p = eng->params;

    trace(eng, "clear_eng_params", "");
    free(p->trace);
    free(p->key);
    free(p);
    eng->params = NULL;
}

static int fill_task(GKeyFile *config, struct task *tk)
{
    struct tp_task *p = calloc(1, sizeof(*p));
    char *delay = private_value(config, "task", "delay_secs");

    if (p == NULL) {
        free(delay);
        return -1;
    }
    p->key = private_value(config, "task", "task_private_key");
    p->delay = delay ? atoi(delay) : 3;
    free(delay);
    tk->params = p;
    trace(tk->eng, "fill_task_params task_private_key=", p->key);
    return 0;
}

static void clear_task(struct task *tk)
{
    struct tp_task *p = tk->params;

    trace(tk->eng, "clear_task_params ", tk->name);
    free(p->key);
    free(p);
    tk->params = NULL;
}

static int start_task(struct engine *eng, struct task *tk)
{
    trace(eng, "start_task ", tk->name);
    return 0;
}

static void stop_task(struct engine *eng, struct task *tk)
{
    trace(eng, "stop_task ", tk->name);
}

static int mgt(struct engine *eng, struct task *tk, char *cmd, int fd)
{
    struct tp_eng *ep = eng->params;
    struct tp_task *tp = tk ? tk->params : NULL;

    trace(eng, "eng_mgt_func ", cmd);
    if (strcmp(cmd, "echo") == 0) {
        dprintf(fd, "engine %s task %s cmd %s engine_private_key=%s task_private_key=%s "
                "pids=%s\n", eng->name, tk ? tk->name : "-", cmd,
                ep && ep->key ? ep->key : "-", tp && tp->key ? tp->key : "-",
                tk && tk->pids ? "set" : "none");
        return 0;
    }
    if (strcmp(cmd, "big") == 0) {      /* more than a pipe holds */
        for (int i = 0; i < 20000; i++)
            dprintf(fd, "line %05d of a long answer\n", i);
        return 0;
    }
    dprintf(fd, "testplug: unknown command '%s'\n", cmd);
    return -1;
}

static int fail_int(void)
{
    return -1;
}

static int fill_eng_fails(GKeyFile *config, struct engine *eng)
{
    return fail_int();
}

static int fill_task_fails(GKeyFile *config, struct task *tk)
{
    return fail_int();
}

static int start_fails(struct engine *eng, struct task *tk)
{
    trace_tail(eng, "start_task ", tk->name, " (fails)");
    return fail_int();
}

static void sleep_forever(void)
{
    for (;;)
        sleep(3600);
}

static void stop_sleeps(struct engine *eng, struct task *tk)
{
    trace_tail(eng, "stop_task ", tk->name, " (sleeps)");
    sleep_forever();
}

static int mgt_sleeps(struct engine *eng, struct task *tk, char *cmd, int fd)
{
    dprintf(fd, "partial answer\n");
    sleep_forever();
    return 0;
}

static int mgt_reserved(struct engine *eng, struct task *tk, char *cmd, int fd)
{
    static const char out[] = "before\xff" "after\n";

    return write(fd, out, sizeof(out) - 1) == (ssize_t)(sizeof(out) - 1) ? 0 : -1;
}

/* Leaks 4 MiB and an fd per call: the daemon must keep serving regardless. */
static int mgt_leaks(struct engine *eng, struct task *tk, char *cmd, int fd)
{
    char *p = malloc(4u << 20);

    if (p != NULL)
        memset(p, 1, 4u << 20);
    if (open("/dev/null", O_RDONLY) < 0)
        return -1;
    dprintf(fd, "leaked 4 MiB and an fd\n");
    return 0;
}

static int start_slow(struct engine *eng, struct task *tk)
{
    struct tp_task *p = tk->params;

    trace_tail(eng, "start_task ", tk->name, " (slow)");
    sleep((unsigned)p->delay);
    trace_tail(eng, "start_task ", tk->name, " returns");
    return 0;
}

/* fill_eng_params, fill_task_params, start_task, stop_task, eng_mgt_func */
#define TP_OPS(fe, ft, st, sp, mg) { .fill_eng_params = fe, .clear_eng_params = clear_eng, \
    .fill_task_params = ft, .clear_task_params = clear_task, .start_task = st, \
    .stop_task = sp, .eng_mgt_func = mg }

struct engine_ops my_engine_ops = TP_OPS(fill_eng, fill_task, start_task, stop_task, mgt);
struct engine_ops fill_eng_fails_ops =
    TP_OPS(fill_eng_fails, fill_task, start_task, stop_task, mgt);
struct engine_ops fill_task_fails_ops =
    TP_OPS(fill_eng, fill_task_fails, start_task, stop_task, mgt);
struct engine_ops start_fails_ops = TP_OPS(fill_eng, fill_task, start_fails, stop_task, mgt);
struct engine_ops stop_sleeps_ops = TP_OPS(fill_eng, fill_task, start_task, stop_sleeps, mgt);
struct engine_ops mgt_sleeps_ops = TP_OPS(fill_eng, fill_task, start_task, stop_task, mgt_sleeps);
struct engine_ops reserved_ops = TP_OPS(fill_eng, fill_task, start_task, stop_task, mgt_reserved);
struct engine_ops leaky_ops = TP_OPS(fill_eng, fill_task, start_task, stop_task, mgt_leaks);
struct engine_ops slow_start_ops = TP_OPS(fill_eng, fill_task, start_slow, stop_task, mgt);
struct engine_ops no_start_ops = TP_OPS(fill_eng, fill_task, NULL, stop_task, mgt);

/* Symbols that are not a struct engine_ops, for the loader's refusals. */
int not_ops_function(void);
int not_ops_function(void)
{
    return 0;
}
int small_ops = 1;
struct engine_ops bad_pointer_ops = { .start_task = (int (*)(struct engine *, struct task *))16 };
