/* SPDX-License-Identifier: MulanPSL-2.0 */
/* proc_root.c - the redirectable /proc and /sys roots, path building, and small whole-file
 * readers shared by every procfs/sysfs parser in this layer. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strparse.h"
#include "xalloc.h"

static char proc_root_buf[PATH_MAX] = "/proc";
static char sys_root_buf[PATH_MAX] = "/sys";

static void root_set(char *dst, const char *root, const char *dflt)
{
    snprintf(dst, PATH_MAX, "%s", root ? root : dflt);
}

void procfs_set_root(const char *root)
{
    root_set(proc_root_buf, root, "/proc");
}

void sysfs_set_root(const char *root)
{
    root_set(sys_root_buf, root, "/sys");
}

const char *procfs_root(void)
{
    return proc_root_buf;
}

const char *sysfs_root(void)
{
    return sys_root_buf;
}

static int path_build(char *buf, size_t len, const char *root, const char *fmt, va_list ap)
{
    int n = snprintf(buf, len, "%s/", root);

    if (n < 0 || (size_t)n >= len)
        return -ENAMETOOLONG;
    int m = vsnprintf(buf + n, len - (size_t)n, fmt, ap);
    if (m < 0 || (size_t)m >= len - (size_t)n)
        return -ENAMETOOLONG;
    return 0;
}

int proc_path(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = path_build(buf, len, proc_root_buf, fmt, ap);
    va_end(ap);
    return rc;
}

int sys_path(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = path_build(buf, len, sys_root_buf, fmt, ap);
    va_end(ap);
    return rc;
}

int file_read_all(const char *path, char **buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;

    /* procfs reports size 0, so grow as we go; reads may be short. */
    size_t cap = 4096, used = 0;
    char *p = xmalloc(cap);
    for (;;) {
        if (cap - used < 2048) {
            cap *= 2;
            p = xrealloc(p, cap);
        }
        ssize_t r = read(fd, p + used, cap - used - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int err = -errno;
            free(p);
            close(fd);
            return err;
        }
        if (r == 0)
            break;
        used += (size_t)r;
    }
    close(fd);
    p[used] = '\0';
    *buf = p;
    if (len)
        *len = used;
    return 0;
}

int file_read_line(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t r;
    do {
        r = read(fd, buf, len - 1);
    } while (r < 0 && errno == EINTR);
    int err = r < 0 ? -errno : 0;
    close(fd);
    if (err)
        return err;
    buf[r] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

int file_read_u64(const char *path, uint64_t *out)
{
    char line[64];
    int rc = file_read_line(path, line, sizeof(line));
    if (rc)
        return rc;
    return parse_uint64(line, out) ? 0 : -EINVAL;
}
