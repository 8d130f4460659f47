/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_thirdparty_load.c - the plug-in loader on real files (needs root, for chown): what it
 * accepts, each refusal with its reason and the key's line, shared loads, and two different
 * files loaded one after the other through the same /proc/self/fd number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"
#include "diag.h"
#include "thirdparty.h"

static char dir[] = "/tmp/etmem-tpload-XXXXXX";
static struct conf_file *cf;

static const char conf_text[] = "[engine]\nname=thirdparty\nproject=p\neng_name=e\n"
                                "libname=/x.so\nops_name=my_engine_ops\n";

/* Copy the built plug-in `name` to dir/as with mode and owner uid; returns the path. */
static const char *install(const char *name, const char *as, mode_t mode, uid_t uid)
{
    static char dst[512];
    char cmd[1024];

    snprintf(dst, sizeof(dst), "%s/%s", dir, as);
    snprintf(cmd, sizeof(cmd), "cp %s/%s.so %s", TESTPLUG_DIR, name, dst);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(chown(dst, uid, 0), 0);
    assert_int_equal(chmod(dst, mode), 0);
    return dst;
}

/* Load path/sym and expect a refusal containing want (NULL: success, unloaded again). */
static void expect_load(const char *path, const char *sym, const char *want)
{
    struct diag d = { 0 };
    struct engine_ops *ops = NULL;
    struct plugin_lib *lib = plugin_lib_load(path, sym, &ops, cf, &d);

    if (want == NULL) {
        if (lib == NULL)
            fail_msg("%s %s refused: %s", path, sym, d.nr_errors ? d.errors[0] : "?");
        assert_non_null(ops);
        plugin_lib_unload(lib);
    } else {
        assert_null(lib);
        assert_int_equal(d.nr_errors, 1);
        if (strstr(d.errors[0], want) == NULL)
            fail_msg("wanted '%s' in: %s", want, d.errors[0]);
        assert_non_null(strstr(d.errors[0], "label:"));     /* file:line of the key */
    }
    diag_free(&d);
}

static int setup(void **state)
{
    struct diag d = { 0 };

    if (getuid() != 0)
        return 0;
    if (mkdtemp(dir) == NULL)
        return -1;
    cf = conf_file_parse("label", conf_text, strlen(conf_text), &d);
    diag_free(&d);
    return cf == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[600];

    if (getuid() != 0)
        return 0;
    conf_file_free(cf);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#define NEED_ROOT() do { if (getuid() != 0) skip(); } while (0)

static void test_accepts(void **state)
{
    NEED_ROOT();
    expect_load(install("testplug", "ok500.so", 0500, 0), "my_engine_ops", NULL);
    expect_load(install("testplug", "ok700.so", 0700, 0), "stop_sleeps_ops", NULL);
}

static void test_refuses_files(void **state)
{
    char path[600];

    NEED_ROOT();
    expect_load(install("testplug", "m755.so", 0755, 0), "my_engine_ops",
                "has mode 0755, but a plug-in must have mode 500 or 700: its group or others");
    expect_load(install("testplug", "m600.so", 0600, 0), "my_engine_ops",
                "has mode 0600, but a plug-in must have mode 500 or 700: its owner cannot");
    expect_load(install("testplug", "m400.so", 0400, 0), "my_engine_ops", "has mode 0400");
    expect_load(install("testplug", "m501.so", 0501, 0), "my_engine_ops", "has mode 0501");
    expect_load(install("testplug", "m720.so", 0720, 0), "my_engine_ops", "can write it");
    expect_load(install("testplug", "uid1.so", 0500, 1), "my_engine_ops",
                "is owned by uid 1; a plug-in must be owned by root");
    snprintf(path, sizeof(path), "%s/link.so", dir);
    assert_int_equal(symlink("ok500.so", path), 0);
    expect_load(path, "my_engine_ops", "is a symbolic link");
    snprintf(path, sizeof(path), "%s/adir.so", dir);
    assert_int_equal(mkdir(path, 0500), 0);
    expect_load(path, "my_engine_ops", "is a directory");
    snprintf(path, sizeof(path), "%s/missing.so", dir);
    expect_load(path, "my_engine_ops", "cannot open it: No such file or directory");
    snprintf(path, sizeof(path), "%s/fifo.so", dir);
    assert_int_equal(mkfifo(path, 0500), 0);
    expect_load(path, "my_engine_ops", "is a FIFO");
}

static void test_refuses_symbols(void **state)
{
    const char *ok;

    NEED_ROOT();
    expect_load(install("testplug_undef", "undef.so", 0500, 0), "my_engine_ops",
                "cannot load it: undefined symbol: etmem_test_no_such_function");
    ok = install("testplug", "syms.so", 0500, 0);
    expect_load(ok, "no_such_ops", "has no symbol 'no_such_ops'");
    expect_load(ok, "not_ops_function", "is not a variable");
    expect_load(ok, "small_ops", "is 4 bytes, too small for a struct engine_ops");
    expect_load(ok, "stdout", "is not defined by the plug-in but by");
    expect_load(ok, "bad_pointer_ops", "start_task points outside every loaded object");
}

static void test_shared_and_fd_reuse(void **state)
{
    struct diag d = { 0 };
    struct engine_ops *o1, *o2, *o3;
    const char *p1 = strdup(install("testplug", "a.so", 0500, 0));
    const char *p2 = strdup(install("testplug", "b.so", 0500, 0));
    struct plugin_lib *l1, *l2, *l3;

    NEED_ROOT();
    l1 = plugin_lib_load(p1, "my_engine_ops", &o1, cf, &d);
    l2 = plugin_lib_load(p1, "start_fails_ops", &o2, cf, &d);
    /* the same file twice: one library, one gate */
    assert_ptr_equal(l1, l2);
    assert_ptr_equal(plugin_lib_gate(l1), plugin_lib_gate(l2));
    /* another file, very likely through the fd number a.so had: its own library */
    l3 = plugin_lib_load(p2, "my_engine_ops", &o3, cf, &d);
    assert_non_null(l3);
    assert_ptr_not_equal(l1, l3);
    assert_ptr_not_equal(o1, o3);
    assert_int_equal(d.nr_errors, 0);
    plugin_lib_unload(l1);
    plugin_lib_unload(l2);
    plugin_lib_unload(l3);
    free((void *)p1);
    free((void *)p2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_refuses_files),
        cmocka_unit_test(test_refuses_symbols),
        cmocka_unit_test(test_shared_and_fd_reuse),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
