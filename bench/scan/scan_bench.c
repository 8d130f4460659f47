/* SPDX-License-Identifier: MulanPSL-2.0 */
/* scan_bench.c - cost of each tracker and action of the kernel layer, as ratios to a bare
 * loop over the same kernel interface measured in the same run (not a test: no timing
 * assertions). A child maps SIZE MiB (10% kept hot), then for each usable backend:
 *   trackers: ns per tracked page of one sample vs the bare interface loop
 *             (pagemap pread; page_idle: pagemap + bitmap pwrite/pread; fallback:
 *             clear_refs + smaps read + pagemap pread; damon: update_schemes_tried_regions
 *             + reading the regions, on the tracker's own kdamond);
 *   actions:  pages/s of reclaim (MADV_PAGEOUT) and migrate (move_pages) vs a bare
 *             process_madvise / move_pages loop on the same pages.
 * usage: scan_bench [SIZE_MiB=256] [REPEATS=3] */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "heatmap.h"
#include "pagemap.h"
#include "probe.h"
#include "proc.h"
#include "ratelimit.h"
#include "sys_compat.h"
#include "tracker.h"

struct target {
    pid_t pid;
    int cmd_fd, reply_fd;
    uint64_t base;
    size_t len;
};

static void target_main(int cmd_fd, int reply_fd, size_t len)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        _exit(2);
    madvise(buf, len, MADV_NOHUGEPAGE);
    for (size_t i = 0; i < len; i += 8)
        *(uint64_t *)(buf + i) = (i & 8) ? i * 0x9e3779b97f4a7c15ull : 7;
    uint64_t base = (uint64_t)(uintptr_t)buf;
    if (write(reply_fd, &base, sizeof(base)) != sizeof(base))
        _exit(3);
    for (;;) {
        char c;
        struct timespec ts = { 0, 2000000 };
        int fl = fcntl(cmd_fd, F_GETFL);
        fcntl(cmd_fd, F_SETFL, fl | O_NONBLOCK);
        ssize_t r = read(cmd_fd, &c, 1);
        if (r == 0 || (r == 1 && c == 'q'))
            _exit(0);
        if (r == 1 && c == 't') { /* touch everything: fault it all back in */
            volatile char s = 0;
            for (size_t i = 0; i < len; i += 4096)
                s += buf[i];
            (void)s;
            if (write(reply_fd, &c, 1) != 1)
                _exit(4);
        }
        volatile char s = 0; /* the hot tenth */
        for (size_t i = 0; i < len / 10; i += 4096)
            s += buf[i];
        nanosleep(&ts, NULL);
    }
}

static int target_start(struct target *t, size_t len)
{
    int cmd[2], reply[2];
    if (pipe(cmd) || pipe(reply))
        return -1;
    t->len = len;
    t->pid = fork();
    if (t->pid == 0) {
        close(cmd[1]);
        close(reply[0]);
        target_main(cmd[0], reply[1], len);
    }
    close(cmd[0]);
    close(reply[1]);
    t->cmd_fd = cmd[1];
    t->reply_fd = reply[0];
    return read(t->reply_fd, &t->base, sizeof(t->base)) == sizeof(t->base) ? 0 : -1;
}

static void target_touch(struct target *t)
{
    char c = 't';
    if (write(t->cmd_fd, &c, 1) != 1 || read(t->reply_fd, &c, 1) != 1)
        fprintf(stderr, "target did not answer\n");
}

static void target_stop(struct target *t)
{
    if (write(t->cmd_fd, "q", 1) != 1)
        kill(t->pid, SIGKILL);
    waitpid(t->pid, NULL, 0);
}

/* ---- bare loops ---- */

