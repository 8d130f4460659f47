/* SPDX-License-Identifier: MulanPSL-2.0 */
/* probe.c - read-only detection of the kernel interfaces etmem can use, one small probe
 * function per feature, run from a table. Nothing here writes to /proc or /sys; the only
 * syscalls with an effect touch a private page of our own. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "probe_internal.h"
#include "proc.h"
#include "sys_compat.h"

void feat_set(struct kernel_caps *caps, enum kernel_feature f, bool ok, const char *fmt, ...)
{
    va_list ap;
    caps->feat[f].ok = ok;
    va_start(ap, fmt);
    vsnprintf(caps->feat[f].detail, sizeof(caps->feat[f].detail), fmt, ap);
    va_end(ap);
}

static bool path_readable(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

static void probe_idle_pages(struct kernel_caps *caps)
{
    char path[512];
    proc_path(path, sizeof(path), "%d/idle_pages", (int)getpid());
    if (access(path, F_OK) == 0)
        feat_set(caps, KF_IDLE_PAGES, true, "%s present", path);
    else
        feat_set(caps, KF_IDLE_PAGES, false,
                 "/proc/<pid>/idle_pages missing (openEuler etmem_scan module not loaded)");
}

static void probe_swap_pages(struct kernel_caps *caps)
{
    char path[512];
    proc_path(path, sizeof(path), "%d/swap_pages", (int)getpid());
    if (access(path, F_OK) == 0)
        feat_set(caps, KF_SWAP_PAGES, true, "%s present", path);
    else
        feat_set(caps, KF_SWAP_PAGES, false,
                 "/proc/<pid>/swap_pages missing (openEuler etmem_swap module not loaded)");
}

static void probe_page_idle(struct kernel_caps *caps)
{
    char path[512];
    sys_path(path, sizeof(path), "kernel/mm/page_idle/bitmap");
    if (access(path, F_OK) != 0)
        feat_set(caps, KF_PAGE_IDLE, false, "/sys/kernel/mm/page_idle/bitmap missing (kernel "
                 "built without CONFIG_IDLE_PAGE_TRACKING)");
    else if (!path_readable(path))
        feat_set(caps, KF_PAGE_IDLE, false, "/sys/kernel/mm/page_idle/bitmap not readable "
                 "(%s; needs root)", strerror(errno));
    else
        feat_set(caps, KF_PAGE_IDLE, true, "/sys/kernel/mm/page_idle/bitmap readable");
}

/* PFNs show only with CAP_SYS_ADMIN: read the entry of a page we just touched. */
static void probe_pagemap_pfn(struct kernel_caps *caps)
{
    char path[512];
    static volatile char page_probe[1 << 16];
    uint64_t e = 0;
    uintptr_t addr = ((uintptr_t)page_probe + 4095) & ~(uintptr_t)4095;

    *(volatile char *)addr = 1;
    proc_path(path, sizeof(path), "%d/pagemap", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        feat_set(caps, KF_PAGEMAP_PFN, false, "/proc/<pid>/pagemap: %s (CONFIG_PROC_PAGE_MONITOR?)",
                 strerror(errno));
        return;
    }
    ssize_t r = pread(fd, &e, sizeof(e), (off_t)(addr / (uintptr_t)caps->page_size * 8));
    close(fd);
    if (r != sizeof(e))
        feat_set(caps, KF_PAGEMAP_PFN, false, "/proc/<pid>/pagemap read failed");
    else if (!(e & PM_PRESENT) || (e & PM_PFN_MASK) == 0)
        feat_set(caps, KF_PAGEMAP_PFN, false, "/proc/<pid>/pagemap hides PFNs (needs CAP_SYS_ADMIN)");
    else
        feat_set(caps, KF_PAGEMAP_PFN, true, "/proc/<pid>/pagemap shows PFNs");
}

