/* SPDX-License-Identifier: MulanPSL-2.0 */
/* guard_keys.h - the feedback guard's [task] keys, shared by the engines that swap out
 * (slide; cslide its targets, on demotions), and a decimal key type for keys such as a refault share. */
#ifndef ETMEM_GUARD_KEYS_H
#define ETMEM_GUARD_KEYS_H

#include <stddef.h>

#include "guard.h"
#include "keytable.h"

struct guard_task_keys {
    double refault_pct;  /* 0: off */
    int psi_us;          /* 0: off */
    int rate_mib;        /* 0: off */
    int swap_full;       /* percent */
    int zram_min_gain;   /* percent */
};

/* A KEY_CUSTOM parser of a decimal number into a double; the key's min and max are in
 * millionths (min 1000 is 0.001). */
bool key_parse_decimal(const struct config_key *key, const char *text, void *dst, char **why);
#define KEY_MILLIONTHS(x) ((int64_t)((x) * 1000000.0 + 0.5))

#define GUARD_SWAP_FULL_DEFAULT "90"
/* On by default: a page zram keeps at 90 % or more of its size saves next to nothing and
 * costs a fault when it is read again. Typical heap and cache data compresses 2-4x (50-75 %
 * saved); random or already compressed data about 0 %, so 10 % tells them apart with room
 * on both sides (docs/guard.md). */
#define GUARD_ZRAM_MIN_GAIN_DEFAULT "10"
#define GUARD_HOLD_CYCLES 4

/* The key-table entries, for a params struct whose member m is a struct guard_task_keys:
 * the targets (engines that swap out pages of processes) and the safety envelope (every
 * engine that swaps). */
#define GUARD_TASK_KEYS(type, m) GUARD_TARGET_KEYS(type, m), GUARD_ENVELOPE_KEYS(type, m)
#define GUARD_TARGET_KEYS(type, m)                                                          \
    { "guard_refault_pct", KEY_CUSTOM, 0, KEY_MILLIONTHS(0.001), KEY_MILLIONTHS(100), NULL,   \
      offsetof(type, m.refault_pct), .parse = key_parse_decimal, .range = "0.001..100",    \
      .help = "guard: hold refaults per minute under this % of the task's resident memory " \
              "(e.g. 0.2), taking less when over; slide: swap-ins, cslide: pages found hot " \
              "on the slow node; unset: no refault target" },                              \
    { "guard_psi_us", KEY_INT, 0, 1, 1000000, NULL, offsetof(type, m.psi_us),               \
      .help = "guard: hold the memory \"some\" stall under this many us per second (its "  \
              "cgroup v2 memory.pressure, else /proc/pressure/memory); unset: none" },     \
    { "guard_rate_mib", KEY_INT, 0, 1, 1048576, NULL, offsetof(type, m.rate_mib),           \
      .help = "guard: swap out (cslide: demote) at most this many MiB per second; unset: "  \
              "no cap" }
#define GUARD_ENVELOPE_KEYS(type, m)                                                        \
    { "guard_swap_full", KEY_INT, 0, 1, 100, GUARD_SWAP_FULL_DEFAULT,                       \
      offsetof(type, m.swap_full),                                                         \
      .help = "safety: stop swapping out while swap is at least this % full" },             \
    { "guard_zram_min_gain", KEY_INT, 0, 0, 99, GUARD_ZRAM_MIN_GAIN_DEFAULT,                \
      offsetof(type, m.zram_min_gain),                                                     \
      .help = "safety: stop swapping out (for a while) when zram saved less than this % of "\
              "the memory it took in over the last cycle; 0: never" }

void guard_conf_from_keys(const struct guard_task_keys *k, struct guard_conf *conf);

#endif
