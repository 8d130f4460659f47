/* SPDX-License-Identifier: MulanPSL-2.0 */
/* server.c - the accept loop, the refusal of non-root peers, one thread per root request.
 *
 * DESIGN. Only root may talk to etmemd (abstract sockets have no file permissions, so
 * SO_PEERCRED is the only gate), and the peer is known as soon as it is accepted:
 * - root gets a thread of its own (at most ROOT_CONNECTIONS_MAX at once) that must read its
 *   whole request within REQUEST_DEADLINE_MS, dispatches it and closes. Slow commands
 *   therefore do not hold up other clients; the model lock orders changes.
 * - anyone else gets no thread and no place of root's: the accept loop keeps the connection
 *   at most REFUSAL_WAIT_MS for its request (at most REFUSALS_MAX such connections; a new
 *   one pushes the oldest out early), tells it in its protocol why it is refused, closes.
 * The loop never blocks on a client. Log lines clients can cause are rate-limited. When
 * descriptors run out (EMFILE/ENFILE) the loop stops accepting for ACCEPT_BACKOFF_MS
 * instead of spinning; connections wait in the backlog meanwhile.
 * At shutdown every root connection's socket is shut down, so no client can delay it; only
 * commands already running are waited for. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
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
#include "liveness.h"
#include "log.h"
#include "log_limit.h"
#include "protocol.h"
#include "ratelimit.h"
#include "xalloc.h"

#define ROOT_CONNECTIONS_MAX 64
#define REFUSALS_MAX 32
#define REFUSAL_WAIT_MS 100
#define LISTEN_BACKLOG 128
#define ACCEPTS_PER_WAKEUP 64          /* then signals and refusals get their turn */
#define ACCEPT_BACKOFF_MS 200
#define REQUEST_DEADLINE_MS 10000
#define REPLY_SEND_TIMEOUT_SEC 10
/* A one-line request that does not parse yet may still be arriving in pieces. */
#define LEGACY_QUIET_MS 200
#define REQUEST_MAX_BYTES (FIELD_COUNT * (ETMEM_FIELD_MAX + 2) + 64)
#define MS_NS 1000000ull

static struct log_limit client_log = LOG_LIMIT_INIT(2, "clients");
static struct log_limit accept_log = LOG_LIMIT_INIT(1, "failed accepts");

/* Root connections in progress: their sockets, so shutdown can cut them off. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t gone;
    int fd[ROOT_CONNECTIONS_MAX];   /* -1: free */
    int active;
} conns = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { 0 }, 0 };

/* Non-root connections about to be refused, with what they sent so far (to answer in
 * their protocol once their request is whole). Only the accept loop touches these. */
struct refusal {
    int fd;
    struct peer peer;
    uint64_t deadline_ns;
    size_t have;
    char buf[ETMEM_LEGACY_REQUEST_MAX];
};
static struct refusal refusals[REFUSALS_MAX];
static int nr_refusals;

struct root_conn {
    int slot;
    int fd;
    struct peer peer;
};

