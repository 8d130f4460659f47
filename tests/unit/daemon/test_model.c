/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_model.c - the object model's locking, with fake engines: a project hold is reentrant
 * and makes another command wait until it is released; a plug-in call that outlives its
 * time-out is abandoned, stays counted, refuses further calls and, when it returns at last,
 * is uncounted and applied (a late start_task success marks the task running); a task
 * destroyed meanwhile is kept, not freed; a built-in stop_task runs without the model lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "model.h"

/* ---- a plug-in whose start_task returns only when the test lets it ---- */

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool start_may_return;
static int start_calls, stop_calls;

static int slow_start(struct engine *eng, struct task *tk)
{
    pthread_mutex_lock(&gate_lock);
    start_calls++;
    while (!start_may_return)
        pthread_cond_wait(&gate_cond, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
    return 0;
}

static void let_start_return(void)
{
    pthread_mutex_lock(&gate_lock);
    start_may_return = true;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

static void quick_stop(struct engine *eng, struct task *tk)
{
    stop_calls++;
}

static struct engine_ops plugin_ops = { .start_task = slow_start, .stop_task = quick_stop };
static struct plugin_binding plugin_binding = { .timeout_ms = 200 };

static const struct plugin_binding *fake_binding(const void *conf)
{
    return &plugin_binding;
}

static const struct engine_kind plugin_kind = {
    .name = "fakeplugin", .plugin = true, .binding = fake_binding, .ops = &plugin_ops,
};

/* ---- a built-in engine whose stop_task checks that the model is unlocked ---- */

static bool lock_was_free;
static sem_t lock_taken;

static void *take_model_lock(void *arg)
{
    model_lock();
    model_unlock();
    sem_post(&lock_taken);
    return NULL;
}

static int builtin_start(struct engine *eng, struct task *tk)
{
    return 0;
}

/* Another thread takes the model lock within a second: it is not held across the call. */
static void builtin_stop(struct engine *eng, struct task *tk)
{
    struct timespec deadline;
    pthread_t th;

    sem_init(&lock_taken, 0, 0);
    assert_int_equal(pthread_create(&th, NULL, take_model_lock, NULL), 0);
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 1;
    lock_was_free = sem_timedwait(&lock_taken, &deadline) == 0;
    pthread_join(th, NULL);     /* after the call at the latest */
    sem_destroy(&lock_taken);
}

static struct engine_ops builtin_ops = { .start_task = builtin_start, .stop_task = builtin_stop };
static const struct engine_kind builtin_kind = { .name = "fakebuiltin", .ops = &builtin_ops };

/* ---- objects ---- */

static struct project *make_project(const char *name, const struct engine_kind *kind,
                                    struct task **task_out)
{
    struct project_conf pc = { .name = (char *)name, .loop = 1, .interval = 1, .sleep = 1,
                               .sysmem_threshold = -1, .swapcache_high_wmark = -1,
                               .swapcache_low_wmark = -1, .kernel_swap_enable = -1 };
    struct task_conf tc = { .name = "t", .type = TASK_TYPE_PID, .value = "1" };
    struct project *p = project_new(&pc);
    struct engine *e = engine_new(kind, NULL, kind->name);
    struct task *t = task_new(&tc, NULL);

    task_link(e, t);
    engine_link(p, e);
    model_lock();
    project_link(p);
    model_unlock();
    *task_out = t;
    return p;
}

static void destroy_project(const char *name)
{
    struct diag d = { 0 };
    bool missing;
    struct project *p;

    model_lock();
    p = project_hold(name, "test teardown", &missing, &d);
    assert_non_null(p);
    project_destroy(p, &d);
    model_unlock();
    diag_free(&d);
}

/* ---- holds ---- */

struct holder {
    const char *name;
    bool got;
    struct timespec when;
};

static void *hold_then_release(void *arg)
{
    struct holder *h = arg;
    struct diag d = { 0 };
    bool missing;
    struct project *p;

    model_lock();
    p = project_hold(h->name, "second command", &missing, &d);
    h->got = p != NULL;
    clock_gettime(CLOCK_MONOTONIC, &h->when);
    if (p != NULL)
        project_release(p);
    model_unlock();
    diag_free(&d);
    return NULL;
}

static void test_hold_waits_for_release(void **state)
{
    struct diag d = { 0 };
    struct holder h = { .name = "held" };
    struct timespec released;
    struct task *t;
    bool missing;
    pthread_t th;

    make_project("held", &plugin_kind, &t);
    model_lock();
    struct project *p = project_hold("held", "first command", &missing, &d);
    assert_non_null(p);
    assert_ptr_equal(project_hold("held", "first command again", &missing, &d), p);
    project_release(p);     /* reentrant: still held once */
    model_unlock();
    assert_int_equal(pthread_create(&th, NULL, hold_then_release, &h), 0);
    nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
    model_lock();
    assert_false(h.got);    /* waiting for the hold */
    clock_gettime(CLOCK_MONOTONIC, &released);
    project_release(p);
    model_unlock();
    pthread_join(th, NULL);
    assert_true(h.got);
    assert_true(h.when.tv_sec > released.tv_sec ||
                (h.when.tv_sec == released.tv_sec && h.when.tv_nsec >= released.tv_nsec));
    assert_false(diag_failed(&d));
    diag_free(&d);
    destroy_project("held");
}

/* ---- late plug-in returns and kept objects ---- */

static void wait_uncounted(struct task *t)
{
    struct timespec deadline;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += 10;
    model_lock();
    while (task_obj(t)->calls > 0 && plugin_secs_since(&deadline) < 0)
        model_wait(&deadline);
    model_unlock();
}

static void test_late_start_is_applied(void **state)
{
    struct diag d = { 0 };
    char why[160];
    struct task *t;
    bool missing;

    start_may_return = false;
    start_calls = stop_calls = 0;
    plugin_binding.gate = plugin_gate_new("fake.so");
    make_project("late", &plugin_kind, &t);
    model_lock();
    struct project *p = project_hold("late", "test", &missing, &d);
    assert_int_equal(task_start(t, &d), -1);
    assert_true(diag_failed(&d));
    assert_non_null(strstr(d.errors[0], "did not return within"));
    assert_false(task_obj(t)->running);
    assert_int_equal(task_obj(t)->calls, 1);   /* abandoned, still counted */
    assert_true(engine_call_pending(t->eng, t, why, sizeof(why)));
    assert_non_null(strstr(why, "start_task"));
    project_release(p);
    model_unlock();

    let_start_return();
    wait_uncounted(t);
    model_lock();
    assert_int_equal(task_obj(t)->calls, 0);
    assert_int_equal(engine_obj(t->eng)->calls, 0);
    assert_true(task_obj(t)->running);         /* the late success is applied */
    assert_false(engine_call_pending(t->eng, t, why, sizeof(why)));
    model_unlock();
    destroy_project("late");                   /* stops it: the plug-in's stop_task runs */
    assert_int_equal(stop_calls, 1);
    assert_int_equal(start_calls, 1);
    diag_free(&d);
    plugin_gate_free(plugin_binding.gate);
}

static void test_destroyed_while_pending_is_kept(void **state)
{
    struct diag d = { 0 };
    struct task *t;
    bool missing;

    start_may_return = false;
    plugin_binding.gate = plugin_gate_new("fake.so");
    make_project("kept", &plugin_kind, &t);
    model_lock();
    struct project *p = project_hold("kept", "test", &missing, &d);
    assert_int_equal(task_start(t, &d), -1);
    assert_int_equal(task_obj(t)->calls, 1);
    project_destroy(p, &d);     /* the task, engine and project are kept, unlinked */
    assert_null(model_find_project("kept"));
    model_unlock();

    let_start_return();         /* the late hook uncounts the kept objects */
    wait_uncounted(t);
    model_lock();
    assert_int_equal(task_obj(t)->calls, 0);
    assert_int_equal(engine_obj(t->eng)->calls, 0);
    model_unlock();
    diag_free(&d);
    /* the gate stays: the kept engine's library is never unloaded */
}

/* ---- built-in stop ---- */

static void test_builtin_stop_unlocked(void **state)
{
    struct diag d = { 0 };
    struct task *t;
    bool missing;

    make_project("builtin", &builtin_kind, &t);
    model_lock();
    struct project *p = project_hold("builtin", "test", &missing, &d);
    assert_int_equal(task_start(t, &d), 0);
    assert_true(task_obj(t)->running);
    lock_was_free = false;
    assert_int_equal(task_stop(t, &d), 0);
    assert_true(lock_was_free);
    assert_false(task_obj(t)->running);
    project_release(p);
    model_unlock();
    diag_free(&d);
    destroy_project("builtin");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_waits_for_release),
        cmocka_unit_test(test_late_start_is_applied),
        cmocka_unit_test(test_destroyed_while_pending_is_kept),
        cmocka_unit_test(test_builtin_stop_unlocked),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
