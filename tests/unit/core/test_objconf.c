/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_objconf.c - what the generic key walk of test_keytables.c cannot reach: the custom
 * parsers' grammars (engine name, task value, swap_threshold, node_pair, vm_flags, libname,
 * ops_name), the rules that span keys of one section (swapcache wmarks, region bounds,
 * type=pid, max_threads clamp, slide T against loop), required_if for scan_type, and the
 * guide's example files read the way `obj add` reads them (fuzz/objcheck.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <cmocka.h>

#include "conftest.h"
#include "cslide.h"
#include "engine.h"
#include "objconf.h"
#include "objcheck.h"
#include "probe.h"
#include "runtime.h"
#include "slide.h"

static unsigned cases_run;

/* ---- custom parsers, called through the tables ---- */

static const struct config_key *table_key(const struct config_key *table, const char *name)
{
    for (; table != NULL && table->name != NULL; table++) {
        if (strcmp(table->name, name) == 0)
            return table;
    }
    return NULL;
}

/* The key named name of kind's section group (kind NULL: the generic tables). */
static const struct config_key *find_key(const char *kind_name, const char *group,
                                         const char *name)
{
    const struct config_key *key = NULL;

    if (kind_name == NULL) {
        if (strcmp(group, "engine") == 0)
            key = table_key(engine_id_keys, name);
        else if (strcmp(group, "task") == 0)
            key = table_key(task_keys, name);
    } else {
        const struct engine_kind *kind = engine_kind_find(kind_name);

        assert_non_null(kind);
        if (strcmp(group, "engine") == 0) {
            key = table_key(kind->engine_id_keys, name);
            if (key == NULL)
                key = table_key(kind->engine_keys, name);
        } else {
            key = table_key(kind->task_keys, name);
        }
    }
    if (key == NULL)
        print_message("no key %s [%s] %s\n", kind_name ? kind_name : "generic", group, name);
    assert_non_null(key);
    return key;
}

struct custom_case {
    const char *kind;           /* NULL: generic section keys */
    const char *group;
    const char *key;
    const char *text;
    const char *why;            /* NULL: accepted */
};

#define NODE_PAIR_HELP "(allowed: hot,cold node pairs separated by ';', e.g. 0,2;1,3)"
#define NOT_PAIRS "is not a list of node number pairs 0..1023 " NODE_PAIR_HELP
#define NOT_VM_FLAGS "is not a list of two-letter VmFlags separated by blanks (e.g. ht)"
#define NOT_GIB "is not a size in GiB (allowed: <number>g or <number>G, at most 10 " \
                "characters, e.g. 10g)"
#define NOT_GIB_NUMBER "is not a size in GiB (allowed: <number>g, e.g. 10g)"
#define NOT_IDENT "is not a C identifier (the name of a struct engine_ops)"
#define VALUE_CHARS "(allowed: letters, digits and . / % _ -)"

