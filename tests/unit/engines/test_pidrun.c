/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_pidrun.c - the per-process runtime every engine shares, on a fake tracker and a fake
 * reclaimer: open once and keep, prime then `loop` samples into a fresh heat map, stop
 * ends a scan at once, a failure closes every handle and says why, the one-scan claim. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "action.h"
#include "etmemd_project_exp.h"
#include "heatmap.h"
#include "pidrun.h"
#include "proc.h"
#include "runtime.h"

struct tracker {
    int dummy;
};
struct reclaimer {
    int dummy;
};

static struct {
    int opens, closes, primes, samples, reclaim_opens, reclaim_closes;
    int open_err;           /* tracker open fails with this */
    int reclaim_open_err;
    int sample_rc;          /* what sample returns */
    struct tracker t;
    struct reclaimer r;
} fake;

static struct tracker *fake_open(pid_t pid, const struct scan_opts *o, int *err)
{
    fake.opens++;
    if (fake.open_err) {
        *err = fake.open_err;
        return NULL;
    }
    return &fake.t;
}

static int fake_prime(struct tracker *t)
{
    fake.primes++;
    return 0;
}

static int fake_sample(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    fake.samples++;
    heat_map_add(hm, 0x10000, 4096, 1, 0);
    st->pages++;
    return fake.sample_rc;
}

static void fake_close(struct tracker *t)
{
    fake.closes++;
}

static const struct tracker_ops fake_tracker = {
    .name = "fake", .open = fake_open, .prime = fake_prime, .sample = fake_sample,
    .close = fake_close,
};

static struct reclaimer *fake_reclaim_open(const struct proc_identity *id,
                                           const struct action_limits *l, int *err)
{
    fake.reclaim_opens++;
    if (fake.reclaim_open_err) {
        *err = -fake.reclaim_open_err;  /* backends may return either sign */
        return NULL;
    }
    return &fake.r;
}

static void fake_reclaim_close(struct reclaimer *r)
{
    fake.reclaim_closes++;
}

static const struct reclaim_ops fake_reclaim = {
    .name = "fake", .open = fake_reclaim_open, .close = fake_reclaim_close,
};

static const struct proc_identity id42 = { 42, 1000 }, id7 = { 7, 1000 };
static const struct page_scan fast_scan = { .interval = 0, .loop = 3, .sleep = 0 };

/* Each test's run of one process on the fakes, with its stop request and counters. */
struct fixture {
    struct pid_backends be;
    struct pid_run pr;
    struct stopper stop;
    struct scan_stats st;
};

static int setup(void **state)
{
    static struct fixture f;

    memset(&fake, 0, sizeof(fake));
    f = (struct fixture){ .be = { .tracker = &fake_tracker, .reclaim = &fake_reclaim } };
    stopper_init(&f.stop);
    pid_run_init(&f.pr);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    pid_run_close(&f->pr, &f->be);
    pid_run_fini(&f->pr);
    stopper_destroy(&f->stop);
    return 0;
}

/* One scan of process id on the fixture's run. */
static enum pid_scan_result scan(struct fixture *f, const struct page_scan *how,
                                 const struct proc_identity *id)
{
    return pid_run_scan(&f->pr, &f->be, how, &f->stop, id, &f->st);
}

static void test_scan_keeps_handles(void **state)
{
    struct fixture *f = *state;
    unsigned count, flags;

    assert_int_equal(scan(f, &fast_scan, &id42), PID_SCAN_DONE);
    assert_int_equal(fake.primes, 1);
    assert_int_equal(fake.samples, 3);
    assert_int_equal(f->st.pages, 3);
    assert_int_equal(heat_map_get(f->pr.hm, 0x10000, &count, &flags), 0);
    assert_int_equal(count, 3);
    /* the next cycle reuses the handles and starts from an empty map */
    assert_int_equal(scan(f, &fast_scan, &id42), PID_SCAN_DONE);
    assert_int_equal(fake.opens, 1);
    assert_int_equal(fake.reclaim_opens, 1);
    assert_int_equal(fake.primes, 2);
    assert_int_equal(heat_map_get(f->pr.hm, 0x10000, &count, &flags), 0);
    assert_int_equal(count, 3);
    assert_string_equal(f->pr.note, "");
    pid_run_close(&f->pr, &f->be);
    assert_int_equal(fake.closes, 1);
    assert_int_equal(fake.reclaim_closes, 1);
    pid_run_close(&f->pr, &f->be);    /* closing twice is harmless */
    assert_int_equal(fake.closes, 1);
}

