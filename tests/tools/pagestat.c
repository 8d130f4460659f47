/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pagestat.c - test tool: where are the pages of a range of another process? Reads
 * /proc/PID/pagemap directly (and, with -n, asks move_pages(2) for each resident page's
 * node), so tests check etmem's effect independently of etmem's own code and counters.
 *
 * pagestat [-n] PID START-END     (hex addresses, as the exerciser prints them)
 * prints: pages=N present=N swapped=N absent=N [node0=N node1=N ...] */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define BATCH 4096
#define MAX_NODES 64

int main(int argc, char **argv)
{
    long ps = sysconf(_SC_PAGESIZE);
    int argi = 1, fd, pid;
    int query_nodes = 0;
    uint64_t start, end, present = 0, swapped = 0, absent = 0, nodes[MAX_NODES] = { 0 };
    char path[64];

    if (argc > 1 && strcmp(argv[1], "-n") == 0) {
        query_nodes = 1;
        argi++;
    }
    if (argc - argi != 2 || sscanf(argv[argi + 1], "%" SCNx64 "-%" SCNx64, &start, &end) != 2 ||
        end <= start) {
        fprintf(stderr, "usage: pagestat [-n] PID START-END\n");
        return 2;
    }
    pid = atoi(argv[argi]);
    snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "pagestat: %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (uint64_t a = start; a < end; a += BATCH * (uint64_t)ps) {
        uint64_t pm[BATCH];
        void *addrs[BATCH];
        int status[BATCH];
        size_t n = (size_t)((end - a) / (uint64_t)ps), np = 0;

        if (n > BATCH)
            n = BATCH;
        if (pread(fd, pm, n * 8, (off_t)(a / (uint64_t)ps * 8)) != (ssize_t)(n * 8)) {
            fprintf(stderr, "pagestat: pagemap read: %s\n", strerror(errno));
            return 1;
        }
        for (size_t i = 0; i < n; i++) {
            if (pm[i] & PM_PRESENT) {
                present++;
                addrs[np++] = (void *)(uintptr_t)(a + i * (uint64_t)ps);
            } else if (pm[i] & PM_SWAPPED) {
                swapped++;
            } else {
                absent++;
            }
        }
        if (query_nodes && np > 0) {
            if (syscall(SYS_move_pages, pid, np, addrs, NULL, status, 0) < 0) {
                fprintf(stderr, "pagestat: move_pages: %s\n", strerror(errno));
                return 1;
            }
            for (size_t i = 0; i < np; i++) {
                if (status[i] >= 0 && status[i] < MAX_NODES)
                    nodes[status[i]]++;
            }
        }
    }
    close(fd);
    printf("pages=%llu present=%llu swapped=%llu absent=%llu",
           (unsigned long long)((end - start) / (uint64_t)ps), (unsigned long long)present,
           (unsigned long long)swapped, (unsigned long long)absent);
    for (int i = 0; query_nodes && i < MAX_NODES; i++) {
        if (nodes[i] > 0)
            printf(" node%d=%llu", i, (unsigned long long)nodes[i]);
    }
    printf("\n");
    return 0;
}
