/* SPDX-License-Identifier: MulanPSL-2.0 */
/* manpage.c - roff escaping and the page header for the generated man pages. */
#include <ctype.h>
#include <string.h>

#include "manpage.h"

#define MAN_WRAP 76     /* text lines are broken at a blank to stay within this many bytes */

/* Escape one piece of text; at_line_start tells whether a '.' or '\'' would be a request.
 * Text (wrap) is broken into lines of at most MAN_WRAP bytes where a blank allows (escapes
 * add a few); a macro's arguments are not. */
static void man_put(FILE *out, const char *text, int at_line_start, int wrap)
{
    int column = 0;

    for (const char *p = text; *p; p++) {
        if (at_line_start) {
            column = 0;
            if (*p == '.' || *p == '\'')
                fputs("\\&", out);
        }
        at_line_start = 0;
        column++;
        if (wrap && *p == ' ' && column + (int)strcspn(p + 1, " ") > MAN_WRAP) {
            fputc('\n', out);
            at_line_start = 1;
            continue;
        }
        switch (*p) {
        case '\\':
            fputs("\\e", out);
            break;
        case '-':
            fputs("\\-", out);
            break;
        case '.':
            /* a sentence end followed by more text goes on a new line */
            if (p[1] == ' ' && isupper((unsigned char)p[2])) {
                fputs(".\n", out);
                p++;
                at_line_start = 1;
                break;
            }
            fputc('.', out);
            break;
        default:
            fputc(*p, out);
        }
    }
}

void man_begin(FILE *out, const char *name, const char *section, const char *purpose)
{
    char upper[64];
    size_t i;

    for (i = 0; name[i] && i < sizeof(upper) - 1; i++)
        upper[i] = (char)toupper((unsigned char)name[i]);
    upper[i] = '\0';
    fprintf(out, ".\\\" SPDX-License-Identifier: MulanPSL-2.0\n"
            ".\\\" Generated from etmem's own tables; do not edit (scripts/gen-docs.sh).\n"
            ".TH %s %s %s \"etmem %s\"\n.SH NAME\n", upper, section, ETMEM_RELEASE_DATE,
            ETMEM_VERSION);
    man_put(out, name, 1, 0);
    fputs(" \\- ", out);
    man_put(out, purpose, 0, 0);
    fputc('\n', out);
}

void man_text(FILE *out, const char *text)
{
    man_put(out, text, 1, 1);
    fputc('\n', out);
}

void man_macro(FILE *out, const char *macro, const char *text)
{
    fprintf(out, ".%s ", macro);
    man_put(out, text, 0, 0);
    fputc('\n', out);
}

void man_item(FILE *out, const char *tag, const char *body)
{
    fputs(".TP\n", out);
    man_macro(out, "B", tag);
    man_text(out, body);
}
