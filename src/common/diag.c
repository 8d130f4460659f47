/* SPDX-License-Identifier: MulanPSL-2.0 */
/* diag.c - error and warning lists for one request. */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

static void diag_append(char ***list, size_t *nr, const char *prefix, const char *fmt,
                        va_list ap)
{
    char *body, *line;

    if (vasprintf(&body, fmt, ap) < 0)
        body = xstrdup("(out of memory formatting a message)");
    xasprintf(&line, "%s%s", prefix, body);
    free(body);
    *list = xreallocarray(*list, *nr + 1, sizeof(**list));
    (*list)[(*nr)++] = line;
}

void diag_verror(struct diag *d, const char *fmt, va_list ap)
{
    diag_append(&d->errors, &d->nr_errors, "error: ", fmt, ap);
}

void diag_vwarn(struct diag *d, const char *fmt, va_list ap)
{
    if (d->nr_warnings >= DIAG_MAX_WARNINGS) {
        d->warnings_dropped++;
        return;
    }
    diag_append(&d->warnings, &d->nr_warnings, "warning: ", fmt, ap);
}

void diag_error(struct diag *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    diag_verror(d, fmt, ap);
    va_end(ap);
}

void diag_warn(struct diag *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    diag_vwarn(d, fmt, ap);
    va_end(ap);
}

bool diag_failed(const struct diag *d)
{
    return d->nr_errors > 0;
}

static void free_list(char **list, size_t nr)
{
    for (size_t i = 0; i < nr; i++)
        free(list[i]);
    free(list);
}

void diag_free(struct diag *d)
{
    free_list(d->errors, d->nr_errors);
    free_list(d->warnings, d->nr_warnings);
    d->errors = d->warnings = NULL;
    d->nr_errors = d->nr_warnings = d->warnings_dropped = 0;
}
