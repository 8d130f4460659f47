/* SPDX-License-Identifier: MulanPSL-2.0 */
/* client.h - the etmem client: command families described as tables.
 *
 * A family (obj, project, engine) lists its subcommands and its options. One parser walks
 * the tables (option syntax, required options in the original's order, extra words), the
 * help text and docs/cli.md are printed from the same tables, and the request goes out
 * through rpc.c. Exit codes and the leading words of messages are the original etmem's,
 * so scripts written for it keep working. */
#ifndef ETMEM_CLIENT_H
#define ETMEM_CLIENT_H

#include <stdbool.h>
#include <stdio.h>

#include "protocol.h"

/* Exit codes of the original client (negative errnos seen by the shell). */
#define EXIT_USAGE 234          /* -EINVAL */
#define EXIT_UNSUPPORTED 255    /* -1 */
#define EXIT_TOO_MANY 249       /* -E2BIG */
#define EXIT_DAEMON_FAILED 186  /* -ECOMM */

#define OPT_SOCKET (-1)         /* client_opt.field for the socket name */
#define OPT_JSON (-2)           /* client_opt.field for --json */

struct client_opt {
    char short_name;
    const char *long_name;
    int field;                  /* enum req_field, OPT_SOCKET or OPT_JSON */
    const char *arg;            /* "<conf_file>", NULL for a flag */
    const char *what;           /* "project name": used in "... must be given" */
    const char *help;
};

struct subcommand {
    const char *name;           /* NULL: any word (an engine's own command) */
    enum etmem_cmd cmd;
    const char *required;       /* short option letters that must be given, checked in order;
                                 * '*' stands for the command word itself */
    const char *options;        /* short option letters accepted */
};

struct cmd_family {
    const char *object;
    const char *summary;
    const struct subcommand *subs;
    const struct client_opt *opts;
    const char *const *usage_lines;     /* after "etmem OBJECT" */
    const char *const *notes;
    int missing_exit;                   /* exit code when a required option is missing */
    const char *bad_option_word;        /* "option" or "options", as the original printed */
    const char *command_word;           /* engine: what the free command word is called */
    bool no_command_word;               /* `etmem OBJECT [options]`: its one subcommand is
                                         * named after the object */
};

extern const struct cmd_family obj_family;
extern const struct cmd_family project_family;
extern const struct cmd_family engine_family;
extern const struct cmd_family metrics_family;

/* Connect to etmemd on socket NAME, send the request, print the answer; returns the exit
 * code for the shell. */
int rpc_call(const char *socket_name, const struct etmem_request *req);

void family_help(const struct cmd_family *f, FILE *out);
void family_markdown(const struct cmd_family *f, FILE *out);
void family_man(const struct cmd_family *f, FILE *out);
/* The bash completion script for the NULL-terminated list of families. */
void completion_bash(const struct cmd_family *const *families, FILE *out);
/* Parse argv (argv[0] is the subcommand word) and run; returns the exit code. */
int family_run(const struct cmd_family *f, int argc, char **argv);

#endif
