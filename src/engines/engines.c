/* SPDX-License-Identifier: MulanPSL-2.0 */
/* engines.c - the registry of engine kinds. */
#include <string.h>

#include "engine.h"

const struct engine_kind *const engine_kinds[] = {
    &slide_engine_kind,
    &cslide_engine_kind,
    &thirdparty_engine_kind,
    &psi_engine_kind,
    &damon_engine_kind,
    NULL,
};

const struct engine_kind *engine_kind_find(const char *name)
{
    for (int i = 0; engine_kinds[i] != NULL; i++) {
        if (strcmp(engine_kinds[i]->name, name) == 0)
            return engine_kinds[i];
    }
    return NULL;
}
