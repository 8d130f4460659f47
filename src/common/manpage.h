/* SPDX-License-Identifier: MulanPSL-2.0 */
/* manpage.h - write man(7) pages from the same tables that print help and docs/: escaping
 * and the few macros the generated pages use. */
#ifndef ETMEM_MANPAGE_H
#define ETMEM_MANPAGE_H

#include <stdio.h>

/* .TH with the project's version and release date, then NAME with its one-line purpose. */
void man_begin(FILE *out, const char *name, const char *section, const char *purpose);

/* Text on its own line(s), escaped for roff: backslashes, hyphens, a leading dot or
 * apostrophe; a sentence that ends mid-text starts a new line, as man(7) style wants. */
void man_text(FILE *out, const char *text);

/* ".MACRO text" with text escaped (macro "SH", "SS", "B", "I", ...). */
void man_macro(FILE *out, const char *macro, const char *text);

/* A tagged paragraph: the tag in bold, then the escaped body. */
void man_item(FILE *out, const char *tag, const char *body);

#endif
