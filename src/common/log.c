/* SPDX-License-Identifier: MulanPSL-2.0 */
/* log.c - leveled logging; syslog is opened once (openlog is process-global state). */
#include "log.h"

#include <paths.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"

static enum log_level current_level = LOG_LEVEL_DEFAULT;
static bool sink_syslog;
static bool sink_stderr = true;
static pthread_mutex_t stderr_lock = PTHREAD_MUTEX_INITIALIZER;
/* Whether the syslog socket exists, looked at again at most once a second: without it,
 * glibc's syslog() tries a new socket, connect and close for every line (10,000 lines
 * at a shutdown cost a quarter of a second), and one that appears later is taken up. */
#define SYSLOG_RECHECK_NS 1000000000LL
static atomic_bool syslog_there;
static atomic_llong syslog_checked_ns = -SYSLOG_RECHECK_NS;

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

static bool syslog_reachable(void)
{
    struct timespec ts;
    long long now;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    if (now - atomic_load(&syslog_checked_ns) >= SYSLOG_RECHECK_NS) {
        atomic_store(&syslog_there, access(_PATH_LOG, W_OK) == 0);
        atomic_store(&syslog_checked_ns, now);
    }
    return atomic_load(&syslog_there);
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

/* One line per message: control bytes in it (a config value, a client's bytes) are escaped,
 * so nothing quoted can forge a line or drive the terminal that shows the log. */
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    struct strbuf raw = STRBUF_INIT, line = STRBUF_INIT;

    if (!log_enabled(level) || level > LOG_LEVEL_ERR)
        return;
    sb_vprintf(&raw, fmt, ap);
    sb_add_escaped(&line, raw.s ? raw.s : "", raw.len, "\t");
    sb_free(&raw);
    if (sink_syslog && syslog_reachable())
        syslog(level_info[level].syslog_priority, "%s", line.s);
    if (sink_stderr) {
        struct timespec ts;
        struct tm tm;
        char stamp[32];

        clock_gettime(CLOCK_REALTIME, &ts);
        localtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);

        pthread_mutex_lock(&stderr_lock);
        fprintf(stderr, "%s.%03ld etmemd[%s]: %s\n", stamp, ts.tv_nsec / 1000000,
                level_info[level].tag, line.s);
        pthread_mutex_unlock(&stderr_lock);
    }
    sb_free(&line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}
