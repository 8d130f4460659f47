/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cgroup_mem.c - a process's cgroup v2 directory and its memory files: memory.stat,
 * the protection floor (memory.min/memory.low), memory.reclaim. */
#include "memsig.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "proc_kv.h"

#define MS(key, field) { key, offsetof(struct memcg_stat, field) }
static const struct kv_field memcg_fields[] = {
    MS("anon", anon),
    MS("file", file),
    MS("swapcached", swapcached),
    MS("workingset_refault_anon", workingset_refault_anon),
    MS("workingset_refault_file", workingset_refault_file),
    MS("pgmajfault", pgmajfault),
    MS("pswpin", pswpin),
    MS("pswpout", pswpout),
};

static bool has_key(const char *text, const char *key)
{
    size_t n = strlen(key);

    for (const char *p = text; p != NULL; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (strncmp(p, key, n) == 0 && p[n] == ' ')
            return true;
    }
    return false;
}

int memcg_parse_stat(const char *text, struct memcg_stat *out)
{
    memset(out, 0, sizeof(*out));
    if (!has_key(text, "anon"))
        return -EINVAL; /* a v1 memory.stat ("rss", "cache") or not a memory.stat */
    kv_parse_sep(text, ' ', memcg_fields, sizeof(memcg_fields) / sizeof(memcg_fields[0]), out);
    out->has_pswp = has_key(text, "pswpin");
    return 0;
}

/* A mount point under /sys moves with sysfs_root(), so fixture trees can hold cgroups. */
static int mount_point_rooted(const char *mnt, char *buf, size_t len)
{
    int n;

    if (strncmp(mnt, "/sys/", 5) == 0)
        n = snprintf(buf, len, "%s/%s", sysfs_root(), mnt + 5);
    else
        n = snprintf(buf, len, "%s", mnt);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Whether the comma-separated mount options hold option. */
static bool has_option(const char *options, const char *option)
{
    size_t n = strlen(option);

    for (const char *p = options; p != NULL; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        if (strncmp(p, option, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return true;
    }
    return false;
}

/* The first mount of a file system type (with option among its options, if not NULL). */
static int mount_find(const char *fstype, const char *option, char *buf, size_t len)
{
    char path[512], *text, *line;
    int rc = proc_path(path, sizeof(path), "mounts");

    if (rc < 0 || (rc = file_read_all(path, &text, NULL)) < 0)
        return rc;
    rc = -ENOENT;
    for (line = text; line != NULL && *line; line = strchr(line, '\n')) {
        char dev[64], mnt[256], type[32], options[256];

        if (*line == '\n')
            line++;
        if (sscanf(line, "%63s %255s %31s %255s", dev, mnt, type, options) == 4 &&
            strcmp(type, fstype) == 0 && strchr(mnt, '\\') == NULL &&
            (option == NULL || has_option(options, option))) {
            rc = mount_point_rooted(mnt, buf, len);
            break;
        }
    }
    free(text);
    return rc;
}

int cgroup2_mount(char *buf, size_t len)
{
    return mount_find("cgroup2", NULL, buf, len);
}

int cgroup1_memory_mount(char *buf, size_t len)
{
    return mount_find("cgroup", "memory", buf, len);
}

int cgroup2_dir_of(pid_t pid, char *buf, size_t len)
{
    char path[512], mnt[256], *text, *line;
    int rc = proc_path(path, sizeof(path), "%d/cgroup", (int)pid);

    if (rc < 0)
        return rc;
    rc = file_read_all(path, &text, NULL);
    if (rc == -ENOENT)
        return -ESRCH;
    if (rc < 0)
        return rc;
    rc = -ENOENT;
    for (line = text; line != NULL && *line; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, "0::/", 4) == 0) {
            char *eol = strchr(line, '\n');
            int n;

            if (eol != NULL)
                *eol = '\0';
            rc = cgroup2_mount(mnt, sizeof(mnt));
            if (rc == 0) {
                /* the root cgroup is the mount point itself */
                n = snprintf(buf, len, "%s%s", mnt, strcmp(line + 3, "/") == 0 ? "" : line + 3);
                rc = n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
            }
            break;
        }
    }
    free(text);
    return rc;
}

int cgroup_read_value(const char *cgdir, const char *file, uint64_t *out)
{
    char path[512], line[64];
    int rc;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", cgdir, file) >= sizeof(path))
        return -ENAMETOOLONG;
    rc = file_read_line(path, line, sizeof(line));
    if (rc < 0)
        return rc;
    if (strcmp(line, "max") == 0) {
        *out = UINT64_MAX;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(line, &end, 10);
    if (end == line || *end != '\0' || errno != 0)
        return -EINVAL;
    *out = v;
    return 0;
}

bool cgroup_has_memory(const char *cgdir)
{
    uint64_t v;

    return cgroup_read_value(cgdir, "memory.current", &v) == 0;
}

int cgroup_memory_floor(const char *cgdir, uint64_t *floor_bytes)
{
    static const char *const floors[] = { "memory.min", "memory.low" };

    *floor_bytes = 0;
    for (size_t i = 0; i < sizeof(floors) / sizeof(floors[0]); i++) {
        uint64_t v;
        int rc = cgroup_read_value(cgdir, floors[i], &v);

        if (rc == -ENOENT)
            continue; /* the root cgroup has neither */
        if (rc < 0)
            return rc;
        if (v > *floor_bytes)
            *floor_bytes = v;
    }
    return 0;
}

int cgroup_read_memstat(const char *cgdir, struct memcg_stat *out)
{
    char path[512], *text;
    int rc;

    if ((size_t)snprintf(path, sizeof(path), "%s/memory.stat", cgdir) >= sizeof(path))
        return -ENAMETOOLONG;
    rc = file_read_all(path, &text, NULL);
    if (rc < 0)
        return rc;
    rc = memcg_parse_stat(text, out);
    free(text);
    return rc;
}

int cgroup_reclaim(const char *cgdir, uint64_t bytes)
{
    char path[512], num[32];
    int fd, n;
    ssize_t w;

    if ((size_t)snprintf(path, sizeof(path), "%s/memory.reclaim", cgdir) >= sizeof(path))
        return -ENAMETOOLONG;
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    n = snprintf(num, sizeof(num), "%" PRIu64, bytes);
    w = write(fd, num, (size_t)n);
    int err = w < 0 ? errno : 0;
    close(fd);
    if (w < 0)
        return -err;
    return w == n ? 0 : -EIO;
}
