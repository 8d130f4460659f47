/* SPDX-License-Identifier: MulanPSL-2.0 */
/* damon_owner.c - the record of the kdamond's creator in DAMON_OWNER_FILE: "pid=N",
 * "starttime=N" (clock ticks after boot, against pid reuse), "boot_id=..." (a record
 * that survived a reboot names nobody) and, where etmemd has a DAMON writer process
 * (damon_writer.h), "writer=N" and "writer_starttime=N"; written atomically (temporary
 * file + rename). */
#include "damon_owner.h"
#include "damon_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "xalloc.h"

struct damon_owner {
    struct proc_identity id;
    char boot_id[64];
    struct proc_identity writer;    /* pid 0: none */
};

static int boot_id(char *buf, size_t len)
{
    char path[512];
    int rc = proc_path(path, sizeof(path), "sys/kernel/random/boot_id");

    return rc ? rc : file_read_line(path, buf, len);
}

int damon_owner_record(void)
{
    struct damon_owner o;
    char text[256], tmp[] = DAMON_OWNER_FILE ".XXXXXX";
    int rc, fd;

    pid_t writer = damon_writer_pid();

    o.writer = (struct proc_identity){ 0 };
    if ((rc = proc_identity_get(getpid(), &o.id)) != 0 ||
        (rc = boot_id(o.boot_id, sizeof(o.boot_id))) != 0 ||
        (writer > 0 && (rc = proc_identity_get(writer, &o.writer)) != 0))
        return rc;
    int n = snprintf(text, sizeof(text), "pid=%d\nstarttime=%" PRIu64 "\nboot_id=%s\n",
                     (int)o.id.pid, o.id.starttime, o.boot_id);
    if (writer > 0)
        n += snprintf(text + n, sizeof(text) - (size_t)n,
                      "writer=%d\nwriter_starttime=%" PRIu64 "\n", (int)o.writer.pid,
                      o.writer.starttime);
    if ((fd = mkstemp(tmp)) < 0)
        return -errno;
    rc = write(fd, text, (size_t)n) == n ? 0 : -EIO;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, DAMON_OWNER_FILE) < 0)
        rc = -errno;
    if (rc != 0 && unlink(tmp) < 0)
        log_debug("DAMON: removing %s: %s", tmp, strerror(errno));
    return rc;
}

void damon_owner_clear(void)
{
    if (unlink(DAMON_OWNER_FILE) < 0 && errno != ENOENT)
        log_warn("DAMON: removing %s: %s", DAMON_OWNER_FILE, strerror(errno));
}

static int owner_read(struct damon_owner *o)
{
    char *text;
    int pid = 0, writer = 0, rc = file_read_all(DAMON_OWNER_FILE, &text, NULL);

    if (rc)
        return rc;
    memset(o, 0, sizeof(*o));
    int fields = sscanf(text, "pid=%d\nstarttime=%" SCNu64 "\nboot_id=%63s\nwriter=%d\n"
                        "writer_starttime=%" SCNu64, &pid, &o->id.starttime, o->boot_id,
                        &writer, &o->writer.starttime);
    /* a record without a writer (an etmemd before the writer, or one without DAMON at
     * start) names the daemon only */
    if ((fields != 3 && fields != 5) || pid <= 0 || (fields == 5 && writer <= 0))
        rc = -EINVAL;
    o->id.pid = pid;
    o->writer.pid = fields == 5 ? writer : 0;
    free(text);
    return rc;
}

bool damon_owner_gone(char *why, size_t len)
{
    struct damon_owner o;
    char now[64];
    int rc = owner_read(&o);

    if (rc != 0) {
        snprintf(why, len, "no record that etmemd created it (%s: %s)", DAMON_OWNER_FILE,
                 rc == -EINVAL ? "unreadable" : strerror(-rc));
        return false;
    }
    if (boot_id(now, sizeof(now)) != 0 || strcmp(now, o.boot_id) != 0) {
        snprintf(why, len, "%s is from another boot", DAMON_OWNER_FILE);
        return false;
    }
    if (proc_identity_alive(&o.id)) {
        snprintf(why, len, "it belongs to etmemd pid %d, which is running", (int)o.id.pid);
        return false;
    }
    if (o.writer.pid > 0 && proc_identity_alive(&o.writer)) {
        snprintf(why, len, "etmemd pid %d is gone, but its DAMON writer pid %d is still "
                 "turning the kdamond off", (int)o.id.pid, (int)o.writer.pid);
        return false;
    }
    snprintf(why, len, "it was created by etmemd pid %d, which is gone", (int)o.id.pid);
    return true;
}
