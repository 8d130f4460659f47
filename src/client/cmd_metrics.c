/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cmd_metrics.c - `etmem metrics`: every task's figures in the Prometheus text format. */
#include "client.h"

static const struct client_opt metrics_opts[] = {
    { 's', "socket", OPT_SOCKET, "<socket_name>", "socket name to connect",
      "Socket name to connect" },
    { 0, NULL, 0, NULL, NULL, NULL },
};

static const struct subcommand metrics_subs[] = {
    { "metrics", CMD_METRICS, "s", "s" },
    { NULL, CMD_COUNT, NULL, NULL },
};

static const char *const metrics_usage[] = { "[options]", "help", NULL };

static const char *const metrics_notes[] = {
    "Socket name must be given.",
    "Prints the Prometheus text exposition format (version 0.0.4): etmem_ metrics in base "
    "units, labelled project, task, engine and backend. etmemd --metrics-file PATH writes "
    "the same text every few seconds for node_exporter's textfile collector.",
    NULL,
};

const struct cmd_family metrics_family = {
    .object = "metrics",
    .summary = "Print what every task did and found, for Prometheus.",
    .subs = metrics_subs,
    .opts = metrics_opts,
    .usage_lines = metrics_usage,
    .notes = metrics_notes,
    .missing_exit = EXIT_USAGE,
    .bad_option_word = "option",
    .no_command_word = true,
};
