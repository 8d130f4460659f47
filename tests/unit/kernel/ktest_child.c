/* SPDX-License-Identifier: MulanPSL-2.0 */
/* ktest_child.c - the controlled target process of the host tests and pagemap/smaps
 * checks on it through /proc (real effects, not our own counters). */
#include "ktest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include <time.h>
#include <unistd.h>

#define WORDS_PER_PAGE (4096 / 8)

static uint64_t pattern(unsigned seed, size_t word)
{
    uint64_t x = (uint64_t)seed * 0x9e3779b97f4a7c15ull + word;
    /* half the words repeat (compressible), half are mixed: realistic for zram */
    return (word & 1) ? (uint64_t)seed : x ^ (x >> 29) ^ (x << 17);
}

uint64_t kchild_expected(size_t len, unsigned seed)
{
    uint64_t sum = 0;
    for (size_t w = 0; w < len / 8; w++)
        sum += pattern(seed, w) * (w | 1);
    return sum;
}

#define THP_SIZE (2u << 20)

static void child_main(int cmd_fd, int reply_fd, size_t len, size_t hot, unsigned seed,
                       bool thp)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    size_t extra = thp ? THP_SIZE : 0;
    char *map = mmap(NULL, len + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (map == MAP_FAILED)
        _exit(2);
    uint64_t *buf = (uint64_t *)(thp ? (char *)(((uintptr_t)map + THP_SIZE - 1) &
                                                ~(uintptr_t)(THP_SIZE - 1))
                                     : map);
    madvise(buf, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    for (size_t w = 0; w < len / 8; w++)
        buf[w] = pattern(seed, w);
    uint64_t base = (uint64_t)(uintptr_t)buf;
    if (write(reply_fd, &base, sizeof(base)) != sizeof(base))
        _exit(3);
    for (;;) {
        struct pollfd p = { cmd_fd, POLLIN, 0 };
        int r = poll(&p, 1, hot ? 0 : -1);
        if (r > 0) {
            char cmd;
            if (read(cmd_fd, &cmd, 1) != 1 || cmd == 'q')
                _exit(0);
            uint64_t sum = 0;
            for (size_t w = 0; w < len / 8; w++)
                sum += buf[w] * (w | 1);
            if (write(reply_fd, &sum, sizeof(sum)) != sizeof(sum))
                _exit(4);
            continue;
        }
        volatile uint64_t sink = 0;
        for (size_t w = 0; w < hot / 8; w += WORDS_PER_PAGE)
            sink += ((volatile uint64_t *)buf)[w];
        (void)sink;
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
}

/* fork(), or with at > 0 a fork whose child gets that very pid (clone3 set_tid: root,
 * Linux 5.5+): what a reused pid looks like. */
static pid_t fork_at(pid_t at)
{
    if (at <= 0)
        return fork();
    struct clone_args args;
    memset(&args, 0, sizeof(args));
    args.exit_signal = SIGCHLD;
    args.set_tid = (uint64_t)(uintptr_t)&at;
    args.set_tid_size = 1;
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

static int kchild_spawn(struct kchild *c, pid_t at, size_t len, size_t hot, unsigned seed,
                        bool thp)
{
    int cmd[2], reply[2];
    if (pipe2(cmd, O_CLOEXEC) || pipe2(reply, O_CLOEXEC))
        return -errno;
    memset(c, 0, sizeof(*c));
    c->len = len;
    c->hot = hot;
    c->seed = seed;
    c->pid = fork_at(at);
    if (c->pid < 0) {
        int err = -errno;
        close(cmd[0]), close(cmd[1]), close(reply[0]), close(reply[1]);
        c->pid = 0;
        return err;
    }
    if (c->pid == 0) {
        close(cmd[1]);
        close(reply[0]);
        child_main(cmd[0], reply[1], len, hot, seed, thp);
    }
    close(cmd[0]);
    close(reply[1]);
    c->cmd_fd = cmd[1];
    c->reply_fd = reply[0];
    if (read(c->reply_fd, &c->base, sizeof(c->base)) != sizeof(c->base)) {
        kchild_stop(c);
        return -EIO;
    }
    return 0;
}

int kchild_start(struct kchild *c, size_t len, size_t hot, unsigned seed)
{
    return kchild_spawn(c, 0, len, hot, seed, false);
}

int kchild_start_at(struct kchild *c, pid_t pid, size_t len, size_t hot, unsigned seed)
{
    return kchild_spawn(c, pid, len, hot, seed, false);
}

int kchild_start_thp(struct kchild *c, size_t len, size_t hot, unsigned seed)
{
    return kchild_spawn(c, 0, len, hot, seed, true);
}

int kchild_checksum(struct kchild *c, uint64_t *sum)
{
    if (write(c->cmd_fd, "c", 1) != 1)
        return -errno;
    return read(c->reply_fd, sum, sizeof(*sum)) == sizeof(*sum) ? 0 : -EIO;
}

void kchild_stop(struct kchild *c)
{
    if (c->pid <= 0)
        return;
    if (write(c->cmd_fd, "q", 1) != 1) { /* already gone: reaped below */ }
    for (int i = 0; i < 200; i++) {
        if (waitpid(c->pid, NULL, WNOHANG) == c->pid) {
            c->pid = 0;
            break;
        }
        struct timespec ts = { 0, 10000000 };
        nanosleep(&ts, NULL);
    }
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
        c->pid = 0;
    }
    close(c->cmd_fd);
    close(c->reply_fd);
}

int ktest_pagemap_count(pid_t pid, uint64_t start, size_t len, size_t *present, size_t *swapped)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    size_t n = len / 4096;
    uint64_t *e = calloc(n, 8);
    ssize_t r = pread(fd, e, n * 8, (off_t)(start / 4096 * 8));
    close(fd);
    if (r != (ssize_t)(n * 8)) {
        free(e);
        return -EIO;
    }
    *present = *swapped = 0;
    for (size_t i = 0; i < n; i++) {
        *present += e[i] >> 63 & 1;
        *swapped += e[i] >> 62 & 1;
    }
    free(e);
    return 0;
}

int ktest_smaps_kb(pid_t pid, uint64_t addr, const char *field, uint64_t *kb)
{
    char path[64], line[512];
    size_t flen = strlen(field);
    snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    bool in = false;
    int rc = -ENOENT;
    while (fgets(line, sizeof(line), f)) {
        unsigned long long s, e;
        if (sscanf(line, "%llx-%llx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' '))
            in = addr >= s && addr < e;
        else if (in && strncmp(line, field, flen) == 0 && line[flen] == ':') {
            *kb = strtoull(line + flen + 1, NULL, 10);
            rc = 0;
            break;
        }
    }
    fclose(f);
    return rc;
}

int ktest_smaps_swap_kb(pid_t pid, uint64_t addr, uint64_t *kb)
{
    return ktest_smaps_kb(pid, addr, "Swap", kb);
}
