/* SPDX-License-Identifier: MulanPSL-2.0 */
/* sys_compat.h - syscall numbers, constants and structs this layer needs that Debian 12's
 * headers (linux-libc-dev 6.1) may lack, and thin raw-syscall wrappers (no libnuma). */
#ifndef ETMEM_KERNEL_SYS_COMPAT_H
#define ETMEM_KERNEL_SYS_COMPAT_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* same number on every architecture */
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE (1 << 1)
#endif
#ifndef MPOL_MF_MOVE_ALL
#define MPOL_MF_MOVE_ALL (1 << 2)
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

/* PAGEMAP_SCAN (6.7, include/uapi/linux/fs.h): local copies for older headers. It lists
 * the populated ranges of an address range while skipping empty page tables. */
struct etmem_pm_scan_arg {
    uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
    uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
struct etmem_page_region {
    uint64_t start, end, categories;
};
#define ETMEM_PAGEMAP_SCAN _IOWR('f', 16, struct etmem_pm_scan_arg)
#define ETMEM_PAGE_IS_PRESENT (1ULL << 3)
#define ETMEM_PAGE_IS_SWAPPED (1ULL << 4)

/* /proc/<pid>/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define PM_EXCLUSIVE (1ULL << 56)
#define PM_FILE (1ULL << 61)
#define PM_SWAPPED (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

/* /proc/kpageflags bits */
#define KPF_DIRTY 4
#define KPF_WRITEBACK 8
#define KPF_SWAPCACHE 13
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_THP 22

/* IOV_MAX of process_madvise (UIO_MAXIOV) */
#define ETMEM_IOV_MAX 1024

static inline int sys_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

static inline ssize_t sys_process_madvise(int pidfd, const struct iovec *iov, size_t n,
                                          int advice)
{
    return syscall(SYS_process_madvise, pidfd, iov, n, advice, 0);
}

static inline long sys_move_pages(pid_t pid, unsigned long count, void **pages,
                                  const int *nodes, int *status, int flags)
{
    return syscall(SYS_move_pages, pid, count, pages, nodes, status, flags);
}

#endif
