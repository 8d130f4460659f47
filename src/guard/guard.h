/* SPDX-License-Identifier: MulanPSL-2.0 */
/* guard.h - the feedback guard: it measures what a task suffers from being swapped out
 * (refaults, memory pressure stalls, swap-out rate) and turns it into a throttle the
 * engines apply, and keeps a safety envelope (swap nearly full, compressed swap that gains
 * nothing, cgroup protection floors) that is always on.
 *
 * Four parts, each usable alone:
 *   guard_ctl      the controller (pure): AIMD on a share of the cold pages an engine may
 *                  take per cycle, halved when a target is exceeded, crept back when all
 *                  are comfortably met; the share also sets how many cycles in a row a page
 *                  must have been cold before it goes (1 at share 1, 2 more per halving).
 *   guard_counters what one process has suffered so far (I/O: /proc, cgroup, pressure);
 *                  guard_window sums deltas over a task's processes into guard_measured.
 *   guard_pages    the pages an engine sent out, which of them came back (pagemap), and
 *                  which keep coming back and are to be left alone for a while.
 *   guard_envelope the always-on stops, each with the reason it gives.
 * Nothing here takes a lock or sleeps: callers own the structs (one per task or process). */
#ifndef ETMEM_GUARD_H
#define ETMEM_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "memsig.h"

/* ---- controller ---- */

struct guard_targets {
    double refault_pct;    /* swap-ins per minute as % of resident memory; 0: off */
    double psi_us;         /* memory "some" stall, µs per second; 0: off */
    double rate_mib_s;     /* swap-out rate cap, MiB/s; 0: off */
};

/* What the task went through over the last window; *_known false when not measurable. */
struct guard_measured {
    double secs;
    double refault_pct;    /* major faults per minute, % of resident pages */
    double probe_refault_pct; /* ... of which the tracker's probes caused (probe pages back) */
    bool refault_known;
    double psi_us;         /* stall µs per second of wall time */
    bool psi_known;
    bool psi_cgroup;       /* from the target's own cgroup, not the whole system */
    double out_mib_s;      /* what the engine swapped out, MiB/s */
};

#define GUARD_SHARE_MIN (1.0 / 64)   /* the controller never stops a task entirely: it must
                                        keep probing to learn when it may take more */
#define GUARD_COLD_CYCLES_MAX 13

enum guard_verdict {
    GUARD_OFF,        /* no target set */
    GUARD_FREE,       /* every target met with room: share at 1 */
    GUARD_CREEPING,   /* under target, share growing back */
    GUARD_HOLDING,    /* close to a target: share kept */
    GUARD_BACKING_OFF /* a target exceeded: share halved */
};

struct guard_ctl {
    struct guard_targets t;
    double share;           /* of the cold pages the engine may take this cycle */
    unsigned cold_cycles;   /* cycles in a row a page must be cold before it goes */
    enum guard_verdict verdict;
    char why[192];          /* the measured value against the target that decided */
};

bool guard_targets_any(const struct guard_targets *t);
void guard_ctl_init(struct guard_ctl *c, const struct guard_targets *t);
/* One window's measurements in, the throttle for the next cycle out. */
void guard_ctl_update(struct guard_ctl *c, const struct guard_measured *m);
/* Pages the engine may swap out this cycle out of cold_pages candidates (the share). The
 * rate cap is the engine's to apply, by pacing what really goes out (ratelimit.h). */
uint64_t guard_ctl_quota(const struct guard_ctl *c, uint64_t cold_pages);
const char *guard_verdict_name(enum guard_verdict v);

/* ---- measurement ---- */

/* One process at one moment. */
struct guard_counters {
    uint64_t t_ns;
    uint64_t majflt;        /* /proc/PID/stat: page-ins it waited for (swap or file) */
    uint64_t rss_kb;
    uint64_t psi_some_us;   /* its cgroup v2 memory.pressure, else /proc/pressure/memory */
    bool psi_known;
    bool psi_cgroup;
    uint64_t bytes_out;     /* swapped out by the engine so far (the engine's count) */
};
/* cgdir: the process's cgroup v2 directory with memory.pressure, or NULL for the system's.
 * 0, -ESRCH when the process is gone, or -errno. */
int guard_counters_read(pid_t pid, const char *cgdir, uint64_t bytes_out,
                        struct guard_counters *c);
/* The cgroup whose pressure is the process's own: its v2 cgroup unless that is the root
 * (the root has no memory.pressure; the system file says the same). false: none. */