static void probe_process_madvise(struct kernel_caps *caps)
{
    int pidfd = sys_pidfd_open(getpid());
    if (pidfd < 0) {
        feat_set(caps, KF_PROCESS_MADVISE, false, "pidfd_open(2): %s (kernel < 5.3)", strerror(errno));
        feat_set(caps, KF_MADV_PAGEOUT, false, "needs process_madvise(2)");
        return;
    }
    /* One page of our own, private and untouched: paging it out has no effect on anyone. */
    long ps = caps->page_size;
    void *p = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        close(pidfd);
        feat_set(caps, KF_PROCESS_MADVISE, false, "mmap for the probe failed: %s", strerror(errno));
        feat_set(caps, KF_MADV_PAGEOUT, false, "not probed");
        return;
    }
    struct iovec iov = { p, (size_t)ps };
    ssize_t r = sys_process_madvise(pidfd, &iov, 1, MADV_PAGEOUT);
    int err = errno;
    munmap(p, (size_t)ps);
    close(pidfd);
    if (r >= 0) {
        feat_set(caps, KF_PROCESS_MADVISE, true, "process_madvise(2) works");
        feat_set(caps, KF_MADV_PAGEOUT, true, "MADV_PAGEOUT accepted");
    } else if (err == ENOSYS) {
        feat_set(caps, KF_PROCESS_MADVISE, false, "process_madvise(2) missing (kernel < 5.10 or "
                 "built without CONFIG_ADVISE_SYSCALLS)");
        feat_set(caps, KF_MADV_PAGEOUT, false, "needs process_madvise(2)");
    } else if (err == EINVAL) {
        feat_set(caps, KF_PROCESS_MADVISE, true, "process_madvise(2) present");
        feat_set(caps, KF_MADV_PAGEOUT, false, "MADV_PAGEOUT refused (EINVAL: kernel < 5.4 or "
                 "process_madvise < 5.13 limits advice)");
    } else {
        feat_set(caps, KF_PROCESS_MADVISE, false, "process_madvise(2): %s", strerror(err));
        feat_set(caps, KF_MADV_PAGEOUT, false, "not usable: %s", strerror(err));
    }
}

static void probe_move_pages(struct kernel_caps *caps)
{
    volatile char page = 1; /* on our stack, so resident */
    void *pages[1] = { (void *)&page };
    int status = 0;

    /* query mode (nodes NULL) on our own page: no effect */
    if (sys_move_pages(0, 1, pages, NULL, &status, 0) == 0)
        feat_set(caps, KF_MOVE_PAGES, true, "move_pages(2) works (page on node %d)", status);
    else if (errno == ENOSYS)
        feat_set(caps, KF_MOVE_PAGES, false, "move_pages(2) missing (kernel built without "
                 "CONFIG_NUMA/CONFIG_MIGRATION)");
    else
        feat_set(caps, KF_MOVE_PAGES, false, "move_pages(2): %s", strerror(errno));
}

static void probe_pagemap_scan(struct kernel_caps *caps)
{
    char path[512];
    struct etmem_pm_scan_arg arg = { 0 }; /* size 0: a kernel with the ioctl says EINVAL */

    proc_path(path, sizeof(path), "%d/pagemap", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        feat_set(caps, KF_PAGEMAP_SCAN, false, "pagemap: %s", strerror(errno));
        return;
    }
    int r = ioctl(fd, ETMEM_PAGEMAP_SCAN, &arg);
    int err = errno;
    close(fd);
    if (r < 0 && err == EINVAL)
        feat_set(caps, KF_PAGEMAP_SCAN, true, "PAGEMAP_SCAN ioctl present");
    else
        feat_set(caps, KF_PAGEMAP_SCAN, false, "PAGEMAP_SCAN ioctl missing (kernel < 6.7)");
}

static void probe_clear_refs(struct kernel_caps *caps)
{
    char path[512];
    proc_path(path, sizeof(path), "%d/clear_refs", (int)getpid());
    if (access(path, W_OK) != 0) {
        feat_set(caps, KF_CLEAR_REFS, false, "/proc/<pid>/clear_refs not writable: %s",
                 strerror(errno));
        return;
    }
    proc_path(path, sizeof(path), "%d/smaps", (int)getpid());
    if (!path_readable(path))
        feat_set(caps, KF_CLEAR_REFS, false, "/proc/<pid>/smaps not readable");
    else
        feat_set(caps, KF_CLEAR_REFS, true, "clear_refs + smaps Referenced available");
}

