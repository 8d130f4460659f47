/* SPDX-License-Identifier: MulanPSL-2.0 */
/* reply.h - the answer to one request, streamed to the client in its own protocol: frames
 * (text for stdout, text for stderr, final status) or, for the original client, raw text
 * ended by 0xff/0xfe. Output is kept until reply_end, which the dispatcher calls once the
 * command has returned (and released the model lock), then sent in frames of up to 32 KiB.
 * Lines for stderr go out at once: call reply_err_line only without the model lock. */
#ifndef ETMEM_REPLY_H
#define ETMEM_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol.h"
#include "strbuf.h"

struct diag;

struct reply {
    int fd;
    bool legacy;
    bool broken;        /* a write failed: the client is gone; later output is dropped */
    struct strbuf out;  /* stdout text not yet sent */
};

void reply_init(struct reply *r, int fd, bool legacy);
void reply_printf(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_out(struct reply *r, const char *data, size_t len);
/* One line for the client's stderr (a newline is added). */
void reply_err_line(struct reply *r, const char *line);
/* Warnings, then the error if any, each to stderr; they are logged too. */
void reply_diag(struct reply *r, const struct diag *d);
/* Flush and send the final status; the connection then carries nothing more. */
void reply_end(struct reply *r, enum etmem_status st);
void reply_release(struct reply *r);

#endif