bool guard_cgroup_of(pid_t pid, char *buf, size_t len);

struct guard_window {
    double secs;          /* longest span among the processes */
    uint64_t refaults;    /* summed */
    uint64_t probe_refaults; /* of which probe pages the tracker saw come back */
    uint64_t rss_kb;      /* summed, at the end */
    double psi_us_per_s;  /* the worst process's */
    bool psi_known, psi_cgroup;
    uint64_t bytes_out;   /* summed */
    size_t procs;
};
void guard_window_add(struct guard_window *w, const struct guard_counters *before,
                      const struct guard_counters *after);
void guard_window_measure(const struct guard_window *w, struct guard_measured *m);

/* The last cycles' windows: refaults are judged over the last GUARD_REFAULT_SECS (the
 * target is per minute, and memory read again every few cycles comes back in bursts that
 * one cycle's window would miss or inflate), pressure and rate over the last cycle. */
#define GUARD_HISTORY 64
#define GUARD_REFAULT_SECS 60.0
struct guard_history {
    struct guard_window w[GUARD_HISTORY];
    size_t n, head;             /* w[head] is the newest */
};
void guard_history_push(struct guard_history *h, const struct guard_window *w);
void guard_history_measure(const struct guard_history *h, struct guard_measured *m);

/* ---- pages that came back ---- */

struct guard_page {
    uint64_t addr;
    uint32_t hold_until;  /* cycle number before which it is left alone */
    uint16_t comebacks;
    bool out;             /* sent out and not seen back yet */
    bool back_now;        /* seen back in the current cycle's update */
};
struct guard_pages {
    struct guard_page *v;  /* v[0..sorted) sorted by addr; pages sent since appended */
    size_t n, cap, sorted;
    uint32_t cycle;
    uint64_t comebacks_cycle; /* pages seen back during the last update */
};
#define GUARD_PAGES_MAX (1u << 22)  /* 16 GiB of 4 KiB pages, 64 MiB of bookkeeping */
#define GUARD_HOLD_BASE 4           /* cycles a page that came back is left alone, doubled
                                       at each further comeback */
void guard_pages_init(struct guard_pages *g);
void guard_pages_free(struct guard_pages *g);
/* Start a new cycle (before the update and the filter). */
void guard_pages_next_cycle(struct guard_pages *g);
/* The engine sent [start, start+len) out in this cycle (address order not required). */
void guard_pages_sent(struct guard_pages *g, uint64_t start, uint64_t len, long page_size);
/* The pages of [start, end) are resident (present) or not; call for runs in ascending
 * address order. A page sent out and now present came back: counted, and held
 * GUARD_HOLD_BASE cycles, twice as long at each further comeback. Returns pages seen back
 * in this run. */
uint64_t guard_pages_seen(struct guard_pages *g, uint64_t start, uint64_t end, bool present,
                          long page_size);
bool guard_pages_held(const struct guard_pages *g, uint64_t addr);
size_t guard_pages_held_count(const struct guard_pages *g);
/* Recall: memory that is evidently hot again is brought back in one go, not a page fault at
 * a time. The address space is judged in aligned spans of GUARD_RECALL_SPAN; a span whose
 * pages sent out came back this cycle at 1/GUARD_RECALL_SHARE or more of them (and at least
 * GUARD_RECALL_MIN_BACK) is being read again, and the rest of its pages still out are
 * returned as ranges (address order, *out malloc'ed) for MADV_WILLNEED. A few pages read
 * in a large cold span (a stray read, one object of many) recall nothing. After the update
 * (guard_pages_seen) and before the cycle's sends. */
#define GUARD_RECALL_SPAN (2u << 20)
#define GUARD_RECALL_SHARE 8
#define GUARD_RECALL_MIN_BACK 2
struct page_range;
size_t guard_pages_recall(const struct guard_pages *g, long page_size, struct page_range **out);

/* ---- cold age ---- */

/* Address ranges that were cold in consecutive cycles, with how many (capped at 255). */
struct guard_age_run {
    uint64_t start, end;
    uint8_t age;
};
struct guard_ages {
    struct guard_age_run *v, *next;  /* v: last cycle's, sorted; next: being built */
    size_t n, cap, next_n, next_cap;
};
void guard_ages_init(struct guard_ages *a);
void guard_ages_free(struct guard_ages *a);
/* Feed this cycle's cold ranges in ascending address order, then commit. A range keeps
 * the age it had plus one where it was cold last cycle too, else starts at 1. */
