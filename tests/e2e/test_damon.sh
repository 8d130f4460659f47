#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The damon engine on this machine's kernel: the original's damon_conf.yaml, with only the
# process name changed, pages out the cold part of a real process and leaves its hot part
# in RAM (pagemap), an unmanaged control process is left alone, every byte reads back
# intact, and project show counts the scheme's work as DAMOS does; action=stat counts the
# same regions and pages nothing out itself (only the region source's own probes, one page
# per region per sample, may leave memory).
. "$(dirname "$0")/lib.sh"
ensure_swap
scale_to_swap 64 256
HOT=$HOT_MB COLD=$COLD_MB
daemon_start

exerciser "dmn-ctl$E2E_TAG" --total $(( HOT + COLD )) --hot "$HOT"
ctl_pid=$EX_PID ctl_out=$EX_OUT ctl_cold=$EX_COLD ctl_hot=$EX_HOT
exerciser "dmn-st$E2E_TAG" --total $(( HOT + COLD )) --hot "$HOT"
st_pid=$EX_PID st_out=$EX_OUT st_cold=$EX_COLD
exerciser "dmn-tgt$E2E_TAG" --total $(( HOT + COLD )) --hot "$HOT"

cfg=$(sed "s/^value=mysqld$/value=dmn-tgt$E2E_TAG/" "$SRC/conf/damon_conf.yaml" | conf damon)
check "the shipped example differs from the original's only in the name" \
    [ "$(diff "$SRC/conf/damon_conf.yaml" "$cfg" | grep -c '^[<>]')" = 2 ]
expect 0 "the original's damon_conf.yaml is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
stat_cfg=$(sed -e "s/^value=mysqld$/value=dmn-st$E2E_TAG/" -e 's/^action=pageout$/action=stat/' \
    -e 's/^name=test$/name=stat/' -e 's/^project=test$/project=stat/' \
    "$SRC/conf/damon_conf.yaml" | conf stat)
expect 0 "... and the same scheme with action=stat" "$ETMEM" obj add -f "$stat_cfg" -s "$DSOCK"
expect 0 "both start" sh -c "'$ETMEM' project start -n test -s '$DSOCK' && '$ETMEM' project start -n stat -s '$DSOCK'"

cold_out() { [ "$(pct_of swapped "$EX_PID" "$EX_COLD")" -ge 95 ]; }
check "pageout: at least 95% of the cold part goes to swap (pagemap)" wait_for 120 cold_out
# settled: 3 more aggregation intervals (cycles) after the cold part went out (the probes
# sample every 200 ms, so an aggregation of the example's 20 checks takes 4 s)
c0=$(task_field test cycles)
wait_for 30 sh -c "[ \"\$('$ETMEM' project show -n test -s '$DSOCK' --json | grep -o '\"cycles\":[0-9]*' | head -1 | cut -d: -f2)\" -ge $(( c0 + 3 )) ]"
hot_res=$(pct_of present "$EX_PID" "$EX_HOT")
check "... at least 95% of the hot part stays resident ($hot_res%)" [ "$hot_res" -ge 95 ]
ctl_sw=$(pct_of swapped "$ctl_pid" "$ctl_cold")
check "the unmanaged control's cold part is left alone ($ctl_sw% swapped)" [ "$ctl_sw" -le 1 ]
expect 0 "project show reports the scheme" "$ETMEM" project show -n test -s "$DSOCK"
expect_out "damos pageout: tried" "... as DAMOS counts it"
tried=$(task_field test nr_tried) applied=$(task_field test sz_applied)
check "... regions tried ($tried) and bytes applied ($applied)" [ "${tried:-0}" -gt 0 -a "${applied:-0}" -gt 0 ]

st_tried=$(task_field stat nr_tried)
wait_for 30 sh -c "[ \"\$('$ETMEM' project show -n stat -s '$DSOCK' --json | grep -o '\"nr_tried\":[0-9]*' | cut -d: -f2)\" -gt 0 ]"
st_tried=$(task_field stat nr_tried) st_applied=$(task_field stat sz_applied)
check "stat: regions are tried ($st_tried) and nothing is applied ($st_applied bytes)" \
    [ "${st_tried:-0}" -gt 0 -a "${st_applied:-1}" = 0 ]
st_sw=$(pct_of swapped "$st_pid" "$st_cold")
check "... its target's cold part stays in RAM but for the probes ($st_sw% swapped)" [ "$st_sw" -le 10 ]
echo "# stat: $st_sw% of the cold part out (the region source's own probes)"

check "every page of the target reads back intact after swap-in" verify_exerciser "$EX_PID" "$EX_OUT"
check "... and of the stat target" verify_exerciser "$st_pid" "$st_out"
check "... and of the control" verify_exerciser "$ctl_pid" "$ctl_out"
ctl_hot=$(pct_of present "$ctl_pid" "$ctl_hot")
check "the control's hot part was never touched ($ctl_hot% resident)" [ "$ctl_hot" -ge 95 ]
expect 0 "the projects stop" sh -c "'$ETMEM' project stop -n test -s '$DSOCK' && '$ETMEM' project stop -n stat -s '$DSOCK'"
finish
