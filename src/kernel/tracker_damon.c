/* tracker_damon.c - DAMON virtual-address monitoring through sysfs. The daemon creates
 * and owns ONE kdamond (one context, one target: one tracked process at a time), with a
 * "stat" scheme whose access pattern is widened to match every region, and reads the
 * regions' nr_accesses through update_schemes_tried_regions. It never touches kdamonds it
 * did not create: it only changes nr_kdamonds from 0 and back to 0, and refuses when any
 * other kdamond exists. Every write first checks that DAMON vaddr is available and that
 * the kdamond is ours, so on a host without vaddr (whose DAMON belongs to someone else)
 * nothing is ever written. DAMON cannot tell writes from reads; its nr_accesses covers
 * the last aggregation interval before the sample. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heatmap.h"
#include "log.h"
#include "pagemap.h"
#include "pagemap_weigh.h"
#include "probe_internal.h"
#include "proc.h"
#include "tracker_common.h"
#include "xalloc.h"

#define KD "kernel/mm/damon/admin/kdamonds"
#define CTX KD "/0/contexts/0"
#define SCHEME CTX "/schemes/0"

/* Process-global ownership: DAMON sysfs is one global object. */
static pthread_mutex_t damon_lock = PTHREAD_MUTEX_INITIALIZER;
static bool damon_owned;    /* we created kdamond 0 (nr_kdamonds went 0 -> 1 by us) */
static bool damon_verified; /* vaddr availability checked before our first write */
static pid_t damon_target;

struct tracker {
    pid_t pid;
    struct scan_opts_copy opts;
    struct vma_list vmas;
    struct pagemap pm;
};

static bool damon_usable(const struct kernel_caps *caps, char *why, size_t len)
{
    if (!kernel_require(caps, why, len, 1, KF_DAMON_VADDR))
        return false;
    if (caps->damon_nr_kdamonds > 0) {
        snprintf(why, len, "%d kdamond(s) already exist that etmemd did not create; DAMON is "
                 "left to its owner", caps->damon_nr_kdamonds);
        return false;
    }
    return true;
}

/* The only function that writes under /sys/kernel/mm/damon. Caller holds damon_lock. */
static int damon_write(const char *rel, const char *val)
{
    char path[512];
    bool creating = strcmp(rel, KD "/nr_kdamonds") == 0;

    if (!damon_verified || (!damon_owned && !creating)) {
        log_err("DAMON: refusing to write %s: %s", rel,
                damon_verified ? "kdamond not ours" : "vaddr availability not verified");
        return -EPERM;
    }
    if (sys_path(path, sizeof(path), "%s", rel))
        return -ENAMETOOLONG;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = strlen(val);
    ssize_t w = write(fd, val, len);
    int err = w < 0 ? -errno : (size_t)w != len ? -EIO : 0;
    close(fd);
    if (err)
        log_debug("DAMON: write '%s' to %s: %s", val, rel, strerror(-err));
    return err;
}

static int damon_write_u64(const char *rel, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    return damon_write(rel, buf);
}

static int damon_read_u64(const char *rel, uint64_t *v)
{
    char path[512];
    if (sys_path(path, sizeof(path), "%s", rel))
        return -ENAMETOOLONG;
    return file_read_u64(path, v);
}

/* Turn our kdamond off and remove it. Caller holds damon_lock. */
static void damon_teardown(void)
{
    char state[32] = "", path[512];
    if (!damon_owned)
        return;
    sys_path(path, sizeof(path), KD "/0/state");
    if (file_read_line(path, state, sizeof(state)) == 0 && strcmp(state, "on") == 0)
        damon_write(KD "/0/state", "off");
    if (damon_write(KD "/nr_kdamonds", "0") == 0)
        damon_owned = false;
    else
        log_err("DAMON: could not remove the kdamond etmemd created");
}

