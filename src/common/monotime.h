/* SPDX-License-Identifier: MulanPSL-2.0 */
/* monotime.h - seconds between two clock_gettime() readings of one clock. */
#ifndef ETMEM_COMMON_MONOTIME_H
#define ETMEM_COMMON_MONOTIME_H

#include <time.h>

static inline double timespec_secs(const struct timespec *from, const struct timespec *to)
{
    return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

#endif
