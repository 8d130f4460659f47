/* SPDX-License-Identifier: MulanPSL-2.0 */
/* vma.h - the VMA layer: a fast /proc/<pid>/maps reader (optionally smaps), and the
 * filters the guide's task keys ask for (anon_only, vm_flags, the swap-flag mark).
 *
 * Contract
 * - struct vma_list is owned by the caller: zero-initialise it (or VMA_LIST_INIT), fill it
 *   with vma_list_read(), release with vma_list_free(). Paths live in the list's string
 *   pool; pointers into it stay valid until the list is freed or read again.
 * - vma_list_read() does one buffered pass (64 KiB reads, any line length, no strtok).
 *   The result is ascending and non-overlapping even if the target remapped mid-read.
 *   Returns 0, -ESRCH (target gone, before or during the read), -ENOENT (target exists
 *   but has no address space: a kernel thread or zombie), -EACCES, or -EIO on a line that
 *   does not parse. Short reads are normal and handled.
 * - Thread-safe; blocks on procfs reads (maps: ~1 µs per VMA, smaps: ~70 ns per page). */
#ifndef ETMEM_KERNEL_VMA_H
#define ETMEM_KERNEL_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum vma_perm {
    VMA_PERM_READ = 1u << 0,
    VMA_PERM_WRITE = 1u << 1,
    VMA_PERM_EXEC = 1u << 2,
    VMA_PERM_SHARED = 1u << 3, /* 4th perms char != 'p' (the original's MAY_SHARE) */
};

#define VMA_VMFLAGS_LEN 128

struct vma_entry {
    uint64_t start;
    uint64_t end;
    uint64_t offset;
    uint64_t inode;
    uint32_t dev_major;
    uint32_t dev_minor;
    unsigned perms;      /* enum vma_perm bits */
    const char *path;    /* "" for anonymous; "[heap]", "[anon:name]", "/x (deleted)" kept as is */
    /* Filled only by a smaps read (have_smaps). Sizes in kB. */
    bool have_smaps;
    uint64_t rss_kb;
    uint64_t referenced_kb;
    uint64_t anonymous_kb;
    uint64_t swap_kb;
    uint64_t anon_huge_kb;
    char vmflags[VMA_VMFLAGS_LEN]; /* the VmFlags tokens, space separated */
};

struct vma_list {
    struct vma_entry *v;
    size_t n;
    size_t cap;
    char *pool;          /* path strings */
    size_t pool_len;
    size_t pool_cap;
};

#define VMA_LIST_INIT { 0 }

enum vma_source {
    VMA_SRC_MAPS,  /* maps: addresses, perms, paths */
    VMA_SRC_SMAPS, /* smaps: also Rss/Referenced/Swap/AnonHugePages/VmFlags */
};

int vma_list_read(pid_t pid, enum vma_source src, struct vma_list *out);
/* Parse a whole maps/smaps text (pure; for fixtures and fuzzing). */
int vma_list_parse(const char *text, size_t len, struct vma_list *out);
void vma_list_free(struct vma_list *list);

/* One maps header line (without newline): fills e except path; *path and *path_len point into
 * line. Returns false if it is not a header line. */
bool vma_parse_header(const char *line, size_t len, struct vma_entry *e, const char **path,
                      size_t *path_len);

/* The original's is_anonymous rule: not shared, not executable, and inode==0 or writable
 * (so private writable file mappings count as anon). */
bool vma_is_anon(const struct vma_entry *e);
/* Every 2-char flag of the space-separated want list is a whole token of e->vmflags.
 * want NULL/empty matches all. Needs a smaps read to match anything else. */
bool vma_has_vmflags(const struct vma_entry *e, const char *want);

struct vma_filter {
    bool anon_only;
    const char *vm_flags;     /* space-separated 2-char VmFlags tokens, AND; NULL = any */
    const char *anon_name;    /* keep only [anon:<anon_name>] VMAs (the upstream stand-in for
                                 MADV_SWAPFLAG, see docs/kernel-backends.md); NULL = any */
    bool skip_special;        /* drop [vsyscall], [vvar], [vdso], [stack]-less specials */
};

/* Keep only matching entries, in order. Returns the number kept. */
size_t vma_list_filter(struct vma_list *list, const struct vma_filter *f);
/* Validate a vm_flags string: tokens of exactly 2 printable chars separated by single
 * spaces. Returns false with a reason. */
bool vma_vmflags_valid(const char *flags, char *why, size_t why_len);

#endif
