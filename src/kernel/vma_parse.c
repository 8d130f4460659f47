/* SPDX-License-Identifier: MulanPSL-2.0 */
/* vma_parse.c - parse /proc/<pid>/maps and smaps text into a vma_list: one pass, no
 * strtok, paths with spaces kept whole, smaps fields attached to the VMA above them. */
#include "vma.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vma_internal.h"
#include "xalloc.h"

static bool hex_field(const char **p, const char *end, char stop, uint64_t *out)
{
    uint64_t v = 0;
    const char *s = *p;

    if (s >= end)
        return false;
    while (s < end && *s != stop) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            return false;
        if (v >> 60)
            return false;
        v = v << 4 | (uint64_t)d;
        s++;
    }
    if (s == *p || s >= end)
        return false;
    *p = s + 1; /* past the stop character */
    *out = v;
    return true;
}

bool vma_parse_header(const char *line, size_t len, struct vma_entry *e, const char **path,
                      size_t *path_len)
{
    const char *p = line, *end = line + len;
    uint64_t maj, min;

    memset(e, 0, sizeof(*e));
    if (!hex_field(&p, end, '-', &e->start) || !hex_field(&p, end, ' ', &e->end) ||
        e->end < e->start)
        return false;
    if (end - p < 5 || p[4] != ' ')
        return false;
    static const struct { char c; unsigned bit; } perm_chars[] = {
        { 'r', VMA_PERM_READ }, { 'w', VMA_PERM_WRITE }, { 'x', VMA_PERM_EXEC },
    };
    for (size_t i = 0; i < 3; i++) {
        if (p[i] == perm_chars[i].c)
            e->perms |= perm_chars[i].bit;
        else if (p[i] != '-')
            return false;
    }
    if (p[3] != 'p')
        e->perms |= VMA_PERM_SHARED;
    p += 5;
    if (!hex_field(&p, end, ' ', &e->offset) || !hex_field(&p, end, ':', &maj) ||
        !hex_field(&p, end, ' ', &min))
        return false;
    e->dev_major = (uint32_t)maj;
    e->dev_minor = (uint32_t)min;

    const char *s = p;
    uint64_t ino = 0;
    while (p < end && *p >= '0' && *p <= '9')
        ino = ino * 10 + (uint64_t)(*p++ - '0');
    if (p == s || (p < end && *p != ' '))
        return false;
    e->inode = ino;
    while (p < end && *p == ' ')
        p++;
    *path = p;
    *path_len = (size_t)(end - p);
    return true;
}

/* smaps fields kept per VMA, in kB */
static const struct {
    const char *key;
    size_t offset;
} smaps_fields[] = {
    { "Rss:", offsetof(struct vma_entry, rss_kb) },
    { "Referenced:", offsetof(struct vma_entry, referenced_kb) },
    { "Anonymous:", offsetof(struct vma_entry, anonymous_kb) },
    { "Swap:", offsetof(struct vma_entry, swap_kb) },
    { "AnonHugePages:", offsetof(struct vma_entry, anon_huge_kb) },
};

static void smaps_field(struct vma_entry *e, const char *line, size_t len)
{
    static const char vmf[] = "VmFlags:";

    e->have_smaps = true;
    if (len >= sizeof(vmf) - 1 && memcmp(line, vmf, sizeof(vmf) - 1) == 0) {
        const char *s = line + sizeof(vmf) - 1;
        size_t n = len - (sizeof(vmf) - 1);
        while (n && *s == ' ')
            s++, n--;
        while (n && s[n - 1] == ' ')
            n--;
        if (n >= VMA_VMFLAGS_LEN)
            n = VMA_VMFLAGS_LEN - 1;
        memcpy(e->vmflags, s, n);
        e->vmflags[n] = '\0';
        return;
    }
    for (size_t i = 0; i < sizeof(smaps_fields) / sizeof(smaps_fields[0]); i++) {
        size_t klen = strlen(smaps_fields[i].key);
        if (len <= klen || memcmp(line, smaps_fields[i].key, klen) != 0)
            continue;
        uint64_t v = 0;
        const char *p = line + klen, *end = line + len;
        while (p < end && *p == ' ')
            p++;
        while (p < end && *p >= '0' && *p <= '9')
            v = v * 10 + (uint64_t)(*p++ - '0');
        *(uint64_t *)((char *)e + smaps_fields[i].offset) = v;
        return;
    }
}

void vma_builder_init(struct vma_builder *b, struct vma_list *out)
{
    vma_list_free(out);
    b->list = out;
    b->path_off = NULL;
    b->off_cap = 0;
}

static size_t pool_add(struct vma_list *l, const char *s, size_t n)
{
    if (l->pool_len + n + 1 > l->pool_cap) {
        l->pool_cap = (l->pool_len + n + 1) * 2;
        l->pool = xrealloc(l->pool, l->pool_cap);
    }
    size_t off = l->pool_len;
    memcpy(l->pool + off, s, n);
    l->pool[off + n] = '\0';
    l->pool_len += n + 1;
    return off;
}

int vma_builder_line(struct vma_builder *b, const char *line, size_t len)
{
    struct vma_list *l = b->list;
    struct vma_entry e;
    const char *path;
    size_t plen;

    if (len && line[len - 1] == '\r')
        len--;
    if (len == 0)
        return 0;
    if (!vma_parse_header(line, len, &e, &path, &plen)) {
        /* an smaps field line belongs to the VMA above it */
        if (l->n == 0 || !((line[0] >= 'A' && line[0] <= 'Z') && memchr(line, ':', len)))
            return -EIO;
        smaps_field(&l->v[l->n - 1], line, len);
        return 0;
    }
    /* A target remapping mid-read can make the kernel resume at an address below the
     * last one returned; keep the list ascending and non-overlapping. */
    if (l->n && e.start < l->v[l->n - 1].end)
        return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
    }
    if (l->n == b->off_cap) {
        b->off_cap = l->cap;
        b->path_off = xreallocarray(b->path_off, b->off_cap, sizeof(*b->path_off));
    }
    b->path_off[l->n] = pool_add(l, path, plen);
    l->v[l->n++] = e;
    return 0;
}

void vma_builder_finish(struct vma_builder *b)
{
    struct vma_list *l = b->list;
    for (size_t i = 0; i < l->n; i++)
        l->v[i].path = l->pool + b->path_off[i];
    free(b->path_off);
    b->path_off = NULL;
}

int vma_list_parse(const char *text, size_t len, struct vma_list *out)
{
    struct vma_builder b;
    const char *p = text, *end = text + len;
    int rc = 0;

    vma_builder_init(&b, out);
    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        rc = vma_builder_line(&b, p, n);
        p += n + (nl != NULL);
    }
    vma_builder_finish(&b);
    if (rc)
        vma_list_free(out);
    return rc;
}

void vma_list_free(struct vma_list *list)
{
    free(list->v);
    free(list->pool);
    memset(list, 0, sizeof(*list));
}
