/* SPDX-License-Identifier: MulanPSL-2.0 */
/* state.c - records of obj add and the started projects under --state-dir (see state.h).
 *
 * Layout: obj-NNNNNNNN.conf per accepted obj add, obj-NNNNNNNN.update per accepted obj
 * update (NNNNNNNN grows, so names sort in the order of the commands), and `started`, one
 * project name a line. Each file opens with the line "# etmem-state 1 bytes=N" giving the
 * length of what follows, so a cut file is told from a whole one; the rest of a record is
 * the config file as it was given (GKeyFile reads the first line as a comment). Writes hold state_mutex, never the model lock. */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "conffile.h"
#include "diag.h"
#include "log.h"
#include "model.h"
#include "objfile.h"
#include "objupdate.h"
#include "proc.h"
#include "protocol.h"
#include "strbuf.h"
#include "xalloc.h"

#define STATE_MAGIC "# etmem-state 1 bytes="
#define STARTED_FILE "started"

static pthread_mutex_t state_mutex = PTHREAD_MUTEX_INITIALIZER;
static char *state_dir;
static unsigned next_seq = 1;

static int fsync_dir(void)
{
    int fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0)
        rc = -errno;
    close(fd);
    return rc;
}

/* Write the header and body to name in the state directory: temporary file, fsync,
 * rename, fsync of the directory. Failures are logged. */
static void state_write(const char *name, const char *body, size_t len)
{
    char *path, *tmp, head[64];
    int fd, rc = 0, n = snprintf(head, sizeof(head), STATE_MAGIC "%zu\n", len);

    xasprintf(&path, "%s/%s", state_dir, name);
    xasprintf(&tmp, "%s/.%s.tmp", state_dir, name);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        rc = -errno;
    if (rc == 0)
        rc = write_all(fd, head, (size_t)n);
    if (rc == 0)
        rc = write_all(fd, body, len);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc == 0)
        rc = fsync_dir();
    if (rc < 0) {
        log_err("state: cannot write %s: %s", path, strerror(-rc));
        unlink(tmp);
    }
    free(path);
    free(tmp);
}

static void state_remove(const char *name)
{
    char *path;

    xasprintf(&path, "%s/%s", state_dir, name);
    if (unlink(path) < 0 && errno != ENOENT)
        log_err("state: cannot remove %s: %s", path, strerror(errno));
    else
        fsync_dir();
    free(path);
}

/* A state file's body after its header, checked against the length the header gives.
 * NULL (reason logged with the file's name) when it is missing, cut or corrupt. */
static char *state_read(const char *name, size_t *len, bool missing_ok)
{
    char *path, *text = NULL, *end;
    size_t n, want;
    int rc;

    xasprintf(&path, "%s/%s", state_dir, name);
    rc = file_read_all(path, &text, &n);
    if (rc < 0) {
        if (!(rc == -ENOENT && missing_ok))
            log_err("state file %s: cannot read it: %s; skipped", path, strerror(-rc));
        free(path);
        return NULL;
    }
    end = memchr(text, '\n', n);
    errno = 0;
    want = strncmp(text, STATE_MAGIC, strlen(STATE_MAGIC)) == 0 && end != NULL
               ? strtoull(text + strlen(STATE_MAGIC), NULL, 10) : (size_t)-1;
    if (end == NULL || want != n - (size_t)(end + 1 - text)) {
        log_err("state file %s: truncated or corrupt (%zu bytes, its header %s); skipped",
                path, n, end == NULL ? "missing" : "says otherwise");
        free(text);
        free(path);
        return NULL;
    }
    *len = n;
    free(path);
    return text;    /* the header is a comment to GKeyFile: parse the whole */
}

/* The kind of a record from its name: obj-N.conf (an obj add) or obj-N.update. */
static bool record_is_update(const char *name)
{
    unsigned seq;
    char tail[8];

    return sscanf(name, "obj-%8u.%7s", &seq, tail) == 2 && strcmp(tail, "update") == 0;
}

static int is_record(const struct dirent *de)
{
    unsigned seq;
    char tail[8];

    return sscanf(de->d_name, "obj-%8u.%7s", &seq, tail) == 2 &&
           (strcmp(tail, "conf") == 0 || strcmp(tail, "update") == 0);
}

