/* SPDX-License-Identifier: MulanPSL-2.0 */
/* model_lock.c - the object model's mutex and condition. */
#include "model_lock.h"

#include <pthread.h>

static pthread_mutex_t model_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t model_cond;
static pthread_once_t model_cond_once = PTHREAD_ONCE_INIT;

void model_lock(void)
{
    pthread_mutex_lock(&model_mutex);
}

void model_unlock(void)
{
    pthread_mutex_unlock(&model_mutex);
}

static void model_cond_init(void)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&model_cond, &attr);
    pthread_condattr_destroy(&attr);
}

void model_wait(const struct timespec *deadline)
{
    pthread_once(&model_cond_once, model_cond_init);
    pthread_cond_timedwait(&model_cond, &model_mutex, deadline);
}

void model_wake(void)
{
    pthread_once(&model_cond_once, model_cond_init);
    pthread_cond_broadcast(&model_cond);
}