static const struct custom_case custom_cases[] = {
    { NULL, "engine", "name", "slide", NULL },
    { NULL, "engine", "name", "cslide", NULL },
    { NULL, "engine", "name", "thirdparty", NULL },
    { NULL, "engine", "name", "damon", NULL },
    { NULL, "engine", "name", "memdcd",
      "engine 'memdcd' is not supported by this etmemd (allowed: slide|cslide|thirdparty|psi|damon)" },
    { NULL, "engine", "name", "Slide",
      "engine 'Slide' is not supported (allowed: slide|cslide|thirdparty|psi|damon)" },
    { NULL, "task", "value", "1", NULL },
    { NULL, "task", "value", "mysql", NULL },
    { NULL, "task", "value", "a.b/c%d_e-f", NULL },
    { NULL, "task", "value", "abcdefghijklmno", NULL },
    { NULL, "task", "value", "abcdefghijklmnop",
      "'abcdefghijklmnop' is 16 characters long; process names and pids have at most 15" },
    { NULL, "task", "value", "my sql", "'my sql' contains ' ' " VALUE_CHARS },
    { NULL, "task", "value", "a*b", "'a*b' contains '*' " VALUE_CHARS },
    { NULL, "task", "value", "a:b", "'a:b' contains ':' " VALUE_CHARS },
    { NULL, "task", "value", "caf\xc3\xa9", "'caf\xc3\xa9' contains '\xc3' " VALUE_CHARS },
    { "slide", "task", "swap_threshold", "10g", NULL },
    { "slide", "task", "swap_threshold", "10G", NULL },
    { "slide", "task", "swap_threshold", "0g", NULL },
    { "slide", "task", "swap_threshold", "999999999g", NULL },
    { "slide", "task", "swap_threshold", "1234567890g", "'1234567890g' " NOT_GIB },
    { "slide", "task", "swap_threshold", "g", "'g' " NOT_GIB },
    { "slide", "task", "swap_threshold", "10", "'10' " NOT_GIB },
    { "slide", "task", "swap_threshold", "10m", "'10m' " NOT_GIB },
    { "slide", "task", "swap_threshold", "10gb", "'10gb' " NOT_GIB },
    { "slide", "task", "swap_threshold", "-1g", "'-1g' " NOT_GIB_NUMBER },
    { "slide", "task", "swap_threshold", "+1g", "'+1g' " NOT_GIB_NUMBER },
    { "slide", "task", "swap_threshold", "1.5g", "'1.5g' " NOT_GIB_NUMBER },
    { "slide", "task", "swap_threshold", "1 g", "'1 g' " NOT_GIB_NUMBER },
    { "slide", "task", "swap_threshold", "gg", "'gg' " NOT_GIB_NUMBER },
    { "cslide", "engine", "node_pair", "0,1", NULL },
    { "cslide", "engine", "node_pair", "2,0;3,1", NULL },
    { "cslide", "engine", "node_pair", "0,1;", NULL },
    { "cslide", "engine", "node_pair", "0 1", NULL },
    { "cslide", "engine", "node_pair", "0,1;;2\t3", NULL },
    { "cslide", "engine", "node_pair", "1023,0", NULL },
    { "cslide", "engine", "node_pair", "0,0", "'0,0' pairs a node with itself " NODE_PAIR_HELP },
    { "cslide", "engine", "node_pair", "0,1;1,2",
      "'0,1;1,2' names a node in more than one pair " NODE_PAIR_HELP },
    { "cslide", "engine", "node_pair", "0,1;0,2",
      "'0,1;0,2' names a node in more than one pair " NODE_PAIR_HELP },
    { "cslide", "engine", "node_pair", "0,1;2,1",
      "'0,1;2,1' names a node in more than one pair " NODE_PAIR_HELP },
    { "cslide", "engine", "node_pair", "0,1;2,0",
      "'0,1;2,0' names a node in more than one pair " NODE_PAIR_HELP },
    { "cslide", "engine", "node_pair", "0", "'0' " NOT_PAIRS },
    { "cslide", "engine", "node_pair", "0,1,2", "'0,1,2' " NOT_PAIRS },
    { "cslide", "engine", "node_pair", "a,b", "'a,b' " NOT_PAIRS },
    { "cslide", "engine", "node_pair", "-1,0", "'-1,0' " NOT_PAIRS },
    { "cslide", "engine", "node_pair", "1024,0", "'1024,0' " NOT_PAIRS },
    { "cslide", "engine", "node_pair", "0;1", "'0;1' " NOT_PAIRS },
    { "cslide", "engine", "node_pair", "99999999999999999999,0",
      "'99999999999999999999,0' " NOT_PAIRS },
    { "cslide", "engine", "node_pair", ";", "';' has no node pair " NODE_PAIR_HELP },
    { "cslide", "engine", "node_pair", ",;,", "',;,' has no node pair " NODE_PAIR_HELP },
    { "cslide", "task", "vm_flags", "ht", NULL },
    { "cslide", "task", "vm_flags", "ht rd", NULL },
    { "cslide", "task", "vm_flags", "ht  rd", NULL },
    { "cslide", "task", "vm_flags", "h", "'h' " NOT_VM_FLAGS },
    { "cslide", "task", "vm_flags", "HT", "'HT' " NOT_VM_FLAGS },
    { "cslide", "task", "vm_flags", "ht,rd", "'ht,rd' " NOT_VM_FLAGS },
    { "cslide", "task", "vm_flags", "htx", "'htx' " NOT_VM_FLAGS },
    { "cslide", "task", "vm_flags", "h1", "'h1' " NOT_VM_FLAGS },
    { "thirdparty", "engine", "libname", "/usr/lib/x.so", NULL },
    { "thirdparty", "engine", "libname", "x.so", "'x.so' is not an absolute path" },
    { "thirdparty", "engine", "libname", "./x.so", "'./x.so' is not an absolute path" },
    { "thirdparty", "engine", "ops_name", "my_engine_ops", NULL },
    { "thirdparty", "engine", "ops_name", "_x1", NULL },
    { "thirdparty", "engine", "ops_name", "X", NULL },
    { "thirdparty", "engine", "ops_name", "1x", "'1x' " NOT_IDENT },
    { "thirdparty", "engine", "ops_name", "a-b", "'a-b' " NOT_IDENT },
    { "thirdparty", "engine", "ops_name", "a b", "'a b' " NOT_IDENT },
    { "thirdparty", "engine", "ops_name", "a.b", "'a.b' " NOT_IDENT },
};

