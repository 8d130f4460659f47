/* SPDX-License-Identifier: MulanPSL-2.0 */
/* sdnotify.c - systemd's notify protocol, written here rather than linked from libsystemd:
 * it is one datagram per message to the socket named in NOTIFY_SOCKET (a path, or an
 * abstract name after '@'), a stable interface systemd documents in sd_notify(3), and
 * doing it ourselves keeps every build (distribution, sanitizer, static test) on the same,
 * tested code with no optional dependency. */
#include "sdnotify.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "liveness.h"
#include "log.h"
#include "model.h"
#include "runtime.h"
#include "strparse.h"

#define STATUS_PERIOD_SEC 5.0   /* STATUS refresh when there is no watchdog */

static struct {
    int fd;                     /* -1: not under systemd */
    struct sockaddr_un addr;
    socklen_t addr_len;
    int64_t watchdog_ms;        /* 0: no watchdog */
    const char *backend;
    char last_status[256];
    struct stopper stop;
    pthread_t thread;
    bool running;
} notify = { .fd = -1 };

static void notify_send(const char *msg)
{
    if (sendto(notify.fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&notify.addr,
               notify.addr_len) < 0)
        log_debug("sd_notify '%s': %s", msg, strerror(errno));
}

/* NOTIFY_SOCKET into an address; false when it is absent or unusable (said why). */
static bool notify_address(void)
{
    const char *name = getenv("NOTIFY_SOCKET");
    size_t len;

    if (name == NULL || name[0] == '\0')
        return false;
    len = strlen(name);
    if ((name[0] != '/' && name[0] != '@') || len >= sizeof(notify.addr.sun_path)) {
        log_warn("NOTIFY_SOCKET '%s' is neither a path nor an abstract name that fits; "
                 "not notifying systemd", name);
        return false;
    }
    notify.addr.sun_family = AF_UNIX;
    memcpy(notify.addr.sun_path, name, len);
    if (name[0] == '@')
        notify.addr.sun_path[0] = '\0';
    notify.addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    return true;
}

/* WATCHDOG_USEC, when it is meant for this process (WATCHDOG_PID absent or ours). */
static int64_t watchdog_period_ms(void)
{
    const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    int64_t v, p;

    if (usec == NULL)
        return 0;
    if (pid != NULL && (!parse_int_range(pid, 1, INT32_MAX, &p) || p != getpid()))
        return 0;
    if (!parse_int_range(usec, 1000, INT64_MAX, &v)) {
        log_warn("WATCHDOG_USEC '%s' is not a period of at least 1 ms; no watchdog", usec);
        return 0;
    }
    return v / 1000;
}

/* "projects 2 (1 started), tasks 3, backend idle_pages" (counted under the model lock,
 * which is held for the walk only) */
static void status_line(char *buf, size_t len)
{
    int projects = 0, started = 0, tasks = 0;

    model_lock();
    for (struct project *p = model_first_project(); p != NULL; p = model_next_project(p)) {
        projects++;
        started += p->start;
        for (struct engine *e = p->engs; e != NULL; e = e->next) {
            for (struct task *t = e->tasks; t != NULL; t = t->next)
                tasks++;
        }
    }
    model_unlock();
    snprintf(buf, len, "STATUS=projects %d (%d started), tasks %d, backend %s", projects,
             started, tasks, notify.backend);
}

static void status_refresh(void)
{
    char status[sizeof(notify.last_status)];

    status_line(status, sizeof(status));
    if (strcmp(status, notify.last_status) == 0)
        return;
    notify_send(status);
    memcpy(notify.last_status, status, sizeof(status));
}

static void *notify_main(void *arg)
{
    double period = notify.watchdog_ms ? notify.watchdog_ms / 2000.0 : STATUS_PERIOD_SEC;
    bool fed = true;

    do {
        const char *what = NULL;
        int64_t busy_ms;

        status_refresh();
        if (notify.watchdog_ms == 0)
            continue;
        if (liveness_ok(notify.watchdog_ms, &what, &busy_ms)) {
            notify_send("WATCHDOG=1");
            if (!fed)
                log_info("watchdog: every thread makes progress again; feeding it");
            fed = true;
        } else if (fed) {
            log_err("watchdog: %s has been busy for %" PRId64 " ms (the watchdog period is "
                    "%" PRId64 " ms); not feeding systemd's watchdog", what, busy_ms,
                    notify.watchdog_ms);
            fed = false;
        }
    } while (stopper_sleep(&notify.stop, period));
    return arg;
}

int sdnotify_start(const char *backend)
{
    int rc;

    if (!notify_address())
        return 0;
    notify.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (notify.fd < 0) {
        log_err("cannot notify systemd: socket: %s", strerror(errno));
        return 0;
    }
    notify.backend = backend;
    notify.watchdog_ms = watchdog_period_ms();
    notify_send("READY=1");
    status_refresh();
    stopper_init(&notify.stop);
    rc = pthread_create(&notify.thread, NULL, notify_main, NULL);
    if (rc != 0) {
        log_err("cannot start the systemd notify thread: %s", strerror(rc));
        stopper_destroy(&notify.stop);
        return -1;
    }
    notify.running = true;
    if (notify.watchdog_ms)
        log_info("systemd watchdog: fed every %" PRId64 " ms while no thread is busy longer "
                 "than %" PRId64 " ms", notify.watchdog_ms / 2, notify.watchdog_ms);
    return 0;
}

void sdnotify_stop(void)
{
    if (notify.fd < 0)
        return;
    notify_send("STOPPING=1");
    if (notify.running) {
        stopper_raise(&notify.stop);
        pthread_join(notify.thread, NULL);
        stopper_destroy(&notify.stop);
        notify.running = false;
    }
    close(notify.fd);
    notify.fd = -1;
}
