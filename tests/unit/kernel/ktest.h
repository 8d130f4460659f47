/* SPDX-License-Identifier: MulanPSL-2.0 */
/* ktest.h - helpers of the host real-kernel tests: a child process with a known memory
 * layout (optionally keeping a hot part busy) driven over pipes, pagemap checks, and
 * making swap available (or saying why not, so the test can skip). */
#ifndef ETMEM_KTEST_H
#define ETMEM_KTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct proc_identity;

#define KTEST_SKIP 77

struct kchild {
    pid_t pid;
    int cmd_fd;    /* parent -> child */
    int reply_fd;  /* child -> parent */
    uint64_t base; /* start of the child's buffer (one VMA, no THP) */
    size_t len;
    size_t hot;    /* the first hot bytes are read continuously by the child */
    unsigned seed;
};

/* Start a child that maps len bytes, fills them with a seeded pattern and, if hot > 0,
 * reads one byte of each page of [base, base+hot) every millisecond. 0 or -errno. */
int kchild_start(struct kchild *c, size_t len, size_t hot, unsigned seed);
/* The same with the buffer 2 MiB aligned and MADV_HUGEPAGE (THP-backed where possible). */
int kchild_start_thp(struct kchild *c, size_t len, size_t hot, unsigned seed);
/* The same as kchild_start, the child taking the given (free) pid: a reused pid. -EPERM,
 * -ENOSYS or -EEXIST when that cannot be done here. */
int kchild_start_at(struct kchild *c, pid_t pid, size_t len, size_t hot, unsigned seed);
/* Ask the child to checksum its whole buffer (swapping everything back in). */
int kchild_checksum(struct kchild *c, uint64_t *sum);
/* The checksum the pattern must have. */
uint64_t kchild_expected(size_t len, unsigned seed);
/* Stop it (quit command, then SIGKILL by pid after 2 s) and reap it. */
void kchild_stop(struct kchild *c);

/* The identity (pid + start time) of a live process, for an action's open(): a static
 * buffer, valid until the next call; starttime 0 when the pid is gone (ktest_identity.c:
 * not in the scan library user, which sees the public API only). */
const struct proc_identity *ktest_identity(pid_t pid);

/* Count pages of [start, start+len) of pid that pagemap shows present / swapped. */
int ktest_pagemap_count(pid_t pid, uint64_t start, size_t len, size_t *present, size_t *swapped);
/* smaps "Swap:" kB of the VMA containing addr. */
int ktest_smaps_swap_kb(pid_t pid, uint64_t addr, uint64_t *kb);
/* Any smaps field ("AnonHugePages", ...) in kB of the VMA containing addr. */
int ktest_smaps_kb(pid_t pid, uint64_t addr, const char *field, uint64_t *kb);

/* Make sure swap exists: use what is there, or (only when the host has no swap at all)
 * set up /dev/zram0 as swap and LEAVE it on (other tests and the platform may rely on it
 * from then on; see docs/kernel-backends.md). false + why when impossible. */
bool ktest_swap_ensure(char *why, size_t len);

/* Page out cold[0..ncold) of a through the madvise backend, then check: a's hot part (its
 * first a->hot bytes) at least 90 % resident, at least cold_pct % of the rest swapped, the
 * control ctl untouched, a's bytes intact (cmocka asserts; host tests only). */
struct page_range;
void ktest_reclaim_check(struct kchild *a, const struct kchild *ctl,
                         const struct page_range *cold, size_t ncold, unsigned cold_pct);

/* Sleep ms milliseconds, whatever signals arrive. */
void ktest_sleep_ms(long ms);

/* A tracker's verdict on a child, page by page: its first c->hot bytes are the hot part. */
struct heat_map;
struct ktest_tally {
    uint64_t hot_end;
    size_t hot_pages, hot_accessed, cold_pages, cold_idle, huge_pages; /* present pages */
    struct page_range *cold; /* the runs found idle, for ktest_reclaim_check */
    size_t ncold;
};
/* Count hm's runs over c's buffer into t (zeroed, or a previous tally: it is reset). */
void ktest_tally(const struct heat_map *hm, const struct kchild *c, struct ktest_tally *t);
void ktest_tally_free(struct ktest_tally *t);

#endif
