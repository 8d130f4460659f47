/* SPDX-License-Identifier: MulanPSL-2.0 */
/* swapknob.h - openEuler's global /sys/kernel/mm/swap/kernel_swap_enable, which projects may
 * set with kernel_swap_enable=yes|no. Started projects that set it must agree; the value
 * found before the first of them is restored when the last one stops. Called with the model
 * lock held. */
#ifndef ETMEM_SWAPKNOB_H
#define ETMEM_SWAPKNOB_H

#include <stdbool.h>

struct diag;

bool swapknob_present(void);
/* A project wants the knob at value: 0 on success, -1 with the reason in d. */
int swapknob_claim(const char *project, bool value, struct diag *d);
void swapknob_release(void);

#endif
