/* SPDX-License-Identifier: MulanPSL-2.0 */
/* damon_writer.c - the DAMON writer process and etmemd's side of its socket (see
 * damon_writer.h). One request, one SOCK_SEQPACKET message: a sequence number, the file
 * and the value; one answer: the same number and 0 or -errno. Answers come in the order
 * of the requests, so a caller that gave up leaves one late answer that the next caller
 * drops by its number. */
#include "damon_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "damon_owner.h"
#include "log.h"
#include "probe_internal.h"
#include "proc.h"
#include "stopper.h"

#define ADMIN "kernel/mm/damon/admin/"
#define NR_KDAMONDS ADMIN "kdamonds/nr_kdamonds"
#define STATE ADMIN "kdamonds/0/state"
#define WAIT_SLICE_MS 20            /* how soon a raised stopper or the exit is seen */
#define BUSY_TRIES 50               /* x 100 ms: the kernel's -EBUSY while DAMON is busy */

struct writer_request {
    uint32_t seq;
    char rel[256];
    char val[64];
};

struct writer_answer {
    uint32_t seq;
    int32_t err;
};

static struct {
    int fd;                         /* etmemd's end; -1: no writer, writes are in-process */
    pid_t pid;
    uint32_t seq;
    bool gone_said;
    atomic_bool detached;
} W = { .fd = -1 };

/* Only files under DAMON's admin directory, named with letters, digits, '_' and '/'
 * (so no "..", and nothing another subsystem owns). */
static bool rel_allowed(const char *rel)
{
    if (strncmp(rel, ADMIN, strlen(ADMIN)) != 0)
        return false;
    for (const char *c = rel; *c; c++) {
        if (!(*c == '/' || *c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              (*c >= '0' && *c <= '9')))
            return false;
    }
    return true;
}

/* The write itself, in whichever process makes it. */
static int sysfs_write(const char *rel, const char *val)
{
    char path[512];
    size_t len = strlen(val);

    if (!rel_allowed(rel))
        return -EPERM;
    if (sys_path(path, sizeof(path), "%s", rel))
        return -ENAMETOOLONG;
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, val, len);
    int err = w < 0 ? -errno : (size_t)w != len ? -EIO : 0;
    close(fd);
    return err;
}

/* ---- the writer process ---- */

/* Write, retrying while DAMON answers -EBUSY: its sysfs lock is held a moment by a command
 * the kdamond is still handling (a tried-regions update, whose writer has already been
 * answered), and a kdamond turned off a moment ago may still count as running. */
static int sysfs_write_patiently(const char *rel, const char *val)
{
    int rc = sysfs_write(rel, val);

    for (int i = 0; rc == -EBUSY && i < BUSY_TRIES; i++) {
        struct timespec pause = { 0, 100 * 1000000L };

        nanosleep(&pause, NULL);
        rc = sysfs_write(rel, val);
    }
    return rc;
}

/* etmemd is gone: turn our kdamond off and remove it, and its record. */
static void writer_cleanup(void)
{
    char path[512], state[32] = "";
    int rc;

    sys_path(path, sizeof(path), "%s", STATE);
    if (file_read_line(path, state, sizeof(state)) == 0 && strcmp(state, "off") != 0 &&
        (rc = sysfs_write_patiently(STATE, "off")) != 0)
        log_err("DAMON writer: turning etmemd's kdamond off: %s", strerror(-rc));
    if ((rc = sysfs_write_patiently(NR_KDAMONDS, "0")) != 0) {
        log_err("DAMON writer: removing etmemd's kdamond: %s; the next etmemd takes it back",
                strerror(-rc));
        return;
    }
    damon_owner_clear();
    log_info("DAMON writer: etmemd is gone; its kdamond is off and removed");
}

static bool request_valid(const struct writer_request *rq, ssize_t n)
{
    return n == (ssize_t)sizeof(*rq) && memchr(rq->rel, '\0', sizeof(rq->rel)) != NULL &&
           memchr(rq->val, '\0', sizeof(rq->val)) != NULL;
}

/* Serve etmemd until it is gone; the kdamond is ours from a write of nr_kdamonds that made
 * one until one that removed it. */
static void writer_serve(int fd)
{
    bool owned = false;

    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        struct writer_request rq;
        struct writer_answer an;

        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        /* etmemd closed its end: what it still asked for is nobody's any more */
        if (p.revents & (POLLHUP | POLLERR))
            break;
        ssize_t n = recv(fd, &rq, sizeof(rq), 0);
        if (n == 0 || (n < 0 && errno != EINTR))
            break;
        if (n < 0)
            continue;
        an.seq = rq.seq;
        an.err = request_valid(&rq, n) ? sysfs_write_patiently(rq.rel, rq.val) : -EINVAL;
        if (an.err == 0 && strcmp(rq.rel, NR_KDAMONDS) == 0)
            owned = strcmp(rq.val, "0") != 0;
        if (send(fd, &an, sizeof(an), MSG_NOSIGNAL) < 0 && errno != EPIPE)
            log_warn("DAMON writer: answering etmemd: %s", strerror(errno));
    }
    if (owned)
        writer_cleanup();
}

