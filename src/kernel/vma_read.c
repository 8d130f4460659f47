/* SPDX-License-Identifier: MulanPSL-2.0 */
/* vma_read.c - stream /proc/<pid>/maps or smaps through the VMA builder with large reads,
 * and tell "target gone" (-ESRCH) from "no address space" (-ENOENT). */
#include "vma.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "vma_internal.h"
#include "xalloc.h"

#define VMA_READ_CHUNK (64 * 1024)
#define PF_EXITING 0x4u /* include/linux/sched.h: its mm may already be gone */

/* After an empty or possibly cut read: is the process still there? */
static int vma_target_state(pid_t pid)
{
    struct proc_stat st;
    int rc = proc_read_stat(pid, &st);
    if (rc)
        return rc == -ENOENT ? -ESRCH : rc;
    if (st.state == 'Z' || st.state == 'X' || (st.flags & PF_EXITING))
        return -ESRCH;
    return 0;
}

static int vma_stream(int fd, struct vma_builder *b)
{
    size_t cap = VMA_READ_CHUNK * 2, used = 0;
    char *buf = xmalloc(cap);
    int rc = 0;

    for (;;) {
        if (cap - used < VMA_READ_CHUNK) {
            cap *= 2; /* a line longer than the buffer: grow */
            buf = xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + used, cap - used);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            break;
        }
        if (r == 0) {
            if (used)
                rc = vma_builder_line(b, buf, used);
            break;
        }
        used += (size_t)r;
        char *p = buf, *end = buf + used, *nl;
        while (rc == 0 && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            rc = vma_builder_line(b, p, (size_t)(nl - p));
            p = nl + 1;
        }
        if (rc)
            break;
        used = (size_t)(end - p);
        memmove(buf, p, used);
    }
    free(buf);
    return rc;
}

int vma_list_read(pid_t pid, enum vma_source src, struct vma_list *out)
{
    char path[512];
    int rc = proc_path(path, sizeof(path), "%d/%s", (int)pid,
                       src == VMA_SRC_SMAPS ? "smaps" : "maps");
    if (rc)
        return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        vma_list_free(out);
        return errno == ENOENT ? -ESRCH : -errno;
    }
    struct vma_builder b;
    vma_builder_init(&b, out);
    rc = vma_stream(fd, &b);
    close(fd);
    vma_builder_finish(&b);
    if (rc == 0 || rc == -ESRCH) {
        /* An exit mid-read ends the file early without an error: check. */
        int st = vma_target_state(pid);
        if (st)
            rc = st;
        else if (rc == 0 && out->n == 0)
            rc = -ENOENT;
    }
    if (rc)
        vma_list_free(out);
    return rc;
}
