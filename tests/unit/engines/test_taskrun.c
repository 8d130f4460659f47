/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_taskrun.c - the shared task threads: cycles in due-time order, one task never on two
 * threads, stop of a running and of a queued task, many tasks on few runners, fan-outs. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "taskrun.h"

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait up to secs for *v to reach at least want. */
static bool reaches(atomic_int *v, int want, double secs)
{
    double end = mono() + secs;

    while (atomic_load(v) < want) {
        if (mono() > end)
            return false;
        usleep(1000);
    }
    return true;
}

/* ---- due-time order ---- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char order[16];
static size_t norder;

struct ordered {
    char name;
    double first_pause;
    atomic_int cycles;
};

static double ordered_cycle(void *arg)
{
    struct ordered *o = arg;

    pthread_mutex_lock(&log_lock);
    if (norder < sizeof(order))
        order[norder++] = o->name;
    pthread_mutex_unlock(&log_lock);
    return atomic_fetch_add(&o->cycles, 1) == 0 ? o->first_pause : 60;
}

static void cycles_run_in_due_order(void **state)
{
    struct ordered t[3] = { { 'a', 0.30, 0 }, { 'b', 0.10, 0 }, { 'c', 0.20, 0 } };
    struct taskrun *tr[3];

    (void)state;
    taskrun_set_max_runners(1);
    norder = 0;
    for (int i = 0; i < 3; i++) {
        tr[i] = taskrun_new(ordered_cycle, &t[i]);
        assert_int_equal(taskrun_start(tr[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        assert_true(reaches(&t[i].cycles, 2, 10));
    for (int i = 0; i < 3; i++) {
        taskrun_stop(tr[i]);
        taskrun_free(tr[i]);
    }
    /* first cycles as started (all due at once), second ones by the pause each asked for */
    assert_int_equal(norder, 6);
    assert_memory_equal(order, "abcbca", 6);
    taskrun_shutdown();
    assert_int_equal(taskrun_runners(), 0);
}

/* ---- one task, one thread at a time ---- */

struct exclusive {
    atomic_int inside, most_inside, cycles;
};

static double exclusive_cycle(void *arg)
{
    struct exclusive *e = arg;
    int now = atomic_fetch_add(&e->inside, 1) + 1;

    if (now > atomic_load(&e->most_inside))
        atomic_store(&e->most_inside, now);
    usleep(2000);
    atomic_fetch_sub(&e->inside, 1);
    atomic_fetch_add(&e->cycles, 1);
    return 0;       /* due again at once: every free runner could take it */
}

static void a_task_never_runs_on_two_threads(void **state)
{
    enum { NTASKS = 6 };
    struct exclusive e[NTASKS] = { 0 };
    struct taskrun *tr[NTASKS];

    (void)state;
    taskrun_set_max_runners(4);
    for (int i = 0; i < NTASKS; i++) {
        tr[i] = taskrun_new(exclusive_cycle, &e[i]);
        assert_int_equal(taskrun_start(tr[i]), 0);
    }
    for (int i = 0; i < NTASKS; i++)
        assert_true(reaches(&e[i].cycles, 20, 20));
    assert_true(taskrun_runners() <= 4);
    for (int i = 0; i < NTASKS; i++) {
        taskrun_stop(tr[i]);
        taskrun_free(tr[i]);
        assert_int_equal(atomic_load(&e[i].most_inside), 1);
    }
    taskrun_shutdown();
}

/* ---- stop ---- */

struct sleeper {
    struct taskrun *tr;
    double nap;
    atomic_int entered, cycles, stopped_early;
};

static double sleeper_cycle(void *arg)
{
    struct sleeper *s = arg;

    atomic_fetch_add(&s->entered, 1);
    if (!stopper_sleep(taskrun_stopper(s->tr), s->nap))
        atomic_fetch_add(&s->stopped_early, 1);
    atomic_fetch_add(&s->cycles, 1);
    return 60;
}

static void stop_ends_a_running_cycle_at_once(void **state)
{
    struct sleeper s = { .nap = 30 };
    double t0;

    (void)state;
    taskrun_set_max_runners(2);
    s.tr = taskrun_new(sleeper_cycle, &s);
    assert_int_equal(taskrun_start(s.tr), 0);
    assert_true(reaches(&s.entered, 1, 10));
    t0 = mono();
    taskrun_stop(s.tr);
    assert_true(mono() - t0 < 5);           /* not the 30 s nap */
    assert_int_equal(atomic_load(&s.cycles), 1);  /* it returned before stop did */
    assert_int_equal(atomic_load(&s.stopped_early), 1);
    usleep(50000);
    assert_int_equal(atomic_load(&s.entered), 1); /* and never came again */
    /* a stopped task starts again, its stopper lowered */
    s.nap = 0.01;
    assert_int_equal(taskrun_start(s.tr), 0);
    assert_true(reaches(&s.cycles, 2, 10));
    assert_int_equal(atomic_load(&s.stopped_early), 1);
    taskrun_stop(s.tr);
    taskrun_free(s.tr);
    taskrun_shutdown();
}

