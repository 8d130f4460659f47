/* SPDX-License-Identifier: MulanPSL-2.0 */
/* vma_filter.c - the task filters of the guide on a vma_list: anon_only (the original's
 * is_anonymous rule), vm_flags as whole VmFlags tokens (AND), and the swap-flag mark. */
#include "vma.h"

#include <stdio.h>
#include <string.h>

bool vma_is_anon(const struct vma_entry *e)
{
    if (e->perms & (VMA_PERM_SHARED | VMA_PERM_EXEC))
        return false;
    return e->inode == 0 || (e->perms & VMA_PERM_WRITE);
}

/* Is the 2-char token tok one of the space-separated tokens of list? */
static bool token_in(const char *list, const char *tok)
{
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 2 && p[0] == tok[0] && p[1] == tok[1])
            return true;
        p += n;
    }
    return false;
}

bool vma_has_vmflags(const struct vma_entry *e, const char *want)
{
    if (!want)
        return true;
    for (const char *p = want; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (!token_in(e->vmflags, p))
            return false;
        p += strcspn(p, " ");
    }
    return true;
}

bool vma_vmflags_valid(const char *flags, char *why, size_t why_len)
{
    const char *p = flags;

    if (!flags || !*flags) {
        snprintf(why, why_len, "vm_flags is empty");
        return false;
    }
    for (;;) {
        size_t n = strcspn(p, " ");
        if (n != 2 || p[0] <= ' ' || p[0] > '~' || p[1] <= ' ' || p[1] > '~') {
            snprintf(why, why_len, "vm_flags '%s': each flag must be exactly 2 characters "
                     "separated by single spaces", flags);
            return false;
        }
        p += n;
        if (!*p)
            return true;
        p++; /* the single space */
    }
}

static bool vma_is_special(const struct vma_entry *e)
{
    static const char *const specials[] = { "[vsyscall]", "[vvar]", "[vdso]", "[vvar_vclock]" };
    for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
        if (strcmp(e->path, specials[i]) == 0)
            return true;
    return false;
}

static bool vma_has_anon_name(const struct vma_entry *e, const char *name)
{
    static const char prefix[] = "[anon:";
    size_t n = strlen(name);
    return strncmp(e->path, prefix, sizeof(prefix) - 1) == 0 &&
           strncmp(e->path + sizeof(prefix) - 1, name, n) == 0 &&
           strcmp(e->path + sizeof(prefix) - 1 + n, "]") == 0;
}

static bool vma_match(const struct vma_entry *e, const struct vma_filter *f)
{
    if (f->skip_special && vma_is_special(e))
        return false;
    if (f->anon_only && !vma_is_anon(e))
        return false;
    if (f->vm_flags && !vma_has_vmflags(e, f->vm_flags))
        return false;
    if (f->anon_name && !vma_has_anon_name(e, f->anon_name))
        return false;
    return true;
}

size_t vma_list_filter(struct vma_list *list, const struct vma_filter *f)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->n; i++)
        if (vma_match(&list->v[i], f))
            list->v[kept++] = list->v[i];
    list->n = kept;
    return kept;
}