int state_open(const char *dir)
{
    struct dirent **names;
    int n;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        log_err("--state-dir %s: cannot create it: %s", dir, strerror(errno));
        return -1;
    }
    n = scandir(dir, &names, is_record, alphasort);
    if (n < 0) {
        log_err("--state-dir %s: cannot read it: %s", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        unsigned seq;

        if (sscanf(names[i]->d_name, "obj-%8u", &seq) == 1 && seq >= next_seq)
            next_seq = seq + 1;
        free(names[i]);
    }
    free(names);
    state_dir = xstrdup(dir);
    log_info("state kept in %s", dir);
    return 0;
}

static void log_diag(const char *what, const struct diag *d)
{
    for (size_t i = 0; i < d->nr_errors; i++)
        log_err("%s: %s", what, d->errors[i]);
}

static void restore_record(const char *name)
{
    struct diag d = { 0 };
    size_t len;
    char *text = state_read(name, &len, false), *path;

    if (text == NULL)
        return;
    xasprintf(&path, "%s/%s", state_dir, name);
    if ((record_is_update(name) ? obj_update_text(path, text, len, true, &d)
                                : obj_add_conf(conf_file_parse(path, text, len, &d), &d)) != ST_OK) {
        log_err("state file %s: its objects could not be added again; skipped", path);
        log_diag(path, &d);
    }
    diag_free(&d);
    free(path);
    free(text);
}

