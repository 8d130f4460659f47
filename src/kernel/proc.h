/* SPDX-License-Identifier: MulanPSL-2.0 */
/* proc.h - procfs/sysfs readers with a redirectable root, so fixture trees under
 * tests/fixtures/ can stand in for /proc and /sys.
 *
 * Contract
 * - procfs_set_root()/sysfs_set_root() change process-global state: call them before any
 *   thread uses this layer (tests, or a daemon option at start-up). The strings are copied.
 * - Readers return 0 or a negative errno. A process that does not exist (or exited while
 *   being read) is -ESRCH; a file the kernel does not provide is -ENOENT. Neither is
 *   logged: for a tiering daemon targets vanishing is normal.
 * - Arrays returned through pointer arguments are malloc'ed; the caller frees them with
 *   free(). Nothing else is allocated. All readers are thread-safe and may block briefly
 *   on procfs reads. The parse_* functions are pure (no I/O) for tests and fuzzers. */
#ifndef ETMEM_KERNEL_PROC_H
#define ETMEM_KERNEL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

void procfs_set_root(const char *root); /* default "/proc"; NULL restores it */
void sysfs_set_root(const char *root);  /* default "/sys" */
const char *procfs_root(void);
const char *sysfs_root(void);

/* snprintf "<procfs root>/<fmt...>" into buf. Returns 0 or -ENAMETOOLONG. */
int proc_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int sys_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Read a whole (pseudo) file into a NUL-terminated malloc'ed buffer. -ENOENT if absent. */
int file_read_all(const char *path, char **buf, size_t *len);
/* Read the first line of a small file (sysfs attribute) without the newline. */
int file_read_line(const char *path, char *buf, size_t len);
/* Read a small file holding one unsigned decimal. */
int file_read_u64(const char *path, uint64_t *out);

/* All values in kB, as the kernel prints them; 0 when a field is absent. */
struct meminfo {
    uint64_t mem_total;
    uint64_t mem_free;
    uint64_t mem_available;
    uint64_t swap_cached;
    uint64_t swap_total;
    uint64_t swap_free;
    uint64_t anon_pages;
    uint64_t anon_huge_pages;
    uint64_t hugepages_total; /* count, default hugepage size */
    uint64_t hugepages_free;
    uint64_t hugepage_size;
};
int proc_parse_meminfo(const char *text, struct meminfo *mi);
int proc_read_meminfo(struct meminfo *mi);

/* /proc/<pid>/status; sizes in kB. */
struct proc_status {
    char name[16];
    pid_t tgid;
    pid_t ppid;
    uint64_t vm_size;
    uint64_t vm_rss;
    uint64_t rss_anon;
    uint64_t vm_swap;
    uint64_t vm_hwm;
    int threads;
};
int proc_parse_status(const char *text, struct proc_status *st);
int proc_read_status(pid_t pid, struct proc_status *st);

/* /proc/<pid>/stat. comm is taken between the first '(' and the LAST ')', so names with
 * spaces or parentheses parse right. */
struct proc_stat {
    pid_t pid;
    char comm[16];
    char state;
    pid_t ppid;
    uint64_t flags;     /* PF_* (PF_EXITING 0x4, PF_KTHREAD 0x200000) */
    uint64_t minflt;
    uint64_t majflt;
    uint64_t utime;     /* clock ticks */
    uint64_t stime;
    uint64_t starttime; /* clock ticks since boot */
    uint64_t rss_pages;
};
int proc_parse_stat(const char *text, struct proc_stat *st);
int proc_read_stat(pid_t pid, struct proc_stat *st);

/* Every process (thread group) whose comm equals name exactly, ascending. *n may be 0. */
int proc_find_by_comm(const char *name, pid_t **pids, size_t *n);
/* Every process's pid and comm, ascending by pid: one walk of procfs for many lookups. */
struct proc_comm {
    pid_t pid;
    char comm[16];
};
int proc_list_comms(struct proc_comm **list, size_t *n);
/* Direct children (by ppid) of pid, ascending. */
int proc_list_children(pid_t pid, pid_t **pids, size_t *n);

/* pid + starttime: a pid that was reused by a new process has another starttime. */
struct proc_identity {
    pid_t pid;
    uint64_t starttime;
};
int proc_identity_get(pid_t pid, struct proc_identity *id);
/* true while the same process (not a reused pid) exists and is not a zombie. */
bool proc_identity_alive(const struct proc_identity *id);

/* A process held by identity for actions that name it by pid. The pidfd is trusted only
 * once the pid was seen to still carry id's start time after it was opened, so it names the
 * process decided for and not a newcomer on a reused pid. While the pidfd says the process
 * lives, its pid cannot have been reused. Under a redirected procfs root (fixtures) there is
 * no pidfd, nor on kernels without pidfd_open: each check re-reads the identity. */
struct proc_pin {
    struct proc_identity id;
    int pidfd;                  /* -1: none */
};
/* 0, -ESRCH (gone, a zombie, or the pid is another process now) or another -errno. */
int proc_pin_open(const struct proc_identity *id, struct proc_pin *pin);
/* 0 while the pinned process lives, else -ESRCH. Call after opening a /proc/<pid> file
 * for it (the file is then its) and before each batch of syscalls that take its pid. */
int proc_pin_check(const struct proc_pin *pin);
/* Close the pidfd (if any); pin->pidfd becomes -1. */
void proc_pin_close(struct proc_pin *pin);

/* Why etmemd never acts on this process, or NULL: it is etmemd itself, or a kernel thread
 * (no user memory of its own). */
const char *proc_never_target(pid_t pid, const struct proc_stat *st);

#endif
