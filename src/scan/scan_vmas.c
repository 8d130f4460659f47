/* SPDX-License-Identifier: MulanPSL-2.0 */
/* scan_vmas.c - etmemd_get_vmas/etmemd_free_vmas: the VMA layer's list converted to the
 * original's linked list of struct vma, with its flag checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etmemd_scan_exp.h"
#include "log.h"
#include "scan_internal.h"
#include "vma.h"
#include "xalloc.h"

/* Each flag exactly 2 non-space characters; joined with spaces for the VMA filter. */
static char *vmflags_join(char **flags, int num)
{
    if (num < 0 || (num > 0 && !flags))
        return NULL;
    char *out = xcalloc((size_t)num * 3 + 1, 1);
    for (int i = 0; i < num; i++) {
        const char *f = flags[i];
        if (!f || strlen(f) != 2 || f[0] == ' ' || f[1] == ' ') {
            log_err("etmemd_get_vmas: vm flag %d invalid: each flag must be 2 characters", i);
            free(out);
            return NULL;
        }
        strcat(out, i ? " " : "");
        strcat(out, f);
    }
    return out;
}

static struct vma *vma_convert(const struct vma_entry *e)
{
    struct vma *v = xcalloc(1, sizeof(*v));
    v->start = e->start;
    v->end = e->end;
    v->stat[VMA_STAT_READ] = e->perms & VMA_PERM_READ;
    v->stat[VMA_STAT_WRITE] = e->perms & VMA_PERM_WRITE;
    v->stat[VMA_STAT_EXEC] = e->perms & VMA_PERM_EXEC;
    v->stat[VMA_STAT_MAY_SHARE] = e->perms & VMA_PERM_SHARED;
    v->offset = e->offset;
    v->inode = e->inode;
    if (strlen(e->path) < VMA_PATH_STR_LEN)
        strcpy(v->path, e->path);
    else
        log_warn("etmemd_get_vmas: path of vma %llx longer than %d bytes left empty",
                 (unsigned long long)e->start, VMA_PATH_STR_LEN - 1);
    snprintf(v->major, sizeof(v->major), "%02x", e->dev_major & 0xfffu);
    snprintf(v->minor, sizeof(v->minor), "%02x", e->dev_minor & 0xfffffu);
    return v;
}

struct vmas *etmemd_get_vmas(const char *pid, char **vmflags_array, int vmflags_num,
                             bool is_anon_only)
{
    pid_t p;
    if (!scan_parse_pid(pid, &p)) {
        log_err("etmemd_get_vmas: invalid pid '%s'", pid ? pid : "(null)");
        return NULL;
    }
    char *flags = vmflags_join(vmflags_array, vmflags_num);
    if (!flags)
        return NULL;
    struct vma_list list = VMA_LIST_INIT;
    int rc = vma_list_read(p, vmflags_num ? VMA_SRC_SMAPS : VMA_SRC_MAPS, &list);
    if (rc) {
        log_err("etmemd_get_vmas: pid %d: %s", (int)p, strerror(-rc));
        free(flags);
        return NULL;
    }
    struct vma_filter f = { .anon_only = is_anon_only, .vm_flags = *flags ? flags : NULL };
    vma_list_filter(&list, &f);

    struct vmas *out = xcalloc(1, sizeof(*out));
    struct vma **tail = &out->vma_list;
    for (size_t i = 0; i < list.n; i++) {
        *tail = vma_convert(&list.v[i]);
        tail = &(*tail)->next;
        out->vma_cnt++;
    }
    vma_list_free(&list);
    free(flags);
    return out;
}

void etmemd_free_vmas(struct vmas *vmas)
{
    if (!vmas)
        return;
    for (struct vma *v = vmas->vma_list, *next; v; v = next) {
        next = v->next;
        free(v);
    }
    free(vmas);
}
