/* SPDX-License-Identifier: MulanPSL-2.0 */
/* reply.c - streaming a request's answer in the client's protocol. */
#include "reply.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "log.h"

#define REPLY_FRAME_BYTES (32u * 1024u)

/* The original client ends its read at any 0xff/0xfe byte, so text for it (which may quote
 * a config value or a path byte for byte) carries '?' in their place. */
static int legacy_write_text(int fd, const char *data, size_t len)
{
    char buf[4096];
    int rc = 0;

    for (size_t off = 0, n; off < len && rc == 0; off += n) {
        n = len - off < sizeof(buf) ? len - off : sizeof(buf);
        for (size_t i = 0; i < n; i++) {
            unsigned char b = (unsigned char)data[off + i];

            buf[i] = b == ETMEM_LEGACY_OK || b == ETMEM_LEGACY_FAIL ? '?' : (char)b;
        }
        rc = write_all(fd, buf, n);
    }
    return rc;
}

static void reply_send(struct reply *r, enum frame_type type, const char *data, size_t len)
{
    int rc;

    if (r->broken || len == 0)
        return;
    if (!r->legacy)
        rc = frame_write(r->fd, type, data, len);
    else if (type == FRAME_END)
        rc = write_all(r->fd, data, len);   /* the terminator itself */
    else
        rc = legacy_write_text(r->fd, data, len);
    if (rc < 0) {
        r->broken = true;
        log_info("client went away while being answered: %s", strerror(-rc));
    }
}

static void reply_flush(struct reply *r)
{
    size_t off = 0;

    while (off < r->out.len) {
        size_t chunk = r->out.len - off;

        if (chunk > REPLY_FRAME_BYTES)
            chunk = REPLY_FRAME_BYTES;
        reply_send(r, FRAME_OUT, r->out.s + off, chunk);
        off += chunk;
    }
    sb_reset(&r->out);
}

void reply_init(struct reply *r, int fd, bool legacy)
{
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->legacy = legacy;
}

/* Output is only collected here: commands run under the model lock, and a client that
 * reads slowly (or never) must not hold it. reply_end sends it, after the command. */
void reply_out(struct reply *r, const char *data, size_t len)
{
    sb_add(&r->out, data, len);
}

void reply_printf(struct reply *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sb_vprintf(&r->out, fmt, ap);
    va_end(ap);
}

/* The line may quote a config value or a client's bytes: control bytes in it are escaped,
 * so they reach the user's terminal as text. */
void reply_err_line(struct reply *r, const char *line)
{
    struct strbuf sb = STRBUF_INIT;

    reply_flush(r);     /* keep stdout and stderr text in order */
    sb_add_escaped(&sb, line, strlen(line), "\t");
    sb_add(&sb, "\n", 1);
    reply_send(r, FRAME_ERR, sb.s, sb.len);
    sb_free(&sb);
}

void reply_diag(struct reply *r, const struct diag *d)
{
    /* the log has its own level tag, so it gets the lines without "warning: "/"error: " */
    for (size_t i = 0; i < d->nr_warnings; i++) {
        log_warn("%s", d->warnings[i] + strlen("warning: "));
        reply_err_line(r, d->warnings[i]);
    }
    if (d->warnings_dropped > 0) {
        char line[96];

        snprintf(line, sizeof(line), "warning: ... and %zu more warnings", d->warnings_dropped);
        log_warn("%s", line + strlen("warning: "));
        reply_err_line(r, line);
    }
    for (size_t i = 0; i < d->nr_errors; i++) {
        log_err("%s", d->errors[i] + strlen("error: "));
        reply_err_line(r, d->errors[i]);
    }
}

void reply_end(struct reply *r, enum etmem_status st)
{
    int32_t code = st;

    reply_flush(r);
    if (!r->legacy) {
        reply_send(r, FRAME_END, (const char *)&code, sizeof(code));
        return;
    }
    uint8_t term = st == ST_OK ? ETMEM_LEGACY_OK : ETMEM_LEGACY_FAIL;

    if (st != ST_OK)
        reply_send(r, FRAME_ERR, etmem_status_text(st), strlen(etmem_status_text(st)));
    reply_send(r, FRAME_END, (const char *)&term, 1);
}

void reply_release(struct reply *r)
{
    sb_free(&r->out);
}
