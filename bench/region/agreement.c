/* SPDX-License-Identifier: MulanPSL-2.0 */
/* agreement.c - how far the user-space region monitor over page_idle agrees with the
 * kernel's DAMON on one process, and what each costs. Both region sources watch the same
 * process with the same attributes, one after the other (two sources at once would clear
 * each other's accessed bits): kernel DAMON first (etmemd's own kdamond), then the
 * user-space monitor. After WARMUP aggregations each takes ROUNDS snapshots; a page is hot
 * in a snapshot when its region's last aggregation found it accessed at least once (slide's
 * T=1), cold otherwise. Printed: the share of the pages of [HOT_START, COLD_END) both call
 * the same, per pair of snapshots (the i-th of each; mean and lowest); each source against
 * the truth (the exerciser's hot part is read all the time, its cold part never); the CPU
 * per aggregation: this process's (the region source's user-space work) and, for DAMON,
 * the kdamond thread's. Needs root, page_idle and DAMON vaddr with no other kdamond
 * (exit 77 otherwise).
 * usage: region_agreement PID HOT_START-HOT_END COLD_START-COLD_END [--sample-us N]
 *                         [--aggr-us N] [--warmup N] [--rounds N]
 * (the ranges as etmem-exerciser's ready line prints them) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "region_monitor.h"
#include "region_tracker.h"
#include "tracker.h"

#define MAX_ROUNDS 64

enum verdict { V_NONE, V_COLD, V_HOT };

struct run {
    const struct tracker_ops *ops;
    uint8_t *snap[MAX_ROUNDS]; /* per page of the range: enum verdict */
    double cpu_self, cpu_kdamond; /* seconds over the recorded rounds */
    uint64_t regions;             /* summed over the recorded rounds */
};

struct range {
    uint64_t start, end;
};

static bool parse_range(const char *s, struct range *r)
{
    char *end;
    r->start = strtoull(s, &end, 0);
    if (*end != '-')
        return false;
    r->end = strtoull(end + 1, &end, 0);
    return *end == '\0' && r->start < r->end;
}

