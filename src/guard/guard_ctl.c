/* SPDX-License-Identifier: MulanPSL-2.0 */
/* guard_ctl.c - the guard's controller: additive increase, multiplicative decrease of the
 * share of cold pages an engine may take, against the task's refault and pressure targets.
 *
 * DESIGN. A target exceeded halves the share at once (a thrashing task must get relief
 * within a cycle or two); all targets met with room (measured <= 80 % of each) add 1/16
 * back per cycle, so it takes many quiet cycles to return to full speed; in between the
 * share holds, so the controller settles just under the target instead of oscillating
 * around it. The share also sets the cold age a page needs: at share 1/2^k a page must
 * have been cold 2k+1 cycles in a row, so backing off first drops the memory that was only
 * briefly idle, the memory most likely to come back, and a few halvings take the cold age
 * past the reuse distance of memory read again every few cycles. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "guard.h"

#define CREEP_BELOW 0.8      /* of a target: under this, the share may grow */
#define CREEP_STEP (1.0 / 16)

static const char *const verdict_names[] = {
    [GUARD_OFF] = "off",
    [GUARD_FREE] = "free",
    [GUARD_CREEPING] = "creeping back",
    [GUARD_HOLDING] = "holding",
    [GUARD_BACKING_OFF] = "backing off",
};

const char *guard_verdict_name(enum guard_verdict v)
{
    return verdict_names[v];
}

bool guard_targets_any(const struct guard_targets *t)
{
    return t->refault_pct > 0 || t->psi_us > 0 || t->rate_mib_s > 0;
}

static unsigned cold_cycles_for(double share)
{
    unsigned k = (unsigned)floor(log2(1.0 / share) + 1e-9);

    return 2 * k + 1 > GUARD_COLD_CYCLES_MAX ? GUARD_COLD_CYCLES_MAX : 2 * k + 1;
}

void guard_ctl_init(struct guard_ctl *c, const struct guard_targets *t)
{
    memset(c, 0, sizeof(*c));
    c->t = *t;
    c->share = 1.0;
    c->cold_cycles = 1;
    c->verdict = guard_targets_any(t) ? GUARD_FREE : GUARD_OFF;
    snprintf(c->why, sizeof(c->why), "%s", guard_targets_any(t) ? "no measurement yet" :
             "no target set");
}

/* The measured/target ratio that matters most, and a sentence saying what it is. */
static double worst_ratio(const struct guard_ctl *c, const struct guard_measured *m,
                          char *why, size_t len)
{
    double worst = -1;

    if (c->t.refault_pct > 0 && m->refault_known) {
        worst = m->refault_pct / c->t.refault_pct;
        /* the tracker's probes are half or more of it: taking less cannot help much, the
         * probe budget (GUARD_PROBE_SHARE of the target) is what bounds them */
        bool probing = worst > CREEP_BELOW && m->probe_refault_pct >= m->refault_pct / 2;
        snprintf(why, len, "refaults %.3f%%/min of resident memory, target %.3f%%%s",
                 m->refault_pct, c->t.refault_pct, probing ? "; mostly the tracker's "
                 "probes: sensing holds it back" : "");
        if (probing)
            snprintf(why + strlen(why), len - strlen(why), " (%.3f%%/min, budget %.3f%%)",
                     m->probe_refault_pct, guard_probe_budget_pct(&c->t));
    }
    if (c->t.psi_us > 0 && m->psi_known && m->psi_us / c->t.psi_us > worst) {
        worst = m->psi_us / c->t.psi_us;
        snprintf(why, len, "%s memory stall %.0f us/s, target %.0f us/s",
                 m->psi_cgroup ? "cgroup" : "system", m->psi_us, c->t.psi_us);
    }
    return worst;
}

void guard_ctl_update(struct guard_ctl *c, const struct guard_measured *m)
{
    char why[sizeof(c->why)] = "";
    double r;

    if (c->t.refault_pct <= 0 && c->t.psi_us <= 0) {
        if (c->t.rate_mib_s > 0)
            snprintf(c->why, sizeof(c->why), "swapped out %.1f MiB/s, cap %.1f MiB/s",
                     m->out_mib_s, c->t.rate_mib_s);
        return;   /* only a rate cap (or nothing): applied by the quota, no feedback */
    }
    r = worst_ratio(c, m, why, sizeof(why));
    if (r < 0) {
        c->verdict = GUARD_HOLDING;
        snprintf(c->why, sizeof(c->why), "nothing measurable this cycle");
        return;
    }
    if (r > 1) {
        c->share = fmax(c->share / 2, GUARD_SHARE_MIN);
        c->verdict = GUARD_BACKING_OFF;
    } else if (r <= CREEP_BELOW) {
        c->share = fmin(c->share + CREEP_STEP, 1.0);
        c->verdict = c->share >= 1.0 ? GUARD_FREE : GUARD_CREEPING;
    } else {
        c->verdict = GUARD_HOLDING;
    }
    c->cold_cycles = cold_cycles_for(c->share);
    snprintf(c->why, sizeof(c->why), "%s", why);
}

uint64_t guard_ctl_quota(const struct guard_ctl *c, uint64_t cold_pages)
{
    uint64_t q = (uint64_t)ceil((double)cold_pages * c->share);

    return q > cold_pages ? cold_pages : q;
}
