/* SPDX-License-Identifier: MulanPSL-2.0 */
/* keytable.c - the one walker that turns config text into typed, range-checked values. */
#include "keytable.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "diag.h"
#include "manpage.h"
#include "strparse.h"
#include "xalloc.h"

static const char *const yesno_choices[] = { "no", "yes", NULL };

static void *field_at(void *base, const struct config_key *key)
{
    return (char *)base + key->offset;
}

static void join_choices(const char *const *choices, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int i = 0; choices[i] != NULL && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "|" : "", choices[i]);
}

void key_describe_range(const struct config_key *key, char *buf, size_t len)
{
    if (key->range != NULL) {
        snprintf(buf, len, "%s", key->range);
        return;
    }
    switch (key->type) {
    case KEY_INT:
    case KEY_ULONG:
        snprintf(buf, len, "%" PRId64 "..%" PRId64, key->min, key->max);
        break;
    case KEY_NAME:
    case KEY_STRING:
        snprintf(buf, len, "1..%" PRId64 " characters", key->max);
        break;
    case KEY_YESNO:
        snprintf(buf, len, "yes|no");
        break;
    case KEY_ENUM:
        join_choices(key->choices, buf, len);
        break;
    case KEY_CUSTOM:
        snprintf(buf, len, "see help");
        break;
    }
}

static int match_choice(const char *const *choices, const char *text)
{
    for (int i = 0; choices[i] != NULL; i++) {
        if (strcmp(choices[i], text) == 0)
            return i;
    }
    return -1;
}

/* Convert one value; on failure *why says what is wrong (allocated). */
static bool key_convert(const struct config_key *key, const char *text, void *dst, char **why)
{
    char range[256];
    int64_t v;
    uint64_t u;
    int idx;

    key_describe_range(key, range, sizeof(range));
    switch (key->type) {
    case KEY_INT:
        if (!parse_int64(text, &v)) {
            xasprintf(why, "'%s' is not a whole number (allowed: %s)", text, range);
            return false;
        }
        if (v < key->min || v > key->max) {
            xasprintf(why, "value %s is out of range %s", text, range);
            return false;
        }
        *(int *)dst = (int)v;
        return true;
    case KEY_ULONG:
        if (!parse_uint64(text, &u)) {
            xasprintf(why, "'%s' is not a whole non-negative number (allowed: %s)", text, range);
            return false;
        }
        if (u < (uint64_t)key->min || u > (uint64_t)key->max) {
            xasprintf(why, "value %s is out of range %s", text, range);
            return false;
        }
        *(unsigned long *)dst = (unsigned long)u;
        return true;
    case KEY_NAME:
    case KEY_STRING:
        if (!str_is_printable_ascii(text, false)) {
            xasprintf(why, "'%s' contains non-ASCII or control characters (allowed: printable "
                      "ASCII)", text);
            return false;
        }
        if (key->type == KEY_NAME && !str_is_printable_ascii(text, true)) {
            xasprintf(why, "'%s' contains blanks (names are single words)", text);
            return false;
        }
        if (key->type == KEY_NAME && text[0] == '-') {
            xasprintf(why, "'%s' starts with '-' (names may not)", text);
            return false;
        }
        if ((int64_t)strlen(text) > key->max) {
            xasprintf(why, "'%s' is %zu characters long; at most %" PRId64 " are allowed",
                      text, strlen(text), key->max);
            return false;
        }
        *(char **)dst = xstrdup(text);
        return true;
    case KEY_YESNO:
    case KEY_ENUM:
        idx = match_choice(key->type == KEY_YESNO ? yesno_choices : key->choices, text);
        if (idx < 0) {
            xasprintf(why, "'%s' is not allowed (allowed: %s)", text, range);
            return false;
        }
        *(int *)dst = idx;
        return true;
    case KEY_CUSTOM:
        return key->parse(key, text, dst, why);
    }
    return false;
}

/* Find the text of a key, under its name or its alias (the alias earns a warning). */
static char *key_lookup(struct conf_file *cf, const char *group, const struct config_key *key,
                        const char **spelled, struct diag *d)
{
    struct conf_keyline *kl = conf_key_find(cf, group, key->name);
    struct conf_keyline *al = key->alias ? conf_key_find(cf, group, key->alias) : NULL;

    if (kl != NULL && al != NULL) {
        diag_error(d, "%s:%d: [%s] both '%s' and its alias '%s' (line %d) are set; keep one",
                   cf->path, kl->line, group, key->name, key->alias, al->line);
        kl->used = al->used = true;
        return NULL;
    }
    if (al != NULL) {
        al->used = true;
        diag_warn(d, "%s:%d: [%s] '%s' is read as '%s' (the guide's spelling); "
                  "prefer '%s'", cf->path, al->line, group, key->alias, key->name, key->name);
        *spelled = key->alias;
        return conf_value(cf, group, key->alias);
    }
    if (kl != NULL) {
        kl->used = true;
        *spelled = key->name;
        return conf_value(cf, group, key->name);
    }
    return NULL;
}

