/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tracker_common.h - what every tracker shares: an owned copy of scan_opts and reading the
 * target's VMAs with the task's filters applied. */
#ifndef ETMEM_KERNEL_TRACKER_COMMON_H
#define ETMEM_KERNEL_TRACKER_COMMON_H

#include "tracker.h"
#include "vma.h"

struct scan_opts_copy {
    struct scan_opts o;  /* its string pointers point at the copies below */
    char *vm_flags;
    char *swap_flag_name;
};

void scan_opts_copy_init(struct scan_opts_copy *c, const struct scan_opts *src);
void scan_opts_copy_free(struct scan_opts_copy *c);

/* Read (maps, or smaps when src says so or vm_flags need it) and filter. */
int tracker_read_vmas(pid_t pid, const struct scan_opts *o, enum vma_source src,
                      struct vma_list *out);

#endif