/* Run one custom parser; returns its verdict and leaves the reason (if any) in *why. */
static bool run_parser(const struct config_key *key, const char *text, void *dst, char **why)
{
    bool ok;

    *why = NULL;
    ok = key->parse(key, text, dst, why);
    cases_run++;
    return ok;
}

static void release_parsed(const struct config_key *key, void *dst)
{
    if (key->release != NULL)
        key->release(dst);
}

static void test_custom_parsers(void **state)
{
    for (size_t i = 0; i < sizeof(custom_cases) / sizeof(custom_cases[0]); i++) {
        const struct custom_case *c = &custom_cases[i];
        const struct config_key *key = find_key(c->kind, c->group, c->key);
        union { void *p; uint64_t u; struct node_pairs np; char pad[64]; } dst = { 0 };
        /* value's parser reads the task's type from the struct around it */
        struct task_conf tc = { 0 };
        bool is_task_value = strcmp(c->group, "task") == 0 && strcmp(c->key, "value") == 0;
        void *target = is_task_value ? (void *)&tc.value : (void *)&dst;
        char *why;
        bool ok = run_parser(key, c->text, target, &why);

        if (ok != (c->why == NULL) || (why != NULL && strcmp(why, c->why) != 0)) {
            print_message("[%s] %s='%s': expected %s, got %s\n", c->group, c->key, c->text,
                          c->why ? c->why : "accepted", why ? why : "accepted");
            fail();
        }
        free(why);
        if (ok)
            release_parsed(key, target);
    }
}

/* Values of exactly len characters, valid but for their length. */
static char *long_path(size_t len)
{
    char *s = ct_repeat('l', len);

    s[0] = '/';
    return s;
}

static char *long_symbol(size_t len)
{
    return ct_repeat('o', len);
}

/* "ht ht ... ht", the first gap widened so that the total is len. */
static char *long_vm_flags(size_t len)
{
    size_t n = (len + 1) / 3, extra = len - (3 * n - 1);
    char *s = ct_repeat(' ', len);
    size_t pos = 0;

    for (size_t i = 0; i < n; i++) {
        memcpy(s + pos, "ht", 2);
        pos += 2 + 1 + (i == 0 ? extra : 0);
    }
    return s;
}

