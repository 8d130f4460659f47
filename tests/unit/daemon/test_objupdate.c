/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_objupdate.c - obj update's reading and diffing (objupdate.c) and its plan and commit
 * against the object model (cmd_obj_update.c): an update file split into sections with the
 * right line numbers and its structural errors; section key texts (defaults filled, aliases
 * under the key's name) and which keys differ; which keys are live; tasks kept (the same
 * object, so its runtime state), added and removed; keys that cannot change while the
 * project is started refused by name; a task that cannot start undoing the whole update
 * (and freeing the new tasks that never started before their new engine).
 * "Started" is simulated on the model (no engine threads run): suspend and resume of a
 * task without runtime state do nothing, and starting a slide task fails here (the kernel
 * was not probed), which is what the all-or-nothing case needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "conffile.h"
#include "diag.h"
#include "model.h"
#include "objupdate.h"
#include "slide.h"
#include "xalloc.h"

#define PROJECT "[project]\nname=p\nloop=1\ninterval=1\nsleep=1\n"
#define ENGINE "[engine]\nname=slide\nproject=p\n"
#define TASK(name, T) "[task]\nproject=p\nengine=slide\nname=" name "\ntype=name\nvalue=x" \
                      name "\nT=" T "\n"

static bool diag_has(const struct diag *d, const char *text)
{
    for (size_t i = 0; i < d->nr_errors; i++) {
        if (strstr(d->errors[i], text) != NULL)
            return true;
    }
    return false;
}

static void test_read_sections(void **state)
{
    static const char text[] = "# comment\n" PROJECT ENGINE TASK("a", "1") TASK("b", "1");
    struct update_file uf;
    struct diag d = { 0 };

    assert_int_equal(update_file_read("u.conf", text, strlen(text), false, &uf, &d), 0);
    assert_string_equal(uf.project.pc.name, "p");
    assert_int_equal(uf.nr_engines, 1);
    assert_int_equal(uf.nr_tasks, 2);
    assert_string_equal(uf.tasks[1].tc.name, "b");
    assert_int_equal(conf_group_find(uf.tasks[1].cf, "task")->line, 17);
    update_file_release(&uf);
    diag_free(&d);
}

static void expect_read_error(const char *text, const char *error)
{
    struct update_file uf;
    struct diag d = { 0 };

    assert_int_equal(update_file_read("u.conf", text, strlen(text), false, &uf, &d), -1);
    if (!diag_has(&d, error))
        fail_msg("wanted '%s', got '%s'", error, d.nr_errors ? d.errors[0] : "nothing");
    diag_free(&d);
}

static void test_read_errors(void **state)
{
    expect_read_error(PROJECT ENGINE TASK("a", "1") "max_threads=zz\n",
                      "u.conf:16: [task] max_threads: 'zz' is not a whole");
    expect_read_error(PROJECT PROJECT, "[project] appears twice (first on line 1)");
    expect_read_error(ENGINE TASK("a", "1"), "no [project] section");
    expect_read_error(PROJECT TASK("a", "1"), "engine 'slide' has no [engine] section");
    expect_read_error(PROJECT ENGINE TASK("a", "1") TASK("a", "2"),
                      "task 'a' of engine 'slide' is given twice (first on line 9)");
    expect_read_error(PROJECT ENGINE ENGINE, "engine 'slide' is given twice");
    expect_read_error(PROJECT "[engine]\nname=slide\nproject=q\n", "names project 'q'");
    expect_read_error("# nothing\n", "no [project], [engine] or [task] section found");
}

static char *keys_of(const char *text, const char *group)
{
    struct diag d = { 0 };
    struct conf_file *cf = conf_file_parse("k.conf", text, strlen(text), &d);
    char *keys;

    assert_non_null(cf);
    keys = object_keys(cf, group, strcmp(group, "project") == 0 ? NULL : &slide_engine_kind);
    conf_file_free(cf);
    diag_free(&d);
    return keys;
}