int server_listen(const char *name)
{
    struct sockaddr_un addr;
    int len = socket_addr_abstract(name, &addr);
    int fd, err;

    if (len < 0)
        return -EINVAL;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    if (bind(fd, (struct sockaddr *)&addr, (socklen_t)len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
        err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

static int ms_until(uint64_t deadline_ns, uint64_t now)
{
    return deadline_ns <= now ? 0 : (int)((deadline_ns - now + MS_NS - 1) / MS_NS);
}

/* Receive up to len bytes, waiting no later than deadline_ns. Returns the number of bytes,
 * 0 at end of stream, or -ETIMEDOUT / -errno. */
static ssize_t recv_by(int fd, void *buf, size_t len, uint64_t deadline_ns)
{
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        uint64_t now = monotonic_ns();
        ssize_t n;

        if (now >= deadline_ns)
            return -ETIMEDOUT;
        if (poll(&pfd, 1, ms_until(deadline_ns, now)) < 0 && errno != EINTR)
            return -errno;
        n = recv(fd, buf, len, MSG_DONTWAIT);
        if (n >= 0)
            return n;
        if (errno != EAGAIN && errno != EINTR)
            return -errno;
    }
}

static int recv_all_by(int fd, void *buf, size_t len, uint64_t deadline_ns)
{
    uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = recv_by(fd, p, len, deadline_ns);

        if (n < 0)
            return (int)n;
        if (n == 0)
            return -ECONNRESET;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The original client sends its line in one send() with no terminator: it is complete as
 * soon as it parses. A line that does not parse yet gets more time while bytes keep coming
 * (LEGACY_QUIET_MS of quiet ends it), never past the request's deadline. */
static int read_legacy_line(int fd, char *buf, size_t have, struct etmem_request *req,
                            char *err, size_t errlen, uint64_t deadline_ns)
{
    for (;;) {
        uint64_t quiet_ns = monotonic_ns() + LEGACY_QUIET_MS * MS_NS;
        ssize_t n;

        char more;

        if (legacy_request_decode(buf, have, req, err, errlen) == 0)
            return 0;
        if (have == ETMEM_LEGACY_REQUEST_MAX) {
            if (recv(fd, &more, 1, MSG_PEEK | MSG_DONTWAIT) == 1)
                snprintf(err, errlen, "legacy request longer than %d bytes",
                         ETMEM_LEGACY_REQUEST_MAX);
            return -1;
        }
        n = recv_by(fd, buf + have, ETMEM_LEGACY_REQUEST_MAX - have,
                    quiet_ns < deadline_ns ? quiet_ns : deadline_ns);
        if (n <= 0)
            return -1;      /* err says what is wrong with the line so far */
        have += (size_t)n;
    }
}

/* Tell a client why its request is not served, in its own protocol. */
static void answer_error(int fd, bool legacy, enum etmem_status st, const char *line)
{
    struct reply r;

    reply_init(&r, fd, legacy);
    reply_err_line(&r, line);
    reply_end(&r, st);
    reply_release(&r);
}

static void answer_malformed(int fd, bool legacy, const char *why)
{
    char line[220];

    snprintf(line, sizeof(line), "error: malformed request: %s", why);
    answer_error(fd, legacy, ST_PROTO, line);
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
    uint64_t deadline_ns = monotonic_ns() + REQUEST_DEADLINE_MS * MS_NS;
    char err[160];
    uint8_t *payload;
    int rc = recv_all_by(fd, &in, sizeof(in.hdr), deadline_ns);

    *legacy = false;
    if (rc < 0) {
        log_limited(&client_log, LOG_LEVEL_INFO, "connection from pid %d closed before a "
                    "request arrived: %s", (int)peer->pid, strerror(-rc));
        return -1;
    }
    if (memcmp(in.text, "proj_nam", sizeof(in.hdr)) == 0) {
        *legacy = true;
        if (read_legacy_line(fd, in.text, sizeof(in.hdr), req, err, sizeof(err),
                             deadline_ns) < 0) {
            log_limited(&client_log, LOG_LEVEL_WARN, "dropping request from pid %d: %s",
                        (int)peer->pid, err);
            answer_malformed(fd, true, err);
            return -1;
        }
        return 0;
    }
    if (!frame_hdr_valid(&in.hdr) || in.hdr.type != FRAME_REQUEST) {
        log_limited(&client_log, LOG_LEVEL_WARN, "dropping connection from pid %d: not an "
                    "etmem request", (int)peer->pid);
        return -1;
    }
    if (in.hdr.len > REQUEST_MAX_BYTES) {
        log_limited(&client_log, LOG_LEVEL_WARN, "dropping request from pid %d: %u bytes, "
                    "the limit is %u", (int)peer->pid, in.hdr.len, (unsigned)REQUEST_MAX_BYTES);
        return -1;
    }
    payload = xmalloc(in.hdr.len ? in.hdr.len : 1);
    rc = recv_all_by(fd, payload, in.hdr.len, deadline_ns);
    if (rc < 0) {
        log_limited(&client_log, LOG_LEVEL_WARN, "dropping request from pid %d: %s",
                    (int)peer->pid, strerror(-rc));
        free(payload);
        return -1;
    }
    rc = request_decode(payload, in.hdr.len, req, err, sizeof(err));
    free(payload);
    if (rc < 0) {
        log_limited(&client_log, LOG_LEVEL_WARN, "dropping request from pid %d: %s",
                    (int)peer->pid, err);
        answer_malformed(fd, false, err);
        return -1;
    }
    return 0;
}

static void serve_root(int fd, const struct peer *peer)
{
    struct timeval tv = { .tv_sec = REPLY_SEND_TIMEOUT_SEC };
    struct etmem_request req;
    struct reply r;
    bool legacy;
    int flags = fcntl(fd, F_GETFL);

    /* Replies are written blocking, each write within the timeout; requests are read
     * against their deadline whatever the flags. */
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
        log_err("cannot set up a client connection: %s", strerror(errno));
        return;
    }
    if (read_request(fd, peer, &req, &legacy) < 0)
        return;
    reply_init(&r, fd, legacy);
    dispatch_request(&req, peer, &r);
    reply_release(&r);
    request_free(&req);
}

static void *root_conn_main(void *arg)
{
    struct root_conn *c = arg;

    serve_root(c->fd, &c->peer);
    pthread_mutex_lock(&conns.lock);
    conns.fd[c->slot] = -1;     /* before close: shutdown never hits a reused number */
    conns.active--;
    pthread_cond_broadcast(&conns.gone);
    pthread_mutex_unlock(&conns.lock);
    close(c->fd);
    free(c);
    return NULL;
}

static bool root_slots_full(void)
{
    bool full;

    pthread_mutex_lock(&conns.lock);
    full = conns.active >= ROOT_CONNECTIONS_MAX;
    pthread_mutex_unlock(&conns.lock);
    return full;
}

/* Only the accept loop starts connections, so a free slot seen here stays free. */
static void start_root_conn(int fd, const struct peer *peer)
{
    struct root_conn *c = xcalloc(1, sizeof(*c));
    pthread_attr_t attr;
    pthread_t tid;
    int rc;

    c->fd = fd;
    c->peer = *peer;
    pthread_mutex_lock(&conns.lock);
    for (c->slot = 0; conns.fd[c->slot] >= 0; c->slot++)
        ;
    conns.fd[c->slot] = fd;
    conns.active++;
    pthread_mutex_unlock(&conns.lock);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&tid, &attr, root_conn_main, c);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        log_limited(&accept_log, LOG_LEVEL_ERR, "cannot start a connection thread: %s",
                    strerror(rc));
        pthread_mutex_lock(&conns.lock);
        conns.fd[c->slot] = -1;
        conns.active--;
        pthread_mutex_unlock(&conns.lock);
        close(fd);
        free(c);
    }
}