void guard_ages_cold(struct guard_ages *a, uint64_t start, uint64_t end);
void guard_ages_commit(struct guard_ages *a);
/* Call fn for the parts of [start, end) cold at least min_age cycles in a row (after the
 * commit), in ascending order. */
void guard_ages_old_enough(const struct guard_ages *a, uint64_t start, uint64_t end,
                           unsigned min_age,
                           void (*fn)(void *arg, uint64_t s, uint64_t e, unsigned age),
                           void *arg);

/* ---- safety envelope ---- */

struct guard_envelope_conf {
    unsigned swap_full_pct;    /* stop when swap is this full (percent), 0: never */
    unsigned zram_min_gain_pct; /* stop when zram saved less than this share of what it
                                   took in over the last cycle; 0: never */
    unsigned hold_cycles;      /* a poor-compression stop holds this long, then re-probes */
};
#define GUARD_ZRAM_MAX 16
enum guard_stop { GUARD_GO, GUARD_STOP_SWAP_FULL, GUARD_STOP_POOR_COMPRESSION };

struct guard_envelope {
    struct guard_envelope_conf conf;
    struct zram_mm_stat last[GUARD_ZRAM_MAX];
    bool have_last[GUARD_ZRAM_MAX];
    unsigned hold;             /* cycles left of a poor-compression stop */
    char stop_why[200];        /* what it measured when it stopped */
    /* bytes the caller itself sent to swap since the last check; UINT64_MAX: not known.
     * zram cannot tell whose pages it took in: a cycle in which others' data was more than
     * 1/10 of what arrived is not judged (theirs would stop the caller, or hide its own). */
    uint64_t own_bytes;
    /* cycles whose zram growth was judged, and those left unjudged because of others'
     * data in it: for project show */
    uint64_t judged, unjudged_shared;
    /* the zram device the kernel fills first, last cycle: for project show */
    int zram;
    struct zram_mm_stat zram_now;
};
/* What zram did with the pages that arrived between two readings. */
struct zram_gain {
    uint64_t in_bytes;      /* orig_data_size grew by */
    int64_t used_bytes;     /* mem_used_total grew by (can shrink) */
    double gain;            /* 1 - used/in: share of RAM saved on them */
    bool known;             /* enough arrived to judge (at least 1 MiB) */
};
struct zram_gain zram_gain_between(const struct zram_mm_stat *before,
                                   const struct zram_mm_stat *after);

void guard_envelope_init(struct guard_envelope *e, const struct guard_envelope_conf *conf);
/* Pure: the decision from what swap and zram look like now. mm[i] is the mm_stat of
 * areas[i] when areas[i].zram >= 0. Updates e's history. */
enum guard_stop guard_envelope_decide(struct guard_envelope *e, const struct swap_area *areas,
                                      size_t n, const struct zram_mm_stat *mm, char *why,
                                      size_t len);
/* The same from /proc/swaps and /sys/block/zramN/mm_stat. */
enum guard_stop guard_envelope_check(struct guard_envelope *e, char *why, size_t len);
/* Bytes the cgroup may lose before it reaches its protection floor (UINT64_MAX: no floor). */
uint64_t guard_floor_budget(uint64_t current, uint64_t floor);

/* ---- a guarded task and its processes (what engines call) ---- */

struct guard_conf {
    struct guard_targets t;
    struct guard_envelope_conf env;
};

/* For `project show`: one task's guard, as of its last cycle. */
struct guard_report {
    bool on;                    /* a target is set */
    struct guard_targets t;
    struct guard_measured m;
    bool measured;              /* m is from a real window */
    double share;
    unsigned cold_cycles;
    const char *verdict;
    char why[192];
    unsigned long long held_pages;   /* left alone because they kept coming back */
    unsigned long long comebacks;    /* pages sent out and seen back, last cycle */
    unsigned long long recalled_bytes; /* brought back in ahead of use, since the start */
    unsigned long long vmstat_pswpin; /* system-wide, for comparison with the task's */
    const char *stop;           /* what the envelope stopped for this cycle; NULL: nothing */
    char stop_why[256];
    bool has_zram;              /* swap-outs go to zram device `zram` */
    unsigned long long zram_judged;         /* cycles the poor-compression stop judged */
    unsigned long long zram_unjudged_shared; /* ... and left unjudged: mostly others' data */
    int zram;
    struct zram_mm_stat zram_mm;
};