static void test_section_keys(void **state)
{
    char *a = keys_of(TASK("a", "1"), "task");
    char *b = keys_of(TASK("a", "1") "max_threads=1\n", "task");
    char *c = keys_of(TASK("a", "2") "max_threads=2\n", "task");
    char *p = keys_of(PROJECT "swapcache_high_vmark=9\nswapcache_low_wmark=5\n", "project");
    char **changed;

    /* defaults are filled in: a key written with its default is no change */
    assert_non_null(strstr(a, "max_threads=1\n"));
    changed = section_keys_changed(a, b);
    assert_null(changed[0]);
    section_keys_free(changed);
    changed = section_keys_changed(a, c);
    assert_string_equal(changed[0], "T");
    assert_string_equal(changed[1], "max_threads");
    assert_null(changed[2]);
    section_keys_free(changed);
    /* an alias is kept under the key's own name */
    assert_non_null(strstr(p, "swapcache_high_wmark=9\n"));
    free(a);
    free(b);
    free(c);
    free(p);
}

static void test_live_keys(void **state)
{
    static const struct {
        const char *group, *key;
        bool live;
    } cases[] = {
        { "project", "loop", true },
        { "project", "sleep", true },
        { "project", "scan_type", false },
        { "project", "dry_run", false },
        { "task", "T", true },
        { "task", "max_threads", true },
        { "task", "scan_backend", false },
        { "task", "value", false },
        { "engine", "name", false },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct config_key *k = object_key_find(
            cases[i].group, strcmp(cases[i].group, "project") ? &slide_engine_kind : NULL,
            cases[i].key);

        assert_non_null(k);
        assert_int_equal(!!(k->flags & KEY_LIVE), cases[i].live);
    }
}

/* ---- against the model ---- */

static void add(const char *text)
{
    struct diag d = { 0 };

    assert_int_equal(obj_add_conf(conf_file_parse("add.conf", text, strlen(text), &d), &d),
                     ST_OK);
    diag_free(&d);
}

static enum etmem_status update(const char *text, struct diag *d)
{
    return obj_update_text("u.conf", text, strlen(text), false, d);
}

static struct task *find_task(const char *name)
{
    struct project *p = model_find_project("p");
    struct engine *e = p ? project_find_engine(p, "slide") : NULL;

    return e ? engine_find_task(e, name) : NULL;
}

static int T_of(const char *name)
{
    return ((struct slide_task_params *)find_task(name)->params)->T;
}

/* As if the project had started: no thread runs, so suspend and resume have nothing to do. */
static void pretend_started(bool started)
{
    model_find_project("p")->start = started;
    for (struct task *t = project_find_engine(model_find_project("p"), "slide")->tasks;
         t != NULL; t = t->next)
        task_obj(t)->running = started;
}

static void remove_all(void)
{
    pretend_started(false);
    model_shutdown();
}

static void test_keep_add_remove(void **state)
{
    struct diag d = { 0 };
    struct task *a;

    add(PROJECT ENGINE TASK("a", "1"));
    a = find_task("a");
    assert_int_equal(update(PROJECT ENGINE TASK("a", "1") TASK("b", "1"), &d), ST_OK);
    assert_ptr_equal(find_task("a"), a);        /* kept: the same object */
    assert_non_null(find_task("b"));
    assert_int_equal(update(PROJECT ENGINE TASK("b", "1"), &d), ST_OK);
    assert_null(find_task("a"));
    assert_non_null(find_task("b"));
    assert_int_equal(d.nr_errors, 0);
    remove_all();
    diag_free(&d);
}

static void test_live_changes(void **state)
{
    struct diag d = { 0 };
    struct task *a;

    add(PROJECT ENGINE TASK("a", "1"));
    a = find_task("a");
    pretend_started(true);
    assert_int_equal(update("[project]\nname=p\nloop=2\ninterval=1\nsleep=1\n" ENGINE
                            TASK("a", "4") "max_threads=2\n", &d), ST_OK);
    assert_ptr_equal(find_task("a"), a);
    assert_int_equal(T_of("a"), 4);
    assert_int_equal(a->max_threads, 2);
    assert_int_equal(((struct page_scan *)model_find_project("p")->scan_param)->loop, 2);
    assert_true(task_obj(a)->running);
    remove_all();
    diag_free(&d);
}

