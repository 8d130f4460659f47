/* SPDX-License-Identifier: MulanPSL-2.0 */
/* conffile.c - config file checks, parsing and the line index. */
#include "conffile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "xalloc.h"

/* The only sections a config file may hold (one of each at most). */
static const char *const known_groups[] = { "project", "engine", "task", NULL };

/* GKeyFile skips g_ascii_isspace() before a line (this set, with '\n'), so the index must
 * too, or a line opened by a form feed would hide a section or key from the checks. */
static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f';
}

static bool group_is_known(const char *name)
{
    for (int i = 0; known_groups[i] != NULL; i++) {
        if (strcmp(known_groups[i], name) == 0)
            return true;
    }
    return false;
}

static struct conf_group *group_lookup(struct conf_file *cf, const char *name)
{
    for (size_t i = 0; i < cf->nr_groups; i++) {
        if (strcmp(cf->groups[i].name, name) == 0)
            return &cf->groups[i];
    }
    return NULL;
}

const struct conf_group *conf_group_find(const struct conf_file *cf, const char *group)
{
    return group_lookup((struct conf_file *)cf, group);
}

struct conf_keyline *conf_key_find(const struct conf_file *cf, const char *group,
                                   const char *key)
{
    const struct conf_group *g = conf_group_find(cf, group);

    if (g == NULL)
        return NULL;
    for (size_t i = 0; i < g->nr_keys; i++) {
        if (strcmp(g->keys[i].key, key) == 0)
            return &g->keys[i];
    }
    return NULL;
}

char *conf_where(const struct conf_file *cf, const char *group, const char *key)
{
    const struct conf_keyline *kl = key ? conf_key_find(cf, group, key) : NULL;
    const struct conf_group *g = conf_group_find(cf, group);
    int line = kl ? kl->line : g ? g->line : 0;
    char *s;

    if (key != NULL)
        xasprintf(&s, "%s:%d: [%s] %s", cf->path, line, group, key);
    else
        xasprintf(&s, "%s:%d: [%s]", cf->path, line, group);
    return s;
}

static void conf_report(const struct conf_file *cf, const char *group, const char *key,
                        struct diag *d, bool warning, const char *fmt, va_list ap)
{
    char *where = conf_where(cf, group, key);
    char *detail;

    if (vasprintf(&detail, fmt, ap) < 0)
        detail = xstrdup("(out of memory)");
    if (warning)
        diag_warn(d, "%s: %s", where, detail);
    else
        diag_error(d, "%s: %s", where, detail);
    free(detail);
    free(where);
}

void conf_error(const struct conf_file *cf, const char *group, const char *key, struct diag *d,
                const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    conf_report(cf, group, key, d, false, fmt, ap);
    va_end(ap);
}

void conf_warning(const struct conf_file *cf, const char *group, const char *key,
                  struct diag *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    conf_report(cf, group, key, d, true, fmt, ap);
    va_end(ap);
}

char *conf_value(const struct conf_file *cf, const char *group, const char *key)
{
    gchar *raw = g_key_file_get_value(cf->kf, group, key, NULL);
    char *start, *end, *out;

    if (raw == NULL)
        return NULL;
    start = raw;
    while (is_blank(*start))
        start++;
    end = start + strlen(start);
    while (end > start && is_blank(end[-1]))
        end--;
    out = xstrndup(start, (size_t)(end - start));
    g_free(raw);
    return out;
}

void conf_warn_unused(struct conf_file *cf, const char *group, const char *context,
                      struct diag *d)
{
    const struct conf_group *g = conf_group_find(cf, group);

    if (g == NULL)
        return;
    for (size_t i = 0; i < g->nr_keys; i++) {
        if (!g->keys[i].used)
            diag_warn(d, "%s:%d: [%s] unknown key '%s' ignored (%s)", cf->path,
                      g->keys[i].line, group, g->keys[i].key, context);
    }
}

void conf_file_free(struct conf_file *cf)
{
    if (cf == NULL)
        return;
    for (size_t i = 0; i < cf->nr_groups; i++) {
        for (size_t k = 0; k < cf->groups[i].nr_keys; k++)
            free(cf->groups[i].keys[k].key);
        free(cf->groups[i].keys);
        free(cf->groups[i].name);
    }
    free(cf->groups);
    free(cf->text);
    if (cf->kf != NULL)
        g_key_file_free(cf->kf);
    free(cf->path);
    free(cf);
}

/* Record a key line; a key given twice in one section is an error (GKeyFile would silently
 * keep the last one). seen maps "section\nkey" to the key's first line, so that a file of
 * a million keys (10 MiB) is indexed in linear time. */
