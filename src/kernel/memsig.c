/* SPDX-License-Identifier: MulanPSL-2.0 */
/* memsig.c - parsers and readers of the system-wide memory signals: pressure files,
 * /proc/vmstat swap counters, /proc/swaps and zram's mm_stat. */
#include "memsig.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "proc_kv.h"

/* Read a whole file named by a procfs- or sysfs-relative path into text (malloc'ed). */
static int read_text(const char *path, char **text)
{
    return file_read_all(path, text, NULL);
}

/* "avg10=0.12 avg60=0.05 avg300=0.01 total=12345" after the line's kind word. */
static int psi_parse_line(const char *s, struct psi_line *out)
{
    int used = 0;
    unsigned long long total;

    if (sscanf(s, " avg10=%lf avg60=%lf avg300=%lf total=%llu%n", &out->avg10, &out->avg60,
               &out->avg300, &total, &used) != 4 || used == 0)
        return -EINVAL;
    if (out->avg10 < 0 || out->avg60 < 0 || out->avg300 < 0)
        return -EINVAL;
    out->total_us = total;
    return 0;
}

int psi_parse(const char *text, struct psi_memory *out)
{
    const char *full;

    memset(out, 0, sizeof(*out));
    if (strncmp(text, "some ", 5) != 0 || psi_parse_line(text + 4, &out->some) < 0)
        return -EINVAL;
    full = strstr(text, "\nfull ");
    if (full != NULL && psi_parse_line(full + 5, &out->full) == 0)
        out->has_full = true;
    return 0;
}

static int psi_read_path(const char *path, struct psi_memory *out)
{
    char *text;
    int rc = read_text(path, &text);

    if (rc < 0)
        return rc;
    rc = psi_parse(text, out);
    free(text);
    return rc;
}

int psi_read_system(struct psi_memory *out)
{
    char path[512];
    int rc = proc_path(path, sizeof(path), "pressure/memory");

    return rc < 0 ? rc : psi_read_path(path, out);
}

int psi_read_cgroup(const char *cgdir, struct psi_memory *out)
{
    char path[512];

    if ((size_t)snprintf(path, sizeof(path), "%s/memory.pressure", cgdir) >= sizeof(path))
        return -ENAMETOOLONG;
    return psi_read_path(path, out);
}

#define VS(key, field) { key, offsetof(struct vmstat_swap, field) }
static const struct kv_field vmstat_fields[] = {
    VS("pswpin", pswpin),
    VS("pswpout", pswpout),
    VS("pgmajfault", pgmajfault),
    VS("workingset_refault_anon", workingset_refault_anon),
};

int vmstat_parse(const char *text, struct vmstat_swap *out)
{
    memset(out, 0, sizeof(*out));
    kv_parse_sep(text, ' ', vmstat_fields, sizeof(vmstat_fields) / sizeof(vmstat_fields[0]),
                 out);
    /* every kernel with swap support has pswpin; without it this is not a vmstat */
    return strncmp(text, "pswpin ", 7) == 0 || strstr(text, "\npswpin ") ? 0 : -EINVAL;
}

int vmstat_read(struct vmstat_swap *out)
{
    char path[512], *text;
    int rc = proc_path(path, sizeof(path), "vmstat");

    if (rc < 0 || (rc = read_text(path, &text)) < 0)
        return rc;
    rc = vmstat_parse(text, out);
    free(text);
    return rc;
}

static int swaps_parse_line(const char *line, struct swap_area *a)
{
    char name[sizeof(a->name)], type[32];
    unsigned long long size, used;
    int prio, n;

    if (sscanf(line, "%127s %31s %llu %llu %d%n", name, type, &size, &used, &prio, &n) != 5)
        return -EINVAL;
    memset(a, 0, sizeof(*a));
    memcpy(a->name, name, sizeof(name));
    a->partition = strcmp(type, "partition") == 0;
    a->size_kb = size;
    a->used_kb = used;
    a->priority = prio;
    a->zram = -1;
    if (strncmp(name, "/dev/zram", 9) == 0 && name[9] >= '0' && name[9] <= '9')
        a->zram = atoi(name + 9);
    return 0;
}

int swaps_parse(const char *text, struct swap_area *areas, size_t max, size_t *n)
{
    const char *line = strchr(text, '\n');

    *n = 0;
    if (strncmp(text, "Filename", 8) != 0 || line == NULL)
        return -EINVAL;
    for (line++; *line; ) {
        const char *eol = strchr(line, '\n');
        struct swap_area a;

        if (*line != '\n') {
            if (swaps_parse_line(line, &a) < 0)
                return -EINVAL;
            if (*n < max)
                areas[*n] = a;
            (*n)++;
        }
        if (eol == NULL)
            break;
        line = eol + 1;
    }
    return 0;
}

int swaps_read(struct swap_area *areas, size_t max, size_t *n)
{
    char path[512], *text;
    int rc = proc_path(path, sizeof(path), "swaps");

    *n = 0;
    if (rc < 0 || (rc = read_text(path, &text)) < 0)
        return rc;
    rc = swaps_parse(text, areas, max, n);
    free(text);
    return rc;
}

int zram_parse_mm_stat(const char *text, struct zram_mm_stat *out)
{
    unsigned long long v[8] = { 0 };
    int got = sscanf(text, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                     &v[3], &v[4], &v[5], &v[6], &v[7]);

    memset(out, 0, sizeof(*out));
    if (got < 7) /* huge_pages came in 5.x; the first seven are there since 4.1 */
        return -EINVAL;
    out->orig_data_size = v[0];
    out->compr_data_size = v[1];
    out->mem_used_total = v[2];
    out->mem_limit = v[3];
    out->mem_used_max = v[4];
    out->same_pages = v[5];
    out->pages_compacted = v[6];
    out->huge_pages = got >= 8 ? v[7] : 0;
    return 0;
}

int zram_read_mm_stat(int dev, struct zram_mm_stat *out)
{
    char path[512], *text;
    int rc = sys_path(path, sizeof(path), "block/zram%d/mm_stat", dev);

    if (rc < 0 || (rc = read_text(path, &text)) < 0)
        return rc;
    rc = zram_parse_mm_stat(text, out);
    free(text);
    return rc;
}

int zram_read_algorithm(int dev, char *buf, size_t len)
{
    char path[512], line[256], *open, *close;
    int rc = sys_path(path, sizeof(path), "block/zram%d/comp_algorithm", dev);

    if (rc < 0 || (rc = file_read_line(path, line, sizeof(line))) < 0)
        return rc;
    open = strchr(line, '[');
    close = open ? strchr(open, ']') : NULL;
    if (close == NULL || (size_t)(close - open - 1) >= len)
        return -EINVAL;
    memcpy(buf, open + 1, (size_t)(close - open - 1));
    buf[close - open - 1] = '\0';
    return 0;
}
