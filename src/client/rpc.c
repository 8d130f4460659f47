/* SPDX-License-Identifier: MulanPSL-2.0 */
/* rpc.c - one request to etmemd and its streamed answer. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"

/* Longer than etmemd's own 10 s I/O timeout, so its answer wins when both are slow. */
#define CLIENT_TIMEOUT_SEC 30

static int connect_daemon(const char *name)
{
    struct sockaddr_un addr;
    struct timeval tv = { .tv_sec = CLIENT_TIMEOUT_SEC };
    int len = socket_addr_abstract(name, &addr);
    int fd, err;

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
        connect(fd, (struct sockaddr *)&addr, (socklen_t)len) < 0) {
        err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

static int send_request(int fd, const struct etmem_request *req)
{
    uint8_t *buf;
    size_t len;
    int rc;

    if (request_encode(req, &buf, &len) < 0)
        return -EMSGSIZE;
    rc = frame_write(fd, FRAME_REQUEST, buf, len);
    free(buf);
    return rc;
}

/* Print OUT/ERR frames as they come; returns the final status, or -errno. */
static int receive_answer(int fd)
{
    for (;;) {
        struct frame_hdr hdr;
        uint8_t *payload;
        int rc = frame_read(fd, &hdr, &payload, ETMEM_FRAME_MAX);
        int32_t status;

        if (rc < 0)
            return rc;
        switch (hdr.type) {
        case FRAME_OUT:
            fwrite(payload, 1, hdr.len, stdout);
            break;
        case FRAME_ERR:
            fflush(stdout);
            fwrite(payload, 1, hdr.len, stderr);
            break;
        case FRAME_END:
            if (hdr.len != sizeof(status)) {
                free(payload);
                return -EPROTO;
            }
            memcpy(&status, payload, sizeof(status));
            free(payload);
            return status;
        default:
            free(payload);
            return -EPROTO;
        }
        free(payload);
    }
}

int rpc_call(const char *socket_name, const struct etmem_request *req)
{
    int fd = connect_daemon(socket_name), rc;

    if (fd < 0) {
        fprintf(stderr, "etmem connect to server failed: %s (is etmemd running with -s %s?)\n",
                strerror(-fd), socket_name);
        return -fd & 0xff;
    }
    rc = send_request(fd, req);
    if (rc == 0) {
        rc = receive_answer(fd);
    } else if (rc == -EPIPE || rc == -ECONNRESET) {
        /* etmemd may answer (refuse) before it took the whole request: show why */
        int answer = receive_answer(fd);

        if (answer >= 0)
            rc = answer;
    }
    close(fd);
    fflush(stdout);
    if (rc == ST_OK)
        return EXIT_SUCCESS;
    if (rc > 0)
        return EXIT_DAEMON_FAILED;  /* etmemd has printed why */
    if (rc == -EAGAIN || rc == -EWOULDBLOCK)
        fprintf(stderr, "etmem: no answer from etmemd within %d s\n", CLIENT_TIMEOUT_SEC);
    else if (rc == -ECONNRESET)
        fprintf(stderr, "etmem: connection closed by peer before the answer was complete\n");
    else
        fprintf(stderr, "etmem: talking to etmemd failed: %s\n", strerror(-rc));
    return EXIT_DAEMON_FAILED;
}