static uint64_t bare_pagemap(pid_t pid, uint64_t base, size_t len, uint64_t *pfns, size_t *npfn)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
    int fd = open(path, O_RDONLY);
    uint64_t *e = malloc(PAGEMAP_BATCH * 8), pages = 0;
    *npfn = 0;
    for (uint64_t a = base; a < base + len; a += PAGEMAP_BATCH * 4096ull) {
        size_t n = (base + len - a) / 4096 < PAGEMAP_BATCH ? (base + len - a) / 4096 : PAGEMAP_BATCH;
        ssize_t r = pread(fd, e, n * 8, (off_t)(a / 4096 * 8));
        for (ssize_t i = 0; i < r / 8; i++, pages++)
            if (pfns && (e[i] >> 63))
                pfns[(*npfn)++] = e[i] & PM_PFN_MASK;
    }
    free(e);
    close(fd);
    return pages;
}

/* mark our PFNs idle then read them back: one 8-byte pwrite+pread per PFN word run */
static void bare_page_idle(const uint64_t *pfns, size_t n)
{
    int fd = open("/sys/kernel/mm/page_idle/bitmap", O_RDWR);
    if (fd < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        uint64_t w = 1ull << (pfns[i] % 64), v;
        if (pwrite(fd, &w, 8, (off_t)(pfns[i] / 64 * 8)) != 8 ||
            pread(fd, &v, 8, (off_t)(pfns[i] / 64 * 8)) != 8)
            break;
    }
    close(fd);
}

static void bare_clear_refs_smaps(pid_t pid)
{
    char path[64], buf[65536];
    snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
    int fd = open(path, O_WRONLY);
    if (fd >= 0) {
        if (write(fd, "1", 1) != 1)
            perror("clear_refs");
        close(fd);
    }
    snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
    fd = open(path, O_RDONLY);
    while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
        ;
    if (fd >= 0)
        close(fd);
}

/* ---- trackers ---- */

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The DAMON interface without the tracker: ask the kdamond the tracker created (and owns
 * while open) for its regions and read them. Only ever called with that tracker open. */
static double bare_damon(uint64_t pages)
{
    static const char kd[] = "/sys/kernel/mm/damon/admin/kdamonds/0";
    char path[256], buf[64];
    uint64_t t0 = monotonic_ns();
    snprintf(path, sizeof(path), "%s/state", kd);
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, "update_schemes_tried_regions", 28) != 28)
        perror("damon state");
    if (fd >= 0)
        close(fd);
    for (int i = 0;; i++) {
        static const char *const f[] = { "start", "end", "nr_accesses" };
        int k = 0;
        for (; k < 3; k++) {
            snprintf(path, sizeof(path), "%s/contexts/0/schemes/0/tried_regions/%d/%s", kd, i, f[k]);
            if (file_read_line(path, buf, sizeof(buf)) != 0)
                break;
        }
        if (k < 3)
            break;
    }
    return (double)(monotonic_ns() - t0) / (double)pages;
}

static void bench_tracker(const struct tracker_ops *ops, struct target *t, int reps,
                          double bare_ns)
{
    struct scan_opts o;
    scan_opts_default(&o);
    int err;
    struct tracker *tr = ops->open(t->pid, &o, &err);
    if (!tr) {
        printf("  %-11s open failed: %s\n", ops->name, strerror(-err));
        return;
    }
    ops->prime(tr);
    double best = 1e30, best_cpu = 1e30;
    uint64_t pages = 0;
    size_t hm_bytes = 0;
    for (int r = 0; r < reps; r++) {
        struct timespec ts = { 0, 200000000 };
        nanosleep(&ts, NULL);
        struct heat_map *hm = heat_map_new();
        struct scan_stats st = { 0 };
        uint64_t t0 = monotonic_ns(), c0 = cpu_ns();
        int rc = ops->sample(tr, hm, &st);
        double ns = (double)(monotonic_ns() - t0), cpu = (double)(cpu_ns() - c0);
        if (rc == 0 && st.pages && cpu / (double)st.pages < best_cpu)
            best_cpu = cpu / (double)st.pages;
        if (rc == 0 && st.pages && ns / (double)st.pages < best) {
            best = ns / (double)st.pages;
            pages = st.pages;
            hm_bytes = heat_map_bytes(hm);
        }
        heat_map_free(hm);
        if (ops == &tracker_damon_ops && rc == 0 && st.pages) {
            double b = bare_damon(st.pages);
            bare_ns = r == 0 || b < bare_ns ? b : bare_ns;
        }
    }
    ops->close(tr);
    printf("  %-11s %9.1f ns/page (cpu %7.1f)   bare %9.1f ns/page   ratio %5.2f   (%llu pages; "
           "heat map %.3f%% of tracked memory)\n", ops->name, best, best_cpu, bare_ns,
           best / bare_ns, (unsigned long long)pages,
           100.0 * (double)hm_bytes / ((double)pages * 4096));
}

