/* SPDX-License-Identifier: MulanPSL-2.0 */
/* taskrun.c - the shared runner threads, their timed queue of task cycles, and fan-outs
 * (taskrun.h). One mutex guards it all; cycles and fan-out items run without it.
 * Invariants: an entry is in the queue exactly while RUN_QUEUED; at most one runner waits
 * for work (S.idle <= 1), a runner that would be a second one ends instead. */
#include "taskrun.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "liveness.h"
#include "log.h"
#include "runtime.h"
#include "xalloc.h"

enum run_state { RUN_STOPPED, RUN_QUEUED, RUN_RUNNING };

struct taskrun {
    taskrun_cycle_fn cycle;
    void *arg;
    struct stopper stop;
    enum run_state state;
    bool stop_asked;            /* taskrun_stop waits for its cycle: do not queue it again */
    int64_t due_ns;             /* CLOCK_MONOTONIC */
    uint64_t seq;               /* first come, first run among equal due times */
    size_t slot;                /* its index in the queue while queued */
};

struct fanout {
    void (*fn)(void *arg, size_t i);
    void *arg;
    struct stopper *stop;
    size_t next, n;
    unsigned busy;              /* items under way */
    unsigned helpers_wanted;    /* runners it may still take in */
    bool listed;                /* in S.fanouts: items left, helpers welcome */
    struct fanout *next_listed;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work;        /* the idle runner: a due time came, or new work */
    pthread_cond_t changed;     /* a cycle, a fan-out item or a runner ended */
    pthread_once_t once;
    struct taskrun **queue;     /* binary heap, earliest (due_ns, seq) first */
    size_t nqueued, cap;
    size_t registered;          /* entries queued or running */
    struct fanout *fanouts;
    unsigned runners, idle, max_runners;
    uint64_t seq;
    bool spawn_warned;
    bool closed;                /* etmemd exits: a cycle that ends is not queued again */
} S = { .lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT };

