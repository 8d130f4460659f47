# SPDX-License-Identifier: MulanPSL-2.0
# Sourced first (before lib.sh) by a test that hands a chosen pid to a new process: the test
# runs again in a pid namespace of its own (unshare --pid --mount-proc; etmemd, clients and
# targets all inside), where it may set /proc/sys/kernel/ns_last_pid without touching the
# machine's own pid counter. Everything in the namespace ends with the test (its init is
# the test script). After lib.sh, `pidns_required` skips where no namespace could be made.
if [ "${E2E_PIDNS:-}" != 1 ] && [ "$(id -u)" = 0 ] &&
   unshare --pid --fork --mount-proc true 2>/dev/null; then
    exec unshare --pid --fork --mount-proc env E2E_PIDNS=1 bash "$0" "$@"
fi
pidns_required() {
    [ "${E2E_PIDNS:-}" = 1 ] || skip "cannot make a pid namespace (unshare --pid --mount-proc)"
    [ -w /proc/sys/kernel/ns_last_pid ] || skip "no /proc/sys/kernel/ns_last_pid (CONFIG_CHECKPOINT_RESTORE)"
}