static int damon_configure(pid_t pid, const struct damon_attrs *a)
{
    char ops[256], path[512];
    uint64_t nr_acc_max = a->sample_us ? a->aggr_us / a->sample_us + 1 : 1000;
    const struct {
        const char *rel;
        uint64_t val;
    } nums[] = {
        { CTX "/monitoring_attrs/intervals/sample_us", a->sample_us },
        { CTX "/monitoring_attrs/intervals/aggr_us", a->aggr_us },
        { CTX "/monitoring_attrs/intervals/update_us", a->update_us },
        { CTX "/monitoring_attrs/nr_regions/min", a->min_nr_regions },
        { CTX "/monitoring_attrs/nr_regions/max", a->max_nr_regions },
        { CTX "/targets/nr_targets", 1 },
        { CTX "/targets/0/pid_target", (uint64_t)pid },
        { CTX "/schemes/nr_schemes", 1 },
        /* defaults are min=max=0, which match nothing: widen every max */
        { SCHEME "/access_pattern/sz/max", UINT64_MAX },
        { SCHEME "/access_pattern/nr_accesses/max", nr_acc_max },
        { SCHEME "/access_pattern/age/max", UINT32_MAX },
    };
    int rc = damon_write_u64(KD "/0/contexts/nr_contexts", 1);
    if (rc)
        return rc;
    /* our own context can now be asked directly */
    sys_path(path, sizeof(path), CTX "/avail_operations");
    if (file_read_line(path, ops, sizeof(ops)) == 0 && !strstr(ops, "vaddr")) {
        log_err("DAMON: avail_operations '%s' lacks vaddr", ops);
        return -EOPNOTSUPP;
    }
    if ((rc = damon_write(CTX "/operations", "vaddr")) != 0)
        return rc;
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
        if ((rc = damon_write_u64(nums[i].rel, nums[i].val)) != 0)
            return rc;
    if ((rc = damon_write(SCHEME "/action", "stat")) != 0)
        return rc;
    return damon_write(KD "/0/state", "on");
}

static void damon_close(struct tracker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&damon_lock);
    damon_teardown();
    damon_target = 0;
    pthread_mutex_unlock(&damon_lock);
    pagemap_close(&t->pm);
    vma_list_free(&t->vmas);
    scan_opts_copy_free(&t->opts);
    free(t);
}

static struct tracker *damon_open(pid_t pid, const struct scan_opts *opts, int *err)
{
    char why[KERNEL_DETAIL_LEN];
    uint64_t nr;

    if (kill(pid, 0) < 0 && errno == ESRCH) {
        *err = -ESRCH;
        return NULL;
    }
    pthread_mutex_lock(&damon_lock);
    if (damon_target) {
        log_err("DAMON tracker already monitors pid %d (one target per daemon)", (int)damon_target);
        *err = -EBUSY;
        goto unlock;
    }
    if (!damon_vaddr_available(why, sizeof(why))) {
        log_err("DAMON tracker: %s", why);
        *err = -EOPNOTSUPP;
        goto unlock;
    }
    damon_verified = true;
    if ((*err = damon_read_u64(KD "/nr_kdamonds", &nr)) != 0)
        goto unlock;
    if (nr != 0) {
        /* we remove ours on close, so any kdamond here belongs to someone else */
        log_err("DAMON: refusing to touch %" PRIu64 " kdamond(s) etmemd did not create", nr);
        *err = -EBUSY;
        goto unlock;
    }
    if ((*err = damon_write(KD "/nr_kdamonds", "1")) != 0)
        goto unlock;
    damon_owned = true;
    if ((*err = damon_configure(pid, &opts->damon)) != 0) {
        damon_teardown();
        if (kill(pid, 0) < 0 && errno == ESRCH)
            *err = -ESRCH; /* it exited while we set up: "on" was refused for that */
        goto unlock;
    }
    damon_target = pid;
    pthread_mutex_unlock(&damon_lock);

    struct tracker *t = xcalloc(1, sizeof(*t));
    t->pid = pid;
    t->pm.fd = -1;
    scan_opts_copy_init(&t->opts, opts);
    if ((*err = pagemap_open(&t->pm, pid)) != 0) {
        damon_close(t);
        return NULL;
    }
    return t;
unlock:
    pthread_mutex_unlock(&damon_lock);
    return NULL;
}

