#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# dry_run=yes: across several cycles a slide task scans and decides but nothing changes in
# its target (pagemap, VmSwap); what it counts matches what the same config does when not
# dry (a task's dry_run=no overriding its project's); project show and the metrics say so.
# The target is stopped, so every one of its pages is cold for both runs alike. An
# unmanaged control process with the same pattern is left alone throughout.
. "$(dirname "$0")/lib.sh"
ensure_swap
daemon_start

control_and_target dry --total 64 --hot 16
kill -STOP "$EX_PID"

# dry_conf TASK_DRY_RUN: the project says dry_run=yes; the task line may override it.
dry_conf() {
    conf dry <<CONF
[project]
name=dry
loop=1
interval=1
sleep=1
dry_run=yes
[engine]
name=slide
project=dry
[task]
project=dry
engine=slide
name=target
type=name
value=dry-tgt$E2E_TAG
T=1
$1
CONF
}
json() { "$ETMEM" project show -n dry -s "$DSOCK" --json; }
num() { json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
cycles_at_least() { [ "$(num cycles)" -ge "$1" ] 2>/dev/null; }
state() {   # what the target's memory looks like: pagemap of both parts and VmSwap
    echo "hot: $("$BUILD/tests/tools/pagestat" "$EX_PID" "$EX_HOT")"
    echo "cold: $("$BUILD/tests/tools/pagestat" "$EX_PID" "$EX_COLD")"
    echo "VmSwap: $(vmswap_kb "$EX_PID") kB"
}

state >"$E2E_TMP/before"
cfg=$(dry_conf "")
expect 0 "a project with dry_run=yes is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n dry -s "$DSOCK"
check "three cycles run" wait_for 60 cycles_at_least 3
state >"$E2E_TMP/after"
if diff "$E2E_TMP/before" "$E2E_TMP/after" >/dev/null; then
    ok "nothing changed in the target across the cycles ($(tail -1 "$E2E_TMP/after"))"
else
    RC=1 OUT=$(diff "$E2E_TMP/before" "$E2E_TMP/after") ERR=""
    not_ok "nothing changed in the target across the cycles"
fi
run json
expect_out '"dry_run":true,"dry_run_to":"swap"' "project show --json says it is a dry run, to swap"
dry_last=$(num dry_bytes_last) dry_regions=$(num dry_regions_last)
dry_total=$(num dry_bytes_total) dry_cold=$(num pages_cold) swapped=$(num bytes_swapped)
check "... counting what it would swap out each cycle ($((dry_last >> 20)) MiB in $dry_regions regions)" \
    [ "$dry_last" -ge $(( 60 << 20 )) -a "$dry_regions" -ge 1 ]
check "... adding up over the cycles ($((dry_total >> 20)) MiB)" [ "$dry_total" -ge $(( dry_last * 3 )) ]
check "... and nothing counted as swapped out ($swapped)" [ "$swapped" = 0 ]
check "the log says what each cycle would do" \
    grep -q "task target: dry run: would swap out [0-9]* bytes in [0-9]* regions this cycle" "$DLOG"
expect 0 "project show" "$ETMEM" project show -n dry -s "$DSOCK"
expect_out "dry run: would have sent" "... says it in the note"
run "$ETMEM" metrics -s "$DSOCK"
expect_out 'etmem_task_dry_run{project="dry",task="target",engine="slide",backend="' "the metrics flag the dry run"
m=$(echo "$OUT" | grep '^etmem_task_dry_run_bytes_total{project="dry"' | awk '{ print $NF }')
check "... and count its bytes (${m:-none})" [ "${m:-0}" -ge "$dry_total" -a "$dry_total" -gt 0 ]
expect 0 "the dry project stops" "$ETMEM" project stop -n dry -s "$DSOCK"
expect 0 "... and goes" "$ETMEM" obj del -f "$cfg" -s "$DSOCK"

# The same config acting: the task overrides its project's dry_run.
cfg=$(dry_conf "dry_run=no")
expect 0 "the same config with the task's dry_run=no is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n dry -s "$DSOCK"
check "one cycle runs" wait_for 60 cycles_at_least 1
run json
expect_out '"dry_run":false' "project show --json says it acts"
cold=$(num pages_cold) swapped=$(num bytes_swapped)
page=$(num page_size)
echo "# dry run: $dry_cold cold pages, would swap $dry_last bytes; acting: $cold cold pages, swapped $swapped bytes"
check "it found as many cold pages as the dry run (within 5%)" \
    [ $(( cold * 100 )) -ge $(( dry_cold * 95 )) -a $(( cold * 100 )) -le $(( dry_cold * 105 )) ]
# In a sanitizer build the target's ASan shadow of its buffer (an eighth of it, read on every
# access, so mapped to the shared zero page) is cold to both runs but cannot leave memory.
if etmemd_sanitized; then
    echo "# swapped bytes not compared in a sanitizer build (the target's zero-page shadow)"
else
    check "... and swapped out what the dry run counted (within 10%)" \
        [ $(( swapped * 10 )) -ge $(( dry_last * 9 )) -a $(( swapped * 10 )) -le $(( dry_last * 11 )) ]
fi
sw=$(pct_of swapped "$ctl_pid" "$ctl_cold")
check "the unmanaged control is left alone ($sw% of its cold part swapped)" [ "$sw" -le 5 ]
kill -CONT "$EX_PID"
check "every page of the target reads back intact" verify_exerciser "$EX_PID" "$EX_OUT"
check "... and of the control" verify_exerciser "$ctl_pid" "$ctl_out"
finish
