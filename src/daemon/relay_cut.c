/* SPDX-License-Identifier: MulanPSL-2.0 */
/* relay_cut.c - the cut of an engine command's output at the first reserved byte. */
#include "relay_cut.h"

#include "protocol.h"

size_t relay_cut_pass(struct relay_cut *c, const char *buf, size_t n)
{
    if (c->seen)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)buf[i];

        if (b == ETMEM_LEGACY_OK || b == ETMEM_LEGACY_FAIL) {
            c->seen = true;
            return i;
        }
    }
    return n;
}
