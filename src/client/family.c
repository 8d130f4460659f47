/* SPDX-License-Identifier: MulanPSL-2.0 */
/* family.c - parse, check and run a command of a family, and print its help, from its
 * tables. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "manpage.h"
#include "xalloc.h"

#define MAX_OPTS 16

static const struct client_opt *opt_by_letter(const struct cmd_family *f, char c)
{
    for (const struct client_opt *o = f->opts; o->long_name != NULL; o++) {
        if (o->short_name == c)
            return o;
    }
    return NULL;
}

static const struct subcommand *find_sub(const struct cmd_family *f, const char *word)
{
    for (const struct subcommand *s = f->subs; s->cmd < CMD_COUNT; s++) {
        if (s->name == NULL || strcmp(s->name, word) == 0)
            return s;
    }
    return NULL;
}

void family_help(const struct cmd_family *f, FILE *out)
{
    fprintf(out, "\nUsage:\n");
    for (int i = 0; f->usage_lines[i] != NULL; i++)
        fprintf(out, "    etmem %s %s\n", f->object, f->usage_lines[i]);
    fprintf(out, "\nOptions:\n");
    for (const struct client_opt *o = f->opts; o->long_name != NULL; o++) {
        char spec[64];

        if (o->short_name)
            snprintf(spec, sizeof(spec), "-%c|--%s %s", o->short_name, o->long_name,
                     o->arg ? o->arg : "");
        else
            snprintf(spec, sizeof(spec), "--%s %s", o->long_name, o->arg ? o->arg : "");
        fprintf(out, "    %-30s %s\n", spec, o->help);
    }
    fprintf(out, "\nNotes:\n");
    for (int i = 0; f->notes[i] != NULL; i++)
        fprintf(out, "    %d. %s\n", i + 1, f->notes[i]);
}

void family_markdown(const struct cmd_family *f, FILE *out)
{
    fprintf(out, "## etmem %s\n\n%s\n\n```\n", f->object, f->summary);
    for (int i = 0; f->usage_lines[i] != NULL; i++)
        fprintf(out, "etmem %s %s\n", f->object, f->usage_lines[i]);
    fprintf(out, "```\n\n| option | meaning |\n|---|---|\n");
    for (const struct client_opt *o = f->opts; o->long_name != NULL; o++) {
        if (o->short_name)
            fprintf(out, "| `-%c`, `--%s %s` | %s |\n", o->short_name, o->long_name,
                    o->arg ? o->arg : "", o->help);
        else
            fprintf(out, "| `--%s` | %s |\n", o->long_name, o->help);
    }
    fprintf(out, "\n");
    for (int i = 0; f->notes[i] != NULL; i++)
        fprintf(out, "%d. %s\n", i + 1, f->notes[i]);
    fprintf(out, "\n");
}

/* "-f|--file <conf_file>" or "--json" for help, markdown and the man page */
static void opt_spec(const struct client_opt *o, char *spec, size_t len)
{
    if (o->short_name)
        snprintf(spec, len, "-%c|--%s%s%s", o->short_name, o->long_name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
    else
        snprintf(spec, len, "--%s%s%s", o->long_name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void family_man(const struct cmd_family *f, FILE *out)
{
    char line[128];

    snprintf(line, sizeof(line), "etmem %s", f->object);
    man_macro(out, "SS", line);
    man_text(out, f->summary);
    fputs(".PP\n.nf\n", out);
    for (int i = 0; f->usage_lines[i] != NULL; i++) {
        snprintf(line, sizeof(line), "etmem %s %s", f->object, f->usage_lines[i]);
        man_text(out, line);
    }
    fputs(".fi\n", out);
    for (const struct client_opt *o = f->opts; o->long_name != NULL; o++) {
        opt_spec(o, line, sizeof(line));
        man_item(out, line, o->help);
    }
    fputs(".PP\nNotes:\n", out);
    for (int i = 0; f->notes[i] != NULL; i++) {
        snprintf(line, sizeof(line), "%d.", i + 1);
        fputs(".IP ", out);
        man_text(out, line);
        man_text(out, f->notes[i]);
    }
}

static int usage_error(const struct cmd_family *f, int code, const char *msg)
{
    fprintf(stderr, "%s; run 'etmem %s help' for usage\n", msg, f->object);
    return code;
}

/* Absolute path of a config file as the client sees it (the daemon runs elsewhere). */
static char *absolute_path(const char *path)
{
    char *abs = realpath(path, NULL);
    char cwd[PATH_MAX];

    if (abs != NULL)
        return abs;
    if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
        return xstrdup(path);
    xasprintf(&abs, "%s/%s", cwd, path);
    return abs;
}

static void build_getopt(const struct cmd_family *f, const struct subcommand *s,
                         char *shortopts, struct option *longopts)
{
    int n = 0, k = 0;

    shortopts[k++] = ':';   /* report a missing argument as ':' */
    for (const struct client_opt *o = f->opts; o->long_name != NULL && n < MAX_OPTS - 1; o++) {
        if (o->short_name && strchr(s->options, o->short_name) == NULL)
            continue;
        longopts[n++] = (struct option){ o->long_name, o->arg ? required_argument : no_argument,
                                         NULL, o->short_name };
        shortopts[k++] = o->short_name;
        if (o->arg)
            shortopts[k++] = ':';
    }
    shortopts[k] = '\0';
    longopts[n] = (struct option){ NULL, 0, NULL, 0 };
}

int family_run(const struct cmd_family *f, int argc, char **argv)
{
    const struct subcommand *s = find_sub(f, argv[0]);
    struct etmem_request req = { .version = ETMEM_PROTO_VERSION };
    const char *socket_name = NULL;
    char msg[160];
    char shortopts[2 * MAX_OPTS + 2];
    struct option longopts[MAX_OPTS];
    int c, nr_opts = 0, rc;

    if (s == NULL) {
        fprintf(stderr, "%s cmd %s is not supported; run 'etmem %s help' for usage\n",
                f->object, argv[0], f->object);
        return EXIT_UNSUPPORTED;
    }
    req.cmd = s->cmd;
    if (s->name == NULL) {
        if (argv[0][0] == '-') {
            snprintf(msg, sizeof(msg), "%s must be given (etmem %s <%s> [options])",
                     f->command_word, f->object, f->command_word);
            return usage_error(f, f->missing_exit, msg);
        }
        req.field[FIELD_ENG_CMD] = xstrdup(argv[0]);
    }
    build_getopt(f, s, shortopts, longopts);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const struct client_opt *o = opt_by_letter(f, (char)c);

        if (c == '?' || c == ':' || o == NULL) {
            if (c == ':')
                snprintf(msg, sizeof(msg), "option %s needs a value", argv[optind - 1]);
            else
                snprintf(msg, sizeof(msg), "invalid %s: %s", f->bad_option_word,
                         argv[optind - 1]);
            request_free(&req);
            return usage_error(f, EXIT_USAGE, msg);
        }
        nr_opts++;
        if (o->field == OPT_SOCKET) {
            socket_name = optarg;
        } else if (o->field == OPT_JSON) {
            req.flags |= REQ_FLAG_JSON;
        } else {
            free(req.field[o->field]);
            req.field[o->field] = o->field == FIELD_FILE ? absolute_path(optarg)
                                                         : xstrdup(optarg);
        }
    }
    if (optind < argc && nr_opts > 0) {
        request_free(&req);
        fprintf(stderr, "warn: etmem useless parameters passed in: '%s'\n", argv[optind]);
        return EXIT_TOO_MANY;
    }
    for (const char *need = s->required; *need; need++) {
        const struct client_opt *o = opt_by_letter(f, *need);
        bool given = o->field == OPT_SOCKET ? socket_name != NULL : req.field[o->field] != NULL;

        if (given)
            continue;
        snprintf(msg, sizeof(msg), "%s must be given (-%c|--%s)", o->what, o->short_name,
                 o->long_name);
        request_free(&req);
        return usage_error(f, f->missing_exit, msg);
    }
    if (socket_name[0] == '\0') {
        request_free(&req);
        return usage_error(f, EXIT_USAGE, "socket name to connect must not be empty");
    }
    if (strlen(socket_name) > ETMEM_SOCKET_NAME_MAX) {
        snprintf(msg, sizeof(msg), "socket name to connect must be at most %d characters",
                 ETMEM_SOCKET_NAME_MAX);
        request_free(&req);
        return usage_error(f, EXIT_USAGE, msg);
    }
    rc = rpc_call(socket_name, &req);
    request_free(&req);
    return rc;
}
