/* SPDX-License-Identifier: MulanPSL-2.0 */
/* liveness.c - a registry of threads with the moment each became busy (0: idle). */
#include "liveness.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "xalloc.h"

struct live_slot {
    const char *what;
    int64_t busy_since_ms;      /* CLOCK_MONOTONIC; 0 while idle */
    struct live_slot *next;
};

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct live_slot *live_slots;
static pthread_key_t live_key;
static pthread_once_t live_once = PTHREAD_ONCE_INIT;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Thread exit: the thread's entry leaves the registry. */
static void slot_forget(void *arg)
{
    struct live_slot *slot = arg;

    pthread_mutex_lock(&live_lock);
    for (struct live_slot **pp = &live_slots; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == slot) {
            *pp = slot->next;
            break;
        }
    }
    pthread_mutex_unlock(&live_lock);
    free(slot);
}

static void key_create(void)
{
    if (pthread_key_create(&live_key, slot_forget) != 0)
        abort();        /* only at the first use, with PTHREAD_KEYS_MAX keys free */
}

static struct live_slot *my_slot(void)
{
    struct live_slot *slot;

    pthread_once(&live_once, key_create);
    slot = pthread_getspecific(live_key);
    if (slot != NULL)
        return slot;
    slot = xcalloc(1, sizeof(*slot));
    if (pthread_setspecific(live_key, slot) != 0) {
        free(slot);
        return NULL;
    }
    pthread_mutex_lock(&live_lock);
    slot->next = live_slots;
    live_slots = slot;
    pthread_mutex_unlock(&live_lock);
    return slot;
}

void liveness_busy(const char *what)
{
    struct live_slot *slot = my_slot();

    if (slot == NULL)
        return;
    pthread_mutex_lock(&live_lock);
    slot->what = what;
    slot->busy_since_ms = now_ms();
    pthread_mutex_unlock(&live_lock);
}

void liveness_idle(void)
{
    struct live_slot *slot = my_slot();

    if (slot == NULL)
        return;
    pthread_mutex_lock(&live_lock);
    slot->busy_since_ms = 0;
    pthread_mutex_unlock(&live_lock);
}

bool liveness_ok(int64_t limit_ms, const char **what, int64_t *busy_ms)
{
    int64_t now = now_ms(), longest = -1;

    pthread_mutex_lock(&live_lock);
    for (struct live_slot *s = live_slots; s != NULL; s = s->next) {
        if (s->busy_since_ms != 0 && now - s->busy_since_ms > longest) {
            longest = now - s->busy_since_ms;
            *what = s->what;
        }
    }
    pthread_mutex_unlock(&live_lock);
    *busy_ms = longest;
    return longest < limit_ms;
}
