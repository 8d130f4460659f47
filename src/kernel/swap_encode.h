/* SPDX-License-Identifier: MulanPSL-2.0 */
/* swap_encode.h - the openEuler /proc/<pid>/swap_pages text format: one "0x<hex>\n" line
 * per page address. Pure functions, for the writer and its tests. */
#ifndef ETMEM_KERNEL_SWAP_ENCODE_H
#define ETMEM_KERNEL_SWAP_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#define SWAP_LINE_MAX 20 /* "0x" + 16 hex digits + "\n" + NUL */

/* Encode whole lines for addrs[0..n) into buf (never a partial line). Returns the number
 * of addresses encoded; *used gets the bytes written. */
size_t swap_pages_encode(const uint64_t *addrs, size_t n, char *buf, size_t buf_len,
                         size_t *used);

#endif
