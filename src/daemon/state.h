/* SPDX-License-Identifier: MulanPSL-2.0 */
/* state.h - etmemd --state-dir: what obj add, obj del, project start and stop did, kept on
 * disk so that a restarted etmemd (after a crash too) comes back as it was.
 *
 * Each accepted obj add is kept as a record holding the file's content (not its path);
 * each accepted obj update as a record that describes its project whole, replayed over
 * what came before it and replacing the earlier records' sections about that project;
 * obj del forgets the objects it removed; the started projects are kept in one list. At
 * start-up every record is added again, in the order they were first added, and the
 * started projects are started. Every file is written to a temporary name, synced,
 * renamed over the old one and its directory synced, so a crash leaves either the old or
 * the new file. A record or list that is truncated or corrupt is reported by its name and
 * skipped; the daemon starts regardless. Without --state-dir nothing is kept. */
#ifndef ETMEM_STATE_H
#define ETMEM_STATE_H

#include <stddef.h>

/* Use dir (created, mode 700, if missing). 0, or -1 with the reason logged. */
int state_open(const char *dir);
/* Add the kept objects again and start the projects that were started. */
void state_restore(void);
/* After a successful obj add of the file from (for messages) whose content was text. */
void state_object_added(const char *from, const char *text, size_t len);
/* After a successful obj update of the file from whose content was text: kept as a record
 * that replaces every earlier section about its project. */
void state_project_updated(const char *from, const char *text, size_t len);
/* After obj del: forget the sections whose objects are no longer in the tree. */
void state_objects_deleted(void);
/* After project start or stop: keep the list of started projects. */
void state_started_changed(void);
void state_close(void);

#endif
