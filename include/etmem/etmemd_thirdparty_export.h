/* SPDX-License-Identifier: MulanPSL-2.0 */
/* etmemd_thirdparty_export.h - the one header a third-party engine plug-in includes.
 * Find it with `pkg-config --cflags etmem`; see etmemd_engine_exp.h for the contract. */
#ifndef ETMEM_THIRDPARTY_EXPORT_H
#define ETMEM_THIRDPARTY_EXPORT_H

#include "etmemd_project_exp.h"
#include "etmemd_engine_exp.h"
#include "etmemd_task_exp.h"

#endif
