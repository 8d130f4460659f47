/* pagemap.c - batched /proc/<pid>/pagemap reads shared by the page_idle and fallback
 * trackers (big preads: one syscall per 256 MiB of address space). */
#include "pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "proc.h"
#include "xalloc.h"

int pagemap_open(struct pagemap *pm, pid_t pid)
{
    char path[512];
    int rc = proc_path(path, sizeof(path), "%d/pagemap", (int)pid);
    if (rc)
        return rc;
    pm->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (pm->fd < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    pm->page_size = sysconf(_SC_PAGESIZE);
    pm->page_shift = 0;
    while ((1L << pm->page_shift) < pm->page_size)
        pm->page_shift++;
    pm->buf = xmalloc(PAGEMAP_BATCH * sizeof(uint64_t));
    pm->bytes_read = pm->syscalls = 0;
    return 0;
}

void pagemap_close(struct pagemap *pm)
{
    if (pm->fd >= 0)
        close(pm->fd);
    pm->fd = -1;
    free(pm->buf);
    pm->buf = NULL;
}

ssize_t pagemap_read(struct pagemap *pm, uint64_t addr, size_t n, uint64_t *out)
{
    size_t done = 0;
    off_t off = (off_t)((addr >> pm->page_shift) * sizeof(uint64_t));

    while (done < n) {
        ssize_t r = pread(pm->fd, (char *)out + done * 8, (n - done) * 8,
                          off + (off_t)(done * 8));
        pm->syscalls++;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno == ENOENT ? -ESRCH : -errno;
        }
        if (r == 0)
            break; /* the target exited: its mm is gone */
        pm->bytes_read += (uint64_t)r;
        done += (size_t)r / 8;
    }
    return (ssize_t)done;
}

int pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_fn fn, void *arg)
{
    for (uint64_t a = start; a < end;) {
        size_t n = (size_t)((end - a) >> pm->page_shift);
        if (n > PAGEMAP_BATCH)
            n = PAGEMAP_BATCH;
        ssize_t got = pagemap_read(pm, a, n, pm->buf);
        if (got < 0)
            return (int)got;
        if (got == 0)
            return -ESRCH;
        int rc = fn(arg, a, pm->buf, (size_t)got);
        if (rc)
            return rc;
        a += (uint64_t)got << pm->page_shift;
    }
    return 0;
}

int pagemap_entry(struct pagemap *pm, uint64_t addr, uint64_t *entry)
{
    ssize_t got = pagemap_read(pm, addr, 1, entry);
    if (got < 0)
        return (int)got;
    return got == 1 ? 0 : -ESRCH;
}