/* ---- actions ---- */

static double bare_pageout(pid_t pid, uint64_t base, size_t len)
{
    int pidfd = sys_pidfd_open(pid);
    struct iovec iov = { (void *)(uintptr_t)base, len };
    uint64_t t0 = monotonic_ns();
    if (sys_process_madvise(pidfd, &iov, 1, MADV_PAGEOUT) < 0)
        perror("process_madvise");
    double s = (double)(monotonic_ns() - t0) / 1e9;
    close(pidfd);
    return (double)(len / 4096) / s;
}

static double bare_move(pid_t pid, uint64_t base, size_t len, int node)
{
    size_t n = len / 4096;
    void **pages = malloc(n * sizeof(*pages));
    int *nodes = malloc(n * sizeof(int)), *status = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        pages[i] = (void *)(uintptr_t)(base + i * 4096);
        nodes[i] = node;
    }
    uint64_t t0 = monotonic_ns();
    if (sys_move_pages(pid, n, pages, nodes, status, MPOL_MF_MOVE) < 0)
        perror("move_pages");
    double s = (double)(monotonic_ns() - t0) / 1e9;
    free(pages);
    free(nodes);
    free(status);
    return (double)n / s;
}

static void bench_reclaim(const struct kernel_caps *caps, struct target *t, int reps)
{
    char why[256];
    const struct reclaim_ops *ops = reclaim_select(caps, NULL, why, sizeof(why));
    if (!ops || caps->swap_total_kb == 0) {
        printf("  reclaim     skipped: %s\n", ops ? "no swap" : why);
        return;
    }
    double best_ops = 0, best_bare = 0;
    for (int r = 0; r < reps; r++) {
        target_touch(t);
        int err;
        struct proc_identity id;
        if (proc_identity_get(t->pid, &id) != 0)
            break;
        struct reclaimer *rc = ops->open(&id, NULL, &err);
        struct page_range pr = { t->base, t->len };
        struct action_counters c = { 0 };
        uint64_t t0 = monotonic_ns();
        ops->reclaim(rc, &pr, 1, &c);
        double pps = (double)c.pages_done / ((double)(monotonic_ns() - t0) / 1e9);
        ops->close(rc);
        best_ops = pps > best_ops ? pps : best_ops;
        target_touch(t);
        double b = bare_pageout(t->pid, t->base, t->len);
        best_bare = b > best_bare ? b : best_bare;
    }
    printf("  reclaim %-7s %9.0f pages/s   bare process_madvise %9.0f pages/s   ratio %5.2f\n",
           ops->name, best_ops, best_bare, best_ops / best_bare);
}

