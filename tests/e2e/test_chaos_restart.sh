#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Chaos: etmemd is killed with SIGKILL in the middle of a swap-out (and again in the middle
# of a scan) and restarted on the same socket, as a service manager would; nothing persists,
# so the config is added again. The target's bytes verify after each kill, the new daemon
# serves and finishes the work: the cold part ends up in swap, every byte still verifies.
. "$(dirname "$0")/lib.sh"
ensure_swap
daemon_start
exerciser chaos-restart --total 288 --hot 32
cfg=$(slide_conf rs name chaos-restart)
add_start() {
    expect 0 "$1: the project is added and started" sh -c \
        "'$ETMEM' obj add -f '$cfg' -s '$DSOCK' && '$ETMEM' project start -n rs -s '$DSOCK'"
}
killed() {
    local rc
    kill -KILL "$DPID"
    wait "$DPID" 2>/dev/null
    rc=$?
    check "$1: etmemd died of SIGKILL (status $rc)" [ "$rc" = 137 ]
    check "$1: every page of the target verifies" verify_exerciser "$EX_PID" "$EX_OUT"
    check "$1: etmemd starts again on the same socket" daemon_restart
    expect 0 "$1: ... serves" "$ETMEM" project show -s "$DSOCK"
    expect_out "no project exists" "$1: ... and holds nothing (configs are added again)"
}

add_start "first daemon"
base=$(vmswap_kb "$EX_PID")
# the fallback tracker's probes page out up to a few MiB while it scans: past those and one
# 16 MiB swap-out batch, the swap-out is under way
check "the swap-out starts" poll_for 60 swap_grows "$EX_PID" $((8192 + 16384)) "$base"
echo "# $(( ($(vmswap_kb "$EX_PID") - base) / 1024 )) of 256 MiB cold out when etmemd is killed"
killed "killed mid-swap-out"

base=$(vmswap_kb "$EX_PID")
add_start "second daemon"
check "the second daemon takes the process up" wait_for 30 sh -c \
    "'$ETMEM' project show -n rs -s '$DSOCK' --json | grep -q '\"nr_pids\":1'"
sleep 0.5   # the task primed its tracker; its first sample is a second later
check "... and is scanning: its swap-out has not started (beyond 8 MiB of probes)" \
    [ "$(vmswap_kb "$EX_PID")" -le $((base + 8192)) ]
killed "killed mid-scan"

add_start "third daemon"
cold_out() { [ "$(pct_of swapped "$EX_PID" "$EX_COLD")" -ge 90 ]; }
check "the third daemon gets 90% of the cold part out" wait_for 120 cold_out
check "every page of the target verifies" verify_exerciser "$EX_PID" "$EX_OUT"
expect 0 "the project stops and goes" sh -c \
    "'$ETMEM' project stop -n rs -s '$DSOCK' && '$ETMEM' obj del -f '$cfg' -s '$DSOCK'"
finish
