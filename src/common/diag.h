/* diag.h - diagnostics gathered while handling one request: errors and warnings, worded
 * for the user, so they travel to the client (and the log) exactly. Lines are stored with
 * their "error: " / "warning: " prefix, as the original etmem printed them. */
#ifndef ETMEM_DIAG_H
#define ETMEM_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct diag {
    char **errors;
    size_t nr_errors;
    char **warnings;
    size_t nr_warnings;
};

void diag_error(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warn(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_verror(struct diag *d, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void diag_vwarn(struct diag *d, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
bool diag_failed(const struct diag *d);
void diag_free(struct diag *d);

#endif
