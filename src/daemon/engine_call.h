/* SPDX-License-Identifier: MulanPSL-2.0 */
/* engine_call.h - the one place that calls an engine's ops (struct engine_ops), built-in or
 * plug-in. The model says what to call; this says how.
 *
 * A built-in engine's op is trusted and quick: it runs at once in the calling thread, and
 * what the engine reports goes to the command's diag. Its stop_task waits for the engine's
 * threads to leave their current step: the model lock is dropped for it (the project is
 * held, and the task no longer counts as running, so no command reads its runtime). A plug-in's op runs on a helper
 * thread through its library's gate with the engine's time-out (plugin_call.h), the model
 * lock dropped for the call. While it is under way the task, engine and project it
 * concerns count it (calls); a call that times out is abandoned and stays counted until
 * it returns, when its late hook takes the lock, uncounts it and applies its result (a
 * late start_task success marks the task running). Objects such a call may still use are
 * kept (engine_call_keep) until etmemd exits.
 *
 * Every entry is called with the model locked and the project held (or the objects never
 * linked), and returns with the model locked, except where said. */
#ifndef ETMEM_ENGINE_CALL_H
#define ETMEM_ENGINE_CALL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "plugin_call.h"

struct diag;
struct engine;
struct task;

/* Call op of e's engine_ops about t (NULL: engine-wide) with config (fill_*: the file).
 * Returns the op's result, or -1 after reporting to d a time-out or a busy library. The
 * caller checks first that the op exists (plugin_op_present) and that no call about the
 * object is pending (engine_call_pending). */
int engine_call(enum plugin_op op, struct engine *e, struct task *t, GKeyFile *config,
                struct diag *d);
/* A plug-in's engine command, in two halves so that its output can be relayed meanwhile:
 * begin returns NULL (reported) when it could not start, and leaves the model unlocked
 * otherwise; end waits up to the same deadline, locks the model again and returns like
 * engine_call. */
struct plugin_call *engine_call_begin(const struct plugin_args *a, struct timespec *deadline,
                                      struct diag *d);
int engine_call_end(struct plugin_call *c, const struct plugin_args *a,
                    const struct timespec *deadline, struct diag *d);
/* Whether a call into the plug-in about t (or e) is still under way; why says which. */
bool engine_call_pending(struct engine *e, struct task *t, char *why, size_t len);
/* Keep an object that a late call may still use: unlinked, never freed. */
void engine_call_keep(void *obj);

#endif