static void restore_started(void)
{
    size_t len;
    char *text = state_read(STARTED_FILE, &len, true), *line, *save = NULL;

    if (text == NULL)
        return;
    for (line = strtok_r(strchr(text, '\n') + 1, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        struct diag d = { 0 };
        struct project *p;

        model_lock();
        p = model_find_project(line);
        if (p == NULL)
            log_err("state: started project '%s' is not there again; not started", line);
        else if (!p->start && project_start(p, &d) < 0)
            log_diag("state: starting it again", &d);
        model_unlock();
        diag_free(&d);
    }
    free(text);
}

void state_restore(void)
{
    struct dirent **names;
    int n;

    if (state_dir == NULL)
        return;
    n = scandir(state_dir, &names, is_record, alphasort);
    for (int i = 0; i < n; i++) {
        restore_record(names[i]->d_name);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    restore_started();
    log_info("state: %d record(s) in %s replayed", n < 0 ? 0 : n, state_dir);
}

void state_object_added(const char *from, const char *text, size_t len)
{
    char name[32];

    if (state_dir == NULL)
        return;
    pthread_mutex_lock(&state_mutex);
    snprintf(name, sizeof(name), "obj-%08u.conf", next_seq++);
    state_write(name, text, len);
    log_debug("state: %s keeps what %s added", name, from);
    pthread_mutex_unlock(&state_mutex);
}

/* Which sections of a record to drop: those naming objects no longer in the tree, or with
 * project set those naming that project. All three false: keep it whole. */
static void record_gone(const struct obj_file *of, const char *project, bool gone[3])
{
    struct project *p;
    struct engine *e;

    if (project != NULL) {
        gone[0] = of->has_project && strcmp(of->pc.name, project) == 0;
        gone[1] = of->has_engine && strcmp(of->ec.project, project) == 0;
        gone[2] = of->has_task && strcmp(of->tc.project, project) == 0;
        return;
    }
    model_lock();
    gone[0] = of->has_project && model_find_project(of->pc.name) == NULL;
    p = of->has_engine ? model_find_project(of->ec.project) : NULL;
    gone[1] = of->has_engine &&
              (p == NULL || project_find_engine(p, obj_file_engine_identity(of)) == NULL);
    p = of->has_task ? model_find_project(of->tc.project) : NULL;
    e = p ? project_find_engine(p, of->tc.engine) : NULL;
    gone[2] = of->has_task && (e == NULL || engine_find_task(e, of->tc.name) == NULL);
    model_unlock();
}

static void prune_add_record(const char *name, const char *text, size_t len,
                             const char *project)
{
    static const char *const groups[3] = { "project", "engine", "task" };
    struct diag d = { 0 };
    struct obj_file of;
    bool gone[3], left = false;

    if (obj_file_read(conf_file_parse(name, text, len, &d), true, &of, &d) < 0) {
        obj_file_release(&of);
        diag_free(&d);
        return;     /* a restart reports it */
    }
    record_gone(&of, project, gone);
    for (int i = 0; i < 3; i++) {
        if (gone[i])
            g_key_file_remove_group(of.cf->kf, groups[i], NULL);
        else
            left = left || g_key_file_has_group(of.cf->kf, groups[i]);
    }
    if (!left) {
        state_remove(name);
    } else if (gone[0] || gone[1] || gone[2]) {
        gsize n;
        gchar *rest = g_key_file_to_data(of.cf->kf, &n, NULL);

        state_write(name, rest, n);
        g_free(rest);
    }
    obj_file_release(&of);
    diag_free(&d);
}

/* An update record describes one project: gone with it (or when a later update of it
 * replaces it); otherwise it loses the sections of engines and tasks no longer there. */
static void prune_update_record(const char *name, const char *text, size_t len,
                                const char *project)
{
    struct diag d = { 0 };
    struct update_file uf;
    struct strbuf sb = STRBUF_INIT;
    struct project *p;
    bool dropped = false;

    if (update_file_read(name, text, len, true, &uf, &d) < 0) {
        diag_free(&d);
        return;     /* a restart reports it */
    }
    model_lock();
    p = model_find_project(uf.project.pc.name);
    if (p == NULL || (project != NULL && strcmp(project, uf.project.pc.name) == 0)) {
        model_unlock();
        state_remove(name);
        update_file_release(&uf);
        diag_free(&d);
        return;
    }
    sb_add(&sb, uf.project.cf->text, uf.project.cf->len);
    for (size_t i = 0; i < uf.nr_engines; i++) {
        const struct obj_file *of = &uf.engines[i];

        if (project_find_engine(p, obj_file_engine_identity(of)) != NULL)
            sb_add(&sb, of->cf->text, of->cf->len);
        else
            dropped = true;
    }
    for (size_t i = 0; i < uf.nr_tasks; i++) {
        const struct obj_file *of = &uf.tasks[i];
        struct engine *e = project_find_engine(p, of->tc.engine);

        if (e != NULL && engine_find_task(e, of->tc.name) != NULL)
            sb_add(&sb, of->cf->text, of->cf->len);
        else
            dropped = true;
    }
    model_unlock();
    if (dropped)
        state_write(name, sb.s, sb.len);
    sb_free(&sb);
    update_file_release(&uf);
    diag_free(&d);
}

static void prune_record(const char *name, const char *project)
{
    size_t len;
    char *text = state_read(name, &len, false);

    if (text == NULL)
        return;
    if (record_is_update(name))
        prune_update_record(name, text, len, project);
    else
        prune_add_record(name, text, len, project);
    free(text);
}

/* Prune every record (project NULL: by the tree; else the sections naming project) except
 * the one named keep. */
static void prune_records(const char *project, const char *keep)
{
    struct dirent **names;
    int n = scandir(state_dir, &names, is_record, alphasort);

    for (int i = 0; i < n; i++) {
        if (keep == NULL || strcmp(names[i]->d_name, keep) != 0)
            prune_record(names[i]->d_name, project);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

void state_objects_deleted(void)
{
    if (state_dir == NULL)
        return;
    pthread_mutex_lock(&state_mutex);
    prune_records(NULL, NULL);
    pthread_mutex_unlock(&state_mutex);
    state_started_changed();
}

void state_project_updated(const char *from, const char *text, size_t len)
{
    struct diag d = { 0 };
    struct update_file uf;
    char name[32];

    if (state_dir == NULL)
        return;
    if (update_file_read(from, text, len, true, &uf, &d) < 0) {
        diag_free(&d);
        return;     /* cannot be: the update read it */
    }
    pthread_mutex_lock(&state_mutex);
    /* the new record first: a restart replays older records, then this one over them */
    snprintf(name, sizeof(name), "obj-%08u.update", next_seq++);
    state_write(name, text, len);
    prune_records(uf.project.pc.name, name);
    log_debug("state: %s keeps project %s as %s updated it", name, uf.project.pc.name, from);
    pthread_mutex_unlock(&state_mutex);
    update_file_release(&uf);
}

void state_started_changed(void)
{
    struct strbuf sb = STRBUF_INIT;

    if (state_dir == NULL)
        return;
    pthread_mutex_lock(&state_mutex);
    model_lock();
    for (struct project *p = model_first_project(); p != NULL; p = model_next_project(p)) {
        if (p->start)
            sb_printf(&sb, "%s\n", p->name);
    }
    model_unlock();
    state_write(STARTED_FILE, sb.s ? sb.s : "", sb.len);
    pthread_mutex_unlock(&state_mutex);
    sb_free(&sb);
}

void state_close(void)
{
    free(state_dir);
    state_dir = NULL;
}
