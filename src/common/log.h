/* SPDX-License-Identifier: MulanPSL-2.0 */
/* log.h - leveled logging to syslog/journald and, in the foreground, to stderr.
 *
 * Levels follow etmemd's -l option: 0 debug, 1 info, 2 warning, 3 error.
 * A message is emitted when its level is >= the configured level. */
#ifndef ETMEM_LOG_H
#define ETMEM_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
    LOG_LEVEL_DEBUG = 0,
    LOG_LEVEL_INFO = 1,
    LOG_LEVEL_WARN = 2,
    LOG_LEVEL_ERR = 3,
};

#define LOG_LEVEL_DEFAULT LOG_LEVEL_INFO

/* ident: syslog identity; to_syslog/to_stderr choose the sinks. Safe to call again. */
void log_open(const char *ident, bool to_syslog, bool to_stderr);
void log_close(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_err(...)   log_msg(LOG_LEVEL_ERR, __VA_ARGS__)

#endif
