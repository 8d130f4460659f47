/* SPDX-License-Identifier: MulanPSL-2.0 */
/* log_limit.c - rate-limited log lines with a count of those suppressed. */
#include "log_limit.h"

#include <stdarg.h>

#define LOG_LIMIT_BURST_NS 2500000000ull     /* 2.5 seconds' worth of lines at once */
#define LOG_LIMIT_SUMMARY_NS 10000000000ull  /* at most one "suppressed" line per 10 s */

/* The suppressed count to report now (0: none, or not yet), taken off the counter. */
static unsigned long log_limit_take_untold(struct log_limit *ll, uint64_t now, bool due)
{
    unsigned long n = 0;

    if (ll->suppressed > 0 && (due || now - ll->told_ns >= LOG_LIMIT_SUMMARY_NS)) {
        n = ll->suppressed;
        ll->suppressed = 0;
        ll->told_ns = now;
    }
    return n;
}

static void log_limit_tell(const struct log_limit *ll, unsigned long n)
{
    if (n > 0)
        log_warn("%lu messages about %s suppressed (at most %llu a second are logged)", n,
                 ll->what, (unsigned long long)ll->rate.bytes_per_sec);
}

void log_limited(struct log_limit *ll, enum log_level level, const char *fmt, ...)
{
    unsigned long untold = 0;
    bool ok;
    va_list ap;

    if (!log_enabled(level))
        return;
    pthread_mutex_lock(&ll->lock);
    ok = ratelimit_admit(&ll->rate, 1, LOG_LIMIT_BURST_NS);
    if (ok)
        untold = log_limit_take_untold(ll, monotonic_ns(), false);
    else
        ll->suppressed++;
    pthread_mutex_unlock(&ll->lock);
    if (!ok)
        return;
    log_limit_tell(ll, untold);
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

bool log_limit_flush(struct log_limit *ll, bool now)
{
    unsigned long untold;
    bool pending;

    pthread_mutex_lock(&ll->lock);
    untold = log_limit_take_untold(ll, monotonic_ns(), now);
    pending = ll->suppressed > 0;
    pthread_mutex_unlock(&ll->lock);
    log_limit_tell(ll, untold);
    return pending;
}