static int index_key(struct conf_file *cf, struct conf_group *g, GHashTable *seen,
                     const char *key, size_t klen, int line, struct diag *d)
{
    char *id = g_strdup_printf("%s\n%.*s", g->name, (int)klen, key);
    int first = GPOINTER_TO_INT(g_hash_table_lookup(seen, id));

    if (first != 0) {
        diag_error(d, "%s:%d: [%s] key '%.*s' is set twice (first on line %d)", cf->path,
                   line, g->name, (int)klen, key, first);
        g_free(id);
        return -1;
    }
    if (g->nr_keys == CONF_SECTION_KEYS_MAX) {
        diag_error(d, "%s:%d: [%s] has more than %d keys; a section may hold at most %d "
                   "(unknown keys are warned about up to that, then refused)", cf->path, line,
                   g->name, CONF_SECTION_KEYS_MAX, CONF_SECTION_KEYS_MAX);
        g_free(id);
        return -1;
    }
    g_hash_table_insert(seen, id, GINT_TO_POINTER(line));
    if (g->nr_keys == g->cap_keys) {
        /* grow geometrically: a 10 MiB file holds ~650k keys, and a sanitizer's realloc
         * always copies */
        g->cap_keys = g->cap_keys ? 2 * g->cap_keys : 16;
        g->keys = xreallocarray(g->keys, g->cap_keys, sizeof(*g->keys));
    }
    g->keys[g->nr_keys++] = (struct conf_keyline){ .key = xstrndup(key, klen), .line = line };
    return 0;
}

static int index_group(struct conf_file *cf, const char *name, size_t nlen, int line,
                       struct conf_group **cur, struct diag *d)
{
    char *gname = xstrndup(name, nlen);
    struct conf_group *prev = group_lookup(cf, gname);

    if (prev != NULL) {
        diag_error(d, "%s:%d: section [%s] appears twice (first on line %d); a file holds at "
                   "most one [project], one [engine] and one [task]", cf->path, line, gname,
                   prev->line);
        free(gname);
        return -1;
    }
    if (!group_is_known(gname)) {
        diag_error(d, "%s:%d: unknown section [%s]; allowed sections are [project], "
                   "[engine] and [task]", cf->path, line, gname);
        free(gname);
        return -1;
    }
    cf->groups = xreallocarray(cf->groups, cf->nr_groups + 1, sizeof(*cf->groups));
    cf->groups[cf->nr_groups] = (struct conf_group){ .name = gname, .line = line };
    *cur = &cf->groups[cf->nr_groups++];
    return 0;
}

/* What may follow the ']' of a section line: GKeyFile accepts blanks and, as it steps over
 * UTF-8 continuation bytes (0x80..0xbf) as parts of a character, those too. */
static bool group_tail_ok(const char *p, const char *end)
{
    for (; p < end; p++) {
        unsigned char c = (unsigned char)*p;

        if (c != ' ' && c != '\t' && (c & 0xc0) != 0x80)
            return false;
    }
    return true;
}

/* A light pass over the text that mirrors GKeyFile's grammar, to learn line numbers and
 * catch what GKeyFile accepts silently (repeated sections and keys, unknown sections).
 * *suspect gets the first line GKeyFile will likely refuse (0: none seen). */
static int index_lines(struct conf_file *cf, const char *text, size_t len, int first_line,
                       int *suspect, struct diag *d)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    struct conf_group *cur = NULL;
    size_t pos = 0;
    int line = first_line - 1, rc = 0;

    while (pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - s) : len - pos;
        const char *end = s + llen;

        pos += llen + 1;
        line++;
        while (s < end && is_blank(*s))
            s++;
        while (end > s && is_blank(end[-1]))
            end--;
        if (s == end || *s == '#')
            continue;
        if (*s == '[') {
            const char *close = memchr(s, ']', (size_t)(end - s));

            if (close == NULL || !group_tail_ok(close + 1, end)) {
                *suspect = *suspect ? *suspect : line;
                continue;   /* GKeyFile reports the syntax error */
            }
            if (index_group(cf, s + 1, (size_t)(close - s - 1), line, &cur, d) < 0) {
                rc = -1;
                break;
            }
            continue;
        }
        const char *eq = memchr(s, '=', (size_t)(end - s));

        if (eq == NULL || cur == NULL) {
            *suspect = *suspect ? *suspect : line;
            continue;   /* GKeyFile reports it */
        }
        const char *kend = eq;

        while (kend > s && is_blank(kend[-1]))
            kend--;
        if (index_key(cf, cur, seen, s, (size_t)(kend - s), line, d) < 0) {
            rc = -1;
            break;
        }
    }
    g_hash_table_destroy(seen);
    return rc;
}

static bool gkeyfile_accepts(const char *text, size_t len)
{
    GKeyFile *kf = g_key_file_new();
    bool ok = g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, NULL);

    g_key_file_free(kf);
    return ok;
}

/* The byte just past line n (1-based), its newline included. */
static size_t line_end(const char *text, size_t len, int n)
{
    size_t pos = 0;

    for (int line = 0; line < n && pos < len; line++) {
        const char *nl = memchr(text + pos, '\n', len - pos);

        pos = nl ? (size_t)(nl - text) + 1 : len;
    }
    return pos;
}

