/* SPDX-License-Identifier: MulanPSL-2.0 */
/* log_limit.h - log lines that clients (or a shortage they cause) can trigger at will,
 * rate-limited: past the rate they are counted, and the count is logged as one
 * "N messages about ... suppressed" line at most every 10 seconds. */
#ifndef ETMEM_LOG_LIMIT_H
#define ETMEM_LOG_LIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "log.h"
#include "ratelimit.h"

struct log_limit {
    pthread_mutex_t lock;
    struct ratelimit rate;      /* lines per second */
    unsigned long suppressed;   /* not logged, not yet told */
    uint64_t told_ns;           /* when the count was last logged */
    const char *what;           /* names the lines: "client connections" */
};

#define LOG_LIMIT_INIT(lines_per_sec, what) \
    { PTHREAD_MUTEX_INITIALIZER, { (lines_per_sec), 0 }, 0, 0, (what) }

void log_limited(struct log_limit *ll, enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Log the count of suppressed lines if it is due (or now, at shutdown); true while some
 * remain untold (call again later). */
bool log_limit_flush(struct log_limit *ll, bool now);

#endif
