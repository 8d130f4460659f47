/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_common.c - strict number parsing (signs, blanks, overflow, junk), the printable
 * ASCII check, the growable buffer and its JSON string quoting, and diagnostics lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "strbuf.h"
#include "strparse.h"

static unsigned cases_run;

struct int_case {
    const char *text;
    bool ok;
    int64_t value;
};

static const struct int_case int64_cases[] = {
    { "0", true, 0 },
    { "-0", true, 0 },
    { "+5", true, 5 },
    { "007", true, 7 },
    { "9223372036854775807", true, INT64_MAX },
    { "-9223372036854775808", true, INT64_MIN },
    { "9223372036854775808", false, 0 },
    { "-9223372036854775809", false, 0 },
    { "99999999999999999999999999", false, 0 },
    { "", false, 0 },
    { " 5", false, 0 },
    { "5 ", false, 0 },
    { "\t5", false, 0 },
    { "5\n", false, 0 },
    { "+", false, 0 },
    { "-", false, 0 },
    { "+-5", false, 0 },
    { "--5", false, 0 },
    { "- 5", false, 0 },
    { "0x10", false, 0 },
    { "1e3", false, 0 },
    { "1.0", false, 0 },
    { "5abc", false, 0 },
    { "\xd9\xa1", false, 0 },   /* ARABIC-INDIC DIGIT ONE */
};

static const struct {
    const char *text;
    bool ok;
    uint64_t value;
} uint64_cases[] = {
    { "0", true, 0 },
    { "18446744073709551615", true, UINT64_MAX },
    { "18446744073709551616", false, 0 },
    { "-1", false, 0 },         /* strtoull alone would wrap this to UINT64_MAX */
    { "-0", false, 0 },
    { "+1", false, 0 },
    { " 1", false, 0 },
    { "1 ", false, 0 },
    { "", false, 0 },
    { "1x", false, 0 },
};

static void test_parse_int64(void **state)
{
    for (size_t i = 0; i < sizeof(int64_cases) / sizeof(int64_cases[0]); i++) {
        int64_t v = 12345;

        if (parse_int64(int64_cases[i].text, &v) != int64_cases[i].ok)
            print_message("parse_int64('%s') should %s\n", int64_cases[i].text,
                          int64_cases[i].ok ? "succeed" : "fail");
        assert_int_equal(parse_int64(int64_cases[i].text, &v), int64_cases[i].ok);
        assert_true(v == (int64_cases[i].ok ? int64_cases[i].value : 12345));
        cases_run++;
    }
    assert_false(parse_int64(NULL, &(int64_t){ 0 }));
}

static void test_parse_uint64(void **state)
{
    for (size_t i = 0; i < sizeof(uint64_cases) / sizeof(uint64_cases[0]); i++) {
        uint64_t v = 12345;

        if (parse_uint64(uint64_cases[i].text, &v) != uint64_cases[i].ok)
            print_message("parse_uint64('%s') should %s\n", uint64_cases[i].text,
                          uint64_cases[i].ok ? "succeed" : "fail");
        assert_int_equal(parse_uint64(uint64_cases[i].text, &v), uint64_cases[i].ok);
        assert_true(v == (uint64_cases[i].ok ? uint64_cases[i].value : 12345));
        cases_run++;
    }
    assert_false(parse_uint64(NULL, &(uint64_t){ 0 }));
}

static void test_parse_int_range(void **state)
{
    int64_t v = -7;

    assert_true(parse_int_range("1", 1, 120, &v) && v == 1);
    assert_true(parse_int_range("120", 1, 120, &v) && v == 120);
    assert_false(parse_int_range("0", 1, 120, &v));
    assert_false(parse_int_range("121", 1, 120, &v));
    assert_false(parse_int_range("x", 1, 120, &v));
    assert_true(v == 120);      /* untouched on failure */
    assert_true(parse_int_range("-9223372036854775808", INT64_MIN, INT64_MAX, &v) &&
                v == INT64_MIN);
    cases_run += 7;
}

static void test_printable_ascii(void **state)
{
    static const struct {
        const char *s;
        bool with_space, no_space;
    } cases[] = {
        { "", true, true },
        { "abc~!", true, true },
        { "a b", true, false },
        { "a\tb", false, false },
        { "a\x7f", false, false },
        { "\x80", false, false },
        { "caf\xc3\xa9", false, false },
        { "\x1f", false, false },
        { " ", true, false },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(str_is_printable_ascii(cases[i].s, false), cases[i].with_space);
        assert_int_equal(str_is_printable_ascii(cases[i].s, true), cases[i].no_space);
        cases_run += 2;
    }
}

