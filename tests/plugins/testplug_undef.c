/* SPDX-License-Identifier: MulanPSL-2.0 */
/* testplug_undef.c - a plug-in that needs a function no library defines: loading it with
 * RTLD_NOW must fail, and etmemd must say which symbol is missing. */
#include "etmemd_thirdparty_export.h"

int etmem_test_no_such_function(struct engine *eng, struct task *tk);

struct engine_ops my_engine_ops = { .start_task = etmem_test_no_such_function };
