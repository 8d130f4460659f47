#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The safety envelope's cgroup floor, always on: a slide task on a process in a cgroup whose
# memory.min protects all but 24 MiB of what the cgroup holds sends no more than those
# 24 MiB to swap, and project show says why it holds back; once memory.min is back at 0 the
# rest of the cold part goes. An unmanaged control with the same pattern is left alone; every
# byte verifies. Needs the memory controller on cgroup v2 (the guest case slide-memory-min);
# skips elsewhere saying why.
. "$(dirname "$0")/lib.sh"
memcg_required
ensure_swap
CG=$(cgroup_v2_mount)/etmem-floor-$$
cgroup_new "$CG" || skip "cannot create a cgroup under $(cgroup_v2_mount)"
daemon_start

exerciser "fl-ctl$E2E_TAG" --total 96 --hot 16
ctl_pid=$EX_PID ctl_out=$EX_OUT ctl_cold=$EX_COLD
EX_CGROUP=$CG exerciser "fl-tgt$E2E_TAG" --total 96 --hot 16
held=$(cat "$CG/memory.current")
MARGIN_KB=$((24 << 10))
echo $(( held - (MARGIN_KB << 10) )) >"$CG/memory.min"
echo "# cgroup holds $((held >> 20)) MiB; memory.min $(( $(cat "$CG/memory.min") >> 20 )) MiB"

cfg=$(SLIDE_LOOP=1 slide_conf floor name "fl-tgt$E2E_TAG")
expect 0 "a slide task on the process in the cgroup is added and started" sh -c \
    "'$ETMEM' obj add -f '$cfg' -s '$DSOCK' && '$ETMEM' project start -n floor -s '$DSOCK'"
check "three cycles pass" wait_for 90 cycles_reach floor 3
out_kb=$(vmswap_kb "$EX_PID")
check "no more than the 24 MiB above memory.min went to swap ($out_kb kB)" \
    [ "$out_kb" -le $(( MARGIN_KB + 4096 )) ]
check "... but what could go did (at least 8 MiB)" [ "$out_kb" -ge 8192 ]
run "$ETMEM" project show -n floor -s "$DSOCK"
check "project show says the cgroup's floor holds it back" \
    sh -c "printf '%s' \"\$1\" | grep -q 'memory.min/low floor'" sh "$OUT"

echo 0 >"$CG/memory.min"
cold_out() { [ "$(pct_of swapped "$EX_PID" "$EX_COLD")" -ge 90 ]; }
check "with memory.min at 0 the rest of the cold part goes" wait_for 90 cold_out
sw=$(pct_of swapped "$ctl_pid" "$ctl_cold")
check "the unmanaged control is left alone ($sw% of its cold part swapped)" [ "$sw" -le 5 ]
check "the target's pages verify" verify_exerciser "$EX_PID" "$EX_OUT"
check "the control's pages verify" verify_exerciser "$ctl_pid" "$ctl_out"
expect 0 "the project goes" "$ETMEM" obj del -f "$cfg" -s "$DSOCK"
finish
