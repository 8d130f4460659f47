/* SPDX-License-Identifier: MulanPSL-2.0 */
/* objupdate.c - an obj update file split into its sections and read, and the section key
 * texts that tell what an update changes (objupdate.h). */
#include "objupdate.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "diag.h"
#include "strbuf.h"
#include "xalloc.h"

/* Where each section of text starts: a line whose first non-blank is '['. What comes before
 * the first (comments) goes with it. Returns how many; starts[] gets byte offsets, lines[]
 * the line numbers. */
static size_t section_starts(const char *text, size_t len, size_t **starts, int **lines)
{
    size_t n = 0, pos = 0;
    int line = 1;

    *starts = NULL;
    *lines = NULL;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len, p = pos;

        while (p < end && (text[p] == ' ' || text[p] == '\t'))
            p++;
        if (p < end && text[p] == '[') {
            *starts = xreallocarray(*starts, n + 1, sizeof(**starts));
            *lines = xreallocarray(*lines, n + 1, sizeof(**lines));
            (*starts)[n] = n == 0 ? 0 : pos;
            (*lines)[n] = n == 0 ? 1 : line;
            n++;
        }
        pos = end + 1;
        line++;
    }
    return n;
}

static struct obj_file *section_slot(struct update_file *uf, const struct obj_file *of,
                                     const char *label, struct diag *d)
{
    if (of->has_project) {
        if (uf->project.cf != NULL) {
            diag_error(d, "%s: an update file describes one project: [project] appears twice "
                       "(first on line %d)", label,
                       conf_group_find(uf->project.cf, "project")->line);
            return NULL;
        }
        return &uf->project;
    }
    if (of->has_engine) {
        uf->engines = xreallocarray(uf->engines, uf->nr_engines + 1, sizeof(*uf->engines));
        return &uf->engines[uf->nr_engines++];
    }
    uf->tasks = xreallocarray(uf->tasks, uf->nr_tasks + 1, sizeof(*uf->tasks));
    return &uf->tasks[uf->nr_tasks++];
}

/* Each engine and task names the file's project, once; each task's engine is in the file. */
static int update_file_check(const struct update_file *uf, const char *label, struct diag *d)
{
    const char *name = uf->project.pc.name;

    for (size_t i = 0; i < uf->nr_engines; i++) {
        const struct obj_file *of = &uf->engines[i];
        const char *id = obj_file_engine_identity(of);

        if (strcmp(of->ec.project, name) != 0) {
            conf_error(of->cf, "engine", "project", d, "names project '%s'; this file updates "
                       "project '%s' and holds only its engines", of->ec.project, name);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(obj_file_engine_identity(&uf->engines[j]), id) == 0) {
                conf_error(of->cf, "engine", of->ec.kind->identity ? "eng_name" : "name", d,
                           "engine '%s' is given twice (first on line %d)", id,
                           conf_group_find(uf->engines[j].cf, "engine")->line);
                return -1;
            }
        }
    }
    for (size_t i = 0; i < uf->nr_tasks; i++) {
        const struct obj_file *of = &uf->tasks[i];
        bool engine_found = false;

        if (strcmp(of->tc.project, name) != 0) {
            conf_error(of->cf, "task", "project", d, "names project '%s'; this file updates "
                       "project '%s' and holds only its tasks", of->tc.project, name);
            return -1;
        }
        for (size_t j = 0; j < uf->nr_engines; j++)
            engine_found = engine_found ||
                           strcmp(obj_file_engine_identity(&uf->engines[j]), of->tc.engine) == 0;
        if (!engine_found) {
            conf_error(of->cf, "task", "engine", d, "engine '%s' has no [engine] section in "
                       "this file; an update describes the whole project, its engines too",
                       of->tc.engine);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(uf->tasks[j].tc.engine, of->tc.engine) == 0 &&
                strcmp(uf->tasks[j].tc.name, of->tc.name) == 0) {
                conf_error(of->cf, "task", "name", d, "task '%s' of engine '%s' is given twice "
                           "(first on line %d)", of->tc.name, of->tc.engine,
                           conf_group_find(uf->tasks[j].cf, "task")->line);
                return -1;
            }
        }
    }
    return 0;
}

