/* SPDX-License-Identifier: MulanPSL-2.0 */
/* model_lock.h - the object model's one mutex and its condition (see "Locking" in model.h).
 * Below both the model and the engine calls, which drop it while a plug-in runs. */
#ifndef ETMEM_MODEL_LOCK_H
#define ETMEM_MODEL_LOCK_H

#include <time.h>

void model_lock(void);
void model_unlock(void);
/* Wait (mutex released) until woken or deadline (CLOCK_MONOTONIC); wake every waiter. */
void model_wait(const struct timespec *deadline);
void model_wake(void);

#endif
