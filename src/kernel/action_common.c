/* SPDX-License-Identifier: MulanPSL-2.0 */
/* action_common.c - failure reasons shared by every page action: names for reports and
 * the errno -> reason table. */
#include "action.h"

#include <errno.h>

static const char *const fail_names[ACT_FAIL_COUNT] = {
    [ACT_FAIL_BUSY] = "busy",
    [ACT_FAIL_NOT_PRESENT] = "not_present",
    [ACT_FAIL_NOMEM] = "no_memory",
    [ACT_FAIL_ACCESS] = "access",
    [ACT_FAIL_FAULT] = "fault",
    [ACT_FAIL_INVAL] = "invalid",
    [ACT_FAIL_OTHER] = "other",
};

const char *action_fail_name(enum action_fail f)
{
    return f < ACT_FAIL_COUNT ? fail_names[f] : "?";
}

enum action_fail action_fail_from_errno(int err, bool migrate)
{
    static const struct {
        int err;
        enum action_fail reclaim, migrate;
    } map[] = {
        { EBUSY, ACT_FAIL_BUSY, ACT_FAIL_BUSY },
        { EAGAIN, ACT_FAIL_BUSY, ACT_FAIL_BUSY },
        { ENOENT, ACT_FAIL_NOT_PRESENT, ACT_FAIL_NOT_PRESENT },
        /* process_madvise: ENOMEM = range not mapped; move_pages: node out of memory */
        { ENOMEM, ACT_FAIL_NOT_PRESENT, ACT_FAIL_NOMEM },
        { EACCES, ACT_FAIL_ACCESS, ACT_FAIL_ACCESS },
        { EPERM, ACT_FAIL_ACCESS, ACT_FAIL_ACCESS },
        { EFAULT, ACT_FAIL_FAULT, ACT_FAIL_FAULT },
        { EINVAL, ACT_FAIL_INVAL, ACT_FAIL_INVAL },
    };
    if (err < 0)
        err = -err;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].err == err)
            return migrate ? map[i].migrate : map[i].reclaim;
    return ACT_FAIL_OTHER;
}
