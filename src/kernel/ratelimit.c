/* SPDX-License-Identifier: MulanPSL-2.0 */
/* ratelimit.c - byte-rate limit shared by the reclaim and migrate backends. */
#include "ratelimit.h"

#include <errno.h>
#include <time.h>

uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ratelimit_init(struct ratelimit *rl, uint64_t bytes_per_sec)
{
    rl->bytes_per_sec = bytes_per_sec;
    rl->next_ns = 0;
}

uint64_t ratelimit_batch_bytes(const struct ratelimit *rl, uint64_t want)
{
    if (!rl->bytes_per_sec)
        return want;
    uint64_t tenth = rl->bytes_per_sec / 10;
    if (tenth == 0)
        tenth = 1;
    return want < tenth ? want : tenth;
}

uint64_t ratelimit_take(struct ratelimit *rl, uint64_t bytes)
{
    if (!rl->bytes_per_sec)
        return 0;
    uint64_t now = monotonic_ns(), slept = 0;
    if (rl->next_ns > now) {
        uint64_t wait = rl->next_ns - now;
        struct timespec ts = { (time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull) };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        slept = wait;
        now = rl->next_ns;
    }
    /* The batch "costs" bytes/rate seconds starting now. */
    uint64_t cost = (uint64_t)((unsigned __int128)bytes * 1000000000ull / rl->bytes_per_sec);
    rl->next_ns = now + cost;
    return slept;
}