/* Length limits of the custom string keys: max accepted, max+1 refused. */
static void test_custom_length_limits(void **state)
{
    static const struct {
        const char *kind, *group, *key;
        char *(*make)(size_t len);
    } limits[] = {
        { "thirdparty", "engine", "libname", long_path },
        { "thirdparty", "engine", "ops_name", long_symbol },
        { "cslide", "task", "vm_flags", long_vm_flags },
    };

    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        const struct config_key *key = find_key(limits[i].kind, limits[i].group, limits[i].key);
        char *longest = limits[i].make((size_t)key->max);
        char *overlong = limits[i].make((size_t)key->max + 1);
        char *expected = ct_fmt("'%s' is longer than %lld characters", overlong,
                                (long long)key->max);
        void *dst = NULL;
        char *why;

        assert_int_equal(strlen(longest), key->max);
        assert_true(run_parser(key, longest, &dst, &why));
        release_parsed(key, &dst);
        assert_false(run_parser(key, overlong, &dst, &why));
        assert_string_equal(why, expected);
        free(why);
        free(expected);
        free(overlong);
        free(longest);
    }
}

static void test_parsed_values(void **state)
{
    const struct config_key *key = find_key("slide", "task", "swap_threshold");
    struct node_pairs np = { 0 };
    uint64_t kb = 0;
    char *why;

    assert_true(run_parser(key, "10g", &kb, &why));
    assert_true(kb == 10ull * 1024 * 1024);
    assert_true(run_parser(key, "999999999G", &kb, &why));
    assert_true(kb == 999999999ull * 1024 * 1024);
    key = find_key("cslide", "engine", "node_pair");
    assert_true(run_parser(key, "2,0;3 1;", &np, &why));
    assert_int_equal(np.nr, 2);
    assert_int_equal(np.pair[0].hot_node, 2);
    assert_int_equal(np.pair[0].cold_node, 0);
    assert_int_equal(np.pair[1].hot_node, 3);
    assert_int_equal(np.pair[1].cold_node, 1);
    release_parsed(key, &np);
    assert_null(np.pair);
}

/* ---- whole sections: cross-key rules ---- */

enum section { SEC_PROJECT, SEC_ENGINE, SEC_TASK };

struct section_case {
    const char *what;
    enum section section;
    bool id_only;
    const char *text;
    const char *error;          /* exact, after "error: "; NULL: accepted */
    const char *warning;        /* exact, after "warning: "; NULL: none */
};

#define PAGE_PROJECT "[project]\nname=p\nloop=2\ninterval=1\nsleep=1\n"   /* lines 1-5 */
#define REGION_PROJECT "[project]\nname=r\nscan_type=region\nsample_interval=1\n" \
                       "aggr_interval=1\nupdate_interval=1\n"               /* lines 1-6 */
#define TASK_HEAD "[task]\nproject=p\nengine=slide\nname=t\n"              /* lines 1-4 */
#define WMARKS_GO_TOGETHER "swapcache_high_wmark and swapcache_low_wmark go together; set both"

