/* SPDX-License-Identifier: MulanPSL-2.0 */
/* proc_kv.c - parsers of the "Key:   value [kB]" files /proc/meminfo and /proc/<pid>/status
 * (and of "key value" files like /proc/vmstat), each driven by a table of (key, offset). */
#include "proc.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proc_kv.h"

int kv_parse(const char *text, const struct kv_field *fields, size_t nfields, void *obj)
{
    return kv_parse_sep(text, ':', fields, nfields, obj);
}

int kv_parse_sep(const char *text, char sep, const struct kv_field *fields, size_t nfields,
                 void *obj)
{
    const char *line = text;

    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        const char *colon = memchr(line, sep, len);

        if (colon) {
            size_t klen = (size_t)(colon - line);
            for (size_t i = 0; i < nfields; i++) {
                if (strlen(fields[i].key) != klen || memcmp(fields[i].key, line, klen))
                    continue;
                char *end;
                unsigned long long v = strtoull(colon + 1, &end, 10);
                if (end == colon + 1)
                    break; /* not a number (e.g. "Name:"): handled by the caller */
                uint64_t *dst = (uint64_t *)((char *)obj + fields[i].offset);
                *dst = v;
                break;
            }
        }
        if (!eol)
            break;
        line = eol + 1;
    }
    return 0;
}

#define MI(key, field) { key, offsetof(struct meminfo, field) }
static const struct kv_field meminfo_fields[] = {
    MI("MemTotal", mem_total),        MI("MemFree", mem_free),
    MI("MemAvailable", mem_available), MI("SwapCached", swap_cached),
    MI("SwapTotal", swap_total),      MI("SwapFree", swap_free),
    MI("AnonPages", anon_pages),      MI("AnonHugePages", anon_huge_pages),
    MI("HugePages_Total", hugepages_total), MI("HugePages_Free", hugepages_free),
    MI("Hugepagesize", hugepage_size),
};

int proc_parse_meminfo(const char *text, struct meminfo *mi)
{
    memset(mi, 0, sizeof(*mi));
    kv_parse(text, meminfo_fields, sizeof(meminfo_fields) / sizeof(meminfo_fields[0]), mi);
    return mi->mem_total ? 0 : -EINVAL;
}

int proc_read_meminfo(struct meminfo *mi)
{
    char path[512], *text;
    int rc = proc_path(path, sizeof(path), "meminfo");
    if (rc || (rc = file_read_all(path, &text, NULL)))
        return rc;
    rc = proc_parse_meminfo(text, mi);
    free(text);
    return rc;
}
