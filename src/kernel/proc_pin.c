/* SPDX-License-Identifier: MulanPSL-2.0 */
/* proc_pin.c - binding actions to the process they were decided for: pid + start time,
 * held through a pidfd, so a pid reused while a cycle runs is never acted on. */
#include "proc.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sys_compat.h"

#define PF_KTHREAD 0x00200000u

/* pidfd numbers real processes only: under a fixture root the pids are made up. */
static bool procfs_is_real(void)
{
    return strcmp(procfs_root(), "/proc") == 0;
}

int proc_pin_open(const struct proc_identity *id, struct proc_pin *pin)
{
    pin->id = *id;
    pin->pidfd = -1;
    if (procfs_is_real()) {
        pin->pidfd = sys_pidfd_open(id->pid);
        if (pin->pidfd < 0 && errno != ENOSYS)
            return errno == ESRCH ? -ESRCH : -errno;
    }
    /* The pidfd was taken before this look: if the pid still has our start time now, the
     * pidfd is of our process. */
    if (!proc_identity_alive(id)) {
        proc_pin_close(pin);
        return -ESRCH;
    }
    return 0;
}

int proc_pin_check(const struct proc_pin *pin)
{
    if (pin->pidfd < 0)
        return proc_identity_alive(&pin->id) ? 0 : -ESRCH;
    struct pollfd pfd = { .fd = pin->pidfd, .events = POLLIN };
    int n;
    do
        n = poll(&pfd, 1, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    /* readable once the process has exited (a zombie too) */
    return n == 0 ? 0 : -ESRCH;
}

void proc_pin_close(struct proc_pin *pin)
{
    if (pin->pidfd >= 0)
        close(pin->pidfd);  /* a pidfd's close cannot fail in a way we could act on */
    pin->pidfd = -1;
}

const char *proc_never_target(pid_t pid, const struct proc_stat *st)
{
    if (pid == getpid())
        return "it is etmemd itself";
    if (st->flags & PF_KTHREAD)
        return "it is a kernel thread (no user memory to tier)";
    return NULL;
}
