/* SPDX-License-Identifier: MulanPSL-2.0 */
/* objcheck.h - check every section of a config file the way `etmem obj add` and `obj del`
 * do, without a daemon: the generic [project]/[engine]/[task] tables, the cross-key
 * checks, the engine kind's own tables and checks, and the unknown-key warnings. Used by
 * the config fuzzer and by the unit tests that replay its findings and the guide's
 * examples. Nothing is loaded (no plug-in dlopen) and no process is looked up. */
#ifndef ETMEM_FUZZ_OBJCHECK_H
#define ETMEM_FUZZ_OBJCHECK_H

struct conf_file;
struct diag;

/* The add path; returns 0 when every section is valid, -1 with the reason in d. */
int objfile_check_add(struct conf_file *cf, struct diag *d);
/* The del path: identity keys only. */
int objfile_check_del(struct conf_file *cf, struct diag *d);

#endif
