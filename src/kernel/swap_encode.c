/* SPDX-License-Identifier: MulanPSL-2.0 */
/* swap_encode.c - encode page addresses as swap_pages lines ("0x%lx\n"), whole lines only,
 * so a write(2) boundary never splits an address. */
#include "swap_encode.h"

size_t swap_pages_encode(const uint64_t *addrs, size_t n, char *buf, size_t buf_len,
                         size_t *used)
{
    static const char hex[] = "0123456789abcdef";
    size_t pos = 0, i;

    for (i = 0; i < n; i++) {
        char tmp[16];
        int nd = 0;
        uint64_t a = addrs[i];
        do {
            tmp[nd++] = hex[a & 0xf];
            a >>= 4;
        } while (a);
        if (pos + 2 + (size_t)nd + 1 > buf_len)
            break;
        buf[pos++] = '0';
        buf[pos++] = 'x';
        while (nd)
            buf[pos++] = tmp[--nd];
        buf[pos++] = '\n';
    }
    *used = pos;
    return i;
}
