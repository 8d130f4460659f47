/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tracker_common.c - defaults and owned copies of scan_opts, and the filtered VMA read
 * every tracker starts its sample with. */
#include "tracker_common.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void scan_opts_default(struct scan_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->anon_only = true;
    o->swap_flag_name = "etmem_swap";
    o->damon = (struct damon_attrs){ 5000, 100000, 1000000, 10, 1000 };
    o->fallback = (struct fallback_limits){ 1000, 64, 3, false };
}

void scan_opts_damon_window(struct scan_opts *o, unsigned window_s)
{
    if (window_s == 0)
        return;
    o->damon.aggr_us = (uint64_t)window_s * 1000000;
    o->damon.sample_us = o->damon.aggr_us;
}

void scan_opts_copy_init(struct scan_opts_copy *c, const struct scan_opts *src)
{
    c->o = *src;
    c->vm_flags = src->vm_flags && *src->vm_flags ? xstrdup(src->vm_flags) : NULL;
    c->swap_flag_name = xstrdup(src->swap_flag_name ? src->swap_flag_name : "etmem_swap");
    c->o.vm_flags = c->vm_flags;
    c->o.swap_flag_name = c->swap_flag_name;
}

void scan_opts_copy_free(struct scan_opts_copy *c)
{
    free(c->vm_flags);
    free(c->swap_flag_name);
    c->vm_flags = c->swap_flag_name = NULL;
}

int tracker_read_vmas(pid_t pid, const struct scan_opts *o, enum vma_source src,
                      struct vma_list *out)
{
    if (o->vm_flags)
        src = VMA_SRC_SMAPS;
    int rc = vma_list_read(pid, src, out);
    if (rc)
        return rc;
    struct vma_filter f = {
        .anon_only = o->anon_only,
        .vm_flags = o->vm_flags,
        .anon_name = o->swap_flag_only ? o->swap_flag_name : NULL,
        .skip_special = true,
    };
    vma_list_filter(out, &f);
    return 0;
}
