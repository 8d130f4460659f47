#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# type=cgroup: a slide task on a cgroup made under the host's cgroup v2 mount covers every
# process in it and below it, found again every cycle: their cold memory goes to swap, an
# unmanaged process with the same pattern outside is left alone, a process that joins later
# is picked up, one that leaves is dropped, and every byte reads back intact. The cgroup is
# found relative to the mount or by its absolute path, and in a v1 memory hierarchy too,
# whose figures project show reports. Every cgroup made here is removed at the end.
. "$(dirname "$0")/lib.sh"
ensure_swap
CG2=$(cgroup_v2_mount)
[ -n "$CG2" ] || skip "no cgroup v2 hierarchy mounted"
CGNAME=etmem-e2e-$$
CGDIR=$CG2/$CGNAME
cgroup_new "$CGDIR" && cgroup_new "$CGDIR/child" || skip "cannot create a cgroup under $CG2"
# the memory controller for it where v2 has one (the guest; this host binds it to v1)
memcg_enable

daemon_start
move_to() { echo "$2" >"$1/cgroup.procs"; }
exerciser "cg-out$E2E_TAG" --total 80 --hot 16
out_pid=$EX_PID out_out=$EX_OUT out_cold=$EX_COLD out_hot=$EX_HOT
EX_CGROUP=$CGDIR exerciser "cg-a$E2E_TAG" --total 80 --hot 16
a_pid=$EX_PID a_out=$EX_OUT a_cold=$EX_COLD a_hot=$EX_HOT
exerciser "cg-b$E2E_TAG" --total 80 --hot 16
b_pid=$EX_PID b_out=$EX_OUT b_cold=$EX_COLD
move_to "$CGDIR/child" "$b_pid"

# cg_conf PROJECT VALUE: a slide project with one task "pods" on the cgroup VALUE.
cg_conf() { SLIDE_LOOP=1 SLIDE_TASK=pods slide_conf "$1" cgroup "$2"; }
cfg=$(cg_conf cgroup "$CGNAME")
expect 0 "a slide task on a cgroup (relative to the v2 mount) is added" \
    "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n cgroup -s "$DSOCK"

show() { "$ETMEM" project show -n cgroup -s "$DSOCK" --json; }
pids() { show | sed -n 's/.*"pids":\[\([0-9,]*\)\].*/\1/p' | tr , ' '; }
covers() { case " $(pids) " in *" $1 "*) return 0 ;; esac; return 1; }
not_covers() { ! covers "$1"; }
cold_out() { [ "$(pct_of swapped "$1" "$2")" -ge 90 ]; }
check "the task covers the process in the cgroup" wait_for 30 covers "$a_pid"
check "... and the one in its child cgroup" covers "$b_pid"
check "... and not the one outside" not_covers "$out_pid"
run show
expect_out "\"cgroup\":{\"dir\":\"$CGDIR\"" "project show names the cgroup found"
expect_out '"nr_pids":2,' "... and counts its 2 processes"
check "the cold part of the process in the cgroup goes to swap" wait_for 90 cold_out "$a_pid" "$a_cold"
check "... and that of the process in the child cgroup" wait_for 90 cold_out "$b_pid" "$b_cold"
hot=$(pct_of present "$a_pid" "$a_hot")
check "... while its hot part stays resident ($hot%)" [ "$hot" -ge 90 ]
# With the memory controller on (v2 charges stay where a page was first touched: a, charged
# from its start, is most of it), project show's figures are the cgroup's own counters.
if [ -e "$CGDIR/memory.current" ]; then
    wait_cycles cgroup 1
    run show
    mem=$(echo "$OUT" | sed -n 's/.*"cgroup":{[^}]*"memory_bytes":\([0-9]*\).*/\1/p')
    swp=$(echo "$OUT" | sed -n 's/.*"cgroup":{[^}]*"swap_bytes":\([0-9]*\).*/\1/p')
    cur=$(cat "$CGDIR/memory.current") scur=$(cat "$CGDIR/memory.swap.current")
    near() { [ -n "$1" ] && [ "$1" -le $(( $2 + (4 << 20) )) ] && [ $(( $1 + (4 << 20) )) -ge "$2" ]; }
    check "project show reports the cgroup's memory.current (${mem:-none} vs $cur)" near "$mem" "$cur"
    check "the cgroup's cold memory is in its swap count ($((scur >> 20)) MiB, at least 32)" \
        [ "$scur" -ge $((32 << 20)) ]
    check "... and project show reports its memory.swap.current (${swp:-none} vs $scur)" \
        near "$swp" "$scur"
