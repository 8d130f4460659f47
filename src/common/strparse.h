/* SPDX-License-Identifier: MulanPSL-2.0 */
/* strparse.h - strict text-to-number conversion: the whole string must be a number
 * (no leading/trailing junk, no overflow), because configs and pids come from users. */
#ifndef ETMEM_STRPARSE_H
#define ETMEM_STRPARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal, optional sign. Returns false on junk, empty input or overflow. */
bool parse_int64(const char *s, int64_t *out);
/* Decimal, no sign. */
bool parse_uint64(const char *s, uint64_t *out);
/* parse_int64 and check min <= value <= max. */
bool parse_int_range(const char *s, int64_t min, int64_t max, int64_t *out);

/* true when every byte is printable ASCII (0x21..0x7e when no_space, 0x20..0x7e otherwise). */
bool str_is_printable_ascii(const char *s, bool no_space);

#endif
