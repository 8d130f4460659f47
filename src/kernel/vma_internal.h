/* SPDX-License-Identifier: MulanPSL-2.0 */
/* vma_internal.h - the incremental list builder shared by the text parser and the
 * streaming procfs reader (paths are pooled; pointers are fixed up at the end). */
#ifndef ETMEM_KERNEL_VMA_INTERNAL_H
#define ETMEM_KERNEL_VMA_INTERNAL_H

#include "vma.h"

struct vma_builder {
    struct vma_list *list;
    size_t *path_off;
    size_t off_cap;
};

void vma_builder_init(struct vma_builder *b, struct vma_list *out);
int vma_builder_line(struct vma_builder *b, const char *line, size_t len);
void vma_builder_finish(struct vma_builder *b);

#endif
