/* SPDX-License-Identifier: MulanPSL-2.0 */
/* replay.c - run a harness's LLVMFuzzerTestOneInput over every file of its checked-in
 * corpus (REPLAY_DIR), without libFuzzer: built with the unit tests, so the seeds and every
 * input that once crashed (saved there as regress_*) are checked on each test run. A
 * harness that finds a problem aborts, which fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;

    if (f == NULL) {
        perror(path);
        return -1;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            if (buf == NULL)
                abort();
        }
        size_t n = fread(buf + len, 1, cap - len, f);

        if (n == 0)
            break;
        len += n;
    }
    fclose(f);
    /* an exact-size copy, so that a read past the end shows under ASan */
    uint8_t *exact = malloc(len ? len : 1);

    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

int main(void)
{
    DIR *dir = opendir(REPLAY_DIR);
    struct dirent *de;
    int n = 0, bad = 0;

    if (dir == NULL) {
        perror(REPLAY_DIR);
        return 1;
    }
    while ((de = readdir(dir)) != NULL) {
        char path[4096];

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", REPLAY_DIR, de->d_name);
        printf("replay %s\n", de->d_name);
        fflush(stdout);
        bad += replay_file(path) < 0;
        n++;
    }
    closedir(dir);
    printf("%d passed, %d failed\n", n - bad, bad);
    return bad || n == 0;
}
