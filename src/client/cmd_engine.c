/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cmd_engine.c - `etmem engine <eng_cmd>`: an engine's own command (cslide:
 * showtaskpages, showhostpages; thirdparty: whatever the plug-in implements). */
#include "client.h"

static const struct client_opt engine_opts[] = {
    { 'n', "proj_name", FIELD_PROJECT, "<proj_name>", "project name", "Add project name" },
    { 's', "socket", OPT_SOCKET, "<socket_name>", "socket name to connect",
      "Socket name to connect" },
    { 'e', "engine", FIELD_ENGINE, "<engine_name>", "engine name", "Engine name" },
    { 't', "task_name", FIELD_TASK, "<task_name>", "task name", "Task name" },
    { 'j', "json", OPT_JSON, NULL, NULL, "print the answer as JSON, where the engine can" },
    { 0, NULL, 0, NULL, NULL, NULL },
};

static const struct subcommand engine_subs[] = {
    { NULL, CMD_ENG_CMD, "sne", "nsetj" },
    { NULL, CMD_COUNT, NULL, NULL },
};

static const char *const engine_usage[] = {
    "eng_cmd [options]", "help", NULL,
};

static const char *const engine_notes[] = {
    "eng_cmd is supported by engine own.",
    "proj_name must be given.",
    "Socket name must be given.",
    "engine name must be given.",
    "engine cmd must be given.",
    "cslide engine eng_cmd: showtaskpages, showhostpages.",
    NULL,
};

const struct cmd_family engine_family = {
    .object = "engine",
    .summary = "Run an engine's own command on a started project.",
    .subs = engine_subs,
    .opts = engine_opts,
    .usage_lines = engine_usage,
    .notes = engine_notes,
    .missing_exit = EXIT_UNSUPPORTED,
    .bad_option_word = "options",
    .command_word = "engine command",
};
