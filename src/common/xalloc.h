/* SPDX-License-Identifier: MulanPSL-2.0 */
/* xalloc.h - allocation that cannot fail: running out of memory aborts with a message,
 * so callers need no error path for it (as tmux's xmalloc.c). */
#ifndef ETMEM_XALLOC_H
#define ETMEM_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
