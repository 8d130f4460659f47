/* SPDX-License-Identifier: MulanPSL-2.0 */
/* move_loop.c - the bare baseline for cslide's migration rate: move every resident page of
 * a range of another process to one node with raw move_pages(2), 16384 pages per call (as
 * the migrate backend batches), and print how many moved and how fast.
 *
 * move_loop PID START-END NODE      (hex addresses, as the exerciser prints them)
 * prints: moved=N tried=N secs=S pages_per_sec=R */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BATCH 16384
#define PM_PRESENT (1ULL << 63)
#define MPOL_MF_MOVE (1 << 1)

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static uint64_t pm[BATCH];
    static void *addrs[BATCH];
    static int nodes[BATCH], status[BATCH];
    long ps = sysconf(_SC_PAGESIZE);
    uint64_t start, end, moved = 0, tried = 0;
    double secs = 0;
    char path[64];
    int pid, node, fd;

    if (argc != 4 || sscanf(argv[2], "%" SCNx64 "-%" SCNx64, &start, &end) != 2 || end <= start) {
        fprintf(stderr, "usage: move_loop PID START-END NODE\n");
        return 2;
    }
    pid = atoi(argv[1]);
    node = atoi(argv[3]);
    snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "move_loop: %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (uint64_t a = start; a < end; a += BATCH * (uint64_t)ps) {
        size_t n = (size_t)((end - a) / (uint64_t)ps), np = 0;
        double t0;

        if (n > BATCH)
            n = BATCH;
        if (pread(fd, pm, n * 8, (off_t)(a / (uint64_t)ps * 8)) != (ssize_t)(n * 8)) {
            fprintf(stderr, "move_loop: pagemap: %s\n", strerror(errno));
            close(fd);
            return 1;
        }
        for (size_t i = 0; i < n; i++) {
            if (pm[i] & PM_PRESENT) {
                addrs[np] = (void *)(uintptr_t)(a + i * (uint64_t)ps);
                nodes[np++] = node;
            }
        }
        if (np == 0)
            continue;
        t0 = now();
        if (syscall(SYS_move_pages, pid, np, addrs, nodes, status, MPOL_MF_MOVE) < 0) {
            fprintf(stderr, "move_loop: move_pages: %s\n", strerror(errno));
            close(fd);
            return 1;
        }
        secs += now() - t0;
        tried += np;
        for (size_t i = 0; i < np; i++)
            moved += status[i] == node;
    }
    close(fd);
    printf("moved=%" PRIu64 " tried=%" PRIu64 " secs=%.3f pages_per_sec=%.0f\n", moved, tried,
           secs, secs > 0 ? (double)moved / secs : 0);
    return 0;
}
