/* SPDX-License-Identifier: MulanPSL-2.0 */
/* ratelimit.h - a rate limit: page actions ask before each batch and sleep as long as
 * needed to stay under bytes_per_sec averaged over one second; events that must not wait
 * (log lines a client can cause) ask ratelimit_admit and are dropped when over. */
#ifndef ETMEM_KERNEL_RATELIMIT_H
#define ETMEM_KERNEL_RATELIMIT_H

#include <stdbool.h>
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
/* Account units (bytes_per_sec is then units per second) without sleeping: true when they
 * fit, with up to burst_ns of budget used ahead; false, and nothing accounted, when not. */
bool ratelimit_admit(struct ratelimit *rl, uint64_t units, uint64_t burst_ns);
uint64_t monotonic_ns(void);

#endif
