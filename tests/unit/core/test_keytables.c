/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_keytables.c - every key of every config table, driven by the tables themselves.
 *
 * For each table (generic [project]/[engine]/[task] keys and each engine kind's own), each
 * key is tried inside an otherwise valid section: at min and max, min-1 and max+1, with
 * values of the wrong type, empty, non-ASCII, with blanks, a leading '-', overlong; omitted
 * (required keys fail, defaults are applied); under its alias. A key added to a table is
 * tested here without writing a line; a new KEY_CUSTOM key only needs a valid sample in
 * custom_samples. The custom parsers' own grammars and the cross-key rules are in
 * test_objconf.c. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conftest.h"
#include "engine.h"
#include "keytable.h"
#include "objconf.h"

/* A valid value for each KEY_CUSTOM key (by name), used to fill the other keys of a section
 * while one key is tried. */
static const struct {
    const char *key;
    const char *valid;
} custom_samples[] = {
    { "name", "slide" },                /* [engine] name: the engine kind */
    { "value", "1" },                   /* [task] value: a pid or process name */
    { "swap_threshold", "1g" },
    { "node_pair", "0,1" },
    { "vm_flags", "ht" },
    { "libname", "/usr/lib/etmem/my_engine.so" },
    { "ops_name", "my_engine_ops" },
    { "cg_dir", "isulad/*" },
    { "pressure", "0.1" },
    { "reclaim_rate", "0.05" },
    { "reclaim_rate_max", "0.5" },
    { "reclaim_rate_min", "0.01" },
    { "limit_min_ratio", "0.1" },
    { "guard_refault_pct", "0.2" },
};

struct table_ref {
    char label[48];             /* for messages: "[task] slide" */
    const char *group;
    const struct config_key *table;
    size_t size;                /* of the struct the walker fills */
    bool project_base;          /* the struct is a struct project_conf */
};

#define MAX_TABLES 32
static struct table_ref tables[MAX_TABLES];
static int nr_tables;
static unsigned cases_run;

static void add_table(const char *group, const char *who, const struct config_key *table,
                      size_t size, bool project_base)
{
    struct table_ref *t;

    if (table == NULL)
        return;
    assert_true(nr_tables < MAX_TABLES);
    t = &tables[nr_tables++];
    snprintf(t->label, sizeof(t->label), "[%s] %s", group, who);
    t->group = group;
    t->table = table;
    t->size = size;
    t->project_base = project_base;
}

static int collect_tables(void **state)
{
    nr_tables = 0;
    add_table("project", "id", project_id_keys, sizeof(struct project_conf), true);
    add_table("project", "all", project_keys, sizeof(struct project_conf), true);
    add_table("engine", "id", engine_id_keys, sizeof(struct engine_conf), false);
    add_table("task", "id", task_id_keys, sizeof(struct task_conf), false);
    add_table("task", "all", task_keys, sizeof(struct task_conf), false);
    for (int i = 0; engine_kinds[i] != NULL; i++) {
        const struct engine_kind *k = engine_kinds[i];

        add_table("engine", k->name, k->engine_id_keys, k->engine_params_size, false);
        add_table("engine", k->name, k->engine_keys, k->engine_params_size, false);
        add_table("task", k->name, k->task_keys, k->task_params_size, false);
    }
    return 0;
}

static int report_count(void **state)
{
    print_message("[ info ] %u generated key cases over %d tables\n", cases_run, nr_tables);
    return 0;
}

static const char *custom_sample(const struct config_key *key)
{
    for (size_t i = 0; i < sizeof(custom_samples) / sizeof(custom_samples[0]); i++) {
        if (strcmp(custom_samples[i].key, key->name) == 0)
            return custom_samples[i].valid;
    }
    print_message("no valid sample for custom key '%s': add one to custom_samples\n", key->name);
    fail();
    return NULL;
}

/* A valid value for key, as text (allocated). */
static char *valid_text(const struct config_key *key)
{
    switch (key->type) {
    case KEY_INT:
    case KEY_ULONG:
        return ct_fmt("%" PRId64, key->min);
    case KEY_NAME:
    case KEY_STRING:
        return strdup("a");
    case KEY_YESNO:
        return strdup("no");
    case KEY_ENUM:
        return strdup(key->choices[0]);
    case KEY_CUSTOM:
        return strdup(custom_sample(key));
    }
    return NULL;
}

/* One walk of table t over a section where every key but k has a valid value, and key k
 * is absent (value NULL) or set to value, spelled by its name, its alias, or both (name
 * first, alias on the next line). */
enum spelling { SPELL_NAME, SPELL_ALIAS, SPELL_BOTH };

struct walk {
    struct conf_file *cf;
    struct diag d;
    void *base;
    int rc;
    int key_line;               /* line of key k in the text */
};

static char *append_line(char *text, const char *key, const char *value)
{
    char *out = ct_fmt("%s%s=%s\n", text, key, value);

    free(text);
    return out;
}

static void walk_spelled(const struct table_ref *t, int k, const char *value,
                         enum spelling spell, struct walk *w)
{
    char *text = ct_fmt("[%s]\n", t->group);
    int line = 1;

    memset(w, 0, sizeof(*w));
    for (int i = 0; t->table[i].name != NULL; i++) {
        char *v;

        if (i == k)
            continue;
        v = valid_text(&t->table[i]);
        text = append_line(text, t->table[i].name, v);
        free(v);
        line++;
    }
    if (value != NULL) {
        text = append_line(text, spell == SPELL_ALIAS ? t->table[k].alias : t->table[k].name,
                           value);
        w->key_line = ++line;
        if (spell == SPELL_BOTH)
            text = append_line(text, t->table[k].alias, value);
    }
    w->cf = ct_parse(text, &w->d);
    if (w->cf == NULL) {
        print_message("fixture did not parse:\n%s", text);
        ct_expect_clean(&w->d);
    }
    free(text);
    w->base = calloc(1, t->size ? t->size : 1);
    assert_non_null(w->base);
    if (t->project_base)
        project_conf_init(w->base);
    w->rc = conf_walk(w->cf, t->group, t->table, w->base, &w->d);
    cases_run++;
}

static void walk_run(const struct table_ref *t, int k, const char *value, struct walk *w)
{
    walk_spelled(t, k, value, SPELL_NAME, w);
}

static void walk_done(const struct table_ref *t, struct walk *w)
{
    conf_release(t->table, w->base);
    free(w->base);
    conf_file_free(w->cf);
    diag_free(&w->d);
}

static void *field(const struct walk *w, const struct config_key *key)
{
    return (char *)w->base + key->offset;
}

/* Key k of t set to value must be accepted; returns the walk for the caller to look at. */
static void accept_value(const struct table_ref *t, int k, const char *value, struct walk *w)
{
    walk_run(t, k, value, w);
    if (w->rc != 0 || w->d.nr_errors != 0)
        print_message("%s %s='%s' should be accepted\n", t->label, t->table[k].name, value);
    assert_int_equal(w->rc, 0);
    ct_expect_clean(&w->d);
}

/* Key k of t set to value must be rejected with "test.conf:L: [group] key: <why>". */
static void reject_value(const struct table_ref *t, int k, const char *value, const char *why)
{
    struct walk w;
    char *expected;

    walk_run(t, k, value, &w);
    expected = ct_fmt(CT_LABEL ":%d: [%s] %s: %s", w.key_line, t->group, t->table[k].name, why);
    if (w.rc != -1)
        print_message("%s %s='%s' should be rejected\n", t->label, t->table[k].name, value);
    assert_int_equal(w.rc, -1);
    ct_expect_error(&w.d, expected);
    free(expected);
    walk_done(t, &w);
}

static void reject_fmt(const struct table_ref *t, int k, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void reject_fmt(const struct table_ref *t, int k, const char *value, const char *fmt, ...)
{
    va_list ap;
    char *why;

    va_start(ap, fmt);
    assert_true(vasprintf(&why, fmt, ap) >= 0);
    va_end(ap);
    reject_value(t, k, value, why);
    free(why);
}

/* Values that are not numbers of any kind. */
static const char *const not_numbers[] = {
    "abc", "12abc", "1 2", "0x10", "1.5", "1e3", "+", "-", "5%", "\xef\xbc\x91" /* U+FF11 */,
    "99999999999999999999999", NULL,
};

/* min and max are accepted and stored (blanks around a value are trimmed). */
static void accept_bounds(const struct table_ref *t, int k)
{
    const struct config_key *key = &t->table[k];
    const int64_t bounds[] = { key->min, key->max };

    for (int i = 0; i < 2; i++) {
        char *text = ct_fmt(" %" PRId64 " ", bounds[i]);
        struct walk w;

        accept_value(t, k, text, &w);
        if (key->type == KEY_INT)
            assert_int_equal(*(int *)field(&w, key), bounds[i]);
        else
            assert_true(*(unsigned long *)field(&w, key) == (unsigned long)bounds[i]);
        walk_done(t, &w);
        free(text);
    }
}

static void check_int_key(const struct table_ref *t, int k)
{
    const struct config_key *key = &t->table[k];
    char range[256], *text;

    key_describe_range(key, range, sizeof(range));
    accept_bounds(t, k);
    text = ct_fmt("%" PRId64, key->min - 1);
    reject_fmt(t, k, text, "value %s is out of range %s", text, range);
    free(text);
    text = ct_fmt("%" PRId64, key->max + 1);
    reject_fmt(t, k, text, "value %s is out of range %s", text, range);
    free(text);
    for (int i = 0; not_numbers[i] != NULL; i++)
        reject_fmt(t, k, not_numbers[i], "'%s' is not a whole number (allowed: %s)",
                   not_numbers[i], range);
}

static void check_ulong_key(const struct table_ref *t, int k)
{
    const struct config_key *key = &t->table[k];
    char range[256], *text;

    key_describe_range(key, range, sizeof(range));
    accept_bounds(t, k);
    text = ct_fmt("%" PRId64, key->min - 1);
    if (key->min == 0)
        reject_fmt(t, k, text, "'%s' is not a whole non-negative number (allowed: %s)", text,
                   range);
    else
        reject_fmt(t, k, text, "value %s is out of range %s", text, range);
    free(text);
    text = ct_fmt("%" PRIu64, (uint64_t)key->max + 1);
    reject_fmt(t, k, text, "value %s is out of range %s", text, range);
    free(text);
    reject_fmt(t, k, "+5", "'+5' is not a whole non-negative number (allowed: %s)", range);
    for (int i = 0; not_numbers[i] != NULL; i++)
        reject_fmt(t, k, not_numbers[i], "'%s' is not a whole non-negative number (allowed: %s)",
                   not_numbers[i], range);
}

static void check_string_key(const struct table_ref *t, int k)
{
    const struct config_key *key = &t->table[k];
    char *longest = ct_repeat('n', (size_t)key->max);
    char *overlong = ct_repeat('n', (size_t)key->max + 1);
    struct walk w;

    accept_value(t, k, longest, &w);
    assert_string_equal(*(char **)field(&w, key), longest);
    walk_done(t, &w);
    reject_fmt(t, k, overlong, "'%s' is %zu characters long; at most %" PRId64 " are allowed",
               overlong, strlen(overlong), key->max);
    reject_value(t, k, "caf\xc3\xa9", "'caf\xc3\xa9' contains non-ASCII or control characters "
                 "(allowed: printable ASCII)");
    reject_value(t, k, "a\tb", "'a\tb' contains non-ASCII or control characters "
                 "(allowed: printable ASCII)");
    if (key->type == KEY_NAME) {
        reject_value(t, k, "two words", "'two words' contains blanks (names are single words)");
        reject_value(t, k, "-dash", "'-dash' starts with '-' (names may not)");
    } else {
        accept_value(t, k, "two words", &w);
        walk_done(t, &w);
    }
    free(longest);
    free(overlong);
}

static void check_choice_key(const struct table_ref *t, int k)
{
    static const char *const yesno[] = { "no", "yes", NULL };
    static const char *const not_yesno[] = { "YES", "Yes", "y", "1", "true", "on", NULL };
    const struct config_key *key = &t->table[k];
    const char *const *choices = key->type == KEY_YESNO ? yesno : key->choices;
    char range[256], *text;
    struct walk w;

    key_describe_range(key, range, sizeof(range));
    for (int i = 0; choices[i] != NULL; i++) {
        accept_value(t, k, choices[i], &w);
        assert_int_equal(*(int *)field(&w, key), i);
        walk_done(t, &w);
        text = ct_fmt("%sx", choices[i]);
        reject_fmt(t, k, text, "'%s' is not allowed (allowed: %s)", text, range);
        free(text);
        text = strdup(choices[i]);
        text[0] = (char)(text[0] - 'a' + 'A');
        reject_fmt(t, k, text, "'%s' is not allowed (allowed: %s)", text, range);
        free(text);
    }
    for (int i = 0; key->type == KEY_YESNO && not_yesno[i] != NULL; i++)
        reject_fmt(t, k, not_yesno[i], "'%s' is not allowed (allowed: yes|no)", not_yesno[i]);
}

/* Absent: a required key is an error at the section's line; a default is stored as if
 * written; an optional key without default leaves the field as it was. */
static void check_absent_key(const struct table_ref *t, int k)
{
    const struct config_key *key = &t->table[k];
    struct walk w, with_default;

    if (key->required_if != NULL)
        return;     /* depends on other keys: test_objconf.c */
    walk_run(t, k, NULL, &w);
    if (key->flags & KEY_REQUIRED) {
        char *expected = ct_fmt(CT_LABEL ":1: [%s]: missing required key '%s' (%s)", t->group,
                                key->name, key->help);

        assert_int_equal(w.rc, -1);
        ct_expect_error(&w.d, expected);
        free(expected);
        walk_done(t, &w);
        return;
    }
    assert_int_equal(w.rc, 0);
    ct_expect_clean(&w.d);
    if (key->def != NULL) {
        accept_value(t, k, key->def, &with_default);
        switch (key->type) {
        case KEY_INT:
        case KEY_YESNO:
        case KEY_ENUM:
            assert_int_equal(*(int *)field(&w, key), *(int *)field(&with_default, key));
            break;
        case KEY_ULONG:
            assert_true(*(unsigned long *)field(&w, key) ==
                        *(unsigned long *)field(&with_default, key));
            break;
        case KEY_NAME:
        case KEY_STRING:
            assert_string_equal(*(char **)field(&w, key), *(char **)field(&with_default, key));
            break;
        case KEY_CUSTOM:
            break;  /* opaque; the default converted without error above */
        }
        walk_done(t, &with_default);
    }
    walk_done(t, &w);
}

/* The guide's spelling is read with a warning; both spellings at once are an error. */
static void check_alias_key(const struct table_ref *t, int k)
{
    const struct config_key *key = &t->table[k];
    char *v, *expected;
    struct walk w;

    if (key->alias == NULL)
        return;
    v = valid_text(key);
    walk_spelled(t, k, v, SPELL_ALIAS, &w);
    assert_int_equal(w.rc, 0);
    conf_warn_unused(w.cf, t->group, "in test", &w.d);     /* the alias counts as read */
    expected = ct_fmt(CT_LABEL ":%d: [%s] '%s' is read as '%s' (the guide's spelling); "
                      "prefer '%s'", w.key_line, t->group, key->alias, key->name, key->name);
    ct_expect_warnings(&w.d, (const char *const[]){ expected, NULL });
    free(expected);
    walk_done(t, &w);

    walk_spelled(t, k, v, SPELL_BOTH, &w);
    assert_int_equal(w.rc, -1);
    expected = ct_fmt(CT_LABEL ":%d: [%s] both '%s' and its alias '%s' (line %d) are set; "
                      "keep one", w.key_line, t->group, key->name, key->alias, w.key_line + 1);
    ct_expect_error(&w.d, expected);
    free(expected);
    walk_done(t, &w);
    free(v);
}

static void test_every_key_boundaries_and_types(void **state)
{
    for (int i = 0; i < nr_tables; i++) {
        const struct table_ref *t = &tables[i];

        for (int k = 0; t->table[k].name != NULL; k++) {
            switch (t->table[k].type) {
            case KEY_INT:
                check_int_key(t, k);
                break;
            case KEY_ULONG:
                check_ulong_key(t, k);
                break;
            case KEY_NAME:
            case KEY_STRING:
                check_string_key(t, k);
                break;
            case KEY_YESNO:
            case KEY_ENUM:
                check_choice_key(t, k);
                break;
            case KEY_CUSTOM: {
                struct walk w;

                accept_value(t, k, custom_sample(&t->table[k]), &w);
                walk_done(t, &w);
                break;
            }
            }
        }
    }
}

static void test_every_key_empty_value(void **state)
{
    for (int i = 0; i < nr_tables; i++) {
        for (int k = 0; tables[i].table[k].name != NULL; k++) {
            reject_value(&tables[i], k, "", "value is empty");
            reject_value(&tables[i], k, " \t ", "value is empty");
        }
    }
}

static void test_every_key_absent(void **state)
{
    for (int i = 0; i < nr_tables; i++) {
        for (int k = 0; tables[i].table[k].name != NULL; k++)
            check_absent_key(&tables[i], k);
    }
}

static void test_every_alias(void **state)
{
    for (int i = 0; i < nr_tables; i++) {
        for (int k = 0; tables[i].table[k].name != NULL; k++)
            check_alias_key(&tables[i], k);
    }
}

/* A walk marks what it read, so only keys of no table are reported as unknown. */
static void test_unknown_keys_warned(void **state)
{
    struct diag d = { 0 };
    struct conf_file *cf;
    char *expected;

    for (int i = 0; i < nr_tables; i++) {
        struct walk w;

        walk_run(&tables[i], -1, NULL, &w);
        assert_int_equal(w.rc, 0);
        conf_warn_unused(w.cf, tables[i].group, "in test", &w.d);
        ct_expect_clean(&w.d);
        walk_done(&tables[i], &w);
    }
    cf = ct_parse("[task]\nbogus_key=1\n", &d);
    assert_non_null(cf);
    conf_warn_unused(cf, "task", "not a key of this task's engine", &d);
    expected = ct_fmt(CT_LABEL ":2: [task] unknown key 'bogus_key' ignored (not a key of "
                      "this task's engine)");
    ct_expect_warnings(&d, (const char *const[]){ expected, NULL });
    free(expected);
    conf_file_free(cf);
    diag_free(&d);
}

static bool in_list(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0)
            return true;
    }
    return false;
}

