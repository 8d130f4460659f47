/* SPDX-License-Identifier: MulanPSL-2.0 */
/* log.c - leveled logging; syslog is opened once (openlog is process-global state). */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

static enum log_level current_level = LOG_LEVEL_DEFAULT;
static bool sink_syslog;
static bool sink_stderr = true;
static pthread_mutex_t stderr_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct {
    const char *tag;
    int syslog_priority;
} level_info[] = {
    [LOG_LEVEL_DEBUG] = { "debug", LOG_DEBUG },
    [LOG_LEVEL_INFO] = { "info", LOG_INFO },
    [LOG_LEVEL_WARN] = { "warning", LOG_WARNING },
    [LOG_LEVEL_ERR] = { "error", LOG_ERR },
};

void log_open(const char *ident, bool to_syslog, bool to_stderr)
{
    if (sink_syslog)
        closelog();
    sink_syslog = to_syslog;
    sink_stderr = to_stderr;
    if (sink_syslog)
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_close(void)
{
    if (sink_syslog)
        closelog();
    sink_syslog = false;
}

void log_set_level(enum log_level level)
{
    current_level = level;
}

enum log_level log_get_level(void)
{
    return current_level;
}

bool log_enabled(enum log_level level)
{
    return level >= current_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;

    if (!log_enabled(level) || level > LOG_LEVEL_ERR)
        return;

    if (sink_syslog) {
        va_start(ap, fmt);
        vsyslog(level_info[level].syslog_priority, fmt, ap);
        va_end(ap);
    }
    if (sink_stderr) {
        struct timespec ts;
        struct tm tm;
        char stamp[32];

        clock_gettime(CLOCK_REALTIME, &ts);
        localtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);

        pthread_mutex_lock(&stderr_lock);
        fprintf(stderr, "%s.%03ld etmemd[%s]: ", stamp, ts.tv_nsec / 1000000,
                level_info[level].tag);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        pthread_mutex_unlock(&stderr_lock);
    }
}