static const struct section_case section_cases[] = {
    { "page project", SEC_PROJECT, false, PAGE_PROJECT, NULL, NULL },
    { "wmarks low < high", SEC_PROJECT, false,
      PAGE_PROJECT "swapcache_high_wmark=5\nswapcache_low_wmark=4\n", NULL, NULL },
    { "wmark high alone", SEC_PROJECT, false, PAGE_PROJECT "swapcache_high_wmark=5\n",
      CT_LABEL ":6: [project] swapcache_high_wmark: " WMARKS_GO_TOGETHER, NULL },
    { "wmark low alone", SEC_PROJECT, false, PAGE_PROJECT "swapcache_low_wmark=5\n",
      CT_LABEL ":6: [project] swapcache_low_wmark: " WMARKS_GO_TOGETHER, NULL },
    { "wmark low alone, guide spelling", SEC_PROJECT, false,
      PAGE_PROJECT "swapcache_low_vmark=5\n",
      CT_LABEL ":6: [project] swapcache_low_vmark: " WMARKS_GO_TOGETHER,
      CT_LABEL ":6: [project] 'swapcache_low_vmark' is read as 'swapcache_low_wmark' (the "
      "guide's spelling); prefer 'swapcache_low_wmark'" },
    { "wmarks equal", SEC_PROJECT, false,
      PAGE_PROJECT "swapcache_high_wmark=5\nswapcache_low_wmark=5\n",
      CT_LABEL ":7: [project] swapcache_low_wmark: value 5 must be below "
      "swapcache_high_wmark (5)", NULL },
    { "wmarks equal, guide spelling", SEC_PROJECT, false,
      PAGE_PROJECT "swapcache_high_vmark=5\nswapcache_low_vmark=5\n",
      CT_LABEL ":7: [project] swapcache_low_vmark: value 5 must be below "
      "swapcache_high_wmark (5)",
      CT_LABEL ":6: [project] 'swapcache_high_vmark' is read as 'swapcache_high_wmark' (the "
      "guide's spelling); prefer 'swapcache_high_wmark'" },
    { "wmarks low > high", SEC_PROJECT, false,
      PAGE_PROJECT "swapcache_low_wmark=9\nswapcache_high_wmark=3\n",
      CT_LABEL ":6: [project] swapcache_low_wmark: value 9 must be below "
      "swapcache_high_wmark (3)", NULL },
    { "page scan needs loop", SEC_PROJECT, false,
      "[project]\nname=p\nscan_type=page\ninterval=1\nsleep=1\n",
      CT_LABEL ":1: [project]: missing required key 'loop' (scans per cycle; access weights "
      "are summed over them)", NULL },
    { "scan_type defaults to page", SEC_PROJECT, false, "[project]\nname=p\nloop=1\nsleep=1\n",
      CT_LABEL ":1: [project]: missing required key 'interval' (seconds between the scans of "
      "one cycle)", NULL },
    { "page scan needs sleep", SEC_PROJECT, false, "[project]\nname=p\nloop=1\ninterval=1\n",
      CT_LABEL ":1: [project]: missing required key 'sleep' (seconds between the end of a "
      "cycle (scans and moves) and the next)", NULL },
    { "region needs no loop", SEC_PROJECT, false,
      REGION_PROJECT "min_nr_regions=3\nmax_nr_regions=4\n", NULL, NULL },
    { "region needs sample_interval", SEC_PROJECT, false,
      "[project]\nname=r\nscan_type=region\nloop=1\n",
      CT_LABEL ":1: [project]: missing required key 'sample_interval' (region: access "
      "sampling period (us))", NULL },
    { "region needs max_nr_regions", SEC_PROJECT, false, REGION_PROJECT "min_nr_regions=3\n",
      CT_LABEL ":1: [project]: missing required key 'max_nr_regions' (region: most "
      "monitoring regions)", NULL },
    { "region min = max", SEC_PROJECT, false,
      REGION_PROJECT "min_nr_regions=5\nmax_nr_regions=5\n",
      CT_LABEL ":8: [project] max_nr_regions: value 5 must be above min_nr_regions (5)", NULL },
    { "region min > max", SEC_PROJECT, false,
      REGION_PROJECT "max_nr_regions=5\nmin_nr_regions=50\n",
      CT_LABEL ":7: [project] max_nr_regions: value 5 must be above min_nr_regions (50)", NULL },
    { "project del reads the name only", SEC_PROJECT, true, "[project]\nname=p\nloop=0\n",
      NULL, NULL },
    { "project without name", SEC_PROJECT, true, "[project]\nloop=1\n",
      CT_LABEL ":1: [project]: missing required key 'name' (the project's name; engines and "
      "tasks name it in project=)", NULL },
    { "engine", SEC_ENGINE, false, "[engine]\nproject=p\nname=cslide\n", NULL, NULL },
    { "engine of the original only", SEC_ENGINE, false, "[engine]\nproject=p\nname=memdcd\n",
      CT_LABEL ":3: [engine] name: engine 'memdcd' is not supported by this etmemd (allowed: "
      "slide|cslide|thirdparty|psi|damon)", NULL },
    { "engine without project", SEC_ENGINE, false, "[engine]\nname=slide\n",
      CT_LABEL ":1: [engine]: missing required key 'project' (the project the engine belongs "
      "to)", NULL },
    { "task by name", SEC_TASK, false, TASK_HEAD "type=name\nvalue=abc\n", NULL, NULL },
    /* 4194304: above any pid_max, so never a process (pid 1 needs allow_init) */
    { "task by pid", SEC_TASK, false, TASK_HEAD "type=pid\nvalue=4194304\n", NULL, NULL },
    { "task on init, opted in", SEC_TASK, false, TASK_HEAD "type=pid\nvalue=1\nallow_init=yes\n",
      NULL, NULL },
    { "task by pid, largest", SEC_TASK, false, TASK_HEAD "type=pid\nvalue=2147483647\n",
      NULL, NULL },
    { "task pid not a number", SEC_TASK, false, TASK_HEAD "type=pid\nvalue=abc\n",
      CT_LABEL ":6: [task] value: 'abc' is not a pid (type=pid wants a positive number)",
      NULL },
    { "task pid 0", SEC_TASK, false, TASK_HEAD "value=0\ntype=pid\n",
      CT_LABEL ":5: [task] value: '0' is not a pid (type=pid wants a positive number)", NULL },
    { "task pid negative", SEC_TASK, false, TASK_HEAD "type=pid\nvalue=-1\n",
      CT_LABEL ":6: [task] value: '-1' is not a pid (type=pid wants a positive number)", NULL },
    { "task pid past int", SEC_TASK, false, TASK_HEAD "type=pid\nvalue=2147483648\n",
      CT_LABEL ":6: [task] value: '2147483648' is not a pid (type=pid wants a positive "
      "number)", NULL },
    { "task without type", SEC_TASK, false, TASK_HEAD "value=1\n",
      CT_LABEL ":1: [task]: missing required key 'type' (how the target is named: by pid, "
      "by process name or by cgroup)", NULL },
    { "task del reads the names only", SEC_TASK, true, TASK_HEAD, NULL, NULL },
};