static void bench_migrate(const struct kernel_caps *caps, struct target *t, int reps)
{
    char why[256];
    const struct migrate_ops *ops = migrate_select(caps, NULL, why, sizeof(why));
    int node = caps->nr_nodes > 1 ? caps->nodes[caps->nr_nodes - 1].id : 0;
    if (!ops)
        ops = &migrate_move_pages_ops; /* one node: measure the call on a same-node move */
    size_t n = t->len / 4096;
    uint64_t *pages = malloc(n * 8);
    for (size_t i = 0; i < n; i++)
        pages[i] = t->base + i * 4096;
    double best_ops = 0, best_bare = 0;
    for (int r = 0; r < reps; r++) {
        target_touch(t);
        int err;
        struct proc_identity id;
        if (proc_identity_get(t->pid, &id) != 0)
            break;
        struct migrator *m = ops->open(&id, NULL, &err);
        struct action_counters c = { 0 };
        uint64_t t0 = monotonic_ns();
        ops->move(m, pages, n, node, &c);
        double pps = (double)c.pages_tried / ((double)(monotonic_ns() - t0) / 1e9);
        if (node != 0)
            ops->move(m, pages, n, 0, &c); /* back for the bare loop */
        ops->close(m);
        best_ops = pps > best_ops ? pps : best_ops;
        double b = bare_move(t->pid, t->base, t->len, node);
        if (node != 0)
            bare_move(t->pid, t->base, t->len, 0);
        best_bare = b > best_bare ? b : best_bare;
    }
    free(pages);
    printf("  migrate %-7s %9.0f pages/s   bare move_pages %9.0f pages/s   ratio %5.2f   (%s)\n",
           ops->name, best_ops, best_bare, best_ops / best_bare,
           node ? "to the last node and back" : "single node: same-node call cost only");
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    struct kernel_caps caps;
    kernel_probe(&caps);
    struct target t;
    if (target_start(&t, mib << 20) != 0) {
        fprintf(stderr, "cannot start the target\n");
        return 1;
    }
    printf("kernel %s, target %zu MiB (%zu pages), best of %d\n", caps.release, mib,
           (mib << 20) / 4096, reps);

    /* bare loops over the kernel interfaces */
    size_t npfn = 0;
    uint64_t *pfns = malloc((mib << 20) / 4096 * 8);
    double pm_ns = 1e30, pi_ns = 1e30, fb_ns = 1e30;
    for (int r = 0; r < reps; r++) {
        uint64_t t0 = monotonic_ns();
        uint64_t pages = bare_pagemap(t.pid, t.base, t.len, pfns, &npfn);
        double ns = (double)(monotonic_ns() - t0) / (double)pages;
        pm_ns = ns < pm_ns ? ns : pm_ns;
        if (kernel_has(&caps, KF_PAGE_IDLE)) {
            t0 = monotonic_ns();
            bare_pagemap(t.pid, t.base, t.len, pfns, &npfn);
            bare_page_idle(pfns, npfn);
            ns = (double)(monotonic_ns() - t0) / (double)pages;
            pi_ns = ns < pi_ns ? ns : pi_ns;
        }
        t0 = monotonic_ns();
        bare_clear_refs_smaps(t.pid);
        bare_pagemap(t.pid, t.base, t.len, NULL, &npfn);
        ns = (double)(monotonic_ns() - t0) / (double)pages;
        fb_ns = ns < fb_ns ? ns : fb_ns;
    }
    free(pfns);
    printf("bare loops: pagemap %.1f ns/page; page_idle (pagemap + per-PFN pwrite/pread) %s; "
           "clear_refs+smaps+pagemap %.1f ns/page\n", pm_ns,
           pi_ns < 1e29 ? "measured" : "n/a", fb_ns);
    printf("trackers (one sample after a 200 ms window; wall ns/page, and this thread's cpu):\n");
    char why[256];
    for (size_t i = 0; tracker_registry[i]; i++) {
        const struct tracker_ops *ops = tracker_registry[i];
        if (!ops->usable(&caps, why, sizeof(why))) {
            printf("  %-11s unavailable: %s\n", ops->name, why);
            continue;
        }
        double bare = ops == &tracker_page_idle_ops ? pi_ns
                      : ops == &tracker_fallback_ops ? fb_ns : pm_ns;
        bench_tracker(ops, &t, reps, bare);
    }
    printf("actions (whole target each time):\n");
    bench_reclaim(&caps, &t, reps);
    bench_migrate(&caps, &t, reps);
    target_stop(&t);
    return 0;
}
