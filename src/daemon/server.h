/* SPDX-License-Identifier: MulanPSL-2.0 */
/* server.h - the listening socket, the accept loop and the connection threads. */
#ifndef ETMEM_SERVER_H
#define ETMEM_SERVER_H

/* Bind and listen on the abstract-namespace socket NAME. Returns the fd, or -errno
 * (-EADDRINUSE when another process listens on that name). */
int server_listen(const char *name);

/* Serve until SIGINT or SIGTERM arrives (they must be blocked in every thread already),
 * then call stopping (may be NULL: what must give up before the commands still running are
 * waited for), stop accepting, cut every client connection off and wait for those
 * commands. Returns the signal. */
int server_run(int listen_fd, void (*stopping)(void));

#endif
