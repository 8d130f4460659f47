/* SPDX-License-Identifier: MulanPSL-2.0 */
/* exerciser.c - a workload with known hot, warm and cold memory, for the demo, the tests
 * and the benchmarks.
 *
 * It maps --total MiB of anonymous memory and fills every page with data derived from the
 * page's index (xorshift; incompressible, so zram cannot flatter the savings), so any page
 * can be verified at any time. --fill half makes the second half of each page a sequence
 * instead, which compresses about 2:1, like typical heap data. The first --hot MiB are read (or, with --write-pct,
 * rewritten with the same data) continuously; the next --warm MiB are touched once every
 * --warm-period seconds; the rest is never touched again: it is cold. --sparse KiB puts
 * one page at a random place in every KiB of the cold part that is read every 1 to 2.5 x
 * --sparse-period seconds (each page its own period), like the scattered pages an idle VM's
 * guest keeps touching (timer ticks, kernel threads): memory mostly cold at page level that
 * a region-level tracker sees as partly touched everywhere.
 *
 * It prints one line `ready pid=P base=0x... page=N hot=A-B warm=B-C cold=C-D` (addresses)
 * and then, every --report seconds, `ops/s=... p50_ns=... p99_ns=... slow5us=...`.
 * --node N binds the memory to NUMA node N (mbind) before it is first touched; --hugetlb
 * backs it with 2 MiB hugetlb pages (like a VM guest's RAM), --thp asks for THP instead.
 * --mark-cold names the cold part [anon:etmem_swap] (prctl PR_SET_VMA_ANON_NAME), the way a
 * process marks memory for swap_flag=yes on upstream kernels.
 * SIGUSR1: verify every page now and print `verify ok pages=N` or `verify FAILED ...`.
 * SIGUSR2: swap the hot and cold parts' roles (the first cold MiB become hot).
 * SIGTERM/SIGINT or --duration: verify, print a summary and exit (status 1 if a page was
 * wrong). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LAT_BUCKETS 40  /* log2 buckets of nanoseconds */
#define MPOL_BIND_MODE 2 /* MPOL_BIND, without needing numaif.h */
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

struct options {
    unsigned long total_mb, hot_mb, warm_mb;
    double warm_period, report, duration, rate;
    unsigned long sparse_kb;    /* 0: no sparse pages */
    double sparse_period;
    int write_pct;
    bool thp;
    bool mark_cold;
    bool half_fill;
    bool hugetlb;
    int node;               /* -1: no binding */
    const char *name;
};

static volatile sig_atomic_t want_verify, want_swap, want_exit;
static long page_size;
static bool half_fill;

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        want_verify = 1;
    else if (sig == SIGUSR2)
        want_swap = 1;
    else
        want_exit = 1;
}

static uint64_t word_of(size_t page, size_t word)
{
    if (half_fill && word >= (size_t)page_size / 16)
        return (uint64_t)page * 0x0101010101010101ULL; /* constant per page: compresses */
    uint64_t x = (page + 1) * 0x9e3779b97f4a7c15ULL ^ (word + 1) * 0xbf58476d1ce4e5b9ULL;

    x ^= x >> 31;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 29;
    return x;
}

static void fill_page(uint64_t *p, size_t page)
{
    for (size_t w = 0; w < (size_t)page_size / 8; w++)
        p[w] = word_of(page, w);
}

/* Returns the index of the first wrong page, or npages when all are right. */
static size_t verify(const char *base, size_t npages)
{
    for (size_t i = 0; i < npages; i++) {
        const uint64_t *p = (const uint64_t *)(base + i * (size_t)page_size);

        for (size_t w = 0; w < (size_t)page_size / 8; w++) {
            if (p[w] != word_of(i, w))
                return i;
        }
    }
    return npages;
}

/* The sparse pages: one at a random place in every stride of [first, npages), each read
 * every 1 to 2.5 periods (its own). */
struct sparse_page {
    size_t page;
    double period, next;
};

static struct sparse_page *sparse_new(size_t first, size_t npages, size_t stride,
                                      double period, double t0, size_t *n)
{
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    size_t count = stride ? (npages - first) / stride : 0;
    struct sparse_page *v = calloc(count ? count : 1, sizeof(*v));

    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v[i].page = first + i * stride + seed % stride;
        v[i].period = period * (1.0 + (double)(seed >> 32 & 0xffff) / 65535.0 * 1.5);
        v[i].next = t0 + v[i].period * (double)(seed >> 48 & 0xff) / 255.0;
    }
    *n = count;
    return v;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bucket_of(double ns)
{
    int b = 0;

    while (ns >= 2 && b < LAT_BUCKETS - 1) {
        ns /= 2;
        b++;
    }
    return b;
}

/* Upper bound (ns) of the bucket holding the q-quantile. */
static double quantile(const uint64_t *h, uint64_t n, double q)
{
    uint64_t want = (uint64_t)(q * (double)n), cum = 0;

    for (int b = 0; b < LAT_BUCKETS; b++) {
        cum += h[b];
        if (cum > want)
            return (double)(1ULL << (b + 1));
    }
    return (double)(1ULL << LAT_BUCKETS);
}

