/* SPDX-License-Identifier: MulanPSL-2.0 */
/* server.c - accept loop and one thread per connection.
 *
 * Each connection carries one request. Its thread reads the request (framed, or the
 * original client's one-line form), checks that the peer is root (SO_PEERCRED; abstract
 * sockets have no file permissions, so this is the only gate), dispatches it and closes.
 * Slow commands therefore do not hold up other clients; the model lock orders changes.
 * At most MAX_CONNECTIONS run at once; beyond that, clients wait in the listen backlog. */
#include "server.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dispatch.h"
#include "log.h"
#include "protocol.h"
#include "xalloc.h"

#define MAX_CONNECTIONS 64
#define LISTEN_BACKLOG 64
#define IO_TIMEOUT_SEC 10
#define REQUEST_MAX_BYTES (FIELD_COUNT * (ETMEM_FIELD_MAX + 2) + 64)
#define LEGACY_TAIL_WAIT_MS 200

static pthread_mutex_t conn_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conn_cond = PTHREAD_COND_INITIALIZER;
static int active_connections;

int server_listen(const char *name)
{
    struct sockaddr_un addr;
    int len = socket_addr_abstract(name, &addr);
    int fd, err;

    if (len < 0)
        return -EINVAL;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (bind(fd, (struct sockaddr *)&addr, (socklen_t)len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
        err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

static void set_io_timeouts(int fd)
{
    struct timeval tv = { .tv_sec = IO_TIMEOUT_SEC };

    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
        log_warn("cannot set socket timeouts: %s", strerror(errno));
}

/* The original client sends its line in one send() with no terminator: take what arrives
 * until a short quiet spell, at most its 512-byte buffer. */
static int read_legacy_tail(int fd, char *buf, size_t have, size_t *len)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    while (have < ETMEM_LEGACY_REQUEST_MAX) {
        int rc = poll(&pfd, 1, LEGACY_TAIL_WAIT_MS);
        ssize_t n;

        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            break;
        n = recv(fd, buf + have, ETMEM_LEGACY_REQUEST_MAX - have, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    *len = have;
    return 0;
}

/* Read one request in whichever protocol the client speaks. Returns 0, or -1 after logging
 * (and, where the protocol allows, answering) why the connection is dropped. */
static int read_request(int fd, const struct peer *peer, struct etmem_request *req,
                        bool *legacy)
{
    union {
        struct frame_hdr hdr;
        char text[ETMEM_LEGACY_REQUEST_MAX];
    } in;
    char err[160];
    uint8_t *payload;
    size_t len;
    int rc = read_all(fd, &in, sizeof(in.hdr));

    *legacy = false;
    if (rc < 0) {
        log_info("connection from pid %d closed before a request arrived: %s", (int)peer->pid,
                 strerror(-rc));
        return -1;
    }
    if (memcmp(in.text, "proj_nam", sizeof(in.hdr)) == 0) {
        *legacy = true;
        read_legacy_tail(fd, in.text, sizeof(in.hdr), &len);
        if (legacy_request_decode(in.text, len, req, err, sizeof(err)) < 0) {
            log_warn("dropping request from pid %d: %s", (int)peer->pid, err);
            return -1;
        }
        return 0;
    }
    if (!frame_hdr_valid(&in.hdr) || in.hdr.type != FRAME_REQUEST) {
        log_warn("dropping connection from pid %d: not an etmem request", (int)peer->pid);
        return -1;
    }
    if (in.hdr.len > REQUEST_MAX_BYTES) {
        log_warn("dropping request from pid %d: %u bytes, the limit is %u", (int)peer->pid,
                 in.hdr.len, (unsigned)REQUEST_MAX_BYTES);
        return -1;
    }
    payload = xmalloc(in.hdr.len ? in.hdr.len : 1);
    rc = read_all(fd, payload, in.hdr.len);
    if (rc < 0) {
        log_warn("dropping request from pid %d: %s", (int)peer->pid, strerror(-rc));
        free(payload);
        return -1;
    }
    rc = request_decode(payload, in.hdr.len, req, err, sizeof(err));
    free(payload);
    if (rc < 0) {
        struct reply r;
        char line[200];

        log_warn("dropping request from pid %d: %s", (int)peer->pid, err);
        snprintf(line, sizeof(line), "error: malformed request: %s", err);
        reply_init(&r, fd, false);
        reply_err_line(&r, line);
        reply_end(&r, ST_PROTO);
        reply_release(&r);
        return -1;
    }
    return 0;
}

static void serve_connection(int fd)
{
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    struct peer peer = { 0 };
    struct etmem_request req;
    struct reply r;
    bool legacy;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
        log_err("cannot read the credentials of a client: %s", strerror(errno));
        return;
    }
    peer = (struct peer){ .pid = cred.pid, .uid = cred.uid, .gid = cred.gid };
    set_io_timeouts(fd);
    if (read_request(fd, &peer, &req, &legacy) < 0)
        return;
    reply_init(&r, fd, legacy);
    if (peer.uid != 0) {
        char msg[128];

        log_warn("refused %s from pid %d: uid %u is not root", etmem_cmd_name(req.cmd),
                 (int)peer.pid, (unsigned)peer.uid);
        snprintf(msg, sizeof(msg), "error: permission denied: etmemd serves only root, and "
                 "this client runs as uid %u", (unsigned)peer.uid);
        reply_err_line(&r, msg);
        reply_end(&r, ST_PERM);
    } else {
        dispatch_request(&req, &peer, &r);
    }
    reply_release(&r);
    request_free(&req);
}

static void *connection_main(void *arg)
{
    int fd = (int)(intptr_t)arg;

    serve_connection(fd);
    close(fd);
    pthread_mutex_lock(&conn_mutex);
    active_connections--;
    pthread_cond_broadcast(&conn_cond);
    pthread_mutex_unlock(&conn_mutex);
    return NULL;
}

static void start_connection(int fd)
{
    pthread_attr_t attr;
    pthread_t tid;
    int rc;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&conn_mutex);
    active_connections++;
    pthread_mutex_unlock(&conn_mutex);
    rc = pthread_create(&tid, &attr, connection_main, (void *)(intptr_t)fd);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        log_err("cannot start a connection thread: %s", strerror(rc));
        close(fd);
        pthread_mutex_lock(&conn_mutex);
        active_connections--;
        pthread_mutex_unlock(&conn_mutex);
    }
}

static bool at_capacity(void)
{
    bool full;

    pthread_mutex_lock(&conn_mutex);
    full = active_connections >= MAX_CONNECTIONS;
    pthread_mutex_unlock(&conn_mutex);
    return full;
}

static void wait_for_connections(void)
{
    pthread_mutex_lock(&conn_mutex);
    while (active_connections > 0) {
        struct timespec deadline;

        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 5;
        if (pthread_cond_timedwait(&conn_cond, &conn_mutex, &deadline) == ETIMEDOUT)
            log_warn("shutting down: waiting for %d client request(s) to finish",
                     active_connections);
    }
    pthread_mutex_unlock(&conn_mutex);
}

int server_run(int listen_fd)
{
    sigset_t stop;
    struct signalfd_siginfo si;
    int sfd, signo = 0;

    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sfd = signalfd(-1, &stop, SFD_CLOEXEC);
    if (sfd < 0) {
        log_err("signalfd: %s", strerror(errno));
        return -1;
    }
    while (signo == 0) {
        struct pollfd pfd[2] = {
            { .fd = sfd, .events = POLLIN },
            { .fd = listen_fd, .events = POLLIN },
        };
        bool full = at_capacity();
        int rc = poll(pfd, full ? 1 : 2, full ? 100 : -1);

        if (rc < 0) {
            if (errno == EINTR)
                continue;
            log_err("poll: %s", strerror(errno));
            break;
        }
        if (pfd[0].revents & POLLIN) {
            if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                signo = (int)si.ssi_signo;
            continue;
        }
        if (pfd[1].revents & POLLIN) {
            int cfd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

            if (cfd < 0) {
                if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
                    log_err("accept: %s", strerror(errno));
                continue;
            }
            start_connection(cfd);
        }
    }
    close(sfd);
    log_info("caught signal %d, shutting down", signo);
    wait_for_connections();
    return signo;
}
