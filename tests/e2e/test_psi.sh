#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The psi engine: a child cgroup this test creates under the cgroup v2 mount, holding the
# exerciser (charged to it from its first page), is reclaimed through memory.reclaim while
# its memory pressure stays under the target; project show reports the rate, the stall and
# what was reclaimed; with memory.min set to what it holds, nothing more goes. Where the kernel cannot (no cgroup v2, no memory controller on it, no
# memory.reclaim), obj add must say exactly why, and the rest is skipped with that reason.
. "$(dirname "$0")/lib.sh"
daemon_start

CG_MNT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
CG=""
cleanup_cgroup() {
    [ -n "$CG" ] && [ -d "$CG" ] || return 0
    local p
    for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    for p in $(seq 1 50); do rmdir "$CG" 2>/dev/null && return 0; sleep 0.1; done
}
trap 'cleanup_cgroup; e2e_cleanup' EXIT

cfg=$(conf psi <<CONF
[project]
name=psi_e2e
scan_type=psi
interval=1

[engine]
name=psi
project=psi_e2e

[task]
project=psi_e2e
engine=psi
name=psi_task
type=name
value=cgroup_v2
cg_dir=etmem-psi-e2e-$$*
pressure=20
reclaim_rate=0.2
limit_min_bytes=16777216
CONF
)

unsupported=""
if [ -z "$CG_MNT" ]; then
    unsupported="no cgroup2 hierarchy is mounted"
elif ! grep -qw memory "$CG_MNT/cgroup.controllers"; then
    unsupported="only '$(cat "$CG_MNT/cgroup.controllers")'"
elif [ ! -e "$CG_MNT/memory.reclaim" ]; then
    unsupported="memory.reclaim"
fi
if [ -n "$unsupported" ]; then
    expect 186 "obj add of a psi task is refused on this kernel" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
    case "$ERR" in
    *"psi engine needs"*"$unsupported"*) ok "the error says why: ${ERR#*error: }" ;;
    *) not_ok "the error says why ($unsupported): $ERR" ;;
    esac
    expect 0 "nothing was added" "$ETMEM" project show -s "$DSOCK"
    case "$OUT" in *psi_e2e*) not_ok "project psi_e2e is not there" ;; *) ok "project psi_e2e is not there" ;; esac
    stop_daemons
    echo "$E2E_NAME: $E2E_PASSED passed, $E2E_FAILED failed"
    [ "$E2E_FAILED" = 0 ] || exit 1
    skip "cgroup reclaim itself not tried: $unsupported (the guest tests run it)"
fi

ensure_swap
grep -qw memory "$CG_MNT/cgroup.subtree_control" ||
    echo +memory >"$CG_MNT/cgroup.subtree_control" 2>/dev/null ||
    skip "the memory controller is not enabled for $CG_MNT's children and cannot be"
CG="$CG_MNT/etmem-psi-e2e-$$"
mkdir "$CG" || skip "cannot create a cgroup under $CG_MNT"

# the workload joins the cgroup before it maps anything (v2 does not move charges)
EX_OUT="$E2E_TMP/exerciser.out"
sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG" \
    "$BUILD/bin/etmem-exerciser" --name "psi$E2E_TAG" --total 192 --hot 16 --fill half \
    >"$EX_OUT" 2>&1 &
EX_PID=$!
track_pid "$EX_PID"
wait_for 60 grep -q '^ready ' "$EX_OUT" || { cat "$EX_OUT"; skip "the exerciser did not start"; }
before=$(cat "$CG/memory.current")
echo "# cgroup $CG holds $((before >> 20)) MiB"

expect 0 "obj add of the psi task" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "project start" "$ETMEM" project start -n psi_e2e -s "$DSOCK"
reclaimed() { [ $(cat "$CG/memory.current") -lt $(( before * 6 / 10 )) ]; }
check "the cgroup's memory falls below 60% of what it held" wait_for 60 reclaimed
now=$(cat "$CG/memory.current")
echo "# now $((now >> 20)) MiB"
check "but not below limit_min_bytes (16 MiB)" [ "$now" -ge $((16 << 20)) ]
expect 0 "project show --json" "$ETMEM" project show -n psi_e2e --json -s "$DSOCK"
check "project show reports bytes reclaimed" sh -c "printf '%s' '$OUT' | grep -q '\"bytes_swapped\":[1-9]'"
check "project show reports the stall target and the rate" \
    sh -c "printf '%s' '$OUT' | grep -q '\"psi_us\":200000' && printf '%s' '$OUT' | grep -q '\"share\":0\\.'"
expect 0 "project show" "$ETMEM" project show -s "$DSOCK"
printf '%s\n' "$OUT" | sed 's/^/# /'
# memory.min: what the cgroup holds now is protected; the engine stops at that floor
floor=$(cat "$CG/memory.current")
echo "$floor" >"$CG/memory.min"
at_floor() { "$ETMEM" project show -n psi_e2e -s "$DSOCK" | grep -q "at its floor"; }
check "with memory.min at what it holds ($((floor >> 20)) MiB), the engine says it is at its floor" \
    wait_for 20 at_floor
sleep 3
kept=$(cat "$CG/memory.current")
check "... and the cgroup keeps it ($((kept >> 20)) MiB)" [ "$kept" -ge $(( floor - (4 << 20) )) ]
check "the exerciser's pages are intact" verify_exerciser "$EX_PID" "$EX_OUT"
expect 0 "project stop" "$ETMEM" project stop -n psi_e2e -s "$DSOCK"
expect 0 "obj del" "$ETMEM" obj del -f "$cfg" -s "$DSOCK"
finish