static void usage(void)
{
    fprintf(stderr, "usage: etmem-exerciser --total MiB --hot MiB [--warm MiB] [--warm-period S]\n"
            "       [--write-pct N] [--rate OPS] [--report S] [--duration S] [--thp] [--name COMM]\n"
            "       [--mark-cold] [--fill random|half] [--node N] [--hugetlb]\n"
            "       [--sparse KiB] [--sparse-period S]\n");
}

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option lo[] = {
        { "total", 1, NULL, 't' }, { "hot", 1, NULL, 'h' }, { "warm", 1, NULL, 'w' },
        { "warm-period", 1, NULL, 'W' }, { "write-pct", 1, NULL, 'p' }, { "rate", 1, NULL, 'r' },
        { "report", 1, NULL, 'R' }, { "duration", 1, NULL, 'd' }, { "thp", 0, NULL, 'T' },
        { "name", 1, NULL, 'n' }, { "mark-cold", 0, NULL, 'm' }, { "fill", 1, NULL, 'f' },
        { "node", 1, NULL, 'N' }, { "hugetlb", 0, NULL, 'H' }, { "sparse", 1, NULL, 's' },
        { "sparse-period", 1, NULL, 'S' }, { NULL, 0, NULL, 0 },
    };
    int c;

    *o = (struct options){ .warm_period = 5, .report = 1, .node = -1, .sparse_period = 2 };
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 't': o->total_mb = strtoul(optarg, NULL, 10); break;
        case 'h': o->hot_mb = strtoul(optarg, NULL, 10); break;
        case 'w': o->warm_mb = strtoul(optarg, NULL, 10); break;
        case 'W': o->warm_period = atof(optarg); break;
        case 'p': o->write_pct = atoi(optarg); break;
        case 'r': o->rate = atof(optarg); break;
        case 'R': o->report = atof(optarg); break;
        case 'd': o->duration = atof(optarg); break;
        case 'T': o->thp = true; break;
        case 'n': o->name = optarg; break;
        case 'm': o->mark_cold = true; break;
        case 'N': o->node = atoi(optarg); break;
        case 'H': o->hugetlb = true; break;
        case 's': o->sparse_kb = strtoul(optarg, NULL, 10); break;
        case 'S': o->sparse_period = atof(optarg); break;
        case 'f':
            if (strcmp(optarg, "half") != 0 && strcmp(optarg, "random") != 0) {
                usage();
                return -1;
            }
            o->half_fill = strcmp(optarg, "half") == 0;
            break;
        default: usage(); return -1;
        }
    }
    if (o->total_mb == 0 || o->hot_mb + o->warm_mb > o->total_mb || o->write_pct < 0 ||
        o->node >= 64 || (o->hugetlb && (o->total_mb % 2 || o->thp)) ||
        o->write_pct > 100 || o->report <= 0 || o->sparse_period <= 0 ||
        (o->sparse_kb && o->sparse_kb * 1024 % (unsigned long)sysconf(_SC_PAGESIZE))) {
        usage();
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct sigaction sa = { .sa_handler = on_signal };
    size_t npages, hot_pages, warm_pages, hot_first = 0, cursor = 0, bad;
    char *base;
    uint64_t hist[LAT_BUCKETS] = { 0 }, total_hist[LAT_BUCKETS] = { 0 }, ops = 0, total_ops = 0;
    uint64_t slow = 0, total_slow = 0, seed = 88172645463325252ULL;
    double t_start, t_report, t_warm, t_op_budget;
    struct sparse_page *sparse;
    size_t nsparse = 0;

    if (parse(argc, argv, &o) < 0)
        return 2;
    if (o.name != NULL)
        prctl(PR_SET_NAME, o.name, 0, 0, 0);
    page_size = sysconf(_SC_PAGESIZE);
    half_fill = o.half_fill;
    npages = o.total_mb * (1024 * 1024 / (size_t)page_size);
    hot_pages = o.hot_mb * (1024 * 1024 / (size_t)page_size);
    warm_pages = o.warm_mb * (1024 * 1024 / (size_t)page_size);
    base = mmap(NULL, npages * (size_t)page_size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | (o.hugetlb ? MAP_HUGETLB : 0), -1, 0);
    if (base == MAP_FAILED) {
        perror(o.hugetlb ? "mmap (MAP_HUGETLB: are there free 2 MiB hugepages?)" : "mmap");
        return 1;
    }
    if (!o.hugetlb &&
        madvise(base, npages * (size_t)page_size, o.thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) < 0)
        perror("madvise");
    if (o.node >= 0) {
        unsigned long mask = 1UL << o.node;

        if (syscall(SYS_mbind, base, npages * (size_t)page_size, MPOL_BIND_MODE, &mask,
                    sizeof(mask) * 8, 0) < 0) {
            perror("mbind");
            return 1;
        }
    }
    for (size_t i = 0; i < npages; i++)
        fill_page((uint64_t *)(base + i * (size_t)page_size), i);
    if (o.mark_cold && npages > hot_pages + warm_pages &&
        prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, base + (hot_pages + warm_pages) * page_size,
              (npages - hot_pages - warm_pages) * (size_t)page_size, "etmem_swap") < 0)
        fprintf(stderr, "exerciser: naming the cold part: %s\n", strerror(errno));
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    printf("ready pid=%d base=%p page=%ld hot=%p-%p warm=%p-%p cold=%p-%p\n", (int)getpid(),
           (void *)base, page_size, (void *)base, (void *)(base + hot_pages * page_size),
           (void *)(base + hot_pages * page_size),
           (void *)(base + (hot_pages + warm_pages) * page_size),
           (void *)(base + (hot_pages + warm_pages) * page_size),
           (void *)(base + npages * page_size));
    fflush(stdout);

    t_start = t_report = t_warm = now();
    sparse = sparse_new(hot_pages + warm_pages, npages, o.sparse_kb * 1024 / (size_t)page_size,
                        o.sparse_period, t_start, &nsparse);
    if (sparse == NULL) {
        perror("calloc");
        return 1;
    }
    t_op_budget = o.rate > 0 ? 1.0 / o.rate : 0;
    while (!want_exit && (o.duration <= 0 || now() - t_start < o.duration)) {
        double t0, t1;

        if (want_verify) {
            want_verify = 0;
            bad = verify(base, npages);
            if (bad == npages)
                printf("verify ok pages=%zu\n", npages);
            else
                printf("verify FAILED page=%zu addr=%p\n", bad, (void *)(base + bad * page_size));
            fflush(stdout);
        }
        if (want_swap) {
            want_swap = 0;
            hot_first = hot_first == 0 ? hot_pages + warm_pages : 0;
            if (hot_first + hot_pages > npages)
                hot_first = npages - hot_pages;
            printf("swapped hot=%p-%p\n", (void *)(base + hot_first * page_size),
                   (void *)(base + (hot_first + hot_pages) * page_size));
            fflush(stdout);
        }
        if (hot_pages > 0) {
            size_t page = hot_first + cursor;
            uint64_t *p;
            size_t w;

            /* a random cache line of the next hot page */
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            w = (seed % (size_t)(page_size / 64)) * 8;
            p = (uint64_t *)(base + page * (size_t)page_size);
            t0 = now();
            if ((int)(seed % 100) < o.write_pct)
                *(volatile uint64_t *)&p[w] = word_of(page, w);
            else if (*(volatile uint64_t *)&p[w] != word_of(page, w))
                fprintf(stderr, "exerciser: page %zu read back wrong\n", page);
            t1 = now();
            hist[bucket_of((t1 - t0) * 1e9)]++;
            slow += (t1 - t0) > 5e-6;
            ops++;
            cursor = (cursor + 1) % hot_pages;
            if (t_op_budget > 0) {
                double spare = t_op_budget - (now() - t0);

                if (spare > 0)
                    usleep((useconds_t)(spare * 1e6));
            }
        } else {
            usleep(10000);
        }
        for (size_t i = 0; i < nsparse; i++) {
            if (sparse[i].next > now())
                continue;
            size_t page = sparse[i].page;
            if (*(volatile uint64_t *)(base + page * (size_t)page_size) != word_of(page, 0))
                fprintf(stderr, "exerciser: page %zu read back wrong\n", page);
            sparse[i].next = now() + sparse[i].period;
        }
        if (warm_pages > 0 && now() - t_warm >= o.warm_period) {
            for (size_t i = 0; i < warm_pages; i++)
                (void)*(volatile char *)(base + (hot_pages + i) * page_size);
            t_warm = now();
        }
        if (now() - t_report >= o.report) {
            double dt = now() - t_report;

            printf("ops/s=%.0f p50_ns=%.0f p99_ns=%.0f slow5us=%.5f\n", (double)ops / dt,
                   quantile(hist, ops, 0.50), quantile(hist, ops, 0.99),
                   ops ? (double)slow / (double)ops : 0);
            fflush(stdout);
            for (int b = 0; b < LAT_BUCKETS; b++) {
                total_hist[b] += hist[b];
                hist[b] = 0;
            }
            total_ops += ops;
            total_slow += slow;
            ops = slow = 0;
            t_report = now();
        }
    }
    for (int b = 0; b < LAT_BUCKETS; b++)
        total_hist[b] += hist[b];
    total_ops += ops;
    total_slow += slow;
    bad = verify(base, npages);
    printf("summary ops=%llu secs=%.1f ops/s=%.0f p50_ns=%.0f p99_ns=%.0f slow5us=%.5f verify=%s\n",
           (unsigned long long)total_ops, now() - t_start, (double)total_ops / (now() - t_start),
           quantile(total_hist, total_ops, 0.50), quantile(total_hist, total_ops, 0.99),
           total_ops ? (double)total_slow / (double)total_ops : 0, bad == npages ? "ok" : "FAILED");
    munmap(base, npages * (size_t)page_size);
    free(sparse);
    return bad == npages ? 0 : 1;
}