static void test_failures_close_and_say_why(void **state)
{
    struct fixture *f = *state;

    fake.sample_rc = -ESRCH;
    assert_int_equal(scan(f, &fast_scan, &id42), PID_SCAN_FAILED);
    assert_int_equal(fake.samples, 1);
    assert_string_equal(f->pr.note, "process 42 exited");
    assert_null(f->pr.tracker);
    assert_null(f->pr.reclaimer);
    assert_int_equal(fake.closes, 1);
    assert_int_equal(fake.reclaim_closes, 1);

    fake.sample_rc = 0;
    fake.reclaim_open_err = EPERM;
    assert_int_equal(scan(f, &fast_scan, &id7), PID_SCAN_FAILED);
    assert_non_null(strstr(f->pr.note, "process 7: opening its tracker failed"));
    assert_null(f->pr.tracker);    /* the tracker opened first is closed again */
    assert_int_equal(fake.closes, 2);
    assert_int_equal(fake.primes, 1);

    /* backends say an exited target with a negative errno: the note says so in words
     * (not "Unknown error -3") */
    fake.reclaim_open_err = 0;
    fake.open_err = -ESRCH;
    assert_int_equal(scan(f, &fast_scan, &id42), PID_SCAN_FAILED);
    assert_string_equal(f->pr.note, "process 42 exited");
    fake.open_err = 0;
    fake.reclaim_open_err = -ESRCH;
    assert_int_equal(scan(f, &fast_scan, &id42), PID_SCAN_FAILED);
    assert_string_equal(f->pr.note, "process 42 exited");
    fake.reclaim_open_err = 0;
}

/* A tracker's own wait ended by stop (opts.stop): the scan stopped, nothing failed. */
static void test_tracker_wait_ended_by_stop(void **state)
{
    struct fixture *f = *state;

    fake.sample_rc = -ECANCELED;
    assert_int_equal(scan(f, &fast_scan, &id42), PID_SCAN_STOPPED);
    assert_int_equal(fake.samples, 1);
    assert_string_equal(f->pr.note, "");
    assert_non_null(f->pr.tracker);    /* left open: the task's teardown closes it */
    pid_run_close(&f->pr, &f->be);
}

struct raiser {
    struct stopper *stop;
};

static void *raise_soon(void *arg)
{
    struct raiser *r = arg;
    struct timespec ts = { 0, 50 * 1000 * 1000 };

    nanosleep(&ts, NULL);
    stopper_raise(r->stop);
    return NULL;
}

static void test_stop_ends_scan(void **state)
{
    static const struct page_scan slow = { .interval = 1200, .loop = 2, .sleep = 0 };
    struct fixture *f = *state;
    struct raiser r = { &f->stop };
    struct timespec t0, t1;
    pthread_t th;

    assert_int_equal(pthread_create(&th, NULL, raise_soon, &r), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(scan(f, &slow, &id42), PID_SCAN_STOPPED);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(th, NULL);
    assert_true(t1.tv_sec - t0.tv_sec < 5);
    assert_int_equal(fake.samples, 0);
    assert_non_null(f->pr.tracker);    /* left open: the task's teardown closes it */
    pid_run_close(&f->pr, &f->be);
}

static void test_claim(void **state)
{
    struct pid_run a, b;

    pid_run_init(&a);
    pid_run_init(&b);
    assert_true(pid_run_claim(&a, 42));
    assert_false(pid_run_claim(&b, 42));
    assert_string_equal(b.note, "process 42 is being scanned by another task; skipped this "
                        "cycle");
    assert_true(pid_run_claim(&b, 43));
    pid_run_release(42);
    assert_true(pid_run_claim(&b, 42));
    assert_string_equal(b.note, "");
    pid_run_release(42);
    pid_run_release(43);
    pid_run_fini(&a);
    pid_run_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scan_keeps_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_close_and_say_why, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_ends_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tracker_wait_ended_by_stop, setup, teardown),
        cmocka_unit_test_setup(test_claim, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
