/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_config.c - libFuzzer harness for whole config files: conf_file_parse (line index +
 * GKeyFile), then every section read as `obj add` and `obj del` read it (objcheck.c: the
 * generic tables, the engine kinds' tables, cross-key checks, unknown-key warnings), and
 * the whole read again as an `obj update` file (split into its sections, each parsed).
 * Besides crashes, leaks and UB it checks two properties and aborts when one fails:
 *   - the line index and GKeyFile agree on every section and key (the repeated-key,
 *     unknown-section and line-number checks rely on the index seeing what GKeyFile sees);
 *   - every message has the shape "<file>:<line>: ..." or "<file>: ..." behind its prefix. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "diag.h"
#include "objcheck.h"
#include "objupdate.h"

#define LABEL "fuzz.conf"

static void fuzz_fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_config: %s: %s\n", what, detail);
    abort();
}

static void check_index(const struct conf_file *cf)
{
    gsize nr_groups = 0;
    gchar **groups = g_key_file_get_groups(cf->kf, &nr_groups);

    if (nr_groups != cf->nr_groups)
        fuzz_fail("GKeyFile and the line index count different sections", groups[0]);
    for (gsize g = 0; g < nr_groups; g++) {
        const struct conf_group *cg = conf_group_find(cf, groups[g]);
        gsize nr_keys = 0;
        gchar **keys = g_key_file_get_keys(cf->kf, groups[g], &nr_keys, NULL);

        if (cg == NULL)
            fuzz_fail("section unknown to the line index", groups[g]);
        for (gsize k = 0; k < nr_keys; k++) {
            if (conf_key_find(cf, groups[g], keys[k]) == NULL)
                fuzz_fail("key unknown to the line index", keys[k]);
        }
        /* the index may list more: GKeyFile files locale keys (name[de]) apart */
        for (size_t k = 0; k < cg->nr_keys; k++) {
            if (strchr(cg->keys[k].key, '[') == NULL &&
                !g_key_file_has_key(cf->kf, groups[g], cg->keys[k].key, NULL))
                fuzz_fail("key unknown to GKeyFile", cg->keys[k].key);
        }
        g_strfreev(keys);
    }
    g_strfreev(groups);
}

static void check_shape(char **lines, size_t n, const char *prefix)
{
    size_t plen = strlen(prefix), llen = strlen(LABEL);

    for (size_t i = 0; i < n; i++) {
        const char *s = lines[i];

        if (strncmp(s, prefix, plen) != 0 || strncmp(s + plen, LABEL, llen) != 0 ||
            (s[plen + llen] != ':'))
            fuzz_fail("message without its file", s);
    }
}

static void check_messages(const struct diag *d)
{
    check_shape(d->errors, d->nr_errors, "error: ");
    check_shape(d->warnings, d->nr_warnings, "warning: ");
}

/* The input as an obj update file, read whole and by identity (as state pruning reads it). */
static void check_update(const char *text, size_t size)
{
    for (int id_only = 0; id_only < 2; id_only++) {
        struct diag d = { 0 };
        struct update_file uf;

        if (update_file_read(LABEL, text, size, id_only, &uf, &d) == 0)
            update_file_release(&uf);
        else if (d.nr_errors == 0)
            fuzz_fail("an update file refused without a message", "");
        check_messages(&d);
        diag_free(&d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag d = { 0 };
    struct conf_file *cf = conf_file_parse(LABEL, (const char *)data, size, &d);

    check_messages(&d);
    if (cf != NULL) {
        if (d.nr_errors != 0)
            fuzz_fail("parse returned a file and an error", d.errors[0]);
        check_index(cf);
        objfile_check_add(cf, &d);
        check_messages(&d);
        diag_free(&d);
        objfile_check_del(cf, &d);
        check_messages(&d);
    } else if (d.nr_errors == 0) {
        fuzz_fail("parse failed without a message", "");
    }
    conf_file_free(cf);
    diag_free(&d);
    check_update((const char *)data, size);
    return 0;
}