static int parse_section(struct conf_file *cf, enum section section, bool id_only,
                         struct diag *d)
{
    struct project_conf pc;
    struct engine_conf ec = { 0 };
    struct task_conf tc;
    int rc = -1;

    switch (section) {
    case SEC_PROJECT:
        project_conf_init(&pc);
        rc = project_conf_parse(cf, &pc, id_only, d);
        project_conf_release(&pc);
        break;
    case SEC_ENGINE:
        rc = engine_conf_parse(cf, &ec, d);
        engine_conf_release(&ec);
        break;
    case SEC_TASK:
        task_conf_init(&tc);
        rc = task_conf_parse(cf, &tc, id_only, d);
        task_conf_release(&tc);
        break;
    }
    return rc;
}

static void test_section_rules(void **state)
{
    for (size_t i = 0; i < sizeof(section_cases) / sizeof(section_cases[0]); i++) {
        const struct section_case *c = &section_cases[i];
        struct diag d = { 0 };
        struct conf_file *cf = ct_parse(c->text, &d);
        int rc;

        print_message("  case: %s\n", c->what);
        assert_non_null(cf);
        rc = parse_section(cf, c->section, c->id_only, &d);
        cases_run++;
        assert_int_equal(rc, c->error ? -1 : 0);
        if (c->error)
            ct_expect_error(&d, c->error);
        else
            ct_expect_warnings(&d, (const char *const[]){ c->warning, NULL });
        if (c->error && c->warning)
            assert_string_equal(d.warnings[0] + strlen("warning: "), c->warning);
        conf_file_free(cf);
        diag_free(&d);
    }
}

/* More than 2*cores+1 threads is lowered, with a warning at the key. */
static void test_max_threads_clamped(void **state)
{
    int most = 2 * get_nprocs() + 1;

    for (int asked = most; asked <= most + 1; asked++) {
        char *text = ct_fmt(TASK_HEAD "type=pid\nvalue=4194304\nmax_threads=%d\n", asked);
        char *warning = ct_fmt(CT_LABEL ":7: [task] max_threads: %d is more than 2*cores+1 on "
                               "this machine; using %d", asked, most);
        struct diag d = { 0 };
        struct conf_file *cf = ct_parse(text, &d);
        struct task_conf tc;

        task_conf_init(&tc);
        assert_int_equal(task_conf_parse(cf, &tc, false, &d), 0);
        assert_int_equal(tc.max_threads, most);
        ct_expect_warnings(&d, (const char *const[]){ asked > most ? warning : NULL, NULL });
        cases_run++;
        task_conf_release(&tc);
        conf_file_free(cf);
        diag_free(&d);
        free(warning);
        free(text);
    }
}