static double cpu_of_self(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime + stime of etmemd's kdamond thread, in seconds; 0 when there is none. */
static double cpu_of_kdamond(void)
{
    char path[64], buf[1024];
    unsigned long long pid = 0, ut = 0, st = 0;
    FILE *f = fopen("/sys/kernel/mm/damon/admin/kdamonds/0/pid", "r");
    if (f == NULL)
        return 0;
    int got = fscanf(f, "%llu", &pid);
    fclose(f);
    if (got != 1 || pid == 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%llu/stat", pid);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    char *line = fgets(buf, sizeof(buf), f);
    fclose(f);
    char *p = line ? strrchr(line, ')') : NULL; /* the comm may hold blanks */
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                            &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void snapshot(uint8_t *v, const struct range *all, long ps, const struct mon_region *r,
                     size_t n)
{
    size_t pages = (all->end - all->start) / (uint64_t)ps;
    memset(v, V_NONE, pages);
    for (size_t i = 0; i < n; i++) {
        uint64_t s = r[i].start > all->start ? r[i].start : all->start;
        uint64_t e = r[i].end < all->end ? r[i].end : all->end;
        uint8_t verdict = region_is_idle(&r[i]) ? V_COLD : V_HOT;
        for (uint64_t a = s; a < e; a += (uint64_t)ps)
            v[(a - all->start) / (uint64_t)ps] = verdict;
    }
}

/* Watch pid with one source until warmup + rounds aggregations are done. */
static int watch(struct run *run, pid_t pid, const struct scan_opts *o, const struct range *all,
                 long ps, int warmup, int rounds)
{
    int err = 0, done = 0;
    struct tracker *t = run->ops->open(pid, o, &err);
    if (t == NULL) {
        fprintf(stderr, "%s: open: %s\n", run->ops->name, strerror(-err));
        return -1;
    }
    double self0 = 0, kd0 = 0;
    time_t deadline = time(NULL) + 30 +
                      (time_t)((warmup + rounds) * 4 * o->damon.aggr_us / 1000000);
    while (done < warmup + rounds && time(NULL) < deadline) {
        struct timespec ts = { (time_t)(o->damon.sample_us / 1000000),
                               (long)(o->damon.sample_us % 1000000) * 1000 };
        const struct mon_region *r;
        size_t n;
        bool aggregated;
        struct scan_stats st = { 0 };
        nanosleep(&ts, NULL);
        if ((err = run->ops->regions(t, &aggregated, &r, &n, &st)) < 0) {
            fprintf(stderr, "%s: regions: %s\n", run->ops->name, strerror(-err));
            break;
        }
        if (!aggregated)
            continue;
        if (done == warmup) {
            self0 = cpu_of_self();
            kd0 = cpu_of_kdamond();
        }
        if (done >= warmup) {
            snapshot(run->snap[done - warmup], all, ps, r, n);
            run->regions += n;
        }
        done++;
    }
    if (done == warmup + rounds) {
        run->cpu_self = cpu_of_self() - self0;
        run->cpu_kdamond = run->ops == &tracker_damon_ops ? cpu_of_kdamond() - kd0 : 0;
    }
    run->ops->close(t);
    if (done < warmup + rounds) {
        fprintf(stderr, "%s: %d of %d aggregations before giving up\n", run->ops->name, done,
                warmup + rounds);
        return -1;
    }
    return 0;
}

/* Share of the pages of [from, to) snapshot v calls as truth says. */
static double right_share(const uint8_t *v, const struct range *all, long ps, uint64_t from,
                          uint64_t to, enum verdict truth)
{
    uint64_t right = 0, pages = 0;
    for (uint64_t a = from; a < to; a += (uint64_t)ps, pages++)
        right += v[(a - all->start) / (uint64_t)ps] == truth;
    return pages ? 100.0 * (double)right / (double)pages : 0;
}

int main(int argc, char **argv)
{
    struct range hot, cold, all;
    int warmup = 5, rounds = 5;
    struct scan_opts o;
    struct kernel_caps caps;
    char why[KERNEL_DETAIL_LEN];
    long ps = sysconf(_SC_PAGESIZE);

    scan_opts_default(&o);
    o.damon = (struct damon_attrs){ 100000, 1000000, 1000000, 10, 1000 };
    if (argc < 4 || !parse_range(argv[2], &hot) || !parse_range(argv[3], &cold) ||
        hot.end > cold.start) {
        fprintf(stderr, "usage: region_agreement PID HOT_START-HOT_END COLD_START-COLD_END "
                        "[--sample-us N] [--aggr-us N] [--warmup N] [--rounds N]\n");
        return 2;
    }
    for (int i = 4; i + 1 < argc; i += 2) {
        unsigned long long v = strtoull(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--sample-us") == 0)
            o.damon.sample_us = v;
        else if (strcmp(argv[i], "--aggr-us") == 0)
            o.damon.aggr_us = o.damon.update_us = v;
        else if (strcmp(argv[i], "--warmup") == 0)
            warmup = (int)v;
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = (int)v;
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || warmup < 0 || o.damon.sample_us == 0 ||
        o.damon.aggr_us < o.damon.sample_us) {
        fprintf(stderr, "region_agreement: rounds 1..%d, warmup >= 0, 0 < sample <= aggr\n",
                MAX_ROUNDS);
        return 2;
    }
    all = (struct range){ hot.start, cold.end };
    kernel_probe(&caps);
    struct run runs[2] = { { .ops = &tracker_damon_ops }, { .ops = &tracker_region_page_idle_ops } };
    for (int k = 0; k < 2; k++)
        if (!runs[k].ops->usable(&caps, why, sizeof(why))) {
            printf("skip: %s is unusable here: %s\n", runs[k].ops->name, why);
            return 77;
        }
    size_t pages = (all.end - all.start) / (uint64_t)ps;
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        for (int i = 0; i < rounds; i++)
            runs[k].snap[i] = calloc(pages, 1);
        rc = watch(&runs[k], (pid_t)atoi(argv[1]), &o, &all, ps, warmup, rounds);
    }
    if (rc == 0) {
        double sum = 0, low = 100;
        for (int i = 0; i < rounds; i++) {
            uint64_t both = 0, same = 0;
            for (size_t p = 0; p < pages; p++) {
                uint8_t a = runs[0].snap[i][p], b = runs[1].snap[i][p];
                both += a != V_NONE && b != V_NONE;
                same += a != V_NONE && a == b;
            }
            double share = both ? 100.0 * (double)same / (double)both : 0;
            sum += share;
            low = share < low ? share : low;
        }
        printf("attrs: sample %" PRIu64 " us, aggregation %" PRIu64 " us; %d warm-up "
               "aggregations, %d compared; %zu pages (hot %" PRIu64 " KiB, cold %" PRIu64
               " KiB)\n", o.damon.sample_us, o.damon.aggr_us, warmup, rounds, pages,
               (hot.end - hot.start) >> 10, (cold.end - cold.start) >> 10);
        for (int k = 0; k < 2; k++) {
            double hot_ok = 0, cold_ok = 0;
            for (int i = 0; i < rounds; i++) {
                hot_ok += right_share(runs[k].snap[i], &all, ps, hot.start, hot.end, V_HOT);
                cold_ok += right_share(runs[k].snap[i], &all, ps, cold.start, cold.end, V_COLD);
            }
            printf("%-16s hot part called hot %5.1f%%, cold part called cold %5.1f%%, "
                   "%.1f regions, CPU per aggregation: etmemd %.2f ms, kdamond %.2f ms\n",
                   runs[k].ops->name, hot_ok / rounds, cold_ok / rounds,
                   (double)runs[k].regions / rounds, 1e3 * runs[k].cpu_self / rounds,
                   1e3 * runs[k].cpu_kdamond / rounds);
        }
        printf("agreement %.1f%% (lowest %.1f%%) of the bytes both call hot or both call cold\n",
               sum / rounds, low);
    }
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < rounds; i++)
            free(runs[k].snap[i]);
    return rc == 0 ? 0 : 1;
}
