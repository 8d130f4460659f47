/* SPDX-License-Identifier: MulanPSL-2.0 */
/* relay_cut.h - how much of an engine command's output may reach the client: everything
 * before the first byte the protocol reserves (0xff success, 0xfe failure, the original
 * client's terminators), nothing from there on. Pure; fed chunk by chunk as the engine's
 * pipe delivers them. The relay in cmd_engine.c and fuzz/fuzz_relay.c share it. */
#ifndef ETMEM_RELAY_CUT_H
#define ETMEM_RELAY_CUT_H

#include <stdbool.h>
#include <stddef.h>

struct relay_cut {
    bool seen;          /* a reserved byte went by: nothing more passes */
};

/* The number of leading bytes of buf[0..n) to pass on (n, or the offset of the first
 * reserved byte; 0 once one was seen in an earlier chunk). */
size_t relay_cut_pass(struct relay_cut *c, const char *buf, size_t n);

#endif
