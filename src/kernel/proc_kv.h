/* SPDX-License-Identifier: MulanPSL-2.0 */
/* proc_kv.h - table-driven "Key: number" line parser shared by proc_kv.c and proc_pid.c. */
#ifndef ETMEM_KERNEL_PROC_KV_H
#define ETMEM_KERNEL_PROC_KV_H

#include <stddef.h>
#include <stdint.h>

struct kv_field {
    const char *key;
    size_t offset; /* of a uint64_t in the target struct */
};

/* Store the first number after "Key:" of every listed key; other lines are ignored. */
int kv_parse(const char *text, const struct kv_field *fields, size_t nfields, void *obj);
/* The same with another separator after the key (' ' for /proc/vmstat, memory.stat). */
int kv_parse_sep(const char *text, char sep, const struct kv_field *fields, size_t nfields,
                 void *obj);

#endif