/* The keys one section of one engine kind reads: no name (or alias) twice, else one table
 * would shadow another. */
static void check_unique(const char *what, const struct config_key *const *parts, int nparts)
{
    const char *names[256];
    int n = 0;

    for (int p = 0; p < nparts; p++) {
        for (const struct config_key *key = parts[p]; key && key->name; key++) {
            const char *spell[2] = { key->name, key->alias };

            for (int s = 0; s < 2 && spell[s] != NULL; s++) {
                if (in_list(names, n, spell[s])) {
                    print_message("%s: key '%s' is in two tables\n", what, spell[s]);
                    fail();
                }
                assert_true(n < 256);
                names[n++] = spell[s];
            }
        }
    }
}

static void test_tables_are_consistent(void **state)
{
    const struct config_key *const project[] = { project_id_keys, project_keys };

    check_unique("[project]", project, 2);
    for (int i = 0; engine_kinds[i] != NULL; i++) {
        const struct engine_kind *k = engine_kinds[i];
        const struct config_key *const engine[] = { engine_id_keys, k->engine_id_keys,
                                                    k->engine_keys };
        const struct config_key *const task[] = { task_id_keys, task_keys, k->task_keys };

        check_unique(k->name, engine, 3);
        check_unique(k->name, task, 3);
        assert_true(k->plugin || k->task_keys == NULL || k->task_params_size > 0);
    }
    for (int i = 0; i < nr_tables; i++) {
        for (const struct config_key *key = tables[i].table; key->name; key++) {
            size_t width = key->type == KEY_ULONG ? sizeof(unsigned long)
                           : key->type == KEY_NAME || key->type == KEY_STRING ? sizeof(char *)
                           : key->type == KEY_CUSTOM ? 1 : sizeof(int);

            assert_non_null(key->help);
            assert_true(key->help[0] != '\0');
            assert_true(key->offset + width <= tables[i].size);
            if (key->type == KEY_INT)
                assert_true(key->min >= INT32_MIN && key->max <= INT32_MAX);
            if (key->type == KEY_INT || key->type == KEY_ULONG || key->type == KEY_NAME ||
                key->type == KEY_STRING)
                assert_true(key->min <= key->max && key->max > 0);
            if (key->type == KEY_ENUM)
                assert_non_null(key->choices);
            if (key->type == KEY_CUSTOM)
                assert_non_null(key->parse);
        }
    }
}

/* --help-config and docs are printed from the tables: every key appears. */
static void test_help_lists_every_key(void **state)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    objconf_print_help(f, true);
    fclose(f);
    assert_non_null(strstr(out, "| section | key | applies to | required | allowed |"));
    for (int i = 0; i < nr_tables; i++) {
        for (const struct config_key *key = tables[i].table; key->name; key++) {
            char *row = ct_fmt("| [%s] | `%s` |", tables[i].group, key->name);

            if (strstr(out, row) == NULL) {
                print_message("help lacks %s\n", row);
                fail();
            }
            free(row);
        }
    }
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_are_consistent),
        cmocka_unit_test(test_every_key_boundaries_and_types),
        cmocka_unit_test(test_every_key_empty_value),
        cmocka_unit_test(test_every_key_absent),
        cmocka_unit_test(test_every_alias),
        cmocka_unit_test(test_unknown_keys_warned),
        cmocka_unit_test(test_help_lists_every_key),
    };

    return cmocka_run_group_tests(tests, collect_tables, report_count);
}
