/* SPDX-License-Identifier: MulanPSL-2.0 */
/* stopper.h - a stop request with waits that end as soon as it is raised: what every wait
 * of an engine, and of the kernel-layer calls it makes, goes through, so that stopping a
 * task never waits out a sleep. */
#ifndef ETMEM_STOPPER_H
#define ETMEM_STOPPER_H

#include <pthread.h>
#include <stdbool.h>

struct stopper {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
};

void stopper_init(struct stopper *s);
void stopper_destroy(struct stopper *s);
void stopper_raise(struct stopper *s);
bool stopper_raised(struct stopper *s);
/* Lower it again, for another run of what it stops (no wait may be under way). */
void stopper_lower(struct stopper *s);
/* Sleep up to seconds; false if the stopper was raised (now or while sleeping). s NULL:
 * a plain sleep that nothing ends early (true). */
bool stopper_sleep(struct stopper *s, double seconds);

#endif
