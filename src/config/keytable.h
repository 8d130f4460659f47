/* SPDX-License-Identifier: MulanPSL-2.0 */
/* keytable.h - config keys as data: one table per section (or per engine) holds each key's
 * name, type, range, default, required flag, destination and help text. The same table
 * drives parsing, validation, error messages, `etmemd --help-config`, docs/config-keys.md
 * and man/etmem.conf.5. */
#ifndef ETMEM_KEYTABLE_H
#define ETMEM_KEYTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct conf_file;
struct diag;

enum key_type {
    KEY_INT,        /* int field; decimal within [min, max] */
    KEY_ULONG,      /* unsigned long field; decimal within [min, max] */
    KEY_NAME,       /* char * field; 1..max printable ASCII, no blanks, not starting with '-' */
    KEY_STRING,     /* char * field; 1..max printable ASCII */
    KEY_YESNO,      /* int field; "yes" = 1, "no" = 0 */
    KEY_ENUM,       /* int field; index of the value in choices */
    KEY_CUSTOM,     /* parse() converts and checks */
};

#define KEY_REQUIRED 0x1u
/* obj update may change it while the project runs: tasks take it at their next cycle */
#define KEY_LIVE 0x2u

struct config_key;

/* A custom parser: convert text into *dst; on failure return false with *why set
 * (allocated) to what is wrong and what is allowed. */
typedef bool (*key_parse_fn)(const struct config_key *key, const char *text, void *dst,
                             char **why);

struct config_key {
    const char *name;
    enum key_type type;
    unsigned flags;
    int64_t min, max;           /* number range, or max length for strings */
    const char *def;            /* default, as text, applied when absent; NULL: none */
    size_t offset;              /* destination inside the section's struct */
    const char *const *choices; /* KEY_ENUM: NULL-terminated */
    key_parse_fn parse;         /* KEY_CUSTOM */
    void (*release)(void *dst); /* KEY_CUSTOM that allocates: frees what parse stored */
    bool (*required_if)(const void *base);  /* required only when this says so */
    const char *alias;          /* another accepted spelling, warned about */
    const char *range;          /* allowed values, in words, for help and errors (optional) */
    const char *help;
};

#define KEY_END { .name = NULL }

/* Parse every key of table found in [group] of cf into base. Errors and warnings go to d;
 * returns 0 or -1. Keys it consumes are marked used in cf (see conf_warn_unused). */
int conf_walk(struct conf_file *cf, const char *group, const struct config_key *table,
              void *base, struct diag *d);

/* A KEY_CUSTOM .release for parsers that store one allocated string. */
void key_release_string(void *dst);

/* Free the strings conf_walk stored into base. */
void conf_release(const struct config_key *table, void *base);

/* "1..120", "yes|no", "page|region", "1..64 characters" */
void key_describe_range(const struct config_key *key, char *buf, size_t len);

/* Output formats of `etmemd --help-config[=md|man]`: text, docs/config-keys.md, etmem.conf(5) */
enum key_format { KEY_FORMAT_TEXT, KEY_FORMAT_MD, KEY_FORMAT_MAN };

/* Print a table for `etmemd --help-config` in the given format. */
void key_table_print(FILE *out, const char *section, const char *applies_to,
                     const struct config_key *table, enum key_format format);

#endif
