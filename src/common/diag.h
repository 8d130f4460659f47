/* SPDX-License-Identifier: MulanPSL-2.0 */
/* diag.h - diagnostics gathered while handling one request: errors and warnings, worded
 * for the user, so they travel to the client (and the log) exactly. Lines are stored with
 * their "error: " / "warning: " prefix, as the original etmem printed them. */
#ifndef ETMEM_DIAG_H
#define ETMEM_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Beyond this many warnings only a count is kept: a 10 MiB config of unknown keys must not
 * answer with 650,000 lines. */
#define DIAG_MAX_WARNINGS 50

struct diag {
    char **errors;
    size_t nr_errors;
    char **warnings;
    size_t nr_warnings;
    size_t warnings_dropped;    /* counted, not kept, past DIAG_MAX_WARNINGS */
};

void diag_error(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warn(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_verror(struct diag *d, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void diag_vwarn(struct diag *d, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
bool diag_failed(const struct diag *d);
void diag_free(struct diag *d);

#endif
