/* SPDX-License-Identifier: MulanPSL-2.0 */
/* conftest.c - helpers shared by the config unit tests. */
#include "conftest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

struct conf_file *ct_parse(const char *text, struct diag *d)
{
    return conf_file_parse(CT_LABEL, text, strlen(text), d);
}

char *ct_fmt(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    assert_true(vasprintf(&s, fmt, ap) >= 0);
    va_end(ap);
    return s;
}

char *ct_repeat(char c, size_t n)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void print_diag(const struct diag *d)
{
    for (size_t i = 0; i < d->nr_errors; i++)
        print_message("  got %s\n", d->errors[i]);
    for (size_t i = 0; i < d->nr_warnings; i++)
        print_message("  got %s\n", d->warnings[i]);
}

void ct_expect_error(const struct diag *d, const char *expected)
{
    if (d->nr_errors != 1 || strncmp(d->errors[0], "error: ", 7) != 0 ||
        strcmp(d->errors[0] + 7, expected) != 0) {
        print_message("expected exactly: error: %s\n", expected);
        print_diag(d);
        fail();
    }
}

void ct_expect_warnings(const struct diag *d, const char *const *expected)
{
    size_t n = 0;

    while (expected[n] != NULL)
        n++;
    if (d->nr_errors != 0 || d->nr_warnings != n)
        goto mismatch;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(d->warnings[i], "warning: ", 9) != 0 ||
            strcmp(d->warnings[i] + 9, expected[i]) != 0)
            goto mismatch;
    }
    return;
mismatch:
    for (size_t i = 0; i < n; i++)
        print_message("expected warning: %s\n", expected[i]);
    print_diag(d);
    fail();
}

void ct_expect_clean(const struct diag *d)
{
    static const char *const none[] = { NULL };

    ct_expect_warnings(d, none);
}
