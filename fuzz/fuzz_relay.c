/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_relay.c - libFuzzer harness for the path a thirdparty plug-in's eng_mgt_func output
 * takes to the client: the engine's pipe is read in chunks, each cut by relay_cut_pass
 * (src/daemon/relay_cut.c, as cmd_engine.c's relay does) and streamed by the reply code
 * (src/daemon/reply.c) in the framed or the original client's protocol, with error lines
 * that quote arbitrary bytes (as messages quoting config values do); then the stream is
 * read back as that client reads it. Byte 0: bit 0 the protocol (1: original), bit 1 "the
 * input holds an error line after its first NUL byte", the other bits the chunk sizes; the
 * rest is what the plug-in wrote. Besides crashes, leaks and UB it aborts when:
 *   - the client does not get exactly the output up to the first 0xff/0xfe byte;
 *   - framed: the frames do not read back (magic, types, sizes), the error lines are not
 *     passed on byte for byte with their control bytes written out as \xNN (and no control
 *     byte but the newline ending each), or the final status is not success for clean
 *     output without an error line and a failure otherwise;
 *   - original protocol: a 0xff/0xfe byte appears anywhere but as the last byte, or the
 *     terminator does not match the status (the original client stops at the first
 *     chunk ending in one of them). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "protocol.h"
#include "relay_cut.h"
#include "reply.h"
#include "strbuf.h"

#define CUT_ERROR "error: engine 'fuzz' wrote a reserved byte (0xff or 0xfe) in its output"

static int out_fd = -1;     /* the "socket": a memory file, rewound for each input */

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz_relay: %s\n", what);
    abort();
}

/* Where the client's text must end: the first reserved byte, or the end. */
static size_t first_reserved(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] == ETMEM_LEGACY_OK || buf[i] == ETMEM_LEGACY_FAIL)
            return i;
    return len;
}

/* The daemon side: relay the plug-in's output in chunks, then end the reply. */
static enum etmem_status relay(const uint8_t *buf, size_t len, const char *err_line,
                               unsigned step, bool legacy)
{
    struct relay_cut cut = { 0 };
    struct reply r;
    size_t off = 0, passed_total = 0;
    enum etmem_status st;

    reply_init(&r, out_fd, legacy);
    while (off < len) {
        size_t n = 1 + (off * 13 + 5) % step, pass;

        if (n > len - off)
            n = len - off;
        pass = relay_cut_pass(&cut, (const char *)buf + off, n);
        if (pass > n || (pass < n && !cut.seen) || (passed_total != off && pass != 0))
            fuzz_fail("relay_cut_pass passes bytes after a cut or cuts without a reason");
        passed_total += pass;
        reply_out(&r, (const char *)buf + off, pass);
        off += n;
    }
    if (passed_total != first_reserved(buf, len))
        fuzz_fail("relay_cut_pass does not pass exactly the bytes before the first 0xff/0xfe");
    st = cut.seen || err_line != NULL ? ST_INVAL : ST_OK;
    if (err_line != NULL)
        reply_err_line(&r, err_line);
    if (cut.seen)
        reply_err_line(&r, CUT_ERROR);
    reply_end(&r, st);
    if (r.broken)
        fuzz_fail("the reply could not be written");
    reply_release(&r);
    return st;
}

/* The framed client: stdout text, stderr lines, then one FRAME_END with the status. */
static void read_framed(const uint8_t *want, size_t want_len, const char *want_err,
                        enum etmem_status st)
{
    struct frame_hdr hdr;
    uint8_t *payload;
    size_t got = 0, got_err = 0, want_err_len = strlen(want_err);
    bool ended = false;
    int rc;

