/* SPDX-License-Identifier: MulanPSL-2.0 */
/* swapknob.c - setting and restoring kernel_swap_enable for started projects. */
#include "swapknob.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "log.h"
#include "proc.h"

static int holders;             /* started projects that set the knob */
static bool held_value;
static bool saved_value;        /* the knob before the first holder */

static void knob_path(char *path, size_t len)
{
    sys_path(path, len, "kernel/mm/swap/kernel_swap_enable");
}

bool swapknob_present(void)
{
    char path[PATH_MAX];

    knob_path(path, sizeof(path));
    return access(path, F_OK) == 0;
}

static int knob_read(bool *value)
{
    char path[PATH_MAX], line[16];
    int rc;

    knob_path(path, sizeof(path));
    rc = file_read_line(path, line, sizeof(line));
    if (rc < 0)
        return rc;
    *value = strcmp(line, "true") == 0 || strcmp(line, "1") == 0;
    return 0;
}

static int knob_write(bool value)
{
    char path[PATH_MAX];
    const char *text = value ? "true\n" : "false\n";
    ssize_t n;
    int fd, err = 0;

    knob_path(path, sizeof(path));
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    n = write(fd, text, strlen(text));
    if (n != (ssize_t)strlen(text))
        err = n < 0 ? -errno : -EIO;
    if (close(fd) < 0 && err == 0)
        err = -errno;
    return err;
}

int swapknob_claim(const char *project, bool value, struct diag *d)
{
    int rc;

    if (holders > 0) {
        if (held_value != value) {
            diag_error(d, "project '%s' wants kernel_swap_enable=%s, but a started project holds "
                       "it at %s", project, value ? "yes" : "no", held_value ? "yes" : "no");
            return -1;
        }
        holders++;
        return 0;
    }
    rc = knob_read(&saved_value);
    if (rc == 0)
        rc = knob_write(value);
    if (rc < 0) {
        diag_error(d, "project '%s': cannot set kernel_swap_enable: %s", project, strerror(-rc));
        return -1;
    }
    holders = 1;
    held_value = value;
    log_info("kernel_swap_enable set to %s (was %s)", value ? "true" : "false",
             saved_value ? "true" : "false");
    return 0;
}

void swapknob_release(void)
{
    int rc;

    if (holders == 0 || --holders > 0)
        return;
    rc = knob_write(saved_value);
    if (rc < 0)
        log_err("cannot restore kernel_swap_enable to %s: %s", saved_value ? "true" : "false",
                strerror(-rc));
    else
        log_info("kernel_swap_enable restored to %s", saved_value ? "true" : "false");
}
