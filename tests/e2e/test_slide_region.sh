#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# slide on a region project (scan_type=region) on this machine's kernel: the region source
# the kernel offers (here the user-space monitor over pageout probes) must send the cold
# part of a real process to swap and keep its hot part in RAM, checked through
# /proc/PID/pagemap; an unmanaged control process with the same pattern is left alone;
# every byte reads back intact; etmemd keeps no per-page state (its RSS stays flat).
# SLIDE_HOT_MB and SLIDE_COLD_MB set the sizes (default 128 + 512 MiB, scaled to the swap);
# SLIDE_REGION_SOURCE names the source the probe must pick (the guest: damon, whose kdamond
# must then exist while the project runs and be gone after it stops); SLIDE_SCAN_BACKEND
# sets the task's scan_backend (page_idle: the user-space monitor over page_idle), and the
# source it names replaces the probe's pick.
. "$(dirname "$0")/lib.sh"
ensure_swap
scale_to_swap "${SLIDE_HOT_MB:-128}" "${SLIDE_COLD_MB:-512}"
HOT=$HOT_MB COLD=$COLD_MB
daemon_start

control_and_target sreg --total $(( HOT + COLD )) --hot "$HOT"
# 5 checks per region per second; a region no check found accessed in a second is cold
cfg=$(SLIDE_TASK=target region_conf region "sreg-tgt$E2E_TAG" 200000 1000 \
    "scan_backend=${SLIDE_SCAN_BACKEND:-auto}")
# asked before the project starts: a running kdamond of etmemd's makes DAMON unusable to others
region_src=$("$ETMEMD" --probe | sed -n "s/.* region=\([a-z_]*\).*/\1/p")
[ "${SLIDE_SCAN_BACKEND:-auto}" = auto ] || region_src=$SLIDE_REGION_SOURCE
expect 0 "the region project is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n region -s "$DSOCK"
rss0=$(proc_rss_kb "$DPID")

cycles() { task_field region cycles; }
cold_out() { [ "$(pct_of swapped "$EX_PID" "$EX_COLD")" -ge 95 ]; }
check "at least 95% of the cold part goes to swap (pagemap)" wait_for 120 cold_out
n=$(cycles)
check "... within a few cycles (took ${n:-?} one-second cycles)" [ "${n:-99}" -le 20 ]
hot_res=$(pct_of present "$EX_PID" "$EX_HOT")
check "at least 95% of the hot part stays resident ($hot_res%)" [ "$hot_res" -ge 95 ]
ctl_sw=$(pct_of swapped "$ctl_pid" "$ctl_cold")
check "the unmanaged control's cold part is left alone ($ctl_sw% swapped)" [ "$ctl_sw" -le 5 ]
expect 0 "project show reports the work" "$ETMEM" project show -n region -s "$DSOCK"
expect_out "running" "... the task is running"
expect_out "$region_src+madvise" "... with the region source this kernel offers ($region_src)"
if [ -n "${SLIDE_REGION_SOURCE:-}" ] && [ "${SLIDE_SCAN_BACKEND:-auto}" = auto ]; then
    check "the probe picks the region source $SLIDE_REGION_SOURCE (it says $region_src)" \
        [ "$region_src" = "$SLIDE_REGION_SOURCE" ]
fi
kdamonds=/sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds
if [ "$region_src" = damon ]; then
    check "... whose kdamond (etmemd's own) runs" [ "$(cat $kdamonds)" = 1 ]
fi

# steady state: 5 more cycles; the hot part stays in, the daemon's memory does not grow
c0=$(cycles)
wait_for 60 sh -c "[ \"\$('$ETMEM' project show -n region -s '$DSOCK' --json | grep -o '\"cycles\":[0-9]*' | head -1 | cut -d: -f2)\" -ge $(( c0 + 5 )) ]"
hot_res=$(pct_of present "$EX_PID" "$EX_HOT")
check "steady state: the hot part stays resident ($hot_res%)" [ "$hot_res" -ge 95 ]
rss1=$(proc_rss_kb "$DPID")
if etmemd_sanitized; then
    echo "# RSS not judged in a sanitizer build ($rss0 -> $rss1 kB; quarantine)"
else
    check "etmemd's RSS grew by at most 1 MiB while it ran ($rss0 -> $rss1 kB)" \
        [ $(( rss1 - rss0 )) -le 1024 ]
fi
echo "# cycles $(cycles), refaults counted by etmem $(task_field region refaults)"

check "every page of the target reads back intact after swap-in" verify_exerciser "$EX_PID" "$EX_OUT"
check "... and of the control" verify_exerciser "$ctl_pid" "$ctl_out"
ctl_hot=$(pct_of present "$ctl_pid" "$ctl_hot")
check "the control's hot part was never touched ($ctl_hot% resident)" [ "$ctl_hot" -ge 95 ]
if [ "$region_src" = damon ]; then
    expect 0 "the project stops" "$ETMEM" project stop -n region -s "$DSOCK"
    check "... and its kdamond is removed" [ "$(cat $kdamonds)" = 0 ]
fi
finish