static void stop_takes_a_queued_task_off_the_queue(void **state)
{
    struct sleeper blocker = { .nap = 30 }, queued = { .nap = 0 };
    double t0;

    (void)state;
    taskrun_set_max_runners(1);
    blocker.tr = taskrun_new(sleeper_cycle, &blocker);
    queued.tr = taskrun_new(sleeper_cycle, &queued);
    assert_int_equal(taskrun_start(blocker.tr), 0);
    assert_true(reaches(&blocker.entered, 1, 10));
    /* the only runner is busy: the second task is due but waits in the queue */
    assert_int_equal(taskrun_start(queued.tr), 0);
    t0 = mono();
    taskrun_stop(queued.tr);
    assert_true(mono() - t0 < 1);
    taskrun_free(queued.tr);
    assert_int_equal(atomic_load(&queued.entered), 0);
    assert_int_equal(atomic_load(&blocker.stopped_early), 0);  /* untouched */
    taskrun_stop(blocker.tr);
    taskrun_free(blocker.tr);
    /* a task that waits for its next cycle is taken off as quickly */
    queued.tr = taskrun_new(sleeper_cycle, &queued);
    assert_int_equal(taskrun_start(queued.tr), 0);
    assert_true(reaches(&queued.cycles, 1, 10));
    t0 = mono();
    taskrun_stop(queued.tr);
    assert_true(mono() - t0 < 1);
    taskrun_free(queued.tr);
    taskrun_shutdown();
}

/* ---- many tasks, few runners ---- */

static atomic_int most_runners;

static double counting_cycle(void *arg)
{
    atomic_int *cycles = arg;
    int r = (int)taskrun_runners();

    if (r > atomic_load(&most_runners))
        atomic_store(&most_runners, r);
    atomic_fetch_add(cycles, 1);
    return 0.01;
}

static void many_tasks_share_few_runners(void **state)
{
    enum { NTASKS = 3000 };
    atomic_int *cycles = calloc(NTASKS, sizeof(*cycles));
    struct taskrun **tr = calloc(NTASKS, sizeof(*tr));

    (void)state;
    assert_non_null(cycles);
    assert_non_null(tr);
    taskrun_set_max_runners(3);
    atomic_store(&most_runners, 0);
    for (int i = 0; i < NTASKS; i++) {
        tr[i] = taskrun_new(counting_cycle, &cycles[i]);
        assert_int_equal(taskrun_start(tr[i]), 0);
    }
    for (int i = 0; i < NTASKS; i++)
        assert_true(reaches(&cycles[i], 3, 60));
    assert_true(atomic_load(&most_runners) <= 3);
    assert_true(atomic_load(&most_runners) >= 1);
    for (int i = 0; i < NTASKS; i++) {
        taskrun_stop(tr[i]);
        taskrun_free(tr[i]);
    }
    taskrun_shutdown();
    assert_int_equal(taskrun_runners(), 0);
    free(tr);
    free(cycles);
}

/* ---- fan-outs ---- */

struct fan {
    atomic_int inside, most_inside, done;
    atomic_int seen[64];
    struct stopper *stop;
    int stop_after;
};

static void fan_item(void *arg, size_t i)
{
    struct fan *f = arg;
    int now = atomic_fetch_add(&f->inside, 1) + 1;

    if (now > atomic_load(&f->most_inside))
        atomic_store(&f->most_inside, now);
    usleep(3000);
    atomic_fetch_add(&f->seen[i], 1);
    atomic_fetch_sub(&f->inside, 1);
    if (atomic_fetch_add(&f->done, 1) + 1 == f->stop_after && f->stop != NULL)
        stopper_raise(f->stop);
}

static void fanout_uses_up_to_threads_runners(void **state)
{
    struct fan f = { 0 };

    (void)state;
    taskrun_set_max_runners(8);
    taskrun_fanout(3, 64, fan_item, &f, NULL);
    for (int i = 0; i < 64; i++)
        assert_int_equal(atomic_load(&f.seen[i]), 1);
    assert_true(atomic_load(&f.most_inside) <= 3);
    assert_true(atomic_load(&f.most_inside) >= 2);     /* the runners did join */
    assert_true(taskrun_runners() <= 8);
    taskrun_shutdown();
}

static void fanout_skips_items_after_stop(void **state)
{
    struct fan f = { .stop_after = 5 };
    struct stopper s;
    int done;

    (void)state;
    stopper_init(&s);
    f.stop = &s;
    taskrun_set_max_runners(3);
    taskrun_fanout(2, 64, fan_item, &f, &s);
    done = atomic_load(&f.done);
    assert_true(done >= 5 && done < 10);    /* at most the items already under way */
    stopper_destroy(&s);
    taskrun_shutdown();
}

/* A cycle's fan-out while every runner is busy: the cycle does its items itself. */
struct nested {
    struct fan f;
    atomic_int cycles;
};

static double fanning_cycle(void *arg)
{
    struct nested *n = arg;

    taskrun_fanout(4, 16, fan_item, &n->f, NULL);
    atomic_fetch_add(&n->cycles, 1);
    return 60;
}

static void fanout_in_cycles_never_waits_for_a_runner(void **state)
{
    struct nested n[3] = { 0 };
    struct taskrun *tr[3];

    (void)state;
    taskrun_set_max_runners(2);     /* fewer runners than cycles that fan out */
    for (int i = 0; i < 3; i++) {
        tr[i] = taskrun_new(fanning_cycle, &n[i]);
        assert_int_equal(taskrun_start(tr[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(reaches(&n[i].cycles, 1, 20));
        for (int k = 0; k < 16; k++)
            assert_int_equal(atomic_load(&n[i].f.seen[k]), 1);
    }
    for (int i = 0; i < 3; i++) {
        taskrun_stop(tr[i]);
        taskrun_free(tr[i]);
    }
    taskrun_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cycles_run_in_due_order),
        cmocka_unit_test(a_task_never_runs_on_two_threads),
        cmocka_unit_test(stop_ends_a_running_cycle_at_once),
        cmocka_unit_test(stop_takes_a_queued_task_off_the_queue),
        cmocka_unit_test(many_tasks_share_few_runners),
        cmocka_unit_test(fanout_uses_up_to_threads_runners),
        cmocka_unit_test(fanout_skips_items_after_stop),
        cmocka_unit_test(fanout_in_cycles_never_waits_for_a_runner),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
