/* SPDX-License-Identifier: MulanPSL-2.0 */
/* senpai_v1.c - the kernel-LRU baseline for bench/run: Senpai-style proactive reclaim on a
 * cgroup v1 memory controller (these machines have no cgroup v2 memory.reclaim/memory.high).
 *
 * Every --interval seconds it reads the workload's memory pressure (the "some" total of a
 * cgroup2 memory.pressure file, or /proc/pressure/memory) and, while pressure stayed below
 * --psi-target microseconds per second, lowers the v1 memory.limit_in_bytes to
 * usage * (1 - --step %), never below --floor bytes; the write makes the kernel reclaim (its
 * LRU picks the pages) synchronously in this process. When pressure is above the target it
 * raises the limit by half a step instead. One line per interval:
 *   `t=S usage=B limit=B psi_us_per_s=N write_ms=N cpu_s=S` (cpu_s: this process's CPU so far)
 * At --duration or SIGTERM it lifts the limit (-1) and exits; its own CPU time (utime+stime)
 * is the policy's cost, reclaim included.
 * usage: senpai-v1 --memcg DIR --pressure FILE --floor BYTES [--step PCT=10]
 *        [--psi-target US=1000] [--interval S=1] [--duration S=60] */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct options {
    const char *memcg, *pressure;
    uint64_t floor;
    double step, psi_target, interval, duration;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static double now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This process's CPU time so far (user + system: the reclaim its limit writes do counts). */
static double cpu_sec(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return -1;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int file_read(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -errno;
    n = read(fd, buf, len - 1);
    int err = errno;
    close(fd);
    if (n < 0)
        return -err;
    buf[n] = '\0';
    return 0;
}

static int file_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -errno;
    n = write(fd, text, strlen(text));
    int err = errno;
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : n < 0 ? -err : -EIO;
}

static int memcg_read_u64(const struct options *o, const char *file, uint64_t *out)
{
    char path[4096], buf[64];
    int rc;

    snprintf(path, sizeof(path), "%s/%s", o->memcg, file);
    rc = file_read(path, buf, sizeof(buf));
    if (rc < 0)
        return rc;
    *out = strtoull(buf, NULL, 10);
    return 0;
}

/* Write memory.limit_in_bytes; "-1" lifts it. */
static int memcg_set_limit(const struct options *o, const char *value)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", o->memcg);
    return file_write(path, value);
}

/* The "some" line's total= (microseconds stalled since boot). */
static int pressure_some_total(const char *file, uint64_t *total)
{
    char buf[512];
    int rc = file_read(file, buf, sizeof(buf));
    const char *p;

    if (rc < 0)
        return rc;
    p = strstr(buf, "some ");
    p = p ? strstr(p, "total=") : NULL;
    if (!p)
        return -EINVAL;
    *total = strtoull(p + 6, NULL, 10);
    return 0;
}

static bool parse_num(const char *s, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && *out >= 0;
}

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option lo[] = {
        { "memcg", 1, NULL, 'm' },      { "pressure", 1, NULL, 'p' }, { "floor", 1, NULL, 'f' },
        { "step", 1, NULL, 's' },       { "psi-target", 1, NULL, 't' },
        { "interval", 1, NULL, 'i' },   { "duration", 1, NULL, 'd' }, { NULL, 0, NULL, 0 },
    };
    double v;
    int c;
    bool ok = true;

    *o = (struct options){ .step = 10, .psi_target = 1000, .interval = 1, .duration = 60 };
    while (ok && (c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'm': o->memcg = optarg; break;
        case 'p': o->pressure = optarg; break;
        case 'f': ok = parse_num(optarg, &v); o->floor = (uint64_t)v; break;
        case 's': ok = parse_num(optarg, &o->step) && o->step > 0 && o->step < 100; break;
        case 't': ok = parse_num(optarg, &o->psi_target); break;
        case 'i': ok = parse_num(optarg, &o->interval) && o->interval >= 0.05; break;
        case 'd': ok = parse_num(optarg, &o->duration); break;
        default: ok = false; break;
        }
    }
    if (!ok || optind != argc || !o->memcg || !o->pressure) {
        fprintf(stderr, "usage: senpai-v1 --memcg DIR --pressure FILE --floor BYTES [--step PCT]\n"
                        "       [--psi-target US_PER_S] [--interval S] [--duration S]\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct sigaction sa = { .sa_handler = on_stop };
    uint64_t psi_prev, psi, usage, limit, top;
    double t_start, t_prev;
    int rc;

    if (parse(argc, argv, &o) < 0)
        return 2;
    if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) {
        perror("senpai-v1: sigaction");
        return 1;
    }
    if ((rc = pressure_some_total(o.pressure, &psi_prev)) < 0 ||
        (rc = memcg_read_u64(&o, "memory.usage_in_bytes", &usage)) < 0) {
        fprintf(stderr, "senpai-v1: reading %s or %s/memory.usage_in_bytes: %s\n", o.pressure,
                o.memcg, strerror(-rc));
        return 1;
    }
    limit = top = usage; /* never raised above where it started: no limit at all */
    t_start = t_prev = now_sec();
    while (!stop_requested && now_sec() - t_start < o.duration) {
        struct timespec ts = { (time_t)o.interval,
                               (long)((o.interval - (double)(time_t)o.interval) * 1e9) };
        double t, psi_rate, write_ms = 0;

        nanosleep(&ts, NULL);
        t = now_sec();
        if ((rc = pressure_some_total(o.pressure, &psi)) < 0 ||
            (rc = memcg_read_u64(&o, "memory.usage_in_bytes", &usage)) < 0) {
            fprintf(stderr, "senpai-v1: %s\n", strerror(-rc));
            break;
        }
        psi_rate = (double)(psi - psi_prev) / (t - t_prev);
        psi_prev = psi;
        t_prev = t;
        uint64_t want = psi_rate < o.psi_target
                            ? (uint64_t)((double)usage * (1.0 - o.step / 100.0))
                            : (uint64_t)((double)limit * (1.0 + o.step / 200.0));
        if (want < o.floor)
            want = o.floor;
        if (want > top)
            want = top;
        if (want != limit) {
            char text[32];
            double w0 = now_sec();

            snprintf(text, sizeof(text), "%" PRIu64, want);
            rc = memcg_set_limit(&o, text);
            write_ms = (now_sec() - w0) * 1000;
            if (rc == 0)
                limit = want;
            else if (rc != -EBUSY) /* EBUSY: the kernel could not reclaim that far yet */
                fprintf(stderr, "senpai-v1: setting the limit to %s: %s\n", text, strerror(-rc));
        }
        printf("t=%.1f usage=%" PRIu64 " limit=%" PRIu64 " psi_us_per_s=%.0f write_ms=%.0f cpu_s=%.2f\n",
               t - t_start, usage, limit, psi_rate, write_ms, cpu_sec());
        fflush(stdout);
    }
    if ((rc = memcg_set_limit(&o, "-1")) < 0) {
        fprintf(stderr, "senpai-v1: lifting the limit: %s\n", strerror(-rc));
        return 1;
    }
    return 0;
}
