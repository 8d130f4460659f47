/* SPDX-License-Identifier: MulanPSL-2.0 */
/* probe_budget.h - what sensing may cost the target (pure logic, no I/O): a tracker that
 * probes by paging pages out (the fallback) makes the target fault every probe of a page it
 * uses. The probes that came back are counted against a budget, in comebacks per minute as
 * a share of the target's resident pages (the guard's unit), and the number of probes per
 * window is scaled to keep under it.
 *
 * DESIGN. A credit in pages: it grows at the budget's rate with the window's length and
 * every comeback spends one, and it holds at most a minute's budget (a quiet hour buys no
 * burst). In debt, the probe count halves at each window (back off fast: the target is
 * paying now); with half a minute's budget saved up it creeps back by 1/16 of the count its
 * size asks for per window; in between it holds. Whatever comes back, over any stretch of
 * time the comebacks stay under budget x time + a minute's budget + one window's probes
 * (sent with credit left, back after it ran out), as long as the floor allows: the count never drops below floor probes in one window out of
 * PROBE_BUDGET_SKIP_MAX, so the tracker keeps learning (where even that costs more than the
 * budget, the controller says so: PROBE_BUDGET_AT_FLOOR; its debt is then held at a
 * minute's budget, so it creeps back within minutes once the target calms down). */
#ifndef ETMEM_KERNEL_PROBE_BUDGET_H
#define ETMEM_KERNEL_PROBE_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_BUDGET_DEFAULT_PCT 0.5 /* comebacks per minute, % of resident pages */
#define PROBE_BUDGET_SKIP_MAX 64     /* at the floor, one probing window in this many */
#define PROBE_BUDGET_CREEP 16        /* creep step: 1/this of the count size asks for */

enum probe_budget_state {
    PROBE_BUDGET_FULL,       /* probing as much as the target's size asks for */
    PROBE_BUDGET_CREEPING,   /* under budget with room: the count grows back */
    PROBE_BUDGET_HOLDING,    /* under budget, little room: the count is kept */
    PROBE_BUDGET_BACKING_OFF,/* over budget: the count halves */
    PROBE_BUDGET_AT_FLOOR,   /* over budget at the floor: sensing costs more than allowed */
};

struct probe_budget {
    double allowed;     /* probes per window in force, averaged over skipped windows; 0:
                           not started (the first window probes what size asks for) */
    double credit;      /* comebacks the target may still have, in pages (< 0: in debt) */
    unsigned since;     /* windows since the last probing one (at the floor) */
    enum probe_budget_state state;
};

/* One window that just ended, and what the next may do. */
struct probe_budget_in {
    double pct;           /* the budget: comebacks per minute, % of resident pages */
    double secs;          /* the window's length */
    uint64_t resident;    /* the target's resident pages */
    uint64_t comebacks;   /* probe pages back in the window (refaulted + late) */
    size_t want;          /* probes the target's size asks for (the most allowed) */
    size_t floor;         /* the fewest probes a probing window sends */
};

void probe_budget_init(struct probe_budget *b);
/* Account for the window in, return the number of probes for the next window (0: a window
 * skipped at the floor). */
size_t probe_budget_next(struct probe_budget *b, const struct probe_budget_in *in);
const char *probe_budget_state_name(enum probe_budget_state s);

#endif
