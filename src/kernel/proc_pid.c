/* SPDX-License-Identifier: MulanPSL-2.0 */
/* proc_pid.c - per-process procfs readers: /proc/<pid>/status and /stat, process identity
 * (pid + starttime) against pid reuse, and pid enumeration by comm or parent without
 * forking pgrep. */
#include "proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc_kv.h"
#include "xalloc.h"

struct status_raw {
    uint64_t tgid, ppid, vm_size, vm_rss, rss_anon, vm_swap, vm_hwm, threads;
};

#define ST(key, field) { key, offsetof(struct status_raw, field) }
static const struct kv_field status_fields[] = {
    ST("Tgid", tgid),       ST("PPid", ppid),     ST("VmSize", vm_size),
    ST("VmRSS", vm_rss),    ST("RssAnon", rss_anon), ST("VmSwap", vm_swap),
    ST("VmHWM", vm_hwm),    ST("Threads", threads),
};

int proc_parse_status(const char *text, struct proc_status *st)
{
    struct status_raw raw = { 0 };

    memset(st, 0, sizeof(*st));
    kv_parse(text, status_fields, sizeof(status_fields) / sizeof(status_fields[0]), &raw);
    if (strncmp(text, "Name:", 5) != 0 || raw.tgid == 0)
        return -EINVAL;
    const char *name = text + 5 + strspn(text + 5, " \t");
    size_t n = strcspn(name, "\n");
    if (n >= sizeof(st->name))
        n = sizeof(st->name) - 1;
    memcpy(st->name, name, n);
    st->tgid = (pid_t)raw.tgid;
    st->ppid = (pid_t)raw.ppid;
    st->vm_size = raw.vm_size;
    st->vm_rss = raw.vm_rss;
    st->rss_anon = raw.rss_anon;
    st->vm_swap = raw.vm_swap;
    st->vm_hwm = raw.vm_hwm;
    st->threads = (int)raw.threads;
    return 0;
}

/* Read /proc/<pid>/<file>; a missing pid directory becomes -ESRCH. */
static int pid_file_read(pid_t pid, const char *file, char **text)
{
    char path[512];
    int rc = proc_path(path, sizeof(path), "%d/%s", (int)pid, file);
    if (rc)
        return rc;
    rc = file_read_all(path, text, NULL);
    if (rc == -ENOENT || rc == -ESRCH)
        return -ESRCH;
    if (rc == 0 && **text == '\0') {
        free(*text); /* exited between open and read */
        return -ESRCH;
    }
    return rc;
}

int proc_read_status(pid_t pid, struct proc_status *st)
{
    char *text;
    int rc = pid_file_read(pid, "status", &text);
    if (rc)
        return rc;
    rc = proc_parse_status(text, st);
    free(text);
    return rc;
}

int proc_parse_stat(const char *text, struct proc_stat *st)
{
    memset(st, 0, sizeof(*st));
    const char *open = strchr(text, '(');
    const char *close = strrchr(text, ')');
    if (!open || !close || close < open || close[1] != ' ')
        return -EINVAL;

    char *end;
    long pid = strtol(text, &end, 10);
    if (end == text || pid <= 0 || pid > INT_MAX)
        return -EINVAL;
    st->pid = (pid_t)pid;
    size_t n = (size_t)(close - open - 1);
    if (n >= sizeof(st->comm))
        n = sizeof(st->comm) - 1;
    memcpy(st->comm, open + 1, n);

    /* Fields after comm, numbered as in proc(5): 3 state, 4 ppid, ... */
    const char *p = close + 2;
    st->state = *p;
    uint64_t f[53] = { 0 };     /* f[3] .. f[52]; fields a newer kernel adds are ignored */
    int field = 3;
    while (*p && field < 52) {
        p += strcspn(p, " ");
        if (*p != ' ')
            break;
        p++;
        field++;
        f[field] = strtoull(p, NULL, 10);
    }
    if (field < 24)
        return -EINVAL;
    st->ppid = (pid_t)f[4];
    st->flags = f[9];
    st->minflt = f[10];
    st->majflt = f[12];
    st->utime = f[14];
    st->stime = f[15];
    st->starttime = f[22];
    st->rss_pages = f[24];
    return 0;
}