/* The child's whole life: nothing of etmemd's is kept but the socket (moved to fd 3) and
 * stdio (stdin and stdout on /dev/null); signals meant for etmemd or its session pass it. */
static void writer_main(int fd)
{
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

    prctl(PR_SET_NAME, "etmemd-damon", 0, 0, 0);
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    log_close();        /* its syslog socket is closed below */
    if (devnull >= 0 && (dup2(devnull, STDIN_FILENO) < 0 || dup2(devnull, STDOUT_FILENO) < 0))
        _exit(EXIT_FAILURE);
    if (fd != 3 && dup2(fd, 3) < 0)
        _exit(EXIT_FAILURE);
    if (close_range(4, ~0U, 0) < 0)
        _exit(EXIT_FAILURE);
    log_open("etmemd-damon", true, true);
    writer_serve(3);
    log_close();
    _exit(EXIT_SUCCESS);
}

int damon_writer_start(void)
{
    char why[KERNEL_DETAIL_LEN];
    int sv[2];
    pid_t pid;

    if (!damon_vaddr_available(why, sizeof(why)))
        return 0;       /* etmemd never writes DAMON here (a host's DAMON is another's) */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        int err = errno;

        log_err("DAMON writer: socketpair: %s", strerror(err));
        return -err;
    }
    pid = fork();
    if (pid < 0) {
        int err = errno;

        log_err("DAMON writer: fork: %s", strerror(err));
        close(sv[0]);
        close(sv[1]);
        return -err;
    }
    if (pid == 0) {
        close(sv[0]);
        writer_main(sv[1]);
    }
    close(sv[1]);
    W.fd = sv[0];
    W.pid = pid;
    log_info("DAMON sysfs is written by etmemd-damon, pid %d", (int)pid);
    return 0;
}

pid_t damon_writer_pid(void)
{
    return W.fd >= 0 ? W.pid : 0;
}

void damon_writer_detach(void)
{
    atomic_store(&W.detached, true);
}

static int writer_gone(void)
{
    if (!W.gone_said) {
        log_err("DAMON writer pid %d is gone: etmemd cannot write DAMON any more",
                (int)W.pid);
        /* its socket closes only as it exits: reaped at once, no zombie is left */
        if (waitpid(W.pid, NULL, 0) < 0)
            log_debug("DAMON writer pid %d: waitpid: %s", (int)W.pid, strerror(errno));
    }
    W.gone_said = true;
    return -EPIPE;
}

/* The answer to request seq; earlier answers (of callers that gave up) are dropped. */
static int writer_answer(uint32_t seq, struct stopper *stop)
{
    for (;;) {
        struct pollfd p = { .fd = W.fd, .events = POLLIN };
        struct writer_answer an;
        int n = poll(&p, 1, WAIT_SLICE_MS);

        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0) {
            ssize_t got = recv(W.fd, &an, sizeof(an), MSG_DONTWAIT);

            if (got == 0 || (got < 0 && errno == ECONNRESET))
                return writer_gone();   /* its end closes only as it exits */
            if (got < 0 && errno != EAGAIN && errno != EINTR)
                return -errno;
            if (got == (ssize_t)sizeof(an) && an.seq == seq)
                return an.err;
            if (got == (ssize_t)sizeof(an) && an.err != 0)
                log_debug("DAMON: a write given up on ended late: %s", strerror(-an.err));
            continue;
        }
        if (atomic_load(&W.detached) || (stop != NULL && stopper_raised(stop)))
            return -ECANCELED;
    }
}

int damon_writer_write(const char *rel, const char *val, struct stopper *stop)
{
    struct writer_request rq = { 0 };

    if (W.fd < 0)
        return sysfs_write(rel, val);   /* no writer: the caller writes, detached or not */
    if (atomic_load(&W.detached))
        return -ECANCELED;
    if (W.gone_said)
        return -EPIPE;
    if (strlen(rel) >= sizeof(rq.rel) || strlen(val) >= sizeof(rq.val))
        return -ENAMETOOLONG;
    rq.seq = ++W.seq;
    strcpy(rq.rel, rel);
    strcpy(rq.val, val);
    if (send(W.fd, &rq, sizeof(rq), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        return errno == EAGAIN ? -EBUSY : errno == EPIPE ? writer_gone() : -errno;
    return writer_answer(rq.seq, stop);
}