else
    echo "# no memory controller on $CGDIR: its v2 figures are checked in the guest (cgroup-v2)"
fi
sw=$(pct_of swapped "$out_pid" "$out_cold")
check "the unmanaged process outside is left alone ($sw% of its cold part swapped)" [ "$sw" -le 5 ]

exerciser "cg-late$E2E_TAG" --total 80 --hot 16
late_pid=$EX_PID late_out=$EX_OUT late_cold=$EX_COLD
wait_cycles cgroup 1
check "a process outside is not covered before it joins" not_covers "$late_pid"
move_to "$CGDIR" "$late_pid"
check "a process that joins the cgroup later is picked up" wait_for 30 covers "$late_pid"
check "... and its cold part goes to swap" wait_for 90 cold_out "$late_pid" "$late_cold"
move_to "$CG2" "$a_pid"
check "a process that leaves the cgroup is dropped" wait_for 30 not_covers "$a_pid"
check "... and the log says so" grep -q "task pods: process $a_pid is gone" "$DLOG"
sw=$(pct_of swapped "$out_pid" "$out_cold")
check "the process outside is still left alone ($sw%)" [ "$sw" -le 5 ]

for p in "$a_pid:$a_out" "$b_pid:$b_out" "$late_pid:$late_out" "$out_pid:$out_out"; do
    check "process ${p%%:*}'s pages all read back intact" verify_exerciser "${p%%:*}" "${p#*:}"
done
expect 0 "the project stops" "$ETMEM" project stop -n cgroup -s "$DSOCK"

# The same cgroup by its absolute path.
cfg=$(cg_conf cgabs "$CGDIR")
expect 0 "a task on the cgroup's absolute path is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n cgabs -s "$DSOCK"
abs_covers() {
    "$ETMEM" project show -n cgabs -s "$DSOCK" --json | grep -q "\"nr_pids\":2,"
}
check "... covers the cgroup's two processes" wait_for 30 abs_covers
expect 0 "... and stops" "$ETMEM" project stop -n cgabs -s "$DSOCK"

# Bad values are refused with the rule.
bad=$(conf badcg <<CONF
[project]
name=badcg
loop=1
interval=1
sleep=1
[engine]
name=slide
project=badcg
[task]
project=badcg
engine=slide
name=t
type=cgroup
value=$CGNAME/../..
CONF
)
expect 186 "a cgroup path with '..' is refused" "$ETMEM" obj add -f "$bad" -s "$DSOCK"
expect_err "[task] value: '$CGNAME/../..' contains '..' (a cgroup path may not leave its hierarchy)" \
    "... saying why, at its line"

# A cgroup v1 memory-controller path, under this shell's own memory cgroup.
V1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)
own=$(sed -n 's/^[0-9]*:memory:\(.*\)/\1/p' /proc/self/cgroup)
if [ -n "$V1" ] && cgroup_new "$V1$own/$CGNAME"; then
    sleep 600 &
    v1_pid=$!
    track_pid "$v1_pid"
    move_to "$V1$own/$CGNAME" "$v1_pid"
    cfg=$(cg_conf cgv1 "${own#/}/$CGNAME")
    expect 0 "a task on a v1 memory-controller path is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
    expect 0 "... and started" "$ETMEM" project start -n cgv1 -s "$DSOCK"
    v1_covers() {
        "$ETMEM" project show -n cgv1 -s "$DSOCK" --json | grep -q "\"pids\":\[$v1_pid\]"
    }
    check "... covers the process in it" wait_for 30 v1_covers
    run "$ETMEM" project show -n cgv1 -s "$DSOCK" --json
    usage=$(cat "$V1$own/$CGNAME/memory.usage_in_bytes")
    mem=$(echo "$OUT" | sed -n 's/.*"cgroup":{[^}]*"memory_bytes":\([0-9]*\).*/\1/p')
    check "... and reports the cgroup's memory.usage_in_bytes (${mem:-none} vs $usage now)" \
        [ -n "$mem" -a "$mem" -le $(( usage + (4 << 20) )) -a $(( mem + (4 << 20) )) -ge "$usage" ]
    expect 0 "... and stops" "$ETMEM" project stop -n cgv1 -s "$DSOCK"
else
    echo "# no cgroup v1 memory hierarchy to create a cgroup in: the v1 path is not checked"
fi
finish
