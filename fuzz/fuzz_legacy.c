/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_legacy.c - libFuzzer harness for the original client's one-line request, as etmemd
 * receives it (not NUL-terminated). A decoded request must survive
 * legacy_request_encode + decode unchanged, else the harness aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

static void same_or_abort(const struct etmem_request *a, const struct etmem_request *b)
{
    if (a->cmd != b->cmd || a->flags != b->flags)
        abort();
    for (int i = 0; i < FIELD_COUNT; i++) {
        if ((a->field[i] == NULL) != (b->field[i] == NULL) ||
            (a->field[i] != NULL && strcmp(a->field[i], b->field[i]) != 0)) {
            fprintf(stderr, "fuzz_legacy: field %d changed over a round trip\n", i);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct etmem_request req, again;
    char err[256];
    char *line;

    if (legacy_request_decode((const char *)data, size, &req, err, sizeof(err)) != 0) {
        if (err[0] == '\0')
            abort();
        request_free(&req);
        return 0;
    }
    line = legacy_request_encode(&req);
    if (legacy_request_decode(line, strlen(line), &again, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz_legacy: re-encoded request refused: %s\n", err);
        abort();
    }
    same_or_abort(&req, &again);
    request_free(&again);
    request_free(&req);
    free(line);
    return 0;
}