int update_file_read(const char *label, const char *text, size_t len, bool id_only,
                     struct update_file *uf, struct diag *d)
{
    size_t *starts;
    int *lines;
    size_t n = section_starts(text, len, &starts, &lines);
    int rc = 0;

    memset(uf, 0, sizeof(*uf));
    if (n == 0) {
        diag_error(d, "%s: no [project], [engine] or [task] section found", label);
        return -1;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t end = i + 1 < n ? starts[i + 1] : len;
        struct conf_file *cf = conf_file_parse_at(label, text + starts[i], end - starts[i],
                                                  lines[i], d);
        struct obj_file of, *slot;

        rc = obj_file_read(cf, id_only, &of, d);
        slot = rc == 0 ? section_slot(uf, &of, label, d) : NULL;
        if (slot == NULL) {
            obj_file_release(&of);
            rc = -1;
            break;
        }
        *slot = of;
    }
    free(starts);
    free(lines);
    if (rc == 0 && uf->project.cf == NULL) {
        diag_error(d, "%s: no [project] section; an update file describes one project whole, "
                   "its [project] section first", label);
        rc = -1;
    }
    if (rc == 0)
        rc = update_file_check(uf, label, d);
    if (rc < 0)
        update_file_release(uf);
    return rc;
}

void update_file_release(struct update_file *uf)
{
    if (uf->project.cf != NULL)
        obj_file_release(&uf->project);
    for (size_t i = 0; i < uf->nr_engines; i++)
        obj_file_release(&uf->engines[i]);
    for (size_t i = 0; i < uf->nr_tasks; i++)
        obj_file_release(&uf->tasks[i]);
    free(uf->engines);
    free(uf->tasks);
    memset(uf, 0, sizeof(*uf));
}

const struct config_key *key_tables_find(const struct config_key *const *tables,
                                         const char *key)
{
    for (size_t t = 0; tables[t] != NULL; t++) {
        for (const struct config_key *k = tables[t]; k->name != NULL; k++) {
            if (strcmp(k->name, key) == 0 || (k->alias != NULL && strcmp(k->alias, key) == 0))
                return k;
        }
    }
    return NULL;
}

static gint cmp_lines(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *section_keys(const struct conf_file *cf, const char *group,
                   const struct config_key *const *tables, bool all_keys)
{
    const struct conf_group *g = conf_group_find(cf, group);
    GPtrArray *lines = g_ptr_array_new_with_free_func(free);
    struct strbuf sb = STRBUF_INIT;

    for (size_t t = 0; tables[t] != NULL; t++) {
        for (const struct config_key *k = tables[t]; k->name != NULL; k++) {
            char *v = conf_value(cf, group, k->name), *line;

            if (v == NULL && k->alias != NULL)
                v = conf_value(cf, group, k->alias);
            if (v == NULL && k->def == NULL)
                continue;
            xasprintf(&line, "%s=%s\n", k->name, v ? v : k->def);
            g_ptr_array_add(lines, line);
            free(v);
        }
    }
    for (size_t i = 0; all_keys && g != NULL && i < g->nr_keys; i++) {
        char *v, *line;

        if (key_tables_find(tables, g->keys[i].key) != NULL)
            continue;
        v = conf_value(cf, group, g->keys[i].key);
        xasprintf(&line, "%s=%s\n", g->keys[i].key, v ? v : "");
        g_ptr_array_add(lines, line);
        free(v);
    }
    g_ptr_array_sort(lines, cmp_lines);
    for (guint i = 0; i < lines->len; i++)
        sb_printf(&sb, "%s", (const char *)g_ptr_array_index(lines, i));
    g_ptr_array_free(lines, TRUE);
    return sb.s ? sb.s : xstrdup("");
}

/* key -> value of a section_keys text. */
static GHashTable *keys_table(const char *keys)
{
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    for (const char *p = keys; *p != '\0';) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));

        if (eq != NULL)
            g_hash_table_replace(h, g_strndup(p, (gsize)(eq - p)),
                                 g_strndup(eq + 1, (gsize)(end - eq - 1)));
        p = nl ? nl + 1 : end;
    }
    return h;
}