/* Which protocol the first bytes speak: the original's line, or (anything else) frames. */
static bool looks_legacy(const char *buf, size_t n)
{
    static const char start[] = "proj_nam";

    return n > 0 && memcmp(buf, start, n < sizeof(start) - 1 ? n : sizeof(start) - 1) == 0;
}

/* Decode what a refused client sent: its command number, -1 while it is incomplete (or
 * undecodable), -2 when it cannot become a request however much more comes. */
static int refused_request(const char *buf, size_t n, bool legacy)
{
    struct etmem_request req;
    struct frame_hdr hdr;
    char err[160];
    int rc = -1;

    if (legacy) {
        rc = legacy_request_decode(buf, n, &req, err, sizeof(err));
    } else if (n >= 2 && (buf[0] != ETMEM_FRAME_MAGIC0 || buf[1] != ETMEM_FRAME_MAGIC1)) {
        return -2;
    } else if (n >= sizeof(hdr)) {
        memcpy(&hdr, buf, sizeof(hdr));
        if (!frame_hdr_valid(&hdr) || hdr.type != FRAME_REQUEST ||
            hdr.len > ETMEM_LEGACY_REQUEST_MAX - sizeof(hdr))
            return -2;
        if (hdr.len <= n - sizeof(hdr))
            rc = request_decode((const uint8_t *)buf + sizeof(hdr), hdr.len, &req, err,
                                sizeof(err));
    }
    if (rc < 0)
        return -1;
    request_free(&req);
    return req.cmd;
}

