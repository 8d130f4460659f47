/* SPDX-License-Identifier: MulanPSL-2.0 */
/* sdnotify.h - systemd's notify protocol (Type=notify): READY once the socket listens,
 * STATUS lines, a watchdog fed only while etmemd's threads make progress, STOPPING.
 * Without NOTIFY_SOCKET in the environment (not started by systemd) all of it is off. */
#ifndef ETMEM_SDNOTIFY_H
#define ETMEM_SDNOTIFY_H

/* After the socket listens: READY=1 and a first STATUS, then a thread that refreshes
 * STATUS and, when WATCHDOG_USEC is set for this process, sends WATCHDOG=1 every half
 * period while no thread has been busy for a whole period. backend: the access tracker the
 * probe chose, for STATUS. Returns 0, or -1 when the thread cannot start (logged). */
int sdnotify_start(const char *backend);
/* STOPPING=1 and the thread joined; nothing when sdnotify_start did nothing. */
void sdnotify_stop(void);

#endif
