/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cgroup_tree.c - a cgroup's processes, its descendants' included, and its memory use. */
#include "cgroup_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memsig.h"
#include "proc.h"
#include "xalloc.h"

#define CGROUP_DEPTH_MAX 64     /* deeper trees are cut there (the kernel allows more) */

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dir = mount + "/" + rel, with rel's leading slashes dropped. */
static bool join_existing(const char *mount, const char *rel, char *dir, size_t len)
{
    int n;

    while (*rel == '/')
        rel++;
    n = snprintf(dir, len, "%s%s%s", mount, *rel ? "/" : "", rel);
    if (n <= 0 || (size_t)n >= len)
        return false;
    while (n > 1 && dir[n - 1] == '/')     /* "a/b/" names a/b */
        dir[--n] = '\0';
    return is_dir(dir);
}

static bool under(const char *path, const char *mount)
{
    size_t n = strlen(mount);

    return strncmp(path, mount, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int cgroup_resolve(const char *value, struct cgroup_ref *cg)
{
    char mounts[2][4096];
    bool have[2];

    have[0] = cgroup2_mount(mounts[0], sizeof(mounts[0])) == 0;
    have[1] = cgroup1_memory_mount(mounts[1], sizeof(mounts[1])) == 0;
    for (int i = 0; i < 2; i++) {       /* an absolute path inside a hierarchy */
        if (have[i] && under(value, mounts[i]) && join_existing(value, "", cg->dir,
                                                                 sizeof(cg->dir))) {
            cg->version = i == 0 ? 2 : 1;
            return 0;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (have[i] && join_existing(mounts[i], value, cg->dir, sizeof(cg->dir))) {
            cg->version = i == 0 ? 2 : 1;
            return 0;
        }
    }
    return -ENOENT;
}

static void pids_add(pid_t **pids, size_t *n, size_t *cap, pid_t pid)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *pids = xreallocarray(*pids, *cap, sizeof(**pids));
    }
    (*pids)[(*n)++] = pid;
}

/* The pids of dirfd's cgroup.procs, then those of its child cgroups. */
static int walk(int dirfd, int depth, pid_t **pids, size_t *n, size_t *cap)
{
    int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
    FILE *f;
    DIR *dir;
    struct dirent *de;
    long pid;

    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;     /* removed meanwhile */
    f = fdopen(fd, "r");
    if (f == NULL) {
        int err = -errno;

        close(fd);
        return err;
    }
    while (fscanf(f, "%ld", &pid) == 1) {
        if (pid > 0)    /* 0: a process in another pid namespace */
            pids_add(pids, n, cap, (pid_t)pid);
    }
    fclose(f);
    if (depth >= CGROUP_DEPTH_MAX)
        return 0;
    fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    dir = fdopendir(fd);
    if (dir == NULL) {
        int err = -errno;

        close(fd);
        return err;
    }
    while ((de = readdir(dir)) != NULL) {
        int child;

        if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) || de->d_name[0] == '.')
            continue;
        child = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (child < 0)
            continue;   /* removed meanwhile */
        walk(child, depth + 1, pids, n, cap);
        close(child);
    }
    closedir(dir);
    return 0;
}

static int cmp_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

    return (x > y) - (x < y);
}

int cgroup_list_procs(const struct cgroup_ref *cg, pid_t **pids, size_t *n)
{
    size_t cap = 0, k = 0;
    int fd = open(cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    *pids = NULL;
    *n = 0;
    if (fd < 0)
        return -errno;
    rc = walk(fd, 0, pids, n, &cap);
    close(fd);
    if (rc < 0) {
        free(*pids);
        *pids = NULL;
        *n = 0;
        return rc;
    }
    if (*n > 1) {   /* a process moving between two cgroups may be read in both */
        qsort(*pids, *n, sizeof(**pids), cmp_pid);
        for (size_t i = 0; i < *n; i++) {
            if (k == 0 || (*pids)[k - 1] != (*pids)[i])
                (*pids)[k++] = (*pids)[i];
        }
        *n = k;
    }
    return 0;
}

static int64_t value_or_unknown(const char *dir, const char *file)
{
    uint64_t v;

    return cgroup_read_value(dir, file, &v) == 0 && v <= INT64_MAX ? (int64_t)v : -1;
}

void cgroup_memory_usage(const struct cgroup_ref *cg, int64_t *memory, int64_t *swap)
{
    int64_t memsw;

    if (cg->version == 2) {
        *memory = value_or_unknown(cg->dir, "memory.current");
        *swap = value_or_unknown(cg->dir, "memory.swap.current");
        return;
    }
    *memory = value_or_unknown(cg->dir, "memory.usage_in_bytes");
    memsw = value_or_unknown(cg->dir, "memory.memsw.usage_in_bytes");
    *swap = *memory >= 0 && memsw >= *memory ? memsw - *memory : -1;
}