/* slide: T may reach loop*3 of the task's project, not more (for loop=120 the table's own
 * range 0..360 says it first: test_keytables.c). */
static void test_slide_T_against_loop(void **state)
{
    static const int loops[] = { 1, 2, 119 };
    const struct engine_kind *slide = engine_kind_find("slide");

    for (size_t l = 0; l < sizeof(loops) / sizeof(loops[0]); l++) {
        int loop = loops[l];

        for (int T = loop * 3; T <= loop * 3 + 1; T++) {
            struct page_scan scan = { .interval = 1, .loop = loop, .sleep = 1 };
            struct project proj = { .name = (char *)"p", .type = PAGE_SCAN, .scan_param = &scan };
            char *text = ct_fmt("[task]\nT=%d\n", T);
            struct diag d = { 0 };
            struct conf_file *cf = ct_parse(text, &d);
            void *params = calloc(1, slide->task_params_size);
            char *expected = ct_fmt(CT_LABEL ":2: [task] T: value %d is out of range 0..%d "
                                    "(loop*3 with loop=%d in project 'p')", T, loop * 3, loop);

            assert_int_equal(conf_walk(cf, "task", slide->task_keys, params, &d), 0);
            assert_int_equal(slide->check_task(cf, &proj, params, &d), T > loop * 3 ? -1 : 0);
            if (T > loop * 3)
                ct_expect_error(&d, expected);
            else
                ct_expect_clean(&d);
            cases_run++;
            conf_release(slide->task_keys, params);
            free(params);
            free(expected);
            conf_file_free(cf);
            diag_free(&d);
            free(text);
        }
    }
}

/* node_pair against a machine's nodes, as the original etmem checked it: nodes exist, and
 * every node of the machine is in a pair (so there is an even number of them). */
struct node_case {
    int nr_nodes;               /* nodes 0..nr_nodes-1, each with memory, node 0 with CPUs */
    const char *value;
    const char *error;          /* after CT_LABEL ":3: [engine] node_pair: "; NULL: accepted */
};

static const struct node_case node_cases[] = {
    { 2, "0,1", NULL },
    { 4, "0,2;1,3", NULL },
    { 4, "0,2", "node 1 is in no pair; every NUMA node of this machine (0,1,2,3) must be "
      "paired" },
    { 3, "0,1", "node 2 is in no pair; every NUMA node of this machine (0,1,2) must be paired" },
    { 2, "0,2", "node 2 does not exist (this machine's NUMA nodes: 0,1)" },
    { 1, "0,1", "node 1 does not exist: this machine has no NUMA tiers (its only NUMA node is "
      "node 0); cslide moves memory between a fast and a slow NUMA node" },
};

static void test_node_pair_against_machine(void **state)
{
    const struct engine_kind *cs = engine_kind_find("cslide");
    static struct kernel_caps caps;

    for (size_t i = 0; i < sizeof(node_cases) / sizeof(node_cases[0]); i++) {
        const struct node_case *c = &node_cases[i];
        char *text = ct_fmt("[engine]\nname=cslide\nnode_pair=%s\nhot_threshold=1\n"
                            "node_mig_quota=1\nnode_hot_reserve=1\n", c->value);
        struct diag d = { 0 };
        struct conf_file *cf = ct_parse(text, &d);
        void *params = calloc(1, cs->engine_params_size);

        memset(&caps, 0, sizeof(caps));
        caps.nr_nodes = c->nr_nodes;
        for (int n = 0; n < c->nr_nodes; n++)
            caps.nodes[n] = (struct numa_node_info){ .id = n, .has_cpu = n == 0,
                                                     .mem_total_kb = 1 << 20 };
        engines_set_caps(&caps);
        print_message("  case: %d nodes, node_pair=%s\n", c->nr_nodes, c->value);
        assert_int_equal(conf_walk(cf, "engine", cs->engine_keys, params, &d), 0);
        assert_int_equal(cs->check_engine(cf, params, &d), c->error ? -1 : 0);
        if (c->error) {
            char *expected = ct_fmt(CT_LABEL ":3: [engine] node_pair: %s", c->error);

            ct_expect_error(&d, expected);
            free(expected);
        }
        engines_set_caps(NULL);
        cases_run++;
        conf_release(cs->engine_keys, params);
        free(params);
        conf_file_free(cf);
        diag_free(&d);
        free(text);
    }
}

