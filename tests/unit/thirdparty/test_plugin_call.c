/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_plugin_call.c - plug-in calls on helper threads: a call that returns in time, one
 * that times out and comes back late (the late hook sees its result), a gate kept closed by
 * an abandoned call, the eng_mgt_func fd closed by the call, and the mode rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <unistd.h>

#include "plugin_call.h"
#include "thirdparty.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int release_start;       /* lets slow_start return */
static int late_rc = -100;
static enum plugin_op late_op;

static int quick_start(struct engine *eng, struct task *tk)
{
    return 7;
}

static int slow_start(struct engine *eng, struct task *tk)
{
    pthread_mutex_lock(&lock);
    while (!release_start)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return 0;
}

static int mgt_write(struct engine *eng, struct task *tk, char *cmd, int fd)
{
    return write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd) ? 0 : -1;
}

static void late(const struct plugin_args *a, int rc, double secs)
{
    pthread_mutex_lock(&lock);
    late_rc = rc;
    late_op = a->op;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

static struct engine eng = { .name = "e" };
static struct task tk = { .name = "t" };

static int call(struct plugin_gate *g, struct engine_ops *ops, enum plugin_op op, unsigned ms,
                bool *done)
{
    struct plugin_args a = { .op = op, .ops = ops, .eng = &eng, .tk = &tk, .fd = -1 };
    struct timespec dl = plugin_deadline(ms);
    char why[256];
    struct plugin_call *c = plugin_call_start(g, &a, &dl, late, why, sizeof(why));
    int rc = -99;

    assert_non_null(c);
    *done = plugin_call_finish(c, &dl, &rc);
    return rc;
}

static void test_returns_in_time(void **state)
{
    struct engine_ops ops = { .start_task = quick_start };
    struct plugin_gate *g = plugin_gate_new("lib.so");
    bool done;

    assert_int_equal(call(g, &ops, PLUGIN_START_TASK, 2000, &done), 7);
    assert_true(done);
    plugin_gate_free(g);
}

static void test_timeout_then_late(void **state)
{
    struct engine_ops ops = { .start_task = slow_start, .eng_mgt_func = mgt_write };
    struct plugin_gate *g = plugin_gate_new("lib.so");
    struct plugin_args a = { .op = PLUGIN_ENG_MGT, .ops = &ops, .eng = &eng, .fd = -1 };
    struct timespec dl;
    char why[256];
    bool done;

    release_start = 0;
    late_rc = -100;
    call(g, &ops, PLUGIN_START_TASK, 200, &done);
    assert_false(done);
    /* the abandoned call keeps the gate: the next call cannot get in */
    dl = plugin_deadline(100);
    assert_null(plugin_call_start(g, &a, &dl, late, why, sizeof(why)));
    assert_non_null(strstr(why, "lib.so is busy: start_task of engine 'e'"));
    /* it comes back: the late hook gets its result and the gate opens */
    pthread_mutex_lock(&lock);
    release_start = 1;
    pthread_cond_broadcast(&cond);
    while (late_rc == -100)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    assert_int_equal(late_rc, 0);
    assert_int_equal(late_op, PLUGIN_START_TASK);
    assert_int_equal(call(g, &ops, PLUGIN_START_TASK, 2000, &done), 0);
    assert_true(done);
    plugin_gate_free(g);
}

static void test_mgt_fd_closed(void **state)
{
    struct engine_ops ops = { .eng_mgt_func = mgt_write };
    struct plugin_gate *g = plugin_gate_new("lib.so");
    int p[2], rc = -1;
    char buf[32] = "";
    ssize_t n;

    assert_int_equal(pipe(p), 0);
    struct plugin_args a = { .op = PLUGIN_ENG_MGT, .ops = &ops, .eng = &eng, .cmd = "hello",
                             .fd = p[1] };
    struct timespec dl = plugin_deadline(2000);
    char why[256];
    struct plugin_call *c = plugin_call_start(g, &a, &dl, late, why, sizeof(why));

    assert_non_null(c);
    assert_true(plugin_call_finish(c, &dl, &rc));
    assert_int_equal(rc, 0);
    n = read(p[0], buf, sizeof(buf) - 1);
    assert_int_equal(n, 5);
    assert_string_equal(buf, "hello");
    assert_int_equal(read(p[0], buf, sizeof(buf)), 0);   /* EOF: the call closed its end */
    close(p[0]);
    plugin_gate_free(g);
}

static void test_op_table(void **state)
{
    struct engine_ops ops = { .stop_task = NULL, .eng_mgt_func = mgt_write };

    assert_true(plugin_op_present(&ops, PLUGIN_ENG_MGT));
    assert_false(plugin_op_present(&ops, PLUGIN_STOP_TASK));
    assert_false(plugin_op_present(NULL, PLUGIN_STOP_TASK));
    assert_string_equal(plugin_op_name(PLUGIN_CLEAR_TASK), "clear_task_params");
    assert_string_equal(plugin_op_name(PLUGIN_FREE_PID), "free_pid_params");
}

static void test_mode_rule(void **state)
{
    static const struct {
        unsigned mode;
        const char *why;    /* NULL: accepted */
    } cases[] = {
        { 0500, NULL }, { 0700, NULL },
        { 0400, "owner cannot both read and execute" },
        { 0100, "owner cannot both read and execute" },
        { 0600, "owner cannot both read and execute" },
        { 0755, "group or others can read or execute" },
        { 0501, "group or others can read or execute" },
        { 0550, "group or others can read or execute" },
        { 0720, "group or others can write" },
        { 0702, "group or others can write" },
        { 04500, "set-user-ID" },
        { 01700, "sticky" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why = plugin_mode_problem(cases[i].mode);

        if (cases[i].why == NULL) {
            assert_null(why);
        } else {
            assert_non_null(why);
            assert_non_null(strstr(why, cases[i].why));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_returns_in_time),
        cmocka_unit_test(test_timeout_then_late),
        cmocka_unit_test(test_mgt_fd_closed),
        cmocka_unit_test(test_op_table),
        cmocka_unit_test(test_mode_rule),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
