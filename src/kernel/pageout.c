/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pageout.c - the process_madvise loop (MADV_PAGEOUT and the other remote advices): up to 1024 iovecs per call, resume
 * after partial progress, skip (and count) the iovec a call fails on. */
#include "pageout.h"

#include <errno.h>

#include "sys_compat.h"

static void iov_advance(struct iovec **iov, size_t *n, size_t bytes)
{
    while (*n && bytes >= (*iov)->iov_len) {
        bytes -= (*iov)->iov_len;
        (*iov)++;
        (*n)--;
    }
    if (*n && bytes) {
        (*iov)->iov_base = (char *)(*iov)->iov_base + bytes;
        (*iov)->iov_len -= bytes;
    }
}

int pageout_iov(int pidfd, struct iovec *iov, size_t n, long page_size,
                struct action_counters *c)
{
    return advise_iov(pidfd, iov, n, MADV_PAGEOUT, page_size, c);
}

int advise_iov(int pidfd, struct iovec *iov, size_t n, int advice, long page_size,
               struct action_counters *c)
{
    while (n) {
        size_t cnt = n < ETMEM_IOV_MAX ? n : ETMEM_IOV_MAX;
        ssize_t r = sys_process_madvise(pidfd, iov, cnt, advice);
        c->syscalls++;
        if (r >= 0) {
            uint64_t pages = (uint64_t)r / (uint64_t)page_size;
            c->pages_tried += pages;
            c->pages_done += pages;
            iov_advance(&iov, &n, (size_t)r);
            continue; /* a short count: the next call reports the failing iovec */
        }
        int err = errno;
        switch (err) {
        case EINTR:
            continue;
        case ESRCH:
            return -ESRCH;
        case EPERM:
        case ENOSYS:
        case EBADF:
            return -err;
        default: {
            /* nothing was done: the first iovec is the one that failed */
            uint64_t pages = iov->iov_len / (uint64_t)page_size;
            c->pages_tried += pages;
            c->pages_failed[action_fail_from_errno(err, false)] += pages;
            iov++;
            n--;
        }
        }
    }
    return 0;
}
