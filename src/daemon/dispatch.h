/* SPDX-License-Identifier: MulanPSL-2.0 */
/* dispatch.h - route one decoded request to its command handler and finish its reply. */
#ifndef ETMEM_DISPATCH_H
#define ETMEM_DISPATCH_H

#include <sys/types.h>

#include "protocol.h"
#include "reply.h"

struct peer {
    pid_t pid;
    uid_t uid;
    gid_t gid;
};

/* Answers the request completely (output, messages, final status). May rewrite fields
 * (a legacy client's relative path becomes absolute against the client's cwd). */
void dispatch_request(struct etmem_request *req, const struct peer *peer, struct reply *r);

#endif
