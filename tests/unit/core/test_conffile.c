/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_conffile.c - the guide's file checks on real files (owner, mode, type, size, path)
 * and the parse errors of conf_file_parse (repeated, unknown or missing sections, repeated
 * keys, GKeyFile syntax), each with its own message and line. The file checks chown and
 * chmod, so they need root; as another user they are skipped. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "conftest.h"
#include "strbuf.h"

#define NOBODY 65534
#define VALID_CONF "[project]\nname=p\nloop=1\ninterval=1\nsleep=1\n"
#define MIB10 (10u * 1024u * 1024u)

static char tmpdir[] = "/tmp/etmem-ut-conffile-XXXXXX";
static unsigned cases_run;

static int make_tmpdir(void **state)
{
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int unlink_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int remove_tmpdir(void **state)
{
    print_message("[ info ] %u cases\n", cases_run);
    return nftw(tmpdir, unlink_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void need_root(void)
{
    if (geteuid() != 0)
        skip();
}

/* ---- what a case builds at path ---- */

enum kind { REGULAR, SYMLINK, DIRECTORY, FIFO };

struct file_case {
    const char *what;
    enum kind kind;
    mode_t mode;
    uid_t uid;
    gid_t gid;
    size_t size;                /* REGULAR: pad VALID_CONF with comment lines to this size */
    const char *error;          /* after "error: <path>: "; NULL: loads */
};

static const struct file_case file_cases[] = {
    { "mode 600", REGULAR, 0600, 0, 0, 0, NULL },
    { "mode 400", REGULAR, 0400, 0, 0, 0, NULL },
    { "group not root", REGULAR, 0600, 0, NOBODY, 0, NULL },
    { "mode 644", REGULAR, 0644, 0, 0, 0,
      "has mode 0644; a config file must have mode 600 or 400" },
    { "mode 640", REGULAR, 0640, 0, 0, 0,
      "has mode 0640; a config file must have mode 600 or 400" },
    { "mode 700", REGULAR, 0700, 0, 0, 0,
      "has mode 0700; a config file must have mode 600 or 400" },
    { "mode 000", REGULAR, 0000, 0, 0, 0,
      "has mode 0000; a config file must have mode 600 or 400" },
    { "mode 604", REGULAR, 0604, 0, 0, 0,
      "has mode 0604; a config file must have mode 600 or 400" },
    { "setuid 4600", REGULAR, 04600, 0, 0, 0,
      "has mode 4600; a config file must have mode 600 or 400" },
    { "sticky 1400", REGULAR, 01400, 0, 0, 0,
      "has mode 1400; a config file must have mode 600 or 400" },
    { "owner nobody", REGULAR, 0600, NOBODY, 0, 0,
      "is owned by uid 65534; a config file must be owned by root" },
    { "owner nobody, mode 400", REGULAR, 0400, NOBODY, NOBODY, 0,
      "is owned by uid 65534; a config file must be owned by root" },
    { "10 MiB", REGULAR, 0600, 0, 0, MIB10, NULL },
    { "10 MiB + 1", REGULAR, 0600, 0, 0, MIB10 + 1,
      "is 10485761 bytes; a config file may be at most 10 MiB (10485760 bytes)" },
    { "symlink to a good file", SYMLINK, 0600, 0, 0, 0,
      "is a symbolic link; give the path of the file itself" },
    { "directory", DIRECTORY, 0600, 0, 0, 0, "is not a regular file" },
    { "FIFO (must not block)", FIFO, 0600, 0, 0, 0, "is not a regular file" },
};

/* VALID_CONF, then distinct keys of [project], 16 bytes a line ("k0000000000042=\n"), up to
 * what a section may hold, then comment lines ("#000000000042\n") and a '#' line for the
 * rest: exactly size bytes. */
static void write_padded(int fd, size_t size)
{
    size_t len = strlen(VALID_CONF), pos, done;
    char *buf;

    if (size < len)
        size = len;
    buf = malloc(size + 16);
    assert_non_null(buf);
    memcpy(buf, VALID_CONF, len);
    for (pos = len; pos + 16 + 2 <= size; pos += 16)
        snprintf(buf + pos, 17, (pos - len) / 16 < CONF_SECTION_KEYS_MAX - 5 ? "k%013zu=\n" :
                 "#%014zu\n", pos);
    memset(buf + pos, '#', size - pos);
    if (size > pos)
        buf[size - 1] = '\n';
    for (done = 0; done < size;) {
        ssize_t n = write(fd, buf + done, size - done);

        assert_true(n > 0);
        done += (size_t)n;
    }
    free(buf);
}

static char *make_regular(const char *name, const struct file_case *c)
{
    char *path = ct_fmt("%s/%s", tmpdir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    assert_true(fd >= 0);
    write_padded(fd, c->size);
    assert_int_equal(fchown(fd, c->uid, c->gid), 0);
    assert_int_equal(fchmod(fd, c->mode), 0);     /* after chown, which clears setuid */
    close(fd);
    return path;
}

static char *make_case(const struct file_case *c)
{
    char *path, *target;

    switch (c->kind) {
    case REGULAR:
        return make_regular("case.conf", c);
    case SYMLINK:
        target = make_regular("target.conf", c);
        path = ct_fmt("%s/link.conf", tmpdir);
        assert_int_equal(symlink(target, path), 0);
        free(target);
        return path;
    case DIRECTORY:
        path = ct_fmt("%s/dir.conf", tmpdir);
        assert_int_equal(mkdir(path, 0700), 0);
        return path;
    case FIFO:
        path = ct_fmt("%s/fifo.conf", tmpdir);
        assert_int_equal(mkfifo(path, c->mode), 0);
        return path;
    }
    return NULL;
}

static void remove_case(const char *path)
{
    char *target = ct_fmt("%s/target.conf", tmpdir);

    assert_int_equal(remove(path), 0);
    remove(target);
    free(target);
}

static void test_file_checks(void **state)
{
    need_root();
    for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
        const struct file_case *c = &file_cases[i];
        char *path = make_case(c);
        struct diag d = { 0 };
        struct conf_file *cf;

        print_message("  case: %s\n", c->what);
        cf = conf_file_load(path, &d);
        cases_run++;
        if (c->error == NULL) {
            ct_expect_clean(&d);
            assert_non_null(cf);
            assert_string_equal(cf->path, path);
            assert_non_null(conf_group_find(cf, "project"));
        } else {
            char *expected = ct_fmt("%s: %s", path, c->error);

            assert_null(cf);
            ct_expect_error(&d, expected);
            free(expected);
        }
        conf_file_free(cf);
        diag_free(&d);
        remove_case(path);
        free(path);
    }
}

/* Paths that never reach the file. */
static void test_path_checks(void **state)
{
    static const struct {
        const char *path, *error;
    } cases[] = {
        { "case.conf", "case.conf: config file path must be absolute" },
        { "./case.conf", "./case.conf: config file path must be absolute" },
        { "", ": config file path must be absolute" },
        { "/nonexistent/etmem.conf",
          "/nonexistent/etmem.conf: cannot open config file: No such file or directory" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct diag d = { 0 };

        assert_null(conf_file_load(cases[i].path, &d));
        ct_expect_error(&d, cases[i].error);
        diag_free(&d);
        cases_run++;
    }
}

/* ---- parse errors: each its own message, with the line ---- */

struct parse_case {
    const char *what;
    const char *text;
    size_t len;                 /* 0: strlen(text) */
    const char *error;          /* after "error: "; NULL: parses */
};

#define GK_LINE(line, quoted) CT_LABEL ":" #line ": not a valid config file: Key file contains " \
    "line \xe2\x80\x9c" quoted "\xe2\x80\x9d which is not a key-value pair, group, or comment"
#define SECTIONS "allowed sections are [project], [engine] and [task]"

static const struct parse_case parse_cases[] = {
    { "all three sections", "[project]\nname=p\n[engine]\nname=slide\n[task]\nname=t\n", 0,
      NULL },
    { "repeated section", "[project]\nname=a\n[project]\nname=b\n", 0,
      CT_LABEL ":3: section [project] appears twice (first on line 1); a file holds at most "
      "one [project], one [engine] and one [task]" },
    { "repeated key", "[task]\nname=a\n# c\nname = b\n", 0,
      CT_LABEL ":4: [task] key 'name' is set twice (first on line 2)" },
    { "unknown section", "[project]\nname=a\n\n[damon]\nx=1\n", 0,
      CT_LABEL ":4: unknown section [damon]; " SECTIONS },
    { "unknown section, indented", "[project]\n  [Project]\n", 0,
      CT_LABEL ":2: unknown section [Project]; " SECTIONS },
    { "unknown section after a form feed", "[project]\nname=a\n\f[damon]\nx=1\n", 0,
      CT_LABEL ":3: unknown section [damon]; " SECTIONS },
    { "unknown section, stray UTF-8 continuation bytes after it",
      "[project]\nname=a\n[damon]\x89\x89 \x80\nx=1\n", 0,
      CT_LABEL ":3: unknown section [damon]; " SECTIONS },
    { "repeated section, stray UTF-8 continuation bytes after it",
      "[engine]\nname=slide\n[engine]\x89\nname=cslide\n", 0,
      CT_LABEL ":3: section [engine] appears twice (first on line 1); a file holds at most "
      "one [project], one [engine] and one [task]" },
    { "repeated key after a form feed", "[project]\nname=a\n\fname=b\n", 0,
      CT_LABEL ":3: [project] key 'name' is set twice (first on line 2)" },
    { "no section", "# only a comment\n\n", 0,
      CT_LABEL ": no [project], [engine] or [task] section found" },
    { "empty file", "", 0, CT_LABEL ": no [project], [engine] or [task] section found" },
    { "key before any section", "# c\nname=a\n[project]\n", 0,
      CT_LABEL ":2: not a valid config file: Key file does not start with a group" },
    { "line that is no key", "[project]\nname=a\nthis is no key\n", 0,
      GK_LINE(3, "this is no key") },
    { "key with no name", "[project]\n=x\n", 0, GK_LINE(2, "=x") },
    { "broken section line", "[project]\n[task\n", 0, GK_LINE(2, "[task") },
    { "bad key name", "[project]\nname=a\n\na]b=1\n", 0,
      CT_LABEL ":4: not a valid config file: Invalid key name: a]b" },
    { "bad key name before a line that is no key", "[project]\na]b=1\nno key\n", 0,
      CT_LABEL ":2: not a valid config file: Invalid key name: a]b" },
    { "bad last line without newline", "[project]\nname=a\nno key", 0,
      GK_LINE(3, "no key") },
    { "NUL byte", "[project]\nna\0me=a\n", 17,
      CT_LABEL ": contains a NUL byte; a config file is text" },
    { "CRLF line ends", "[project]\r\nname=a\r\n", 0, NULL },
};

/* A section of more keys than it may hold is refused at the first one too many, however
 * large the file (600,000 unknown keys once took 150 MiB to index and warn about). */
static void test_section_key_limit(void **state)
{
    struct strbuf sb = { 0 };
    struct diag d = { 0 };

    sb_printf(&sb, "[task]\nname=t\n");
    for (int i = 1; i < CONF_SECTION_KEYS_MAX; i++)
        sb_printf(&sb, "u%d=1\n", i);
    struct conf_file *cf = conf_file_parse(CT_LABEL, sb.s, sb.len, &d);
    assert_non_null(cf);        /* exactly the most a section may hold */
    conf_file_free(cf);
    diag_free(&d);
    for (int i = CONF_SECTION_KEYS_MAX; i < 600000; i++)
        sb_printf(&sb, "u%d=1\n", i);
    memset(&d, 0, sizeof(d));
    assert_null(conf_file_parse(CT_LABEL, sb.s, sb.len, &d));
    char *expected = ct_fmt(CT_LABEL ":%d: [task] has more than %d keys; a section may hold at "
                            "most %d (unknown keys are warned about up to that, then refused)",
                            CONF_SECTION_KEYS_MAX + 2, CONF_SECTION_KEYS_MAX,
                            CONF_SECTION_KEYS_MAX);
    ct_expect_error(&d, expected);
    cases_run++;
    free(expected);
    diag_free(&d);
    sb_free(&sb);
}

static void test_parse_errors(void **state)
{
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct diag d = { 0 };
        struct conf_file *cf = conf_file_parse(CT_LABEL, c->text,
                                               c->len ? c->len : strlen(c->text), &d);

        print_message("  case: %s\n", c->what);
        cases_run++;
        if (c->error == NULL) {
            assert_non_null(cf);
            ct_expect_clean(&d);
        } else {
            assert_null(cf);
            ct_expect_error(&d, c->error);
        }
        conf_file_free(cf);
        diag_free(&d);
    }
}

/* The line index knows where each section and key is; values lose blanks around them. */
static void test_line_index_and_values(void **state)
{
    struct diag d = { 0 };
    struct conf_file *cf = ct_parse("# head\n[project]\n  name =  spaced out \t\n\n[task]\n"
                                    "value=\n", &d);
    char *v, *where;

    assert_non_null(cf);
    assert_int_equal(conf_group_find(cf, "project")->line, 2);
    assert_int_equal(conf_key_find(cf, "project", "name")->line, 3);
    assert_int_equal(conf_key_find(cf, "task", "value")->line, 6);
    assert_null(conf_key_find(cf, "task", "name"));
    assert_null(conf_group_find(cf, "engine"));
    v = conf_value(cf, "project", "name");
    assert_string_equal(v, "spaced out");
    free(v);
    v = conf_value(cf, "task", "value");
    assert_string_equal(v, "");
    free(v);
    assert_null(conf_value(cf, "task", "name"));
    where = conf_where(cf, "project", "name");
    assert_string_equal(where, CT_LABEL ":3: [project] name");
    free(where);
    where = conf_where(cf, "task", NULL);
    assert_string_equal(where, CT_LABEL ":5: [task]");
    free(where);
    conf_error(cf, "task", "value", &d, "value is %s", "empty");
    conf_warning(cf, "project", "name", &d, "odd");
    assert_string_equal(d.errors[0], "error: " CT_LABEL ":6: [task] value: value is empty");
    assert_string_equal(d.warnings[0], "warning: " CT_LABEL ":3: [project] name: odd");
    conf_file_free(cf);
    diag_free(&d);
    cases_run++;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_checks),
        cmocka_unit_test(test_path_checks),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_section_key_limit),
        cmocka_unit_test(test_line_index_and_values),
    };

    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