    while ((rc = frame_read(out_fd, &hdr, &payload, ETMEM_FRAME_MAX)) == 0) {
        if (ended)
            fuzz_fail("a frame after FRAME_END");
        if (hdr.type == FRAME_OUT) {
            if (got + hdr.len > want_len || memcmp(payload, want + got, hdr.len) != 0)
                fuzz_fail("framed: stdout text is not the plug-in's output");
            got += hdr.len;
        } else if (hdr.type == FRAME_END) {
            int32_t code;

            if (hdr.len != sizeof(code))
                fuzz_fail("framed: FRAME_END without a status");
            memcpy(&code, payload, sizeof(code));
            if (code != (int32_t)st)
                fuzz_fail("framed: wrong status");
            ended = true;
        } else if (hdr.type == FRAME_ERR) {
            if (got_err + hdr.len > want_err_len ||
                memcmp(payload, want_err + got_err, hdr.len) != 0)
                fuzz_fail("framed: stderr text is not the error lines");
            for (size_t i = 0; i < hdr.len; i++) {
                if ((payload[i] < 0x20 && payload[i] != '\n' && payload[i] != '\t') ||
                    payload[i] == 0x7f)
                    fuzz_fail("framed: a control byte reaches the terminal");
            }
            got_err += hdr.len;
        } else {
            fuzz_fail("framed: a frame of an unexpected type");
        }
        free(payload);
    }
    if (!ended || got != want_len || got_err != want_err_len)
        fuzz_fail("framed: stream cut short");
}

/* The original client: raw text, the only reserved byte is the last one. */
static void read_legacy(const uint8_t *want, size_t want_len, enum etmem_status st)
{
    off_t size = lseek(out_fd, 0, SEEK_END);
    uint8_t *s;

    if (size < 1)
        fuzz_fail("original protocol: empty answer");
    s = malloc((size_t)size);
    if (s == NULL || pread(out_fd, s, (size_t)size, 0) != size)
        abort();
    if (first_reserved(s, (size_t)size) != (size_t)size - 1)
        fuzz_fail("original protocol: a reserved byte before the terminator");
    if (s[size - 1] != (st == ST_OK ? ETMEM_LEGACY_OK : ETMEM_LEGACY_FAIL))
        fuzz_fail("original protocol: the terminator does not match the status");
    if ((size_t)size - 1 < want_len || memcmp(s, want, want_len) != 0)
        fuzz_fail("original protocol: the text is not the plug-in's output");
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool legacy;
    unsigned step;
    enum etmem_status st;
    uint8_t *buf;
    char *err_line = NULL;
    struct strbuf want_err = STRBUF_INIT;
    size_t len, want_len;

    if (size == 0)
        return 0;
    if (out_fd < 0 && (out_fd = memfd_create("fuzz_relay", MFD_CLOEXEC)) < 0)
        abort();
    if (ftruncate(out_fd, 0) != 0 || lseek(out_fd, 0, SEEK_SET) != 0)
        abort();
    legacy = data[0] & 1;
    step = 1u + (data[0] >> 2) * 74u;   /* 1 .. 4663 bytes a read */
    len = size - 1;
    buf = malloc(len ? len : 1);        /* exact size: a read past the end shows */
    if (buf == NULL)
        abort();
    memcpy(buf, data + 1, len);
    if (data[0] & 2) {
        uint8_t *nul = memchr(buf, '\0', len);

        if (nul != NULL) {
            err_line = strndup((const char *)nul + 1, len - (size_t)(nul + 1 - buf));
            if (err_line == NULL)
                abort();
            len = (size_t)(nul - buf);
        }
    }
    want_len = first_reserved(buf, len);
    if (err_line != NULL) {
        sb_add_escaped(&want_err, err_line, strlen(err_line), "\t");
        sb_add(&want_err, "\n", 1);
    }
    if (want_len < len)
        sb_add(&want_err, CUT_ERROR "\n", strlen(CUT_ERROR) + 1);
    sb_add(&want_err, "", 0);

    st = relay(buf, len, err_line, step, legacy);
    if (lseek(out_fd, 0, SEEK_SET) != 0)
        abort();
    if (legacy)
        read_legacy(buf, want_len, st);
    else
        read_framed(buf, want_len, want_err.s, st);
    sb_free(&want_err);
    free(err_line);
    free(buf);
    return 0;
}
