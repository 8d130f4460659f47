/* SPDX-License-Identifier: MulanPSL-2.0 */
/* ktest_identity.c - the identity of a test's child, as actions want it. */
#include "ktest.h"

#include "proc.h"

const struct proc_identity *ktest_identity(pid_t pid)
{
    static struct proc_identity id;

    if (proc_identity_get(pid, &id) != 0)
        id = (struct proc_identity){ pid, 0 };
    return &id;
}
