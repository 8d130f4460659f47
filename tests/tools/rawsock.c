/* SPDX-License-Identifier: MulanPSL-2.0 */
/* rawsock.c - test tool: talk raw bytes to an abstract-namespace socket, to play clients the
 * real etmem never would be (the original etmem, garbage, oversize or stalled requests).
 *
 * rawsock SOCKET [-t TEXT] [-x HEX] [-l] [-L] [-w MS] [-c] [-T]
 *   -t TEXT  send TEXT      -x HEX  send bytes given in hex
 *   -l       send an original-etmem request line for `project show` (cmd 4)
 *   -L LINE  send LINE exactly, as the original client does (one send, no terminator)
 *   -w MS    wait MS milliseconds before reading   -c  close without reading
 *   -T       print to stderr how long the answer took, from connect to its end (ms)
 * Prints what comes back; bytes outside printable ASCII are shown as \xNN. Exit 0 when
 * the connection was served (it got bytes back or was closed), 1 on a connect failure. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

static size_t hex_decode(const char *hex, unsigned char *out, size_t max)
{
    size_t n = 0;

    while (hex[0] && hex[1] && n < max) {
        unsigned v;

        if (sscanf(hex, "%2x", &v) != 1)
            break;
        out[n++] = (unsigned char)v;
        hex += 2;
    }
    return n;
}

int main(int argc, char **argv)
{
    struct sockaddr_un addr;
    unsigned char buf[65536];
    int fd, len, c, wait_ms = 0;
    bool close_only = false, timed = false;
    struct timespec t0, t1;

    if (argc < 2) {
        fprintf(stderr, "usage: rawsock SOCKET [-t TEXT] [-x HEX] [-l] [-L LINE] [-w MS] [-c] "
                "[-T]\n");
        return 2;
    }
    len = socket_addr_abstract(argv[1], &addr);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (len < 0 || fd < 0 || connect(fd, (struct sockaddr *)&addr, (socklen_t)len) < 0) {
        fprintf(stderr, "rawsock: connect %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    optind = 2;
    while ((c = getopt(argc, argv, "t:x:lL:w:cT")) != -1) {
        size_t n = 0;
        const void *data = buf;

        switch (c) {
        case 't':
            data = optarg;
            n = strlen(optarg);
            break;
        case 'x':
            n = hex_decode(optarg, buf, sizeof(buf));
            break;
        case 'l':
            data = "proj_name - file_name - cmd 4 eng_name - eng_cmd - task_name -";
            n = strlen(data);
            break;
        case 'L':
            data = optarg;
            n = strlen(optarg);
            break;
        case 'w':
            wait_ms = atoi(optarg);
            break;
        case 'c':
            close_only = true;
            break;
        case 'T':
            timed = true;
            break;
        default:
            return 2;
        }
        if (n > 0 && write_all(fd, data, n) < 0) {
            fprintf(stderr, "rawsock: send: %s\n", strerror(errno));
            return 1;
        }
    }
    if (wait_ms > 0)
        usleep((useconds_t)wait_ms * 1000);
    if (close_only) {
        close(fd);
        return 0;
    }
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n' || (buf[i] >= 0x20 && buf[i] < 0x7f))
                putchar(buf[i]);
            else
                printf("\\x%02x", buf[i]);
        }
    }
    close(fd);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (timed)
        fprintf(stderr, "%.1f\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    return 0;
}
