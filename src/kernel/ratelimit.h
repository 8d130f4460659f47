/* SPDX-License-Identifier: MulanPSL-2.0 */
/* ratelimit.h - a byte-rate limit for page actions: callers ask before each batch and
 * sleep as long as needed to stay under bytes_per_sec averaged over one second. */
#ifndef ETMEM_KERNEL_RATELIMIT_H
#define ETMEM_KERNEL_RATELIMIT_H

#include <stdint.h>

struct ratelimit {
    uint64_t bytes_per_sec; /* 0: unlimited */
    uint64_t next_ns;       /* monotonic time when the budget is available again */
};

void ratelimit_init(struct ratelimit *rl, uint64_t bytes_per_sec);
/* Largest batch (bytes) worth asking for at once: a tenth of a second of budget. */
uint64_t ratelimit_batch_bytes(const struct ratelimit *rl, uint64_t want);
/* Account bytes; sleep first if the previous batches ran ahead. Returns ns slept. */
uint64_t ratelimit_take(struct ratelimit *rl, uint64_t bytes);
uint64_t monotonic_ns(void);

#endif
