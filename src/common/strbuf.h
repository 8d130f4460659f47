/* SPDX-License-Identifier: MulanPSL-2.0 */
/* strbuf.h - a growable text buffer, with JSON string quoting for machine-readable output. */
#ifndef ETMEM_STRBUF_H
#define ETMEM_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *s;        /* always NUL-terminated once anything was added */
    size_t len;
    size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void sb_add(struct strbuf *sb, const char *data, size_t len);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Append s as a JSON string literal, quotes included. */
void sb_json_str(struct strbuf *sb, const char *s);
/* Append data with control bytes (C0 and DEL) written as \xNN, so text from a config file
 * or a client cannot drive the terminal or forge lines. keep: control bytes let through
 * as they are (e.g. "\n"), or NULL. */
void sb_add_escaped(struct strbuf *sb, const char *data, size_t len, const char *keep);
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);

#endif
