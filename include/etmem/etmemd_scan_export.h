/* SPDX-License-Identifier: MulanPSL-2.0 */
/* etmemd_scan_export.h - the header scan-library users include (original name). */
#ifndef ETMEMD_SCAN_EXPORT_H
#define ETMEMD_SCAN_EXPORT_H

#include "etmemd_exp.h"
#include "etmemd_scan_exp.h"

#endif