int conf_walk(struct conf_file *cf, const char *group, const struct config_key *table,
              void *base, struct diag *d)
{
    for (const struct config_key *key = table; key->name != NULL; key++) {
        const char *spelled = key->name;
        char *text = key_lookup(cf, group, key, &spelled, d);
        char *why = NULL;
        bool required;

        if (diag_failed(d)) {
            free(text);
            return -1;
        }
        if (text == NULL) {
            required = (key->flags & KEY_REQUIRED) ||
                       (key->required_if != NULL && key->required_if(base));
            if (required) {
                conf_error(cf, group, NULL, d, "missing required key '%s' (%s)", key->name,
                           key->help);
                return -1;
            }
            if (key->def == NULL)
                continue;
            if (!key_convert(key, key->def, field_at(base, key), &why)) {
                diag_error(d, "internal error: default of [%s] %s: %s", group, key->name, why);
                free(why);
                return -1;
            }
            continue;
        }
        if (text[0] == '\0') {
            conf_error(cf, group, spelled, d, "value is empty");
            free(text);
            return -1;
        }
        if (!key_convert(key, text, field_at(base, key), &why)) {
            conf_error(cf, group, spelled, d, "%s", why);
            free(why);
            free(text);
            return -1;
        }
        free(text);
    }
    return 0;
}

void key_release_string(void *dst)
{
    free(*(char **)dst);
    *(char **)dst = NULL;
}

void conf_release(const struct config_key *table, void *base)
{
    for (const struct config_key *key = table; key->name != NULL; key++) {
        if (key->type == KEY_NAME || key->type == KEY_STRING) {
            char **p = field_at(base, key);

            free(*p);
            *p = NULL;
        } else if (key->type == KEY_CUSTOM && key->release != NULL) {
            key->release(field_at(base, key));
        }
    }
}

/* What kind of value a key takes, in words, for the man page. */
static const char *key_type_words(const struct config_key *key)
{
    static const char *const words[] = {
        [KEY_INT] = "integer",
        [KEY_ULONG] = "integer",
        [KEY_NAME] = "name",
        [KEY_STRING] = "string",
        [KEY_YESNO] = "yes or no",
        [KEY_ENUM] = "one of a list",
        [KEY_CUSTOM] = "text in the form shown",
    };

    return words[key->type];
}

static void key_print_man(FILE *out, const struct config_key *key, const char *applies_to,
                          const char *req, const char *range, const char *help)
{
    char line[512];

    bool every_engine = strcmp(applies_to, "all") == 0;

    snprintf(line, sizeof(line), "Type: %s; allowed: %s; default: %s; required: %s%s%s.",
             key_type_words(key), range, key->def ? key->def : "none",
             req[0] == 'c' ? "depending on other keys" : req,
             every_engine ? "" : "; engine ", every_engine ? "" : applies_to);
    man_item(out, key->name, line);
    if (key->alias != NULL) {
        snprintf(line, sizeof(line), "Also accepted, with a warning, as %s.", key->alias);
        man_text(out, line);
    }
    fputs(".br\n", out);
    man_text(out, help);
}

void key_table_print(FILE *out, const char *section, const char *applies_to,
                     const struct config_key *table, enum key_format format)
{
    for (const struct config_key *key = table; key->name != NULL; key++) {
        char range[256];
        const char *req = (key->flags & KEY_REQUIRED) ? "yes" : key->required_if ? "cond." : "no";
        const char *help = key->help;
        char *live = NULL;

        if (key->flags & KEY_LIVE) {
            xasprintf(&live, "%s (obj update changes it while the project runs)", key->help);
            help = live;
        }

        key_describe_range(key, range, sizeof(range));
        switch (format) {
        case KEY_FORMAT_MD:
            fprintf(out, "| [%s] | `%s` | %s | %s | %s | %s | %s |\n", section, key->name,
                    applies_to, req, range, key->def ? key->def : "-", help);
            break;
        case KEY_FORMAT_MAN:
            key_print_man(out, key, applies_to, req, range, help);
            break;
        case KEY_FORMAT_TEXT:
            fprintf(out, "[%s] %-22s %-10s required=%-5s range=%s default=%s\n    %s\n",
                    section, key->name, applies_to, req, range, key->def ? key->def : "-",
                    help);
            break;
        }
        free(live);
    }
}
