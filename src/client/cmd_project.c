/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cmd_project.c - `etmem project start|stop|show`. */
#include "client.h"

static const struct client_opt project_opts[] = {
    { 'n', "name", FIELD_PROJECT, "<proj_name>", "project name", "Add project name" },
    { 's', "socket", OPT_SOCKET, "<socket_name>", "socket name to connect",
      "Socket name to connect" },
    { 'j', "json", OPT_JSON, NULL, NULL, "show: print everything as JSON" },
    { 0, NULL, 0, NULL, NULL, NULL },
};

static const struct subcommand project_subs[] = {
    { "start", CMD_PROJ_START, "sn", "ns" },
    { "stop", CMD_PROJ_STOP, "sn", "ns" },
    { "show", CMD_PROJ_SHOW, "s", "nsj" },
    { NULL, CMD_COUNT, NULL, NULL },
};

static const char *const project_usage[] = {
    "start [options]", "stop [options]", "show [options]", "help", NULL,
};

static const char *const project_notes[] = {
    "Project name and socket name must be given when execute start or stop option.",
    "Socket name must be given when execute show option; without -n every project is shown.",
    NULL,
};

const struct cmd_family project_family = {
    .object = "project",
    .summary = "Start, stop or show the projects etmemd holds.",
    .subs = project_subs,
    .opts = project_opts,
    .usage_lines = project_usage,
    .notes = project_notes,
    .missing_exit = EXIT_USAGE,
    .bad_option_word = "option",
};
