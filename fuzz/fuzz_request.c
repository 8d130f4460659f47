/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_request.c - libFuzzer harness for the framed protocol as etmemd reads it. The first
 * byte picks the path: even, the rest is a request payload for request_decode; odd, the
 * rest is a byte stream read frame by frame (frame_read over a pipe), each FRAME_REQUEST
 * payload decoded. A decoded request must encode back to the very same bytes (the format
 * has one spelling per request), else the harness aborts. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"

static void decode_one(const uint8_t *buf, size_t len)
{
    struct etmem_request req;
    char err[256];
    uint8_t *again;
    size_t again_len;

    if (request_decode(buf, len, &req, err, sizeof(err)) != 0) {
        if (err[0] == '\0')
            abort();    /* refused without a reason */
        request_free(&req);
        return;
    }
    if (request_encode(&req, &again, &again_len) != 0 || again_len != len ||
        memcmp(again, buf, len) != 0) {
        fprintf(stderr, "fuzz_request: a decoded request does not encode back\n");
        abort();
    }
    free(again);
    request_free(&req);
}

/* The stream through a pipe (its 64 KiB buffer holds any input libFuzzer makes by default;
 * longer inputs are cut so that the write cannot block). */
static void read_frames(const uint8_t *buf, size_t len)
{
    struct frame_hdr hdr;
    uint8_t *payload;
    int fds[2];

    if (len > 60000)
        len = 60000;
    if (pipe(fds) != 0)
        abort();
    if (write_all(fds[1], buf, len) != 0)
        abort();
    close(fds[1]);
    while (frame_read(fds[0], &hdr, &payload, ETMEM_FRAME_MAX) == 0) {
        if (hdr.type == FRAME_REQUEST)
            decode_one(payload, hdr.len);
        free(payload);
    }
    close(fds[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy;

    if (size == 0)
        return 0;
    /* an exact-size copy, so that any read past the end is caught */
    copy = malloc(size - 1 ? size - 1 : 1);
    memcpy(copy, data + 1, size - 1);
    if (data[0] & 1)
        read_frames(copy, size - 1);
    else
        decode_one(copy, size - 1);
    free(copy);
    return 0;
}
