/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tracker_idle_pages.c - the openEuler tracker: /proc/<pid>/idle_pages (etmem_scan.ko).
 * Each read walks page tables from the file offset (= virtual address) and test-and-clears
 * accessed bits, returning records decoded by idle_decode.c. Unlike the original's single
 * read per VMA, reads loop until the VMA is covered (the kernel stops when its buffer is
 * full). A fresh fd per pass, with the ioctl flags sent on it, as the original. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "heatmap.h"
#include "idle_decode.h"
#include "probe.h"
#include "proc.h"
#include "tracker_common.h"
#include "xalloc.h"

#define IDLE_SCAN_MAGIC 0x66
#define IDLE_SCAN_ADD_FLAGS _IOW(IDLE_SCAN_MAGIC, 0x0, unsigned int)
#define VMA_SCAN_ADD_FLAGS _IOW(IDLE_SCAN_MAGIC, 0x2, unsigned int)
#define IDLE_SCAN_AS_HUGE 0100000000u
#define IDLE_SCAN_IGN_HOST 0200000000u
#define IDLE_VMA_SCAN_FLAG 0x1000u

#define IDLE_BUF 65536
#define IDLE_READ_MIN 20 /* the original's EPT_IDLE_BUF_MIN: (8 + 2) * 2 */

struct tracker {
    pid_t pid;
    long ps;
    struct scan_opts_copy opts;
    struct vma_list vmas;
    uint8_t *buf;
};

static bool idle_pages_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    return kernel_require(caps, why, len, 1, KF_IDLE_PAGES);
}

static void idle_pages_close(struct tracker *t)
{
    if (!t)
        return;
    vma_list_free(&t->vmas);
    scan_opts_copy_free(&t->opts);
    free(t->buf);
    free(t);
}

static struct tracker *idle_pages_open(pid_t pid, const struct scan_opts *opts, int *err)
{
    char path[512];
    if ((*err = proc_path(path, sizeof(path), "%d/idle_pages", (int)pid)) != 0)
        return NULL;
    if (access(path, R_OK) != 0) {
        *err = errno == ENOENT ? -ESRCH : -errno;
        return NULL;
    }
    struct tracker *t = xcalloc(1, sizeof(*t));
    t->pid = pid;
    t->ps = sysconf(_SC_PAGESIZE);
    scan_opts_copy_init(&t->opts, opts);
    t->buf = xmalloc(IDLE_BUF);
    return t;
}

static int idle_fd_open(struct tracker *t)
{
    char path[512];
    int rc = proc_path(path, sizeof(path), "%d/idle_pages", (int)t->pid);
    if (rc)
        return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    unsigned scan = (t->opts.o.scan_as_huge ? IDLE_SCAN_AS_HUGE : 0) |
                    (t->opts.o.ign_host ? IDLE_SCAN_IGN_HOST : 0);
    unsigned vma = t->opts.o.swap_flag_only ? IDLE_VMA_SCAN_FLAG : 0;
    if ((scan && ioctl(fd, IDLE_SCAN_ADD_FLAGS, &scan) < 0) ||
        (vma && ioctl(fd, VMA_SCAN_ADD_FLAGS, &vma) < 0)) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

struct emit_ctx {
    struct heat_map *hm;
    struct scan_stats *st;
    long ps;
};

static void idle_emit(void *arg, const struct idle_run *run)
{
    struct emit_ctx *c = arg;
    if (run->hole)
        return;
    uint64_t pages = run->len / (uint64_t)c->ps;
    c->st->pages += pages;
    c->st->pages_accessed += run->weight ? pages : 0;
    c->st->pages_dirty += run->weight == 3 ? pages : 0;
    if (c->hm)
        heat_map_add(c->hm, run->addr, run->len, run->weight,
                     HEAT_PRESENT | (run->huge ? HEAT_HUGE : 0));
}

/* Read records for [start, end) until covered; returns the cursor reached or -errno.
 * Every read is self-contained for the kernel (it starts with an address command), so a
 * command cut at the end of a read is a truncated stream, not something to carry over. */
static int64_t idle_scan_vma(struct tracker *t, int fd, uint64_t start, uint64_t end,
                             struct emit_ctx *ec, struct idle_decoder *d)
{
    uint64_t pos = start;

    while (pos < end) {
        uint64_t want = ((end - pos) >> 3) / (uint64_t)t->ps;
        size_t count = want < IDLE_READ_MIN ? IDLE_READ_MIN : want > IDLE_BUF ? IDLE_BUF : (size_t)want;
        if (lseek(fd, (off_t)pos, SEEK_SET) < 0)
            return -errno;
        ssize_t r = read(fd, t->buf, count);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno == ENOENT ? -ESRCH : -errno;
        }
        ec->st->syscalls++;
        ec->st->bytes_read += (uint64_t)r;
        size_t used;
        d->have_addr = false;
        d->cursor = pos;
        int rc = idle_decode(d, t->buf, (size_t)r, idle_emit, ec, &used);
        if (rc)
            return rc;
        if (used != (size_t)r)
            return -EPROTO;
        off_t kpos = lseek(fd, 0, SEEK_CUR); /* the kernel's next_hva */
        uint64_t next = d->cursor > (uint64_t)kpos ? d->cursor : (uint64_t)kpos;
        if (r == 0 || next <= pos)
            break; /* nothing more, or no progress: never spin */
        pos = next;
    }
    return (int64_t)(d->cursor > pos ? d->cursor : pos);
}

static int idle_pages_pass(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    /* The swap-flag mark is the kernel's VMA_SCAN_FLAG here, not an [anon:] name. */
    struct scan_opts o = t->opts.o;
    o.swap_flag_only = false;
    int rc = tracker_read_vmas(t->pid, &o, VMA_SRC_MAPS, &t->vmas);
    if (rc)
        return rc == -ENOENT ? -ESRCH : rc;
    int fd = idle_fd_open(t);
    if (fd < 0)
        return fd;
    struct idle_decoder d;
    struct emit_ctx ec = { hm, st, t->ps };
    uint64_t last_walk_end = 0;

    idle_decoder_init(&d, t->ps);
    for (size_t i = 0; i < t->vmas.n && rc == 0; i++) {
        const struct vma_entry *v = &t->vmas.v[i];
        if (v->end <= last_walk_end)
            continue; /* covered by a huge record of the previous VMA */
        uint64_t start = v->start > last_walk_end ? v->start : last_walk_end;
        int64_t reached = idle_scan_vma(t, fd, start, v->end, &ec, &d);
        if (reached < 0)
            rc = (int)reached;
        else
            last_walk_end = (uint64_t)reached;
        st->vmas++;
    }
    st->records_skipped += d.misaligned;
    close(fd);
    return rc;
}

static int idle_pages_prime(struct tracker *t)
{
    struct scan_stats st = { 0 };
    return idle_pages_pass(t, NULL, &st); /* test-and-clear: the window starts now */
}

static int idle_pages_sample(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    return idle_pages_pass(t, hm, st);
}

const struct tracker_ops tracker_idle_pages_ops = {
    .name = "idle_pages",
    .summary = "openEuler /proc/<pid>/idle_pages: per page, reads and writes, huge pages",
    .per_page = true,
    .sees_writes = true,
    .has_history = true,
    .sees_hugetlb = true,       /* SCAN_AS_HUGE */
    .swap_flag_marks = true,
    .usable = idle_pages_usable,
    .open = idle_pages_open,
    .prime = idle_pages_prime,
    .sample = idle_pages_sample,
    .close = idle_pages_close,
};