static void conds_init(void)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&S.work, &attr);
    pthread_cond_init(&S.changed, &attr);
    pthread_condattr_destroy(&attr);
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec ts_of(int64_t ns)
{
    return (struct timespec){ .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
}

void taskrun_set_max_runners(unsigned n)
{
    pthread_mutex_lock(&S.lock);
    S.max_runners = n;
    pthread_mutex_unlock(&S.lock);
}

static unsigned max_runners_locked(void)
{
    return S.max_runners > 0 ? S.max_runners : 2 * (unsigned)get_nprocs() + 1;
}

unsigned taskrun_max_runners(void)
{
    unsigned n;

    pthread_mutex_lock(&S.lock);
    n = max_runners_locked();
    pthread_mutex_unlock(&S.lock);
    return n;
}

unsigned taskrun_runners(void)
{
    unsigned n;

    pthread_mutex_lock(&S.lock);
    n = S.runners;
    pthread_mutex_unlock(&S.lock);
    return n;
}

/* ---- the queue ---- */

static bool earlier(const struct taskrun *a, const struct taskrun *b)
{
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void heap_set(size_t i, struct taskrun *tr)
{
    S.queue[i] = tr;
    tr->slot = i;
}

static void heap_up(size_t i)
{
    struct taskrun *tr = S.queue[i];

    while (i > 0 && earlier(tr, S.queue[(i - 1) / 2])) {
        heap_set(i, S.queue[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(i, tr);
}

static void heap_down(size_t i)
{
    struct taskrun *tr = S.queue[i];

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= S.nqueued)
            break;
        if (c + 1 < S.nqueued && earlier(S.queue[c + 1], S.queue[c]))
            c++;
        if (!earlier(S.queue[c], tr))
            break;
        heap_set(i, S.queue[c]);
        i = c;
    }
    heap_set(i, tr);
}

static void queue_push(struct taskrun *tr, int64_t due_ns)
{
    if (S.nqueued == S.cap) {
        S.cap = S.cap ? S.cap * 2 : 64;
        S.queue = xreallocarray(S.queue, S.cap, sizeof(*S.queue));
    }
    tr->due_ns = due_ns;
    tr->seq = S.seq++;
    tr->state = RUN_QUEUED;
    heap_set(S.nqueued++, tr);
    heap_up(tr->slot);
    if (tr->slot == 0 && S.idle > 0)
        pthread_cond_signal(&S.work);   /* the idle runner waits for a later time */
}

static void queue_remove(struct taskrun *tr)
{
    size_t i = tr->slot;
    struct taskrun *last = S.queue[--S.nqueued];

    if (i == S.nqueued)
        return;
    heap_set(i, last);
    if (i > 0 && earlier(last, S.queue[(i - 1) / 2]))
        heap_up(i);
    else
        heap_down(i);
}

static void registered_drop(void)
{
    if (--S.registered == 0)
        pthread_cond_signal(&S.work);   /* the idle runner has nothing left to wait for */
}

/* ---- runners ---- */

static void *runner_main(void *unused);

/* A new runner, below the bound; 0 or a positive errno. */
static int runner_spawn(void)
{
    pthread_attr_t attr;
    pthread_t tid;
    int rc;

    if (S.runners >= max_runners_locked())
        return EAGAIN;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&tid, &attr, runner_main, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        if (!S.spawn_warned)
            log_warn("task threads: cannot add a runner: %s; %u carry on", strerror(rc),
                     S.runners);
        S.spawn_warned = true;
        return rc;
    }
    S.runners++;
    return 0;
}

/* Work is ready: the idle runner takes it, or a new runner does. */
static int runners_wake(void)
{
    if (S.idle > 0) {
        pthread_cond_signal(&S.work);
        return 0;
    }
    return runner_spawn();
}

static struct fanout *fanout_wanting(void)
{
    for (struct fanout *fo = S.fanouts; fo != NULL; fo = fo->next_listed) {
        if (fo->helpers_wanted > 0)
            return fo;
    }
    return NULL;
}

static bool cycle_due(int64_t now)
{
    return S.nqueued > 0 && S.queue[0]->due_ns <= now;
}

/* After taking work: if more is ready, another runner for it. */
static void more_hands(void)
{
    if (fanout_wanting() != NULL || cycle_due(now_ns()))
        runners_wake();
}

static void fanout_unlist(struct fanout *fo)
{
    if (!fo->listed)
        return;
    for (struct fanout **pp = &S.fanouts; *pp != NULL; pp = &(*pp)->next_listed) {
        if (*pp == fo) {
            *pp = fo->next_listed;
            break;
        }
    }
    fo->listed = false;
}

/* Take fo's items one by one until none is left (lock held, dropped around each item);
 * fo is not touched after this returns unless by its owner. */
static void fanout_work(struct fanout *fo)
{
    while (fo->next < fo->n && !(fo->stop != NULL && stopper_raised(fo->stop))) {
        size_t i = fo->next++;

        fo->busy++;
        pthread_mutex_unlock(&S.lock);
        fo->fn(fo->arg, i);
        pthread_mutex_lock(&S.lock);
        if (--fo->busy == 0)
            pthread_cond_broadcast(&S.changed);
    }
    fanout_unlist(fo);
}

/* Run the queue's first entry, due now, and queue it again after the pause it asks for. */
static void cycle_run(struct taskrun *tr)
{
    double pause;

    queue_remove(tr);
    tr->state = RUN_RUNNING;
    more_hands();
    pthread_mutex_unlock(&S.lock);
    liveness_busy("a task's cycle");
    pause = tr->cycle(tr->arg);
    liveness_idle();
    pthread_mutex_lock(&S.lock);
    if (tr->stop_asked || pause < 0 || S.closed) {
        tr->state = RUN_STOPPED;
        registered_drop();
        pthread_cond_broadcast(&S.changed);     /* taskrun_stop may free tr from here on */
        return;
    }
    queue_push(tr, now_ns() + (int64_t)(pause * 1e9));
}

static void *runner_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&S.lock);
    for (;;) {
        struct fanout *fo = fanout_wanting();

        if (fo != NULL) {
            fo->helpers_wanted--;
            more_hands();
            liveness_busy("a task's parallel scan");
            fanout_work(fo);
            liveness_idle();
            continue;
        }
        if (cycle_due(now_ns())) {
            cycle_run(S.queue[0]);
            continue;
        }
        if (S.idle > 0 || (S.registered == 0 && S.fanouts == NULL))
            break;      /* another waits already, or there is nothing to wait for */
        S.idle++;
        if (S.nqueued > 0) {
            struct timespec due = ts_of(S.queue[0]->due_ns);

            pthread_cond_timedwait(&S.work, &S.lock, &due);
        } else {
            pthread_cond_wait(&S.work, &S.lock);
        }
        S.idle--;
    }
    S.runners--;
    pthread_cond_broadcast(&S.changed);
    pthread_mutex_unlock(&S.lock);
    return NULL;
}