static int damon_prime(struct tracker *t)
{
    return 0; /* DAMON monitors continuously from open() on */
}

/* Weigh one DAMON region, clipped to the filtered VMAs. */
static int damon_region(struct tracker *t, uint64_t start, uint64_t end, unsigned w,
                        struct heat_map *hm, struct scan_stats *st)
{
    for (size_t i = 0; i < t->vmas.n; i++) {
        const struct vma_entry *v = &t->vmas.v[i];
        uint64_t s = start > v->start ? start : v->start, e = end < v->end ? end : v->end;
        if (s >= e)
            continue;
        int rc = pagemap_weigh_range(&t->pm, hm, st, s, e, w, NULL);
        if (rc)
            return rc;
    }
    return 0;
}

/* Weigh every region listed under tried_regions; *seen gets how many there were. */
static int damon_read_regions(struct tracker *t, struct heat_map *hm, struct scan_stats *st,
                              size_t *seen)
{
    char path[512];
    sys_path(path, sizeof(path), SCHEME "/tried_regions");
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    struct dirent *de;
    int rc = 0;
    *seen = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        static const char *const fields[] = { "start", "end", "nr_accesses" };
        uint64_t v[3];
        size_t got = 0;
        if (de->d_name[0] < '0' || de->d_name[0] > '9' || strlen(de->d_name) > 32)
            continue;
        for (; got < 3; got++) {
            char rel[128];
            snprintf(rel, sizeof(rel), SCHEME "/tried_regions/%.32s/%s", de->d_name, fields[got]);
            if (damon_read_u64(rel, &v[got]))
                break;
        }
        st->syscalls += got;
        if (got == 3) {
            (*seen)++;
            rc = damon_region(t, v[0], v[1], v[2] ? HEAT_W_ACCESS : HEAT_W_IDLE, hm, st);
        }
    }
    closedir(d);
    return rc;
}

static int damon_sample(struct tracker *t, struct heat_map *hm, struct scan_stats *st)
{
    int rc = tracker_read_vmas(t->pid, &t->opts.o, VMA_SRC_MAPS, &t->vmas);
    if (rc)
        return rc == -ENOENT ? -ESRCH : rc;
    st->vmas += t->vmas.n;
    /* The kernel may answer the update before the scheme was applied once in the new
     * round, leaving the list empty: ask again after an aggregation interval. */
    size_t seen = 0;
    for (int attempt = 0; attempt < 3 && rc == 0 && seen == 0; attempt++) {
        if (attempt) {
            struct timespec ts = { (time_t)(t->opts.o.damon.aggr_us / 1000000),
                                   (long)(t->opts.o.damon.aggr_us % 1000000) * 1000 };
            nanosleep(&ts, NULL);
        }
        pthread_mutex_lock(&damon_lock);
        rc = damon_write(KD "/0/state", "update_schemes_tried_regions");
        pthread_mutex_unlock(&damon_lock);
        if (rc)
            return rc == -EINVAL ? -ESRCH : rc; /* kdamond stopped: the target exited */
        rc = damon_read_regions(t, hm, st, &seen);
    }
    if (rc == 0 && seen == 0)
        log_warn("DAMON: no regions reported for pid %d", (int)t->pid);
    st->bytes_read += t->pm.bytes_read;
    st->syscalls += t->pm.syscalls;
    t->pm.bytes_read = t->pm.syscalls = 0;
    return rc;
}

const struct tracker_ops tracker_damon_ops = {
    .name = "damon",
    .summary = "DAMON vaddr via sysfs (own kdamond): per region, reads+writes as one, low cost",
    .per_page = false,
    .sees_writes = false,
    .usable = damon_usable,
    .open = damon_open,
    .prime = damon_prime,
    .sample = damon_sample,
    .close = damon_close,
};
