#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# slide end to end on this machine's kernel: the cold part of a real process goes to swap
# and its hot part stays in RAM, checked through /proc/PID/pagemap; an unmanaged control
# process with the same pattern is left alone; a stopped process goes out almost whole;
# every byte reads back intact.
# SLIDE_SCAN_BACKEND=page_idle|damon|... picks the tracker (guest cases do); SLIDE_HOT_MB and
# SLIDE_COLD_MB set the sizes (default 256 + 768 MiB, scaled down to the swap there is).
. "$(dirname "$0")/lib.sh"
ensure_swap
scale_to_swap "${SLIDE_HOT_MB:-256}" "${SLIDE_COLD_MB:-768}"
HOT=$HOT_MB COLD=$COLD_MB
daemon_start

control_and_target slide --total $(( HOT + COLD )) --hot "$HOT"
cfg=$(conf slide <<CONF
[project]
name=slide
loop=1
interval=1
sleep=1
[engine]
name=slide
project=slide
[task]
project=slide
engine=slide
name=target
type=name
value=slide-tgt$E2E_TAG
T=1
scan_backend=${SLIDE_SCAN_BACKEND:-auto}
CONF
)
expect 0 "the slide project is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n slide -s "$DSOCK"

cycles() { "$ETMEM" project show -n slide -s "$DSOCK" --json | sed -n 's/.*"cycles":\([0-9]*\).*/\1/p'; }
cold_out() { [ "$(pct_of swapped "$EX_PID" "$EX_COLD")" -ge 95 ]; }
check "at least 95% of the cold part goes to swap (pagemap)" wait_for 120 cold_out
n=$(cycles)
check "... within 3 cycles (took $n)" [ "${n:-99}" -le 3 ]
echo "# cold part: $(pct_of swapped "$EX_PID" "$EX_COLD")% swapped after $(cycles) cycle(s)"
hot_res=$(pct_of present "$EX_PID" "$EX_HOT")
check "at least 95% of the hot part stays resident ($hot_res%)" [ "$hot_res" -ge 95 ]
ctl_sw=$(pct_of swapped "$ctl_pid" "$ctl_cold")
check "the unmanaged control's cold part is left alone ($ctl_sw% swapped)" [ "$ctl_sw" -le 5 ]
# the cold part may be out before the first cycle is over (it is counted at its end)
first_cycle_done() { [ "$(cycles)" -ge 1 ] 2>/dev/null; }
wait_for 60 first_cycle_done
expect 0 "project show reports the work" "$ETMEM" project show -n slide -s "$DSOCK"
expect_out "running" "... the task is running"
if [ -n "${SLIDE_SCAN_BACKEND:-}" ]; then
    expect_out "$SLIDE_SCAN_BACKEND+" "... with the $SLIDE_SCAN_BACKEND tracker asked for"
else
    expect_out "+madvise" "... with the backends this kernel allows"
fi
run "$ETMEM" project show -n slide -s "$DSOCK" --json
swapped=$(echo "$OUT" | sed -n 's/.*"bytes_swapped":\([0-9]*\).*/\1/p')
check "... and counts at least the cold part as swapped out ($((swapped >> 20)) MiB)" \
    [ "$swapped" -ge $(( COLD * 1024 * 1024 * 9 / 10 )) ]
# in_swap is what is in swap now (the target's VmSwap at the end of the last cycle), beside
# the running total out_total
in_swap_kb=$(( $(echo "$OUT" | sed -n 's/.*"swap_bytes":\([0-9]*\).*/\1/p') / 1024 ))
vm_kb=$(vmswap_kb "$EX_PID")
check "... and what is in swap now as the target's VmSwap ($in_swap_kb kB, VmSwap $vm_kb kB)" \
    [ $(( in_swap_kb * 10 )) -ge $(( vm_kb * 9 )) ] && [ $(( in_swap_kb * 10 )) -le $(( vm_kb * 11 )) ]
run "$ETMEM" project show -n slide -s "$DSOCK"
expect_out "in_swap out_total refaults" "... the text names both columns"

# Steady state: tracking costs the hot part at most SLIDE_MAX_REFAULT_PCT (1) % of its pages
# in refaults (major faults: probes of hot pages and any page wrongly swapped) per cycle,
# over 3 cycles. A region tracker (DAMON) is allowed more: docs/kernel-backends.md.
MAX_REFAULT_PCT=${SLIDE_MAX_REFAULT_PCT:-1}
c0=$(cycles) f0=$(majflt "$EX_PID")
wait_for 90 cycles_reach slide $(( c0 + 3 ))
f1=$(majflt "$EX_PID") c1=$(cycles)
hot_pages=$(( HOT * 1024 * 1024 / $(getconf PAGESIZE 2>/dev/null || echo 4096) ))   # busybox has no getconf
per_cycle=$(( (f1 - f0) / (c1 - c0) ))
check "steady state: the hot part refaults at most $MAX_REFAULT_PCT% of its $hot_pages pages per cycle ($per_cycle)" \
    [ $(( per_cycle * 100 )) -le $(( hot_pages * MAX_REFAULT_PCT )) ]
hot_res=$(pct_of present "$EX_PID" "$EX_HOT")
check "... and stays resident ($hot_res%)" [ "$hot_res" -ge 95 ]
echo "# refaults: $(task_field slide refaults) counted by etmem over $c1 cycles, $per_cycle per cycle in the steady state; the target's major faults since it started: $(majflt "$EX_PID")"

# A stopped process touches nothing: nearly all of it goes out.
kill -STOP "$EX_PID"
hot_out() { [ "$(pct_of swapped "$EX_PID" "$EX_HOT")" -ge 95 ]; }
check "after SIGSTOP nearly all of the process goes to swap" wait_for 120 hot_out
kill -CONT "$EX_PID"
check "every page of the target reads back intact after swap-in" verify_exerciser "$EX_PID" "$EX_OUT"
check "... and of the control" verify_exerciser "$ctl_pid" "$ctl_out"
ctl_hot=$(pct_of present "$ctl_pid" "$ctl_hot")
check "the control's hot part was never touched ($ctl_hot% resident)" [ "$ctl_hot" -ge 95 ]
echo "# control: $(pct_of swapped "$ctl_pid" "$ctl_cold")% of its cold part in swap at the end"
finish