static void test_refused_while_started(void **state)
{
    static const struct {
        const char *text, *error;
    } cases[] = {
        { PROJECT "scan_type=region\nsample_interval=1\naggr_interval=2\nupdate_interval=3\n"
          "min_nr_regions=3\nmax_nr_regions=4\n" ENGINE TASK("a", "1"),
          "key `scan_type` cannot change while project p is started; stop it first" },
        { PROJECT ENGINE TASK("a", "2") "scan_backend=fallback\n",
          "key `scan_backend` of task a cannot change while project p is started" },
        { PROJECT ENGINE TASK("a", "1") "type=pid\n",
          "is set twice" },
        { PROJECT ENGINE TASK("a", "4"), "T: value 4 is out of range 0..3" },
        { "[project]\nname=q\nloop=1\ninterval=1\nsleep=1\n", "project 'q' does not exist" },
    };

    add(PROJECT ENGINE TASK("a", "1"));
    pretend_started(true);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct diag d = { 0 };

        assert_int_not_equal(update(cases[i].text, &d), ST_OK);
        if (!diag_has(&d, cases[i].error))
            fail_msg("case %zu: wanted '%s', got '%s'", i, cases[i].error,
                     d.nr_errors ? d.errors[0] : "nothing");
        assert_int_equal(T_of("a"), 1);
        assert_int_equal(model_find_project("p")->type, PAGE_SCAN);
        diag_free(&d);
    }
    remove_all();
}

static void test_start_failure_undoes_all(void **state)
{
    struct diag d = { 0 };

    add(PROJECT ENGINE TASK("a", "1"));
    pretend_started(true);
    /* b cannot start (no kernel probed here): a's new T and the loop go back too */
    assert_int_not_equal(update("[project]\nname=p\nloop=2\ninterval=1\nsleep=1\n" ENGINE
                                TASK("a", "2") TASK("b", "1"), &d), ST_OK);
    assert_true(diag_has(&d, "slide: the kernel was not probed"));
    assert_null(find_task("b"));
    assert_int_equal(T_of("a"), 1);
    assert_int_equal(((struct page_scan *)model_find_project("p")->scan_param)->loop, 1);
    assert_true(task_obj(find_task("a"))->running);
    remove_all();
    diag_free(&d);
}

static void test_start_failure_undoes_a_stopped_task(void **state)
{
    struct diag d = { 0 };
    struct task *a;

    add(PROJECT ENGINE TASK("a", "1"));
    pretend_started(true);
    a = find_task("a");
    task_obj(a)->running = false;       /* e.g. a plug-in's start that never returned */
    /* a's target may change while a does not run; b's failed start puts it back */
    assert_int_not_equal(update(PROJECT ENGINE "[task]\nproject=p\nengine=slide\nname=a\n"
                                "type=pid\nvalue=4194304\nT=1\n" TASK("b", "1"), &d), ST_OK);
    assert_string_equal(a->type, "name");
    assert_string_equal(a->value, "xa");
    assert_null(find_task("b"));
    remove_all();
    diag_free(&d);
}

/* Two new tasks of a new engine, the first of which cannot start: the second was never
 * linked, and the undo must free it before the engine it points to (ASan would catch a
 * read of the freed engine). */
static void test_start_failure_frees_a_new_engines_tasks(void **state)
{
#define REGION "[project]\nname=p\nscan_type=region\nsample_interval=5000\n" \
               "aggr_interval=100000\nupdate_interval=1000000\nmin_nr_regions=10\n" \
               "max_nr_regions=1000\n"
#define DAMON "[engine]\nname=damon\nproject=p\nmin_size=0\nmax_size=4294967295\n" \
              "min_acc=0\nmax_acc=2\nmin_age=0\nmax_age=4294967295\naction=pageout\n"
#define DTASK(name) "[task]\nproject=p\nengine=damon\nname=" name "\ntype=name\nvalue=x\n"
    struct diag d = { 0 };

    add(REGION ENGINE TASK("a", "1"));
    pretend_started(true);
    assert_int_not_equal(update(REGION ENGINE TASK("a", "1") DAMON DTASK("d1") DTASK("d2"), &d),
                         ST_OK);
    assert_true(diag_has(&d, "the kernel was not probed"));
    assert_null(project_find_engine(model_find_project("p"), "damon"));
    assert_non_null(find_task("a"));
    remove_all();
    diag_free(&d);
#undef REGION
#undef DAMON
#undef DTASK
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_sections),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_section_keys),
        cmocka_unit_test(test_live_keys),
        cmocka_unit_test(test_keep_add_remove),
        cmocka_unit_test(test_live_changes),
        cmocka_unit_test(test_refused_while_started),
        cmocka_unit_test(test_start_failure_undoes_all),
        cmocka_unit_test(test_start_failure_undoes_a_stopped_task),
        cmocka_unit_test(test_start_failure_frees_a_new_engines_tasks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
