/* SPDX-License-Identifier: MulanPSL-2.0 */
/* strbuf.c - growable text buffer. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void sb_reserve(struct strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;

    if (need <= sb->cap)
        return;
    sb->cap = sb->cap ? sb->cap : 256;
    while (sb->cap < need)
        sb->cap *= 2;
    sb->s = xrealloc(sb->s, sb->cap);
}

void sb_add(struct strbuf *sb, const char *data, size_t len)
{
    sb_reserve(sb, len);
    memcpy(sb->s + sb->len, data, len);
    sb->len += len;
    sb->s[sb->len] = '\0';
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list copy;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    sb_reserve(sb, (size_t)n);
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

void sb_json_str(struct strbuf *sb, const char *s)
{
    sb_add(sb, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            char esc[2] = { '\\', (char)c };

            sb_add(sb, esc, 2);
        } else if (c < 0x20) {
            sb_printf(sb, "\\u%04x", c);
        } else {
            sb_add(sb, s, 1);
        }
    }
    sb_add(sb, "\"", 1);
}

void sb_add_escaped(struct strbuf *sb, const char *data, size_t len, const char *keep)
{
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];

        if ((c >= 0x20 && c != 0x7f) || (c != 0 && keep != NULL && strchr(keep, c) != NULL))
            continue;
        sb_add(sb, data + start, i - start);
        sb_printf(sb, "\\x%02x", c);
        start = i + 1;
    }
    sb_add(sb, data + start, len - start);
}

void sb_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->s)
        sb->s[0] = '\0';
}

void sb_free(struct strbuf *sb)
{
    free(sb->s);
    sb->s = NULL;
    sb->len = sb->cap = 0;
}
