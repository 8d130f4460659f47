/* SPDX-License-Identifier: MulanPSL-2.0 */
/* ktest_swap.c - make swap available for host tests. Policy: use the swap the host has;
 * only if it has none at all, set up /dev/zram0 (1 GiB, the kernel's default compressor)
 * under a lock and leave it on (removing it could pull swap from under a concurrent test,
 * and the host's own reclaim may have moved pages there). */
#include "ktest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/swap.h>
#include <unistd.h>

#define ZRAM_SIZE "1G"
#define MIN_FREE_KB (128 * 1024)

/* -1: unreadable; else total free swap kB; *devices gets the count */
static long long swap_free_kb(int *devices)
{
    FILE *f = fopen("/proc/swaps", "r");
    char line[512];
    long long free_kb = 0;
    *devices = 0;
    if (!f)
        return -1;
    if (!fgets(line, sizeof(line), f)) { /* header */
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char name[256], type[32];
        long long size, used;
        if (sscanf(line, "%255s %31s %lld %lld", name, type, &size, &used) == 4) {
            free_kb += size - used;
            (*devices)++;
        }
    }
    fclose(f);
    return free_kb;
}

static bool sysfs_write(const char *path, const char *val)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return false;
    bool ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
    close(fd);
    return ok;
}

bool ktest_swap_ensure(char *why, size_t len)
{
    int devices;
    long long free_kb = swap_free_kb(&devices);
    if (devices > 0) {
        if (free_kb >= MIN_FREE_KB)
            return true;
        snprintf(why, len, "swap exists but only %lld kB free", free_kb);
        return false;
    }
    if (geteuid() != 0) {
        snprintf(why, len, "no swap and not root: cannot set up zram");
        return false;
    }
    int lock = open("/run/etmem-test-zram.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (lock < 0 || flock(lock, LOCK_EX) < 0) {
        snprintf(why, len, "no swap; zram lock: %s", strerror(errno));
        if (lock >= 0)
            close(lock);
        return false;
    }
    bool ok = false;
    char size[64] = "";
    FILE *f = fopen("/sys/block/zram0/disksize", "r");
    if (swap_free_kb(&devices) >= MIN_FREE_KB && devices > 0) {
        ok = true; /* someone set it up while we waited */
    } else if (!f || !fgets(size, sizeof(size), f)) {
        snprintf(why, len, "no swap and no /dev/zram0 to set up");
    } else if (atoll(size) != 0) {
        snprintf(why, len, "no swap; /dev/zram0 is configured (disksize %s) but not swap: "
                 "not ours to touch", strtok(size, "\n"));
    } else if (!sysfs_write("/sys/block/zram0/disksize", ZRAM_SIZE)) {
        snprintf(why, len, "no swap; cannot size /dev/zram0: %s", strerror(errno));
    } else if (system("mkswap /dev/zram0 >/dev/null 2>&1") != 0) {
        snprintf(why, len, "no swap; mkswap /dev/zram0 failed");
    } else if (swapon("/dev/zram0", SWAP_FLAG_PREFER | (100 << SWAP_FLAG_PRIO_SHIFT)) < 0) {
        snprintf(why, len, "no swap; swapon /dev/zram0: %s", strerror(errno));
    } else {
        fprintf(stderr, "ktest: set up /dev/zram0 (%s) as swap; it is left on\n", ZRAM_SIZE);
        ok = true;
    }
    if (f)
        fclose(f);
    flock(lock, LOCK_UN);
    close(lock);
    return ok;
}
