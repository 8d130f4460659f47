/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_swapknob.c - kernel_swap_enable: set at the first claim, shared by agreeing projects,
 * refused to a disagreeing one, restored after the last release; against a fixture sysfs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "proc.h"
#include "swapknob.h"

static char root[64];      /* mkdtemp's template, short enough for the paths below */
static char knob[128];

static void write_knob(const char *text)
{
    FILE *f = fopen(knob, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void assert_knob(const char *want)
{
    char buf[16] = "";
    FILE *f = fopen(knob, "r");

    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, want);
}

static int setup(void **state)
{
    static const char *const dirs[] = { "/kernel", "/kernel/mm", "/kernel/mm/swap" };
    char dir[128];

    snprintf(root, sizeof(root), "/tmp/etmem-swapknob.XXXXXX");
    if (mkdtemp(root) == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(dir, sizeof(dir), "%s%s", root, dirs[i]);
        if (mkdir(dir, 0755) < 0)
            return -1;
    }
    snprintf(knob, sizeof(knob), "%s/kernel/mm/swap/kernel_swap_enable", root);
    sysfs_set_root(root);
    return 0;
}

static int teardown(void **state)
{
    char cmd[160];

    sysfs_set_root(NULL);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd);
}

static void test_absent_knob(void **state)
{
    assert_false(swapknob_present());
}

static void test_claims_and_restore(void **state)
{
    struct diag d = { 0 };

    write_knob("true\n");
    assert_true(swapknob_present());
    assert_int_equal(swapknob_claim("a", false, &d), 0);
    assert_knob("false\n");
    assert_int_equal(swapknob_claim("b", true, &d), -1);
    assert_int_equal(d.nr_errors, 1);
    assert_non_null(strstr(d.errors[0], "a started project holds it at no"));
    assert_int_equal(swapknob_claim("c", false, &d), 0);
    swapknob_release();
    assert_knob("false\n");     /* c still holds it */
    swapknob_release();
    assert_knob("true\n");      /* the value before the first claim */
    diag_free(&d);
}

static void test_unwritable_knob(void **state)
{
    struct diag d = { 0 };

    unlink(knob);
    assert_int_equal(mkdir(knob, 0755), 0);     /* a directory: cannot be read as a value */
    assert_int_equal(swapknob_claim("a", true, &d), -1);
    assert_non_null(strstr(d.errors[0], "cannot set kernel_swap_enable"));
    rmdir(knob);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absent_knob),
        cmocka_unit_test(test_claims_and_restore),
        cmocka_unit_test(test_unwritable_knob),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