int proc_read_stat(pid_t pid, struct proc_stat *st)
{
    char *text;
    int rc = pid_file_read(pid, "stat", &text);
    if (rc)
        return rc;
    rc = proc_parse_stat(text, st);
    free(text);
    return rc;
}

int proc_identity_get(pid_t pid, struct proc_identity *id)
{
    struct proc_stat st;
    int rc = proc_read_stat(pid, &st);
    if (rc)
        return rc;
    id->pid = pid;
    id->starttime = st.starttime;
    return 0;
}

bool proc_identity_alive(const struct proc_identity *id)
{
    struct proc_stat st;
    if (proc_read_stat(id->pid, &st))
        return false;
    return st.starttime == id->starttime && st.state != 'Z' && st.state != 'X';
}

static int pid_cmp(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

/* One pass over <procfs>/[0-9]*: each(st, arg) for every process's stat. Processes
 * vanishing during the walk are skipped. */
static int proc_walk(void (*each)(const struct proc_stat *st, void *arg), void *arg)
{
    char path[512];
    int rc = proc_path(path, sizeof(path), "%s", "");
    if (rc)
        return rc;
    DIR *d = opendir(path);
    if (!d)
        return -errno;

    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct proc_stat st;

        if (isdigit((unsigned char)de->d_name[0]) &&
            proc_read_stat((pid_t)atoi(de->d_name), &st) == 0)
            each(&st, arg);
    }
    closedir(d);
    return 0;
}

typedef bool (*pid_match_fn)(const struct proc_stat *st, const void *arg);

struct collect {
    pid_match_fn match;
    const void *arg;
    pid_t *pids;
    size_t n, cap;
};

static void collect_one(const struct proc_stat *st, void *arg)
{
    struct collect *c = arg;

    if (!c->match(st, c->arg))
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->pids = xreallocarray(c->pids, c->cap, sizeof(*c->pids));
    }
    c->pids[c->n++] = st->pid;
}

/* The pids whose stat matches, ascending. */
static int proc_collect(pid_match_fn match, const void *arg, pid_t **pids, size_t *n)
{
    struct collect c = { .match = match, .arg = arg };
    int rc = proc_walk(collect_one, &c);

    if (rc) {
        free(c.pids);
        return rc;
    }
    if (c.n > 1)
        qsort(c.pids, c.n, sizeof(*c.pids), pid_cmp);
    *pids = c.pids != NULL ? c.pids : xmalloc(sizeof(**pids));
    *n = c.n;
    return 0;
}

struct comms {
    struct proc_comm *list;
    size_t n, cap;
};

static void comm_one(const struct proc_stat *st, void *arg)
{
    struct comms *c = arg;

    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->list = xreallocarray(c->list, c->cap, sizeof(*c->list));
    }
    c->list[c->n].pid = st->pid;
    memcpy(c->list[c->n].comm, st->comm, sizeof(c->list[c->n].comm));
    c->n++;
}

static int comm_cmp(const void *a, const void *b)
{
    return pid_cmp(&((const struct proc_comm *)a)->pid, &((const struct proc_comm *)b)->pid);
}

int proc_list_comms(struct proc_comm **list, size_t *n)
{
    struct comms c = { 0 };
    int rc = proc_walk(comm_one, &c);

    if (rc) {
        free(c.list);
        return rc;
    }
    if (c.n > 1)
        qsort(c.list, c.n, sizeof(*c.list), comm_cmp);
    *list = c.list;
    *n = c.n;
    return 0;
}

static bool match_comm(const struct proc_stat *st, const void *arg)
{
    return strcmp(st->comm, arg) == 0;
}

static bool match_parent(const struct proc_stat *st, const void *arg)
{
    return st->ppid == *(const pid_t *)arg;
}

int proc_find_by_comm(const char *name, pid_t **pids, size_t *n)
{
    return proc_collect(match_comm, name, pids, n);
}

int proc_list_children(pid_t pid, pid_t **pids, size_t *n)
{
    return proc_collect(match_parent, &pid, pids, n);
}