/* Take in what refusal i's client sent; true once there is no point waiting for more
 * (its request is whole, cannot become one, or it hung up). */
static bool refusal_read(struct refusal *rf)
{
    ssize_t n = sizeof(rf->buf) > rf->have ?
        recv(rf->fd, rf->buf + rf->have, sizeof(rf->buf) - rf->have, MSG_DONTWAIT) : 0;

    if (n > 0)
        rf->have += (size_t)n;
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || rf->have == sizeof(rf->buf))
        return true;
    return refused_request(rf->buf, rf->have, looks_legacy(rf->buf, rf->have)) != -1;
}

/* Answer refusal i in its client's protocol (nothing waits: the socket is non-blocking and
 * the answer fits in an empty socket buffer), close it, drop it. */
static void refuse_now(int i)
{
    struct refusal *rf = &refusals[i];
    bool legacy = looks_legacy(rf->buf, rf->have);
    int cmd = refused_request(rf->buf, rf->have, legacy);
    char msg[128];

    log_limited(&client_log, LOG_LEVEL_WARN, "refused %s from pid %d: uid %u is not root",
                cmd >= 0 ? etmem_cmd_name(cmd) : "a connection", (int)rf->peer.pid,
                (unsigned)rf->peer.uid);
    snprintf(msg, sizeof(msg), "error: permission denied: etmemd serves only root, and "
             "this client runs as uid %u", (unsigned)rf->peer.uid);
    answer_error(rf->fd, legacy, ST_PERM, msg);
    close(rf->fd);
    refusals[i] = refusals[--nr_refusals];
}

static void refuse_later(int fd, const struct peer *peer)
{
    if (nr_refusals == REFUSALS_MAX) {
        int oldest = 0;

        for (int i = 1; i < nr_refusals; i++) {
            if (refusals[i].deadline_ns < refusals[oldest].deadline_ns)
                oldest = i;
        }
        refuse_now(oldest);
    }
    refusals[nr_refusals].fd = fd;
    refusals[nr_refusals].peer = *peer;
    refusals[nr_refusals].deadline_ns = monotonic_ns() + REFUSAL_WAIT_MS * MS_NS;
    refusals[nr_refusals].have = 0;
    nr_refusals++;
}

/* Accept what is waiting. Returns when the backlog is empty, root's places are taken, or
 * descriptors ran out (then *backoff_ns says until when not to try again). */
static void accept_pending(int listen_fd, uint64_t *backoff_ns)
{
    for (int i = 0; i < ACCEPTS_PER_WAKEUP && !root_slots_full(); i++) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        struct ucred cred;
        socklen_t clen = sizeof(cred);
        struct peer peer;

        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                *backoff_ns = monotonic_ns() + ACCEPT_BACKOFF_MS * MS_NS;
                log_limited(&accept_log, LOG_LEVEL_ERR, "accept: %s; not accepting for %d ms",
                            strerror(errno), ACCEPT_BACKOFF_MS);
                return;
            }
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN)
                log_limited(&accept_log, LOG_LEVEL_ERR, "accept: %s", strerror(errno));
            return;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
            log_limited(&client_log, LOG_LEVEL_ERR, "cannot read the credentials of a "
                        "client: %s", strerror(errno));
            close(fd);
            continue;
        }
        peer = (struct peer){ .pid = cred.pid, .uid = cred.uid, .gid = cred.gid };
        if (peer.uid == 0)
            start_root_conn(fd, &peer);
        else
            refuse_later(fd, &peer);
    }
}