/* ---- the guide's examples and the seed files, read as obj add reads them ---- */

struct file_case {
    const char *file;           /* under fuzz/corpus/config */
    const char *error;          /* after "error: <path>"; NULL: accepted */
    int warnings;
};

static const struct file_case file_cases[] = {
    { "guide_slide.conf", NULL, 2 },                /* the _vmark spelling, twice */
    { "guide_slide_swapcache.conf", NULL, 2 },
    { "guide_thirdparty.conf", NULL, 0 },           /* private keys belong to the plug-in */
    /* the guide's cslide example sets name= twice in [task] (the pid went to name=) */
    { "guide_cslide.conf", ":15: [task] key 'name' is set twice (first on line 13)", 0 },
    { "cslide_value.conf", NULL, 0 },
    { "region.conf", NULL, 0 },
    { "all_keys_slide.conf", NULL, 0 },
    { "crlf_blanks.conf", NULL, 0 },
    { "node_pair_forms.conf", NULL, 0 },
    { "locale_key.conf", NULL, 1 },                 /* name[de] is no key of ours */
    { "wmark_equal.conf", ":7: [project] swapcache_low_wmark: value 5 must be below "
      "swapcache_high_wmark (5)", 0 },
    { "alias_both.conf", ":6: [project] both 'swapcache_high_wmark' and its alias "
      "'swapcache_high_vmark' (line 7) are set; keep one", 0 },
    { "task_bad_pid.conf", ":6: [task] value: '-1' is not a pid (type=pid wants a positive "
      "number)", 0 },
    { "thirdparty_bad.conf", ":5: [engine] libname: 'relative.so' is not an absolute path", 0 },
};

static char *read_seed(const char *name, size_t *len)
{
    char *path = ct_fmt("%s/%s", SEED_DIR, name), *buf;
    FILE *f = fopen(path, "rb");

    assert_non_null(f);
    buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    free(path);
    return buf;
}

static void test_seed_files_as_obj_add(void **state)
{
    for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
        const struct file_case *c = &file_cases[i];
        struct diag d = { 0 };
        size_t len;
        char *text = read_seed(c->file, &len);
        struct conf_file *cf = conf_file_parse(c->file, text, len, &d);
        int rc = cf ? objfile_check_add(cf, &d) : -1;

        print_message("  file: %s\n", c->file);
        cases_run++;
        if (c->error != NULL) {
            char *expected = ct_fmt("%s%s", c->file, c->error);

            assert_int_equal(rc, -1);
            ct_expect_error(&d, expected);
            free(expected);
        } else {
            if (d.nr_errors)
                print_message("  unexpected %s\n", d.errors[0]);
            assert_int_equal(rc, 0);
            assert_int_equal(d.nr_warnings, c->warnings);
            diag_free(&d);
            assert_int_equal(objfile_check_del(cf, &d), 0);
        }
        conf_file_free(cf);
        diag_free(&d);
        free(text);
    }
}

static int report_count(void **state)
{
    print_message("[ info ] %u cases\n", cases_run);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_custom_parsers),
        cmocka_unit_test(test_custom_length_limits),
        cmocka_unit_test(test_parsed_values),
        cmocka_unit_test(test_section_rules),
        cmocka_unit_test(test_max_threads_clamped),
        cmocka_unit_test(test_slide_T_against_loop),
        cmocka_unit_test(test_node_pair_against_machine),
        cmocka_unit_test(test_seed_files_as_obj_add),
    };

    return cmocka_run_group_tests(tests, NULL, report_count);
}
