/* SPDX-License-Identifier: MulanPSL-2.0 */
/* conffile.h - loading one configuration file: the guide's file checks, GKeyFile parsing,
 * and a line index so that every message can say file:line: [section] key. */
#ifndef ETMEM_CONFFILE_H
#define ETMEM_CONFFILE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

struct diag;

#define CONF_FILE_MAX_BYTES (10u * 1024u * 1024u)
/* Keys one section may hold, known and unknown together: sections have a few dozen keys
 * (a plug-in's own keys included); a file of hundreds of thousands is refused, not indexed
 * and warned about line by line. */
#define CONF_SECTION_KEYS_MAX 1000

struct conf_keyline {
    char *key;
    int line;
    bool used;
};

struct conf_group {
    char *name;
    int line;
    struct conf_keyline *keys;
    size_t nr_keys;
    size_t cap_keys;
};

struct conf_file {
    char *path;
    char *text;                 /* what was parsed, as it was (state records keep it) */
    size_t len;
    GKeyFile *kf;
    struct conf_group *groups;
    size_t nr_groups;
};

/* Open path (absolute) and check it as the guide requires: regular file, not a symlink,
 * owned by root, mode 600 or 400, at most 10 MiB. The checks are made on the opened fd,
 * so the file cannot be swapped between check and use. Then parse it. */
struct conf_file *conf_file_load(const char *path, struct diag *d);
/* The same checks, then the file's text as it is (allocated, *len bytes), unparsed. */
char *conf_file_read_checked(const char *path, size_t *len, struct diag *d);
/* Parse text already in memory; label names it in messages (tests, fuzzing). */
struct conf_file *conf_file_parse(const char *label, const char *text, size_t len,
                                  struct diag *d);
/* The same for a part of a file that begins on line first_line of label. */
struct conf_file *conf_file_parse_at(const char *label, const char *text, size_t len,
                                     int first_line, struct diag *d);
void conf_file_free(struct conf_file *cf);

const struct conf_group *conf_group_find(const struct conf_file *cf, const char *group);
struct conf_keyline *conf_key_find(const struct conf_file *cf, const char *group,
                                   const char *key);
/* The value of a key with surrounding blanks removed (allocated), or NULL when absent. */
char *conf_value(const struct conf_file *cf, const char *group, const char *key);
/* "path:line: [group] key" (key may be NULL); allocated. */
char *conf_where(const struct conf_file *cf, const char *group, const char *key);
/* Record an error (or a warning) located at [group] key of cf: "path:line: [group] key: ..." */
void conf_error(const struct conf_file *cf, const char *group, const char *key, struct diag *d,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void conf_warning(const struct conf_file *cf, const char *group, const char *key,
                  struct diag *d, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Warn about keys of group that no table consumed. */
void conf_warn_unused(struct conf_file *cf, const char *group, const char *context,
                      struct diag *d);

#endif
