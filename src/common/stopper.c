/* SPDX-License-Identifier: MulanPSL-2.0 */
/* stopper.c - stop requests and the waits they end. */
#include "stopper.h"

#include <errno.h>
#include <time.h>

#include "liveness.h"

void stopper_init(struct stopper *s)
{
    pthread_condattr_t attr;

    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &attr);
    pthread_condattr_destroy(&attr);
    s->stopping = false;
}

void stopper_destroy(struct stopper *s)
{
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
}

void stopper_raise(struct stopper *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

void stopper_lower(struct stopper *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = false;
    pthread_mutex_unlock(&s->lock);
}

bool stopper_raised(struct stopper *s)
{
    bool r;

    pthread_mutex_lock(&s->lock);
    r = s->stopping;
    pthread_mutex_unlock(&s->lock);
    return r;
}

static struct timespec after(double seconds)
{
    struct timespec t;
    time_t whole = (time_t)seconds;

    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += whole;
    t.tv_nsec += (long)((seconds - (double)whole) * 1e9);
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

bool stopper_sleep(struct stopper *s, double seconds)
{
    struct timespec deadline = after(seconds);
    bool stopping;

    if (s == NULL) {
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
            ;
        return true;
    }
    liveness_idle();    /* a sleeping thread is not stuck; its cycle is judged */
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        if (pthread_cond_timedwait(&s->cond, &s->lock, &deadline) == ETIMEDOUT)
            break;
    }
    stopping = s->stopping;
    pthread_mutex_unlock(&s->lock);
    liveness_busy("a task thread's cycle");
    return !stopping;
}
