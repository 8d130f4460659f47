/* SPDX-License-Identifier: MulanPSL-2.0 */
/* etmemd_task_exp.h - struct task as third-party engines see it.
 * ABI: field order and types are those of the original openEuler etmem; do not change. */
#ifndef ETMEMD_TASK_EXP_H
#define ETMEMD_TASK_EXP_H

#include <pthread.h>
#include <stdint.h>

/* Opaque daemon internals, kept for layout compatibility. */
struct timer_thread_t;
typedef struct timer_thread_t timer_thread;
struct thread_pool_t;
typedef struct thread_pool_t thread_pool;

struct engine;
struct task_pid;

struct task {
    char *type;                 /* "pid" or "name" */
    char *value;                /* the pid or the process name */
    char *name;                 /* task name */
    int max_threads;
    int swap_flag;

    struct task_pid *pids;      /* current target processes; owned by etmemd */
    struct engine *eng;
    void *params;               /* the engine's own per-task parameters */
    pthread_t task_pt;
    timer_thread *timer_inst;
    thread_pool *threadpool_inst;

    struct task *next;
};

#endif
