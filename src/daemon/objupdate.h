/* SPDX-License-Identifier: MulanPSL-2.0 */
/* objupdate.h - what an `etmem obj update` file says, and how it differs from what a
 * project has now: the part of the update that needs neither the object tree nor its lock.
 *
 * An update file describes one project whole: its [project] section, then one [engine]
 * section per engine and one [task] section per task, each read with the same key tables
 * as `obj add` reads them (an obj add file holds at most one of each; an update file may
 * repeat [engine] and [task]). Tasks and engines are matched with the project's by their
 * identity (engine: its name, or eng_name for thirdparty; task: engine and name).
 *
 * Each object keeps its section's keys as text (section_keys): every key of its tables
 * under its own name, with the table's default when the file leaves it out, so that a key
 * written out with its default value is no change; for a plug-in's sections every key
 * present, since only the plug-in knows them. Comparing two such texts says which keys an
 * update changes (section_keys_changed). */
#ifndef ETMEM_OBJUPDATE_H
#define ETMEM_OBJUPDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "objfile.h"

struct diag;

struct update_file {
    struct obj_file project;        /* its one [project] section */
    struct obj_file *engines;       /* one per [engine] section, in file order */
    size_t nr_engines;
    struct obj_file *tasks;         /* one per [task] section, in file order */
    size_t nr_tasks;
};

/* Split text (a whole update file, or a state record of one) into its sections and read
 * each as obj add would; id_only as in obj_file_read. Checks that there is exactly one
 * [project] section, that every engine and task names that project, that engines and tasks
 * are not given twice and that every task's engine is in the file. 0, or -1 with every
 * reason in d (uf is then released). */
int update_file_read(const char *label, const char *text, size_t len, bool id_only,
                     struct update_file *uf, struct diag *d);
void update_file_release(struct update_file *uf);

/* The keys of [group] in cf as "key=value\n" lines sorted by key (allocated). tables is a
 * NULL-terminated list of the section's key tables; all_keys adds the keys no table names
 * (a plug-in's). */
char *section_keys(const struct conf_file *cf, const char *group,
                   const struct config_key *const *tables, bool all_keys);
/* The names of the keys whose value differs between two section_keys texts (set in one
 * and not the other included), sorted; NULL-terminated, free with section_keys_free. */
char **section_keys_changed(const char *before, const char *after);
void section_keys_free(char **names);
/* section_keys of an object's section: [project] (kind NULL), or [engine] or [task] of an
 * engine of that kind (a plug-in's keys included). */
char *object_keys(const struct conf_file *cf, const char *group, const struct engine_kind *kind);
/* Order key names (from section_keys_changed) as the section's key tables list them, so
 * that a message names the key that matters first (scan_type before the region keys). */
void object_keys_sort(const char *group, const struct engine_kind *kind, char **names);
/* The table entry of key in such a section, or NULL (a plug-in's own key). */
const struct config_key *object_key_find(const char *group, const struct engine_kind *kind,
                                         const char *key);

/* The entry of key (by name or alias) in a NULL-terminated list of tables, or NULL. */
const struct config_key *key_tables_find(const struct config_key *const *tables,
                                         const char *key);

#endif
