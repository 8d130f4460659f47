/* SPDX-License-Identifier: MulanPSL-2.0 */
/* coldswap.c - an example etmem thirdparty policy: every `interval` seconds (the project's)
 * it scans each target process with the public scan library and pages out, with
 * process_madvise(MADV_PAGEOUT), every page that was not accessed in the last `idle_scans`
 * scans. Built against the installed etmem only (see Makefile and README.md).
 *
 * Private keys: [engine] idle_scans=N (1..1000, default 3); [task] swap_limit_mb=M (at most
 * M MiB paged out per process and scan, 0 = no limit, the default).
 * Command: `etmem engine showstats -n PROJECT -e ENGINE [-t TASK]`.
 *
 * Threads: etmemd calls the struct engine_ops members one at a time per library, each on a
 * thread of its own and with a time-out; start_task starts one worker thread per task and
 * stop_task stops and joins it (the worker checks for stop between bounded steps, so this
 * is quick). The statistics are shared with eng_mgt_func under the task's lock. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <etmemd_scan_export.h>
#include <etmemd_thirdparty_export.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define BATCH_IOV 64                    /* ranges per process_madvise call */
#define BATCH_BYTES (32ull << 20)       /* and bytes: stop is checked between batches */

struct cs_engine {
    int idle_scans;
};

/* A scanned page (or huge-page unit) and for how many scans in a row it was idle. */
struct cs_page {
    uint64_t addr;
    uint64_t len;
    unsigned idle;
};

struct cs_target {
    pid_t pid;
    int pidfd;
    bool primed;            /* the first scan only opens the observation window */
    bool seen;              /* still a target in this cycle */
    struct cs_page *pages;
    size_t nr_pages;
};

struct cs_stats {
    unsigned long long cycles, scanned, idle, paged_out;   /* pages; paged_out in bytes */
    int nr_targets;
    char last_error[160];
};

struct cs_task {
    unsigned long long swap_limit;      /* bytes per process and scan; 0: none */
    int idle_scans, interval;
    struct task *tk;
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;               /* stop flag and stats */
    pthread_cond_t cond;
    bool stop;
    struct cs_stats st;
    struct cs_target *targets;          /* the worker's own */
    size_t nr_targets;
};

static pthread_mutex_t scan_lib_lock = PTHREAD_MUTEX_INITIALIZER;
static bool scan_lib_inited;

