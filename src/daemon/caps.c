/* SPDX-License-Identifier: MulanPSL-2.0 */
/* caps.c - dropping the capabilities etmemd does not need, with raw syscalls (no libcap).
 *
 * Kept, and why:
 *   CAP_SYS_ADMIN        PFNs in /proc/<pid>/pagemap (page_idle tracking, kpageflags)
 *   CAP_SYS_PTRACE       maps/smaps/pagemap/clear_refs of other users' processes,
 *                        process_madvise and move_pages on them (ptrace access checks)
 *   CAP_SYS_NICE         process_madvise(MADV_PAGEOUT), move_pages(MPOL_MF_MOVE_ALL)
 *   CAP_DAC_OVERRIDE     root-owned config files and plug-ins inside other users'
 *   CAP_DAC_READ_SEARCH  directories; sysfs/procfs files whatever their mode */
#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

static const int kept_caps[] = {
    CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_NICE, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
};

static int last_cap(void)
{
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
    int last = CAP_LAST_CAP;

    if (f != NULL) {
        if (fscanf(f, "%d", &last) != 1)
            last = CAP_LAST_CAP;
        fclose(f);
    }
    return last;
}

static int is_kept(int cap)
{
    for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++) {
        if (kept_caps[i] == cap)
            return 1;
    }
    return 0;
}

int caps_drop_unneeded(void)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[2] = { { 0 } };
    int last = last_cap();

    for (int cap = 0; cap <= last; cap++) {
        if (!is_kept(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
            int err = errno;

            log_warn("cannot drop capability %d from the bounding set: %s", cap, strerror(err));
            return -err;
        }
    }
    for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++) {
        int cap = kept_caps[i];

        data[cap / 32].effective |= 1u << (cap % 32);
        data[cap / 32].permitted |= 1u << (cap % 32);
    }
    if (syscall(SYS_capset, &hdr, data) < 0) {
        int err = errno;

        log_warn("cannot drop unneeded capabilities: %s", strerror(err));
        return -err;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        int err = errno;

        log_warn("cannot set no-new-privs: %s", strerror(err));
        return -err;
    }
    log_debug("capabilities reduced to sys_admin, sys_ptrace, sys_nice, dac_override, "
              "dac_read_search");
    return 0;
}
