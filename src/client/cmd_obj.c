/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cmd_obj.c - `etmem obj add|del|update`: add or remove what a config file describes, or
 * bring a running project to what it describes. */
#include "client.h"

static const struct client_opt obj_opts[] = {
    { 'f', "file", FIELD_FILE, "<conf_file>", "file name", "Add configuration file" },
    { 's', "socket", OPT_SOCKET, "<socket_name>", "socket name to connect",
      "Socket name to connect" },
    { 0, NULL, 0, NULL, NULL, NULL },
};

static const struct subcommand obj_subs[] = {
    { "add", CMD_OBJ_ADD, "sf", "fs" },
    { "del", CMD_OBJ_DEL, "sf", "fs" },
    { "update", CMD_OBJ_UPDATE, "sf", "fs" },
    { NULL, CMD_COUNT, NULL, NULL },
};

static const char *const obj_usage[] = {
    "add [options]", "del [options]", "update [options]", "help [options]", NULL,
};

static const char *const obj_notes[] = {
    "Configuration file must be given.",
    "Socket name must be given.",
    "The file is read by etmemd: owned by root, mode 600 or 400, at most 10 MiB.",
    "update: the file describes one existing project whole (its [project] section, one "
    "[engine] section per engine and one [task] section per task); engines and tasks it "
    "no longer names are removed, new ones added (and started if the project is), kept "
    "tasks keep their runtime state and take new keys at their next cycle. All or nothing: "
    "a key that cannot change while the project is started is refused by name.",
    NULL,
};

const struct cmd_family obj_family = {
    .object = "obj",
    .summary = "Add or delete the project, engine and task described by a config file, or "
               "update a project to what a file describes.",
    .subs = obj_subs,
    .opts = obj_opts,
    .usage_lines = obj_usage,
    .notes = obj_notes,
    .missing_exit = EXIT_USAGE,
    .bad_option_word = "option",
};
