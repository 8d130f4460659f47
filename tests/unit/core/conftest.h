/* SPDX-License-Identifier: MulanPSL-2.0 */
/* conftest.h - helpers shared by the config unit tests: parse a config held in a string,
 * and compare the diagnostics a parse produced with the exact expected lines. */
#ifndef ETMEM_CONFTEST_H
#define ETMEM_CONFTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "conffile.h"
#include "diag.h"

/* The label conf_file_parse gets; every message starts with it. */
#define CT_LABEL "test.conf"

/* Parse text (NUL-terminated) as CT_LABEL; NULL when the parse failed (see d). */
struct conf_file *ct_parse(const char *text, struct diag *d);

/* printf into a new string. */
char *ct_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A string of n copies of c (allocated). */
char *ct_repeat(char c, size_t n);

/* Fail the test unless d holds exactly this one error, "error: " + expected (warnings may
 * come with it). */
void ct_expect_error(const struct diag *d, const char *expected);
/* Fail the test unless d holds no error and exactly these warnings ("warning: " + each of
 * expected, NULL-terminated). */
void ct_expect_warnings(const struct diag *d, const char *const *expected);
/* Fail the test unless d holds no error and no warning. */
void ct_expect_clean(const struct diag *d);

#endif