/* Naming a private mapping of our own is the cheapest exact test of CONFIG_ANON_VMA_NAME. */
static void probe_anon_vma_name(struct kernel_caps *caps)
{
    long ps = caps->page_size;
    void *p = mmap(NULL, (size_t)ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        feat_set(caps, KF_ANON_VMA_NAME, false, "mmap for the probe failed");
        return;
    }
    int r = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, (unsigned long)ps,
                  (unsigned long)"etmem_probe");
    int err = errno;
    munmap(p, (size_t)ps);
    if (r == 0)
        feat_set(caps, KF_ANON_VMA_NAME, true, "[anon:name] mappings supported");
    else
        feat_set(caps, KF_ANON_VMA_NAME, false, "prctl(PR_SET_VMA_ANON_NAME): %s (kernel built "
                 "without CONFIG_ANON_VMA_NAME)", strerror(err));
}

static void probe_swap_knob(struct kernel_caps *caps)
{
    char path[512], line[32];
    sys_path(path, sizeof(path), "kernel/mm/swap/kernel_swap_enable");
    caps->kernel_swap_enable = -1;
    if (file_read_line(path, line, sizeof(line)) != 0) {
        feat_set(caps, KF_SWAP_ENABLE_KNOB, false, "/sys/kernel/mm/swap/kernel_swap_enable "
                 "missing (openEuler only)");
        return;
    }
    caps->kernel_swap_enable = strcmp(line, "true") == 0 || strcmp(line, "1") == 0;
    feat_set(caps, KF_SWAP_ENABLE_KNOB, true, "kernel_swap_enable = %s", line);
}

static void probe_thp(struct kernel_caps *caps)
{
    char path[512], line[128];
    caps->thp_enabled[0] = '\0';
    sys_path(path, sizeof(path), "kernel/mm/transparent_hugepage/enabled");
    if (file_read_line(path, line, sizeof(line)) != 0)
        return;
    char *l = strchr(line, '['), *r = l ? strchr(l, ']') : NULL;
    if (l && r && (size_t)(r - l - 1) < sizeof(caps->thp_enabled))
        snprintf(caps->thp_enabled, sizeof(caps->thp_enabled), "%.*s", (int)(r - l - 1), l + 1);
}

typedef void (*probe_fn)(struct kernel_caps *caps);

static const probe_fn probes[] = {
    probe_idle_pages, probe_swap_pages, probe_page_idle, probe_pagemap_pfn,
    probe_damon,      probe_process_madvise, probe_move_pages, probe_pagemap_scan,
    probe_clear_refs, probe_anon_vma_name, probe_swap_knob, probe_thp,
    probe_numa,       probe_swaps,
};

int kernel_probe(struct kernel_caps *caps)
{
    struct utsname u;

    memset(caps, 0, sizeof(*caps));
    caps->page_size = sysconf(_SC_PAGESIZE);
    if (uname(&u) == 0)
        snprintf(caps->release, sizeof(caps->release), "%s", u.release);
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        probes[i](caps);
    return 0;
}

bool kernel_require(const struct kernel_caps *caps, char *why, size_t why_len, int n, ...)
{
    va_list ap;
    bool ok = true;
    va_start(ap, n);
    for (int i = 0; i < n && ok; i++) {
        enum kernel_feature f = (enum kernel_feature)va_arg(ap, int);
        if (!caps->feat[f].ok) {
            snprintf(why, why_len, "%s", caps->feat[f].detail);
            ok = false;
        }
    }
    va_end(ap);
    return ok;
}

const char *kernel_feature_name(enum kernel_feature f)
{
    static const char *const names[KF_COUNT] = {
        [KF_IDLE_PAGES] = "idle_pages",       [KF_SWAP_PAGES] = "swap_pages",
        [KF_PAGE_IDLE] = "page_idle",         [KF_PAGEMAP_PFN] = "pagemap_pfn",
        [KF_DAMON_SYSFS] = "damon_sysfs",     [KF_DAMON_VADDR] = "damon_vaddr",
        [KF_PROCESS_MADVISE] = "process_madvise", [KF_MADV_PAGEOUT] = "madv_pageout",
        [KF_MOVE_PAGES] = "move_pages",       [KF_PAGEMAP_SCAN] = "pagemap_scan",
        [KF_CLEAR_REFS] = "clear_refs",       [KF_ANON_VMA_NAME] = "anon_vma_name",
        [KF_SWAP_ENABLE_KNOB] = "kernel_swap_enable",
    };
    return f < KF_COUNT ? names[f] : "?";
}
