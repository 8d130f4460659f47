/* SPDX-License-Identifier: MulanPSL-2.0 */
/* notifysink.c - notifysink PATH SECONDS: bind a datagram socket at PATH, as systemd's
 * NOTIFY_SOCKET, and print each message received as "<ms since start> <message>" on its
 * own line (newlines inside a message become ';'), for SECONDS or until SIGTERM. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    char buf[4096];
    long long start = now_ms(), end;
    int fd;

    if (argc != 3 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "usage: notifysink PATH SECONDS\n");
        return 2;
    }
    end = start + atoll(argv[2]) * 1000;
    memcpy(addr.sun_path, argv[1], strlen(argv[1]));
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("notifysink: socket/bind");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (long long now = start; now < end; now = now_ms()) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        if (poll(&pfd, 1, (int)(end - now)) <= 0)
            continue;
        n = recv(fd, buf, sizeof(buf) - 1, 0);
        if (n < 0)
            continue;
        buf[n] = '\0';
        for (char *p = buf; *p; p++) {
            if (*p == '\n')
                *p = ';';
        }
        printf("%lld %s\n", now_ms() - start, buf);
    }
    unlink(argv[1]);
    return 0;
}
