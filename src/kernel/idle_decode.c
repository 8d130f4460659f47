/* SPDX-License-Identifier: MulanPSL-2.0 */
/* idle_decode.c - the openEuler idle_pages record decoder: a table maps each type to its
 * unit and weight; misaligned units are skipped and counted (as the original did). */
#include "idle_decode.h"

#include <errno.h>

static const struct {
    const char *name;
    enum idle_unit unit;
    unsigned weight;
    bool hole;
    bool huge; /* a huge-page unit (PMD_IDLE_PTES is a PMD of idle base pages) */
} idle_types[IDLE_CMD] = {
    [IDLE_PTE_ACCESS] = { "PTE_ACCESS", IDLE_UNIT_PTE, 1, false, false },
    [IDLE_PMD_ACCESS] = { "PMD_ACCESS", IDLE_UNIT_PMD, 1, false, true },
    [IDLE_PUD_PRESENT] = { "PUD_PRESENT", IDLE_UNIT_PUD, 1, false, true },
    [IDLE_PTE_DIRTY] = { "PTE_DIRTY", IDLE_UNIT_PTE, 3, false, false },
    [IDLE_PMD_DIRTY] = { "PMD_DIRTY", IDLE_UNIT_PMD, 3, false, true },
    [IDLE_PTE_IDLE] = { "PTE_IDLE", IDLE_UNIT_PTE, 0, false, false },
    [IDLE_PMD_IDLE] = { "PMD_IDLE", IDLE_UNIT_PMD, 0, false, true },
    [IDLE_PMD_IDLE_PTES] = { "PMD_IDLE_PTES", IDLE_UNIT_PMD, 0, false, false },
    [IDLE_PTE_HOLE] = { "PTE_HOLE", IDLE_UNIT_PTE, 0, true, false },
    [IDLE_PMD_HOLE] = { "PMD_HOLE", IDLE_UNIT_PMD, 0, true, false },
};

const char *idle_type_name(enum idle_type t)
{
    if (t == IDLE_CMD)
        return "CMD";
    return (unsigned)t < IDLE_CMD ? idle_types[t].name : "?";
}

void idle_decoder_init(struct idle_decoder *d, long page_size)
{
    unsigned shift = 0;
    while ((1L << shift) < page_size)
        shift++;
    d->unit_size[IDLE_UNIT_PTE] = (uint64_t)page_size;
    d->unit_size[IDLE_UNIT_PMD] = 1ull << ((shift - 3) * 2 + 3);
    d->unit_size[IDLE_UNIT_PUD] = 1ull << ((shift - 3) * 3 + 3);
    d->cursor = 0;
    d->have_addr = false;
    d->misaligned = 0;
}

int idle_decode(struct idle_decoder *d, const uint8_t *buf, size_t len, idle_emit_fn emit,
                void *arg, size_t *consumed)
{
    size_t i = 0;
    while (i < len) {
        uint8_t b = buf[i];
        unsigned type = b >> 4, nr = b & 0xf;

        if (b == IDLE_CMD_SET_HVA) {
            if (len - i < 9)
                break; /* the address is in the next read */
            uint64_t a = 0;
            for (int k = 1; k <= 8; k++)
                a = a << 8 | buf[i + (size_t)k];
            d->cursor = a;
            d->have_addr = true;
            i += 9;
            continue;
        }
        if (type >= IDLE_CMD || !d->have_addr) {
            *consumed = i;
            return -EBADMSG;
        }
        uint64_t unit = d->unit_size[idle_types[type].unit];
        struct idle_run run = {
            .addr = d->cursor,
            .len = (uint64_t)nr * unit,
            .type = (enum idle_type)type,
            .unit = idle_types[type].unit,
            .weight = idle_types[type].weight,
            .hole = idle_types[type].hole,
            .huge = idle_types[type].huge,
        };
        d->cursor += run.len;
        i++;
        if (nr == 0)
            continue;
        if (run.addr % unit) {
            d->misaligned++;
            continue;
        }
        emit(arg, &run);
    }
    *consumed = i;
    return 0;
}