/* Cut every root connection off (their reads and writes fail at once), then wait for
 * the commands still running: they finish on their own, clients cannot stretch them. */
static void connections_stop(void)
{
    while (nr_refusals > 0)
        refuse_now(nr_refusals - 1);
    pthread_mutex_lock(&conns.lock);
    for (int i = 0; i < ROOT_CONNECTIONS_MAX; i++) {
        if (conns.fd[i] >= 0)
            shutdown(conns.fd[i], SHUT_RDWR);
    }
    while (conns.active > 0) {
        struct timespec deadline;

        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 5;
        if (pthread_cond_timedwait(&conns.gone, &conns.lock, &deadline) == ETIMEDOUT)
            log_warn("shutting down: waiting for %d command(s) to finish", conns.active);
    }
    pthread_mutex_unlock(&conns.lock);
}

enum { PFD_SIGNAL, PFD_LISTEN, PFD_REFUSALS };

int server_run(int listen_fd, void (*stopping)(void))
{
    struct pollfd pfd[PFD_REFUSALS + REFUSALS_MAX];
    uint64_t backoff_ns = 0;
    struct signalfd_siginfo si;
    sigset_t stop;
    int sfd, signo = 0;

    for (int i = 0; i < ROOT_CONNECTIONS_MAX; i++)
        conns.fd[i] = -1;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sfd = signalfd(-1, &stop, SFD_CLOEXEC);
    if (sfd < 0) {
        log_err("signalfd: %s", strerror(errno));
        return -1;
    }
    while (signo == 0) {
        uint64_t now = monotonic_ns();
        bool accepting = now >= backoff_ns && !root_slots_full();
        int timeout = -1, rc;

        pfd[PFD_SIGNAL] = (struct pollfd){ .fd = sfd, .events = POLLIN };
        pfd[PFD_LISTEN] = (struct pollfd){ .fd = accepting ? listen_fd : -1, .events = POLLIN };
        if (!accepting)     /* root's places free up, or the back-off ends */
            timeout = now < backoff_ns ? ms_until(backoff_ns, now) : 50;
        for (int i = 0; i < nr_refusals; i++) {
            int left = ms_until(refusals[i].deadline_ns, now);

            pfd[PFD_REFUSALS + i] = (struct pollfd){ .fd = refusals[i].fd, .events = POLLIN };
            if (timeout < 0 || left < timeout)
                timeout = left;
        }
        if ((log_limit_flush(&client_log, false) | log_limit_flush(&accept_log, false)) &&
            (timeout < 0 || timeout > 1000))
            timeout = 1000;     /* tell the suppressed count once it is due */
        liveness_idle();        /* waiting for clients is not being stuck */
        rc = poll(pfd, (nfds_t)(PFD_REFUSALS + nr_refusals), timeout);
        liveness_busy("the server loop");
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            log_err("poll: %s", strerror(errno));
            break;
        }
        if (pfd[PFD_SIGNAL].revents & POLLIN) {
            if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                signo = (int)si.ssi_signo;
            continue;
        }
        now = monotonic_ns();
        for (int i = nr_refusals - 1; i >= 0; i--) {   /* refuse_now moves the last to i */
            if ((pfd[PFD_REFUSALS + i].revents != 0 && refusal_read(&refusals[i])) ||
                now >= refusals[i].deadline_ns)
                refuse_now(i);
        }
        if (pfd[PFD_LISTEN].revents & POLLIN)
            accept_pending(listen_fd, &backoff_ns);
    }
    close(sfd);
    log_info("caught signal %d, shutting down", signo);
    if (stopping != NULL)
        stopping();
    connections_stop();
    log_limit_flush(&client_log, true);
    log_limit_flush(&accept_log, true);
    return signo;
}
