/* SPDX-License-Identifier: MulanPSL-2.0 */
/* metrics.h - every task's figures in the Prometheus text exposition format, for
 * `etmem metrics` and for etmemd --metrics-file (node_exporter's textfile collector). */
#ifndef ETMEM_METRICS_H
#define ETMEM_METRICS_H

#include "strbuf.h"

#define METRICS_FILE_PERIOD_SEC 5

/* Append the exposition of the whole model to sb; takes the model lock itself. */
void metrics_render(struct strbuf *sb);

/* Write the exposition to path now (temporary file in its directory, then rename, so a
 * reader never sees half a file), then every METRICS_FILE_PERIOD_SEC seconds from a thread
 * of its own. 0, or -1 with the reason logged when the first write fails. */
int metrics_file_start(const char *path);
void metrics_file_stop(void);

#endif