/* ---- strbuf ---- */

static void test_json_escaping(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "", "\"\"" },
        { "plain", "\"plain\"" },
        { "a\"b", "\"a\\\"b\"" },
        { "back\\slash", "\"back\\\\slash\"" },
        { "line\nnext\r\t", "\"line\\u000anext\\u000d\\u0009\"" },
        { "\x01\x1f", "\"\\u0001\\u001f\"" },
        { "\x7f", "\"\x7f\"" },                 /* DEL needs no escape in JSON */
        { "caf\xc3\xa9", "\"caf\xc3\xa9\"" },   /* UTF-8 passes through */
        { "</script>", "\"</script>\"" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct strbuf sb = STRBUF_INIT;

        sb_json_str(&sb, cases[i].in);
        assert_string_equal(sb.s, cases[i].out);
        assert_int_equal(sb.len, strlen(cases[i].out));
        sb_free(&sb);
        cases_run++;
    }
}

/* Text quoted to a terminal or the log: control bytes written out, the rest untouched. */
static void test_control_escaping(void **state)
{
    static const struct {
        const char *in, *keep, *out;
        size_t len;             /* 0: strlen(in) */
    } cases[] = {
        { "", NULL, "", 0 },
        { "plain text", NULL, "plain text", 0 },
        { "e\033[31mvil", NULL, "e\\x1b[31mvil", 0 },
        { "bell\a, del\x7f", NULL, "bell\\x07, del\\x7f", 0 },
        { "tab\tline\n", "\t", "tab\tline\\x0a", 0 },
        { "tab\tline\n", NULL, "tab\\x09line\\x0a", 0 },
        { "caf\xc3\xa9 \\x1b", NULL, "caf\xc3\xa9 \\x1b", 0 },   /* UTF-8 and a literal backslash */
        { "nul\0after", "\t", "nul\\x00after", 9 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct strbuf sb = STRBUF_INIT;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);

        sb_add(&sb, "", 0);
        sb_add_escaped(&sb, cases[i].in, len, cases[i].keep);
        assert_string_equal(sb.s, cases[i].out);
        assert_int_equal(sb.len, strlen(cases[i].out));
        sb_free(&sb);
        cases_run++;
    }
}

static void test_strbuf_growth(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    char *big = malloc(100001);

    memset(big, 'x', 100000);
    big[100000] = '\0';
    for (int i = 0; i < 1000; i++)
        sb_add(&sb, "0123456789", 10);
    assert_int_equal(sb.len, 10000);
    assert_int_equal(strlen(sb.s), 10000);
    assert_true(sb.cap > sb.len);
    sb_printf(&sb, "%s|%d", big, 42);
    assert_int_equal(sb.len, 10000 + 100000 + 3);
    assert_string_equal(sb.s + 110000, "|42");
    sb_reset(&sb);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.s, "");
    sb_add(&sb, "", 0);
    assert_string_equal(sb.s, "");
    sb_free(&sb);
    assert_null(sb.s);
    sb_reset(&sb);      /* on an empty buffer: nothing to do */
    free(big);
    cases_run++;
}

/* ---- diag ---- */

static void test_diag_lists(void **state)
{
    struct diag d = { 0 };

    assert_false(diag_failed(&d));
    diag_warn(&d, "w%d", 1);
    assert_false(diag_failed(&d));
    diag_error(&d, "e%s", "1");
    diag_error(&d, "%s", "e2");
    assert_true(diag_failed(&d));
    assert_int_equal(d.nr_errors, 2);
    assert_int_equal(d.nr_warnings, 1);
    assert_string_equal(d.errors[0], "error: e1");
    assert_string_equal(d.errors[1], "error: e2");
    assert_string_equal(d.warnings[0], "warning: w1");
    diag_free(&d);
    assert_int_equal(d.nr_errors + d.nr_warnings, 0);
    assert_null(d.errors);
    diag_free(&d);
    cases_run++;
}

static int report_count(void **state)
{
    print_message("[ info ] %u cases\n", cases_run);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int64),
        cmocka_unit_test(test_parse_uint64),
        cmocka_unit_test(test_parse_int_range),
        cmocka_unit_test(test_printable_ascii),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_control_escaping),
        cmocka_unit_test(test_strbuf_growth),
        cmocka_unit_test(test_diag_lists),
    };

    return cmocka_run_group_tests(tests, NULL, report_count);
}
