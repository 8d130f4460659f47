/* SPDX-License-Identifier: MulanPSL-2.0 */
/* plugin_call.h - calling into a plug-in's struct engine_ops without trusting it to return.
 *
 * Each call runs on a helper thread; the caller waits for it up to a deadline. A call still
 * running at the deadline is abandoned: its thread is left behind, detached, and when the
 * plug-in returns at last, the late hook runs on that thread (with no lock held) so the
 * caller's bookkeeping can catch up. Nothing the call was given may be freed before then
 * (the daemon keeps such objects for good; see model.h).
 *
 * Calls into one library go through its gate, one at a time: the original etmemd made every
 * call from its single RPC thread, and plug-ins may rely on that. A gate stays closed while
 * an abandoned call is still inside the library, so later calls fail fast with the reason
 * instead of piling up behind it. */
#ifndef ETMEM_PLUGIN_CALL_H
#define ETMEM_PLUGIN_CALL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "etmemd_thirdparty_export.h"

enum plugin_op {
    PLUGIN_FILL_ENG,
    PLUGIN_CLEAR_ENG,
    PLUGIN_FILL_TASK,
    PLUGIN_CLEAR_TASK,
    PLUGIN_START_TASK,
    PLUGIN_STOP_TASK,
    PLUGIN_ENG_MGT,
    PLUGIN_ALLOC_PID,           /* listed for checks and messages; etmemd never calls */
    PLUGIN_FREE_PID,            /* these two for plug-ins (as the original; see model.h) */
    PLUGIN_OP_COUNT,
};

/* "fill_eng_params", ... (the struct engine_ops member names) */
const char *plugin_op_name(enum plugin_op op);
/* The member's function, as an address for dladdr; NULL when the plug-in left it NULL. */
const void *plugin_op_address(const struct engine_ops *ops, enum plugin_op op);
static inline bool plugin_op_present(const struct engine_ops *ops, enum plugin_op op)
{
    return plugin_op_address(ops, op) != NULL;
}

struct plugin_gate;
struct plugin_gate *plugin_gate_new(const char *library);
void plugin_gate_free(struct plugin_gate *g);

/* What one call needs. */
struct plugin_args {
    enum plugin_op op;
    struct engine_ops *ops;
    struct engine *eng;
    struct task *tk;            /* NULL for engine-wide calls (and eng_mgt_func without -t) */
    GKeyFile *config;           /* fill_*: referenced for the call's life */
    const char *cmd;            /* eng_mgt_func: copied */
    int fd;                     /* eng_mgt_func: the call owns it, closes it when it returns */
    void *ctx;                  /* the caller's, for the late hook */
};

/* Run the call in this thread, now: the op's result (0 for those returning nothing). For
 * trusted engines; a plug-in's calls go through plugin_call_start. */
int plugin_op_run(const struct plugin_args *a);

/* An abandoned call returned rc after secs seconds. */
typedef void (*plugin_late_fn)(const struct plugin_args *a, int rc, double secs);

struct plugin_call;

/* A deadline ms milliseconds from now (CLOCK_MONOTONIC), and seconds elapsed since t. */
struct timespec plugin_deadline(unsigned ms);
double plugin_secs_since(const struct timespec *t);

/* Enter g (waiting up to deadline while another call is inside) and start the call on its
 * thread. NULL with why filled when the gate stayed closed or no thread could be made; an
 * eng_mgt_func fd is closed then too. */
struct plugin_call *plugin_call_start(struct plugin_gate *g, const struct plugin_args *a,
                                      const struct timespec *deadline, plugin_late_fn late,
                                      char *why, size_t why_len);
/* Wait for the call up to deadline. true: it returned rc, and c is gone. false: it is
 * abandoned (late will run when it returns), and c is gone for the caller as well. */
bool plugin_call_finish(struct plugin_call *c, const struct timespec *deadline, int *rc);

#endif