/* ---- entries ---- */

struct taskrun *taskrun_new(taskrun_cycle_fn cycle, void *arg)
{
    struct taskrun *tr = xcalloc(1, sizeof(*tr));

    pthread_once(&S.once, conds_init);
    tr->cycle = cycle;
    tr->arg = arg;
    tr->state = RUN_STOPPED;
    stopper_init(&tr->stop);
    return tr;
}

struct stopper *taskrun_stopper(struct taskrun *tr)
{
    return &tr->stop;
}

int taskrun_start(struct taskrun *tr)
{
    int rc = 0;

    pthread_mutex_lock(&S.lock);
    if (tr->state == RUN_STOPPED) {
        stopper_lower(&tr->stop);
        tr->stop_asked = false;
        queue_push(tr, now_ns());
        S.registered++;
        rc = runners_wake();
        if (S.runners > 0) {
            rc = 0;     /* the runners there take it */
        } else {
            queue_remove(tr);
            tr->state = RUN_STOPPED;
            registered_drop();
        }
    }
    pthread_mutex_unlock(&S.lock);
    return rc;
}

int taskrun_start_for(struct taskrun *tr, const char *what, const char *name)
{
    int rc = taskrun_start(tr);

    if (rc == 0)
        return 0;
    engine_error("%s '%s': no task thread can run it: %s", what, name, strerror(rc));
    return -1;
}

void taskrun_stop(struct taskrun *tr)
{
    pthread_mutex_lock(&S.lock);
    stopper_raise(&tr->stop);
    if (tr->state == RUN_QUEUED) {
        queue_remove(tr);
        tr->state = RUN_STOPPED;
        registered_drop();
    }
    tr->stop_asked = tr->state == RUN_RUNNING;
    while (tr->state == RUN_RUNNING)
        pthread_cond_wait(&S.changed, &S.lock);
    pthread_mutex_unlock(&S.lock);
}

void taskrun_free(struct taskrun *tr)
{
    if (tr == NULL)
        return;
    stopper_destroy(&tr->stop);
    free(tr);
}

/* ---- fan-outs ---- */

void taskrun_fanout(unsigned threads, size_t n, void (*fn)(void *arg, size_t i), void *arg,
                    struct stopper *s)
{
    struct fanout fo = { .fn = fn, .arg = arg, .stop = s, .n = n };

    pthread_once(&S.once, conds_init);
    if (threads > n)
        threads = (unsigned)n;
    pthread_mutex_lock(&S.lock);
    if (threads > 1) {
        fo.helpers_wanted = threads - 1;
        fo.listed = true;
        fo.next_listed = S.fanouts;
        S.fanouts = &fo;
        runners_wake();
    }
    fanout_work(&fo);
    while (fo.busy > 0)
        pthread_cond_wait(&S.changed, &S.lock);
    pthread_mutex_unlock(&S.lock);
}

void taskrun_close(void)
{
    pthread_once(&S.once, conds_init);
    pthread_mutex_lock(&S.lock);
    S.closed = true;
    for (size_t i = 0; i < S.nqueued; i++) {
        S.queue[i]->state = RUN_STOPPED;
        registered_drop();
    }
    S.nqueued = 0;
    pthread_mutex_unlock(&S.lock);
}

void taskrun_shutdown(void)
{
    pthread_once(&S.once, conds_init);
    pthread_mutex_lock(&S.lock);
    if (S.registered > 0) {
        log_err("task threads: %zu tasks still run at exit", S.registered);
        pthread_mutex_unlock(&S.lock);
        return;
    }
    pthread_cond_broadcast(&S.work);
    while (S.runners > 0)
        pthread_cond_wait(&S.changed, &S.lock);
    free(S.queue);
    S.queue = NULL;
    S.cap = 0;
    pthread_mutex_unlock(&S.lock);
}
