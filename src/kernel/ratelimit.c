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

/* What a batch "costs": the time the rate needs for it. */
static uint64_t ratelimit_cost_ns(const struct ratelimit *rl, uint64_t bytes)
{
    return (uint64_t)((unsigned __int128)bytes * 1000000000ull / rl->bytes_per_sec);
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
    rl->next_ns = now + ratelimit_cost_ns(rl, bytes);
    return slept;
}

bool ratelimit_admit(struct ratelimit *rl, uint64_t units, uint64_t burst_ns)
{
    if (!rl->bytes_per_sec)
        return true;
    uint64_t now = monotonic_ns();
    if (rl->next_ns < now)
        rl->next_ns = now;
    if (rl->next_ns - now > burst_ns)
        return false;
    rl->next_ns += ratelimit_cost_ns(rl, units);
    return true;
}