static void cs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void cs_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("coldswap: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* An integer private key in [min, max], or def when absent; -1 when invalid. */
static long key_int(GKeyFile *config, const char *group, const char *key, long min, long max,
                    long def)
{
    char *text, *end;
    long v;

    if (!g_key_file_has_key(config, group, key, NULL))
        return def;
    text = g_key_file_get_string(config, group, key, NULL);
    errno = 0;
    v = text ? strtol(text, &end, 10) : 0;
    if (text == NULL || end == text || *end != '\0' || errno != 0 || v < min || v > max) {
        cs_log("[%s] %s=%s: want an integer in %ld..%ld", group, key, text ? text : "",
               min, max);
        v = -1;
    }
    g_free(text);
    return v;
}

static int cs_fill_eng(GKeyFile *config, struct engine *eng)
{
    long n = key_int(config, "engine", "idle_scans", 1, 1000, 3);
    struct cs_engine *ce;

    if (n < 0)
        return -1;
    ce = calloc(1, sizeof(*ce));
    if (ce == NULL)
        return -1;
    ce->idle_scans = (int)n;
    eng->params = ce;
    return 0;
}

static void cs_clear_eng(struct engine *eng)
{
    free(eng->params);
    eng->params = NULL;
}

static int cs_fill_task(GKeyFile *config, struct task *tk)
{
    long mb = key_int(config, "task", "swap_limit_mb", 0, 1L << 30, 0);
    struct cs_task *ct;

    if (mb < 0)
        return -1;
    ct = calloc(1, sizeof(*ct));
    if (ct == NULL)
        return -1;
    ct->swap_limit = (unsigned long long)mb << 20;
    ct->tk = tk;
    pthread_mutex_init(&ct->lock, NULL);
    pthread_cond_init(&ct->cond, NULL);
    tk->params = ct;
    return 0;
}

static void cs_clear_task(struct task *tk)
{
    struct cs_task *ct = tk->params;

    pthread_cond_destroy(&ct->cond);
    pthread_mutex_destroy(&ct->lock);
    free(ct);
    tk->params = NULL;
}

static void set_error(struct cs_task *ct, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(struct cs_task *ct, const char *fmt, ...)
{
    va_list ap;

    pthread_mutex_lock(&ct->lock);
    va_start(ap, fmt);
    vsnprintf(ct->st.last_error, sizeof(ct->st.last_error), fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&ct->lock);
}

static bool stopping(struct cs_task *ct)
{
    bool s;

    pthread_mutex_lock(&ct->lock);
    s = ct->stop;
    pthread_mutex_unlock(&ct->lock);
    return s;
}

/* Sleep up to secs; false when asked to stop. */
static bool nap(struct cs_task *ct, int secs)
{
    struct timespec until;
    bool s;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += secs;
    pthread_mutex_lock(&ct->lock);
    while (!ct->stop && pthread_cond_timedwait(&ct->cond, &ct->lock, &until) != ETIMEDOUT)
        ;
    s = ct->stop;
    pthread_mutex_unlock(&ct->lock);
    return !s;
}

/* The processes the task names now: its pid, or every process whose name is its value. */
static size_t find_targets(const struct task *tk, pid_t *out, size_t max)
{
    struct dirent *de;
    size_t n = 0;
    DIR *d;

    if (strcmp(tk->type, "pid") == 0) {
        char path[64];

        out[0] = (pid_t)atoi(tk->value);
        snprintf(path, sizeof(path), "/proc/%d", (int)out[0]);
        return out[0] > 0 && access(path, F_OK) == 0 ? 1 : 0;
    }
    d = opendir("/proc");
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL && n < max) {
        char path[300], comm[64] = "";
        FILE *f;

        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
        f = fopen(path, "re");
        if (f == NULL)
            continue;
        if (fgets(comm, sizeof(comm), f) != NULL)
            comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
        if (strcmp(comm, tk->value) == 0)
            out[n++] = (pid_t)atoi(de->d_name);
    }
    closedir(d);
    return n;
}

static struct cs_target *target_get(struct cs_task *ct, pid_t pid)
{
    struct cs_target *t;

    for (size_t i = 0; i < ct->nr_targets; i++) {
        if (ct->targets[i].pid == pid)
            return &ct->targets[i];
    }
    t = realloc(ct->targets, (ct->nr_targets + 1) * sizeof(*t));
    if (t == NULL)
        return NULL;
    ct->targets = t;
    t = &ct->targets[ct->nr_targets++];
    memset(t, 0, sizeof(*t));
    t->pid = pid;
    t->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    return t;
}

static void target_drop(struct cs_target *t)
{
    if (t->pidfd >= 0)
        close(t->pidfd);
    free(t->pages);
}

/* Fold one scan into t's pages: a page idle in this scan extends its idle run. */
static int fold_scan(struct cs_target *t, const struct page_refs *refs, uint64_t ps)
{
    size_t n = 0, j = 0;
    struct cs_page *pages;

    for (const struct page_refs *r = refs; r != NULL; r = r->next)
        n++;
    pages = calloc(n ? n : 1, sizeof(*pages));
    if (pages == NULL)
        return -1;
    n = 0;
    for (const struct page_refs *r = refs; r != NULL; r = r->next) {
        unsigned before = 0;

        while (j < t->nr_pages && t->pages[j].addr < r->addr)
            j++;
        if (j < t->nr_pages && t->pages[j].addr == r->addr)
            before = t->pages[j].idle;
        pages[n].addr = r->addr;
        pages[n].len = r->type == PMD_TYPE ? ps * (ps / 8) : ps;
        pages[n].idle = !t->primed ? 0 : r->count == 0 ? before + 1 : 0;
        n++;
    }
    free(t->pages);
    t->pages = pages;
    t->nr_pages = n;
    t->primed = true;
    return 0;
}

/* Page out the given ranges; returns the bytes the kernel took. process_madvise stops at
 * the first range it cannot advise (unmapped meanwhile): that one is skipped. */
static unsigned long long page_out(struct cs_task *ct, struct cs_target *t,
                                   const struct iovec *iov, size_t n)
{
    unsigned long long done = 0;
    size_t i = 0;

    while (i < n && !stopping(ct)) {
        size_t k = 0, adv = 0;
        unsigned long long bytes = 0, left;
        ssize_t rc;

        while (i + k < n && k < BATCH_IOV && bytes < BATCH_BYTES)
            bytes += iov[i + k++].iov_len;
        rc = syscall(SYS_process_madvise, t->pidfd, &iov[i], k, MADV_PAGEOUT, 0);
        if (rc < 0 && errno == ESRCH)
            break;
        if (rc < 0 && errno != ENOMEM && errno != EINVAL && errno != EFAULT) {
            set_error(ct, "process_madvise(pid %d): %s", (int)t->pid, strerror(errno));
            break;
        }
        left = rc < 0 ? 0 : (unsigned long long)rc;
        done += left;
        while (adv < k && left >= iov[i + adv].iov_len)
            left -= iov[i + adv++].iov_len;
        i += adv < k ? adv + 1 : adv;
    }
    return done;
}

/* Pages idle for idle_scans scans in a row, merged into ranges, within the limit. */
static size_t cold_ranges(struct cs_task *ct, struct cs_target *t, struct iovec **out,
                          unsigned long long *idle_pages)
{
    struct iovec *iov = calloc(t->nr_pages ? t->nr_pages : 1, sizeof(*iov));
    unsigned long long total = 0;
    size_t n = 0;

    *idle_pages = 0;
    if (iov == NULL)
        return 0;
    for (size_t i = 0; i < t->nr_pages; i++) {
        struct cs_page *p = &t->pages[i];

        if (p->idle < (unsigned)ct->idle_scans)
            continue;
        ++*idle_pages;
        if (ct->swap_limit && total + p->len > ct->swap_limit)
            continue;
        total += p->len;
        if (n > 0 && (uint64_t)iov[n - 1].iov_base + iov[n - 1].iov_len == p->addr) {
            iov[n - 1].iov_len += p->len;
        } else {
            iov[n].iov_base = (void *)(uintptr_t)p->addr;
            iov[n].iov_len = p->len;
            n++;
        }
        p->idle = 0;    /* gone to swap: it starts again if it comes back */
    }
    *out = iov;
    return n;
}

static void scan_target(struct cs_task *ct, struct cs_target *t, uint64_t ps)
{
    char pid[16];
    struct vmas *vmas;
    struct page_refs *refs = NULL;
    struct iovec *iov = NULL;
    unsigned long long idle = 0, out = 0;
    size_t n;

    snprintf(pid, sizeof(pid), "%d", (int)t->pid);
    vmas = etmemd_get_vmas(pid, NULL, 0, true);
    if (vmas == NULL) {
        set_error(ct, "pid %s: cannot read its memory map", pid);
        return;
    }
    if (etmemd_get_page_refs(vmas, pid, &refs, 0) != 0 || fold_scan(t, refs, ps) != 0) {
        set_error(ct, "pid %s: scan failed (see the system log)", pid);
        etmemd_free_page_refs(refs);
        etmemd_free_vmas(vmas);
        return;
    }
    etmemd_free_page_refs(refs);
    etmemd_free_vmas(vmas);
    n = cold_ranges(ct, t, &iov, &idle);
    if (n > 0 && t->pidfd >= 0)
        out = page_out(ct, t, iov, n);
    free(iov);
    pthread_mutex_lock(&ct->lock);
    ct->st.scanned += t->nr_pages;
    ct->st.idle += idle;
    ct->st.paged_out += out;
    pthread_mutex_unlock(&ct->lock);
}

static void *cs_worker(void *arg)
{
    struct cs_task *ct = arg;
    uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
    pid_t pids[256];

    do {
        size_t n = find_targets(ct->tk, pids, sizeof(pids) / sizeof(pids[0])), kept = 0;

        for (size_t i = 0; i < ct->nr_targets; i++)
            ct->targets[i].seen = false;
        for (size_t i = 0; i < n; i++) {
            struct cs_target *t = target_get(ct, pids[i]);

            if (t != NULL)
                t->seen = true;
        }
        for (size_t i = 0; i < ct->nr_targets; i++) {      /* forget processes gone */
            if (ct->targets[i].seen)
                ct->targets[kept++] = ct->targets[i];
            else
                target_drop(&ct->targets[i]);
        }
        ct->nr_targets = kept;
        pthread_mutex_lock(&ct->lock);
        ct->st.scanned = ct->st.idle = 0;
        ct->st.nr_targets = (int)kept;
        pthread_mutex_unlock(&ct->lock);
        for (size_t i = 0; i < ct->nr_targets && !stopping(ct); i++)
            scan_target(ct, &ct->targets[i], ps);
        pthread_mutex_lock(&ct->lock);
        ct->st.cycles++;
        pthread_mutex_unlock(&ct->lock);
    } while (nap(ct, ct->interval));
    for (size_t i = 0; i < ct->nr_targets; i++)
        target_drop(&ct->targets[i]);
    free(ct->targets);
    ct->targets = NULL;
    ct->nr_targets = 0;
    return NULL;
}

static int cs_start_task(struct engine *eng, struct task *tk)
{
    struct cs_task *ct = tk->params;
    const struct cs_engine *ce = eng->params;
    const struct project *proj = eng->proj;
    int rc;

    pthread_mutex_lock(&scan_lib_lock);
    if (!scan_lib_inited && etmemd_scan_init() == 0)
        scan_lib_inited = true;
    pthread_mutex_unlock(&scan_lib_lock);
    ct->idle_scans = ce->idle_scans;
    ct->interval = proj->type == PAGE_SCAN ? ((const struct page_scan *)proj->scan_param)->interval
                                           : 1;
    ct->stop = false;
    memset(&ct->st, 0, sizeof(ct->st));
    rc = pthread_create(&ct->thread, NULL, cs_worker, ct);
    if (rc != 0) {
        cs_log("task %s: cannot start its thread: %s", tk->name, strerror(rc));
        return -1;
    }
    ct->running = true;
    return 0;
}

static void cs_stop_task(struct engine *eng, struct task *tk)
{
    struct cs_task *ct = tk->params;

    if (!ct->running)
        return;
    pthread_mutex_lock(&ct->lock);
    ct->stop = true;
    pthread_cond_broadcast(&ct->cond);
    pthread_mutex_unlock(&ct->lock);
    pthread_join(ct->thread, NULL);
    ct->running = false;
}

static void show_task(int fd, const struct engine *eng, struct task *tk)
{
    struct cs_task *ct = tk->params;
    struct cs_stats st;

    pthread_mutex_lock(&ct->lock);
    st = ct->st;
    pthread_mutex_unlock(&ct->lock);
    dprintf(fd, "task %s: %s pids=%d cycles=%llu scanned_pages=%llu idle_pages=%llu "
            "paged_out=%.1fMiB idle_scans=%d last_error=%s\n", tk->name,
            ct->running ? "running" : "stopped", st.nr_targets, st.cycles, st.scanned, st.idle,
            (double)st.paged_out / (1 << 20), ((const struct cs_engine *)eng->params)->idle_scans,
            st.last_error[0] ? st.last_error : "-");
}

static int cs_mgt(struct engine *eng, struct task *tk, char *cmd, int fd)
{
    if (strcmp(cmd, "showstats") == 0) {
        for (struct task *t = eng->tasks; t != NULL; t = t->next) {
            if (tk == NULL || t == tk)
                show_task(fd, eng, t);
        }
        return 0;
    }
    dprintf(fd, "coldswap: unknown command '%s'; commands: showstats\n", cmd);
    return -1;
}

__attribute__((destructor)) static void cs_unload(void)
{
    if (scan_lib_inited)
        etmemd_scan_exit();
}

struct engine_ops coldswap_ops = {
    .fill_eng_params = cs_fill_eng,
    .clear_eng_params = cs_clear_eng,
    .fill_task_params = cs_fill_task,
    .clear_task_params = cs_clear_task,
    .start_task = cs_start_task,
    .stop_task = cs_stop_task,
    .eng_mgt_func = cs_mgt,
};
