/* SPDX-License-Identifier: MulanPSL-2.0 */
/* guard_keys.c - the guard's key values into its configuration; the decimal key type. */
#include "guard_keys.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

bool key_parse_decimal(const struct config_key *key, const char *text, void *dst, char **why)
{
    double lo = (double)key->min / 1e6, hi = (double)key->max / 1e6, v;
    char *end;

    errno = 0;
    v = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !isfinite(v) ||
        strspn(text, "0123456789.") != strlen(text)) {
        xasprintf(why, "'%s' is not a decimal number (allowed: %s, e.g. %s)", text,
                  key->range ? key->range : "a decimal number", key->def ? key->def : "0.5");
        return false;
    }
    if (v < lo || v > hi) {
        xasprintf(why, "value %s is out of range %s", text, key->range ? key->range : "");
        return false;
    }
    *(double *)dst = v;
    return true;
}

void guard_conf_from_keys(const struct guard_task_keys *k, struct guard_conf *conf)
{
    memset(conf, 0, sizeof(*conf));
    conf->t.refault_pct = k->refault_pct;
    conf->t.psi_us = k->psi_us;
    conf->t.rate_mib_s = k->rate_mib;
    conf->env.swap_full_pct = (unsigned)k->swap_full;
    conf->env.zram_min_gain_pct = (unsigned)k->zram_min_gain;
    conf->env.hold_cycles = GUARD_HOLD_CYCLES;
}
