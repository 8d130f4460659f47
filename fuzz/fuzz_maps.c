/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_maps.c - libFuzzer harness for the /proc/<pid> text the daemon reads about its
 * targets (src/kernel/vma_parse.c, vma_filter.c, proc_pid.c). A target chooses much of it
 * (its comm, the paths and [anon:] names of its mappings), so these parsers face hostile
 * text. Byte 0: mode (low 2 bits: 0-1 maps/smaps text through vma_list_parse and the task
 * filters, 2 /proc/<pid>/stat, 3 status) and the filter options (the other bits); the rest
 * is the file. Besides crashes, leaks and UB it aborts when:
 *   - a parsed VMA list is not ascending and disjoint, a path is not a string of the list's
 *     pool or holds a newline, VmFlags is not a short string, or a refused text leaves a
 *     list behind;
 *   - vma_list_filter keeps an entry the rules (anon_only, vm_flags tokens, the [anon:]
 *     mark, special mappings) refuse, drops one they accept, or reorders;
 *   - a stat line's comm is not what lies between the first '(' and the last ')', or a
 *     status Name is not the first line's value (both cut to 15 characters). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "vma.h"

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz_maps: %s\n", what);
    abort();
}

static void check_list(const struct vma_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct vma_entry *e = &l->v[i];

        if (e->end < e->start || (i > 0 && e->start < l->v[i - 1].end))
            fuzz_fail("VMAs not ascending and disjoint");
        if (e->path < l->pool || e->path >= l->pool + l->pool_len ||
            strlen(e->path) >= (size_t)(l->pool + l->pool_len - e->path))
            fuzz_fail("a path outside the string pool");
        if (strchr(e->path, '\n') != NULL)
            fuzz_fail("a path with a newline");
        if (memchr(e->vmflags, '\0', sizeof(e->vmflags)) == NULL)
            fuzz_fail("VmFlags not terminated");
    }
}

/* The filter rules, written out again from the guide and vma.h. */
static bool whole_token(const char *list, const char *tok, size_t len)
{
    for (const char *p = list; *p;) {
        size_t n;

        p += strspn(p, " ");
        n = strcspn(p, " ");
        if (n == len && memcmp(p, tok, len) == 0)
            return true;
        p += n;
    }
    return false;
}

static bool wanted(const struct vma_entry *e, const struct vma_filter *f)
{
    static const char *const specials[] = { "[vsyscall]", "[vvar]", "[vdso]", "[vvar_vclock]" };

    if (f->skip_special)
        for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
            if (strcmp(e->path, specials[i]) == 0)
                return false;
    if (f->anon_only && ((e->perms & (VMA_PERM_SHARED | VMA_PERM_EXEC)) ||
                         (e->inode != 0 && !(e->perms & VMA_PERM_WRITE))))
        return false;
    if (f->vm_flags != NULL) {
        for (const char *p = f->vm_flags; *p;) {
            size_t n;

            p += strspn(p, " ");
            n = strcspn(p, " ");
            if (n > 0 && (n != 2 || !whole_token(e->vmflags, p, 2)))
                return false;
            p += n;
        }
    }
    if (f->anon_name != NULL) {
        char want[64];

        snprintf(want, sizeof(want), "[anon:%s]", f->anon_name);
        if (strcmp(e->path, want) != 0)
            return false;
    }
    return true;
}

static void check_filter(struct vma_list *l, unsigned opts)
{
    struct vma_filter f = {
        .anon_only = opts & 1,
        .skip_special = opts & 2,
        .anon_name = (opts & 4) ? "etmem_swap" : NULL,
    };
    struct vma_entry *before = NULL;
    size_t n = l->n, kept, j = 0;
    char flags[8];

    /* vm_flags: the first token of some entry's own VmFlags (so it can match), or "ht" */
    if ((opts & 8) && n > 0 && strlen(l->v[opts % n].vmflags) >= 2) {
        memcpy(flags, l->v[opts % n].vmflags, 2);
        flags[2] = '\0';
        f.vm_flags = flags;
    } else if (opts & 16) {
        f.vm_flags = "ht";
    }
    if (n > 0) {
        before = malloc(n * sizeof(*before));
        if (before == NULL)
            abort();
        memcpy(before, l->v, n * sizeof(*before));
    }
    kept = vma_list_filter(l, &f);
    if (kept != l->n || kept > n)
        fuzz_fail("vma_list_filter miscounts");
    for (size_t i = 0; i < n; i++) {
        if (!wanted(&before[i], &f))
            continue;
        if (j >= kept || l->v[j].start != before[i].start || l->v[j].path != before[i].path)
            fuzz_fail("vma_list_filter dropped or reordered an entry the rules keep");
        j++;
    }
    if (j != kept)
        fuzz_fail("vma_list_filter kept an entry the rules drop");
    for (size_t i = 0; i < kept; i++) {
        char why[256];

        if (vma_vmflags_valid(l->v[i].vmflags, why, sizeof(why)) &&
            !vma_has_vmflags(&l->v[i], l->v[i].vmflags))
            fuzz_fail("an entry lacks the VmFlags it lists");
    }
    free(before);
}

static void fuzz_vmas(const char *text, size_t len, unsigned opts)
{
    struct vma_list l = VMA_LIST_INIT;
    int rc = vma_list_parse(text, len, &l);

    if (rc != 0) {
        if (rc != -EIO)
            fuzz_fail("vma_list_parse failed with another error than -EIO");
        if (l.n != 0 || l.v != NULL || l.pool != NULL)
            fuzz_fail("a refused text left a list behind");
        return;
    }
    check_list(&l);
    check_filter(&l, opts);
    vma_list_free(&l);
}

/* The expected 15-character cut of text[0..n). */
static void check_name(const char *got, const char *text, size_t n, const char *what)
{
    if (n > 15)
        n = 15;
    if (strlen(got) > n || strncmp(got, text, n) != 0 ||
        (memchr(text, '\0', n) == NULL && strlen(got) != n))
        fuzz_fail(what);
}

static void fuzz_stat(const char *text)
{
    struct proc_stat st;
    const char *open = strchr(text, '('), *close = strrchr(text, ')');

    if (proc_parse_stat(text, &st) != 0)
        return;
    if (open == NULL || close == NULL || close < open || st.pid <= 0)
        fuzz_fail("a stat line without a (comm) or pid accepted");
    check_name(st.comm, open + 1, (size_t)(close - open - 1), "stat comm is not the text in ()");
}

static void fuzz_status(const char *text)
{
    struct proc_status st;
    const char *name;

    if (proc_parse_status(text, &st) != 0)
        return;
    if (strncmp(text, "Name:", 5) != 0)
        fuzz_fail("a status without Name: first accepted");
    name = text + 5 + strspn(text + 5, " \t");
    check_name(st.name, name, strcspn(name, "\n"), "status Name is not the first line's value");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    char *text;

    if (size == 0)
        return 0;
    len = size - 1;
    /* exact size, so a read past the end shows; stat and status text is NUL-terminated */
    text = malloc((data[0] & 2) ? len + 1 : len ? len : 1);
    if (text == NULL)
        abort();
    memcpy(text, data + 1, len);
    switch (data[0] & 3) {
    case 0:
    case 1:
        fuzz_vmas(text, len, data[0] >> 2);
        break;
    case 2:
        text[len] = '\0';
        fuzz_stat(text);
        break;
    default:
        text[len] = '\0';
        fuzz_status(text);
        break;
    }
    free(text);
    return 0;
}