struct guard_task {
    struct guard_conf conf;
    struct guard_ctl ctl;
    struct guard_envelope env;
    struct guard_window win;
    struct guard_history hist;
    struct guard_measured last;
    bool measured;
    enum guard_stop stop;
    char stop_why[256];
    uint64_t held, comebacks;   /* summed over the processes, last cycle */
    uint64_t recalled_bytes;    /* summed over the processes, since the start */
    bool counts_out;            /* the engine reports what it sends (guard_proc_count_out) */
    uint64_t out_cycle;         /* ... summed over the processes, this cycle */
};

/* One process of a guarded task; owned by whoever works on that process. */
struct guard_proc {
    struct guard_pages pages;
    struct guard_ages ages;
    struct guard_counters prev, cur;
    bool have_prev, have_cur;
    char cgdir[256];            /* its own cgroup v2 (pressure, floor); "" when none */
    bool cg_looked;
    uint64_t bytes_out;
    uint64_t recalled_bytes;    /* this cycle's, added to the task's by guard_task_add */
    uint64_t out_cycle;         /* bytes sent this cycle, likewise */
    uint64_t floor_budget;      /* bytes its cgroup may still lose (UINT64_MAX: no floor) */
    char floor_why[160];
};

void guard_task_init(struct guard_task *gt, const struct guard_conf *conf);
/* Before the cycle's swap-outs: the envelope's verdict (why in gt->stop_why). */
enum guard_stop guard_task_begin(struct guard_task *gt);
/* After a process's cycle (by the thread that owns gt): its window delta. */
void guard_task_add(struct guard_task *gt, struct guard_proc *gp);
/* The tracker's probe pages that came back in the task's processes this cycle (part of
 * the refaults measured: the guard's why says when they are what holds it back). */
void guard_task_probes(struct guard_task *gt, uint64_t comebacks);
/* The share of a refault target the tracker's probes may cost (their budget is
 * GUARD_PROBE_SHARE x target): the rest is for what the engine swaps out. */
#define GUARD_PROBE_SHARE 0.5
double guard_probe_budget_pct(const struct guard_targets *t);
/* After all processes: the controller's update for the next cycle. */
void guard_task_end(struct guard_task *gt);
void guard_task_report(const struct guard_task *gt, struct guard_report *r);

void guard_proc_init(struct guard_proc *gp);
void guard_proc_free(struct guard_proc *gp);
/* Read the process's counters at the end of its cycle; 0 or -errno (-ESRCH: gone). */
int guard_proc_sample(struct guard_proc *gp, pid_t pid);
/* What the process's cgroup may lose now before its memory.min/low (floor_budget, with
 * floor_why): read right before a cycle lets anything go, so the floor holds from the
 * first cycle on. */
void guard_proc_floor(struct guard_proc *gp, pid_t pid);
/* After the scans: which pages sent out came back, and how long the cold ones (count < T,
 * resident) have been cold. */
struct heat_map;
struct page_range;
void guard_proc_observe(struct guard_proc *gp, const struct heat_map *hm, unsigned T);
/* The same from the cold ranges alone (region monitoring: regions do not tell whether a
 * page is resident, so nothing is learnt about pages coming back, only cold ages). */
void guard_proc_observe_ranges(struct guard_proc *gp, const struct page_range *r, size_t n);
/* Narrow the engine's cold ranges (address order) to what may go: with targets, only
 * pages not held and cold for ctl->cold_cycles, at most the controller's quota, the
 * longest cold first; always within the cgroup floor. *out malloc'ed, address order.
 * Returns the number of ranges. */
size_t guard_proc_select(struct guard_proc *gp, const struct guard_task *gt,
                         const struct page_range *in, size_t n, long page_size,
                         struct page_range **out);
/* Bring back in what guard_pages_recall picks, by process_madvise(MADV_WILLNEED) through a
 * pidfd of the process id names (nothing when it is gone or is another process now): the
 * pages come into the swap cache, and the task's next touch of each is a minor fault.
 * Returns the bytes advised. */
struct proc_identity;
uint64_t guard_proc_recall(struct guard_proc *gp, const struct proc_identity *id,
                           long page_size);
/* Bytes of the process that really left this cycle (for the rate and the envelope's
 * share of what zram took in). guard_proc_sent counts them itself. */
void guard_proc_count_out(struct guard_proc *gp, uint64_t bytes);
/* The engine asked for these to go out (bytes: what really left, for the rate); the pages
 * pagemap shows gone are remembered as sent. */
void guard_proc_sent(struct guard_proc *gp, pid_t pid, const struct page_range *r, size_t n,
                     long page_size, uint64_t bytes);

#endif
