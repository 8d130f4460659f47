/* SPDX-License-Identifier: MulanPSL-2.0 */
/* probe_budget.c - the probe cost controller (probe_budget.h): a credit of comebacks at the
 * budget's rate, the probe count halved in debt and crept back with room. */
#include "probe_budget.h"

#include <math.h>
#include <string.h>

static const char *const state_names[] = {
    [PROBE_BUDGET_FULL] = "full",
    [PROBE_BUDGET_CREEPING] = "creeping back",
    [PROBE_BUDGET_HOLDING] = "holding",
    [PROBE_BUDGET_BACKING_OFF] = "backing off",
    [PROBE_BUDGET_AT_FLOOR] = "at the floor, over budget",
};

const char *probe_budget_state_name(enum probe_budget_state s)
{
    return state_names[s];
}

void probe_budget_init(struct probe_budget *b)
{
    memset(b, 0, sizeof(*b));
}

/* The count for the next window from the average in force: below the floor, floor probes
 * in one window out of ceil(floor / allowed). */
static size_t next_count(struct probe_budget *b, size_t floor)
{
    if (b->allowed >= (double)floor) {
        b->since = 0;
        return (size_t)(b->allowed + 0.5);
    }
    unsigned every = (unsigned)ceil((double)floor / b->allowed - 1e-9);
    if (++b->since < every)
        return 0;
    b->since = 0;
    return floor;
}

size_t probe_budget_next(struct probe_budget *b, const struct probe_budget_in *in)
{
    size_t floor = in->floor < in->want ? in->floor : in->want;
    if (in->want == 0 || floor == 0)
        return in->want;
    if (in->pct <= 0) {
        b->allowed = (double)in->want;
        b->state = PROBE_BUDGET_FULL;
        return in->want;
    }
    double minute = in->pct / 100.0 * (double)in->resident, cap = fmax(minute, 1.0);
    double lowest = (double)floor / PROBE_BUDGET_SKIP_MAX, want = (double)in->want;
    if (b->allowed <= 0) {
        b->allowed = want;
        b->credit = cap;
    }
    b->credit = fmin(b->credit + minute * in->secs / 60.0 - (double)in->comebacks, cap);
    /* At the floor the count cannot drop further: debt piled up there would only keep the
     * count down for hours once the workload calms. */
    if (b->allowed <= lowest)
        b->credit = fmax(b->credit, -cap);
    if (b->credit < 0) {
        b->state = b->allowed <= lowest ? PROBE_BUDGET_AT_FLOOR : PROBE_BUDGET_BACKING_OFF;
        b->allowed /= 2;
    } else if (b->credit >= cap / 2) {
        b->allowed += fmax(want / PROBE_BUDGET_CREEP, 1.0);
        b->state = b->allowed >= want ? PROBE_BUDGET_FULL : PROBE_BUDGET_CREEPING;
    } else {
        b->state = PROBE_BUDGET_HOLDING;
    }
    b->allowed = fmin(fmax(b->allowed, lowest), want);
    return next_count(b, floor);
}