/* Add to names every key of a whose value b lacks or differs. */
static void keys_differing(GHashTable *a, GHashTable *b, GPtrArray *names)
{
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, a);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const char *other = g_hash_table_lookup(b, key);
        bool listed = false;

        if (other != NULL && strcmp(other, value) == 0)
            continue;
        for (guint i = 0; i < names->len; i++)
            listed = listed || strcmp(g_ptr_array_index(names, i), key) == 0;
        if (!listed)
            g_ptr_array_add(names, xstrdup(key));
    }
}

char **section_keys_changed(const char *before, const char *after)
{
    GHashTable *a = keys_table(before), *b = keys_table(after);
    GPtrArray *names = g_ptr_array_new();
    char **out;

    keys_differing(a, b, names);
    keys_differing(b, a, names);
    g_ptr_array_sort(names, cmp_lines);
    out = xcalloc(names->len + 1, sizeof(*out));
    for (guint i = 0; i < names->len; i++)
        out[i] = g_ptr_array_index(names, i);
    g_ptr_array_free(names, TRUE);
    g_hash_table_destroy(a);
    g_hash_table_destroy(b);
    return out;
}

void section_keys_free(char **names)
{
    for (size_t i = 0; names != NULL && names[i] != NULL; i++)
        free(names[i]);
    free(names);
}

/* The key tables of a section: generic ones, then the engine kind's (kind NULL: project). */
static void section_tables(const char *group, const struct engine_kind *kind,
                           const struct config_key *tables[4])
{
    size_t n = 0;

    memset(tables, 0, 4 * sizeof(*tables));
    if (strcmp(group, "project") == 0) {
        tables[n++] = project_id_keys;
        tables[n++] = project_keys;
    } else if (strcmp(group, "engine") == 0) {
        tables[n++] = engine_id_keys;
        if (kind->engine_id_keys != NULL)
            tables[n++] = kind->engine_id_keys;
        if (kind->engine_keys != NULL)
            tables[n++] = kind->engine_keys;
    } else {
        tables[n++] = task_id_keys;
        tables[n++] = task_keys;
        if (kind->task_keys != NULL)
            tables[n++] = kind->task_keys;
    }
}

char *object_keys(const struct conf_file *cf, const char *group, const struct engine_kind *kind)
{
    const struct config_key *tables[4];

    section_tables(group, kind, tables);
    return section_keys(cf, group, tables, kind != NULL && kind->plugin);
}

const struct config_key *object_key_find(const char *group, const struct engine_kind *kind,
                                         const char *key)
{
    const struct config_key *tables[4];

    section_tables(group, kind, tables);
    return key_tables_find(tables, key);
}

/* Where key stands in the section's tables: table, then row; unknown keys last. */
static size_t key_rank(const struct config_key *const *tables, const char *key)
{
    size_t rank = 0;

    for (size_t t = 0; tables[t] != NULL; t++) {
        for (const struct config_key *k = tables[t]; k->name != NULL; k++, rank++) {
            if (strcmp(k->name, key) == 0)
                return rank;
        }
    }
    return rank;
}

void object_keys_sort(const char *group, const struct engine_kind *kind, char **names)
{
    const struct config_key *tables[4];

    section_tables(group, kind, tables);
    /* insertion sort: a section has a few dozen keys at most */
    for (size_t i = 1; names[0] != NULL && names[i] != NULL; i++) {
        char *key = names[i];
        size_t j = i, rank = key_rank(tables, key);

        for (; j > 0 && key_rank(tables, names[j - 1]) > rank; j--)
            names[j] = names[j - 1];
        names[j] = key;
    }
}
