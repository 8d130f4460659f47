/* SPDX-License-Identifier: MulanPSL-2.0 */
/* strparse.c - strict number parsing. */
#include "strparse.h"

#include <errno.h>
#include <stdlib.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool parse_int64(const char *s, int64_t *out)
{
    const char *p = s;
    char *end;
    long long v;

    if (s == NULL)
        return false;
    if (*p == '+' || *p == '-')
        p++;
    if (!is_digit(*p))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

bool parse_uint64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || !is_digit(*s))
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

bool parse_int_range(const char *s, int64_t min, int64_t max, int64_t *out)
{
    int64_t v;

    if (!parse_int64(s, &v) || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool str_is_printable_ascii(const char *s, bool no_space)
{
    unsigned char lo = no_space ? 0x21 : 0x20;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < lo || c > 0x7e)
            return false;
    }
    return true;
}
