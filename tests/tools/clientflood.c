/* SPDX-License-Identifier: MulanPSL-2.0 */
/* clientflood.c - test tool: hold many connections to an abstract-namespace socket open, the
 * way a hostile local user would, to check that etmemd stays reachable and stoppable.
 *
 * clientflood SOCKET COUNT MODE SECONDS
 *   MODE idle    connect and send nothing
 *        framed  send a request header claiming a large request, then one byte every 5 s
 *        legacy  send the start of an original-etmem line, then one byte every 5 s
 * Keeps COUNT connections open for SECONDS (or until SIGTERM): one the server closes is
 * opened again at once. Connects do not block (a full backlog is retried 10 ms later).
 * Prints "open N" once COUNT are open, and at the end "connects N closed-by-server N". */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

#define TRICKLE_SEC 5
#define RETRY_MS 10

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static double now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The opening bytes of each mode: a header claiming 20000 bytes, or a line cut short. */
static const char framed_start[] = { 'E', 'M', 1, 0, 0x20, 0x4e, 0, 0 };
static const char legacy_start[] = "proj_name x file_name";

static int open_one(const struct sockaddr_un *addr, int len, const char *mode)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const char *data = NULL;
    size_t n = 0;

    if (fd < 0)
        return -1;
    if (connect(fd, (const struct sockaddr *)addr, (socklen_t)len) < 0) {
        close(fd);
        return -1;
    }
    if (strcmp(mode, "framed") == 0) {
        data = framed_start;
        n = sizeof(framed_start);
    } else if (strcmp(mode, "legacy") == 0) {
        data = legacy_start;
        n = strlen(legacy_start);
    }
    if (n > 0 && send(fd, data, n, MSG_NOSIGNAL) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    struct sockaddr_un addr;
    struct pollfd *pfd;
    unsigned long connects = 0, closed = 0;
    double end, next_trickle;
    bool told = false;
    int count, len;

    if (argc != 5 || (strcmp(argv[3], "idle") && strcmp(argv[3], "framed") &&
                      strcmp(argv[3], "legacy"))) {
        fprintf(stderr, "usage: clientflood SOCKET COUNT idle|framed|legacy SECONDS\n");
        return 2;
    }
    len = socket_addr_abstract(argv[1], &addr);
    count = atoi(argv[2]);
    if (len < 0 || count <= 0) {
        fprintf(stderr, "clientflood: bad socket name or count\n");
        return 2;
    }
    signal(SIGTERM, on_term);
    signal(SIGPIPE, SIG_IGN);
    pfd = calloc((size_t)count, sizeof(*pfd));
    if (pfd == NULL)
        return 1;
    for (int i = 0; i < count; i++)
        pfd[i] = (struct pollfd){ .fd = -1, .events = POLLIN };
    end = now_sec() + atof(argv[4]);
    next_trickle = now_sec() + TRICKLE_SEC;
    while (!stop && now_sec() < end) {
        int open_now = 0;

        for (int i = 0; i < count; i++) {
            if (pfd[i].fd < 0) {
                pfd[i].fd = open_one(&addr, len, argv[3]);
                if (pfd[i].fd >= 0)
                    connects++;
            }
            open_now += pfd[i].fd >= 0;
        }
        if (open_now == count && !told) {
            printf("open %d\n", count);
            fflush(stdout);
            told = true;
        }
        if (now_sec() >= next_trickle) {
            for (int i = 0; i < count && strcmp(argv[3], "idle") != 0; i++) {
                if (pfd[i].fd >= 0)
                    (void)send(pfd[i].fd, "x", 1, MSG_NOSIGNAL);
            }
            next_trickle += TRICKLE_SEC;
        }
        if (poll(pfd, (nfds_t)count, open_now == count ? 200 : RETRY_MS) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < count; i++) {
            char buf[4096];

            if (pfd[i].fd < 0 || pfd[i].revents == 0)
                continue;
            /* the server answered or hung up: drain, and reconnect once it has closed */
            if (recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0 || (pfd[i].revents & POLLHUP)) {
                close(pfd[i].fd);
                pfd[i].fd = -1;
                closed++;
            }
        }
    }
    printf("connects %lu closed-by-server %lu\n", connects, closed);
    for (int i = 0; i < count; i++) {
        if (pfd[i].fd >= 0)
            close(pfd[i].fd);
    }
    free(pfd);
    return 0;
}