/* GKeyFile's messages do not say where: it reads line by line and stops at the first bad
 * line, so that line ends the shortest prefix it rejects. Try the line the index suspects
 * (two loads), else bisect (error path only, about log2(lines) loads). */
static int gkeyfile_error_line(const char *text, size_t len, int suspect)
{
    int lo = 1, hi = 1;

    if (suspect > 0 && !gkeyfile_accepts(text, line_end(text, len, suspect)) &&
        gkeyfile_accepts(text, line_end(text, len, suspect - 1)))
        return suspect;

    for (size_t pos = 0; pos < len; pos++)
        hi += text[pos] == '\n';
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;

        if (gkeyfile_accepts(text, line_end(text, len, mid)))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct conf_file *conf_file_parse(const char *label, const char *text, size_t len,
                                  struct diag *d)
{
    return conf_file_parse_at(label, text, len, 1, d);
}

struct conf_file *conf_file_parse_at(const char *label, const char *text, size_t len,
                                     int first_line, struct diag *d)
{
    struct conf_file *cf = xcalloc(1, sizeof(*cf));
    GError *gerr = NULL;
    int suspect = 0;

    cf->path = xstrdup(label);
    cf->text = xstrndup(text, len);
    cf->len = len;
    if (memchr(text, '\0', len) != NULL) {
        diag_error(d, "%s: contains a NUL byte; a config file is text", label);
        goto fail;
    }
    if (index_lines(cf, text, len, first_line, &suspect, d) < 0)
        goto fail;
    cf->kf = g_key_file_new();
    if (!g_key_file_load_from_data(cf->kf, text, len, G_KEY_FILE_NONE, &gerr)) {
        diag_error(d, "%s:%d: not a valid config file: %s", label,
                   gkeyfile_error_line(text, len, suspect ? suspect - first_line + 1 : 0) +
                       first_line - 1, gerr->message);
        g_error_free(gerr);
        goto fail;
    }
    if (cf->nr_groups == 0) {
        diag_error(d, "%s: no [project], [engine] or [task] section found", label);
        goto fail;
    }
    return cf;
fail:
    conf_file_free(cf);
    return NULL;
}

static int open_checked(const char *path, struct stat *st, struct diag *d)
{
    int fd;

    if (path[0] != '/') {
        diag_error(d, "%s: config file path must be absolute", path);
        return -1;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        if (errno == ELOOP)
            diag_error(d, "%s: is a symbolic link; give the path of the file itself", path);
        else
            diag_error(d, "%s: cannot open config file: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) < 0) {
        diag_error(d, "%s: cannot stat config file: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st->st_mode)) {
        diag_error(d, "%s: is not a regular file", path);
        goto fail;
    }
    if (st->st_uid != 0) {
        diag_error(d, "%s: is owned by uid %u; a config file must be owned by root", path,
                   (unsigned)st->st_uid);
        goto fail;
    }
    if ((st->st_mode & 07777) != 0600 && (st->st_mode & 07777) != 0400) {
        diag_error(d, "%s: has mode %04o; a config file must have mode 600 or 400", path,
                   (unsigned)(st->st_mode & 07777));
        goto fail;
    }
    if (st->st_size > (off_t)CONF_FILE_MAX_BYTES) {
        diag_error(d, "%s: is %lld bytes; a config file may be at most 10 MiB (%u bytes)", path,
                   (long long)st->st_size, CONF_FILE_MAX_BYTES);
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

char *conf_file_read_checked(const char *path, size_t *len, struct diag *d)
{
    struct stat st;
    size_t cap, used = 0;
    char *buf;
    int fd = open_checked(path, &st, d);

    if (fd < 0)
        return NULL;
    /* Read to EOF rather than trusting st_size: the file may grow while we read. */
    buf = xmalloc((size_t)st.st_size + 1);
    cap = (size_t)st.st_size + 1;
    for (;;) {
        ssize_t n;

        if (used == cap) {
            if (cap > CONF_FILE_MAX_BYTES) {
                diag_error(d, "%s: grew beyond 10 MiB while being read", path);
                goto fail;
            }
            cap = cap * 2 > CONF_FILE_MAX_BYTES + 1 ? CONF_FILE_MAX_BYTES + 1 : cap * 2;
            buf = xrealloc(buf, cap);
        }
        n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            diag_error(d, "%s: read failed: %s", path, strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    *len = used;
    return buf;
fail:
    free(buf);
    close(fd);
    return NULL;
}

struct conf_file *conf_file_load(const char *path, struct diag *d)
{
    size_t len;
    char *text = conf_file_read_checked(path, &len, d);
    struct conf_file *cf = text ? conf_file_parse(path, text, len, d) : NULL;

    free(text);
    return cf;
}
