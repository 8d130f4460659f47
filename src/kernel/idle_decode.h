/* SPDX-License-Identifier: MulanPSL-2.0 */
/* idle_decode.h - decoder of the openEuler /proc/<pid>/idle_pages record stream (pure,
 * streaming: feed it buffers as read(2) returns them; for fixtures and fuzzing too).
 *
 * Format: 0xA0 followed by an 8-byte big-endian address sets the cursor; any other byte
 * is (type << 4 | nr): nr consecutive units of that type at the cursor, which advances by
 * nr * unit size. Types: 0 PTE_ACCESS, 1 PMD_ACCESS, 2 PUD_PRESENT, 3 PTE_DIRTY,
 * 4 PMD_DIRTY, 5 PTE_IDLE, 6 PMD_IDLE, 7 PMD_IDLE_PTES (a PMD whose PTEs are all idle),
 * 8 PTE_HOLE, 9 PMD_HOLE, 10 the address command. Weights: access/present 1, dirty 3,
 * idle 0; holes only move the cursor. */
#ifndef ETMEM_KERNEL_IDLE_DECODE_H
#define ETMEM_KERNEL_IDLE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum idle_type {
    IDLE_PTE_ACCESS = 0,
    IDLE_PMD_ACCESS = 1,
    IDLE_PUD_PRESENT = 2,
    IDLE_PTE_DIRTY = 3,
    IDLE_PMD_DIRTY = 4,
    IDLE_PTE_IDLE = 5,
    IDLE_PMD_IDLE = 6,
    IDLE_PMD_IDLE_PTES = 7,
    IDLE_PTE_HOLE = 8,
    IDLE_PMD_HOLE = 9,
    IDLE_CMD = 10,
};
#define IDLE_CMD_SET_HVA 0xA0

enum idle_unit { IDLE_UNIT_PTE, IDLE_UNIT_PMD, IDLE_UNIT_PUD };

struct idle_decoder {
    uint64_t unit_size[3];  /* PTE, PMD, PUD sizes from the page size */
    uint64_t cursor;
    bool have_addr;
    uint64_t misaligned;    /* records skipped because the cursor was not unit aligned */
};

/* One decoded run: n units of unit_size bytes at addr. */
struct idle_run {
    uint64_t addr;
    uint64_t len;       /* bytes */
    enum idle_type type;
    enum idle_unit unit;
    unsigned weight;    /* per page per scan */
    bool hole;
    bool huge;          /* one huge-page unit per len/unit (PMD/PUD mapped) */
};

typedef void (*idle_emit_fn)(void *arg, const struct idle_run *run);

void idle_decoder_init(struct idle_decoder *d, long page_size);

/* Decode buf. Stops before an incomplete 0xA0 command at the end (*consumed < len: keep
 * the tail and feed it again with more bytes). Returns 0, or -EBADMSG on a record before
 * any address or an unknown type (then *consumed is the offset of the bad byte). */
int idle_decode(struct idle_decoder *d, const uint8_t *buf, size_t len, idle_emit_fn emit,
                void *arg, size_t *consumed);

const char *idle_type_name(enum idle_type t);

#endif
