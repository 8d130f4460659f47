/* SPDX-License-Identifier: MulanPSL-2.0 */
/* caps.h - etmemd keeps only the capabilities its work needs. */
#ifndef ETMEM_CAPS_H
#define ETMEM_CAPS_H

/* Drop every capability but those needed to read and act on other processes' memory
 * (bounding, effective, permitted and inheritable sets) and set no-new-privs. Returns 0, or
 * -errno when it could not (it then logs why; the daemon keeps running). */
int caps_drop_unneeded(void);

#endif
