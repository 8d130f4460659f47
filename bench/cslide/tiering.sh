#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# tiering.sh - cslide against the kernel's own tiering, and cslide's migration rate against a
# bare move_pages loop, on the exerciser (HOT MiB read continuously + COLD MiB never touched,
# all first allocated on node 0). Runs INSIDE the qemu test guest only (it changes
# demotion_enabled, kernel.numa_balancing and cgroups): tests/vm/cases/cslide-tiering.
#
# Modes, one fresh exerciser each:
#   cslide       etmemd's cslide engine (loop=1 interval=1 sleep=1, quota QUOTA MiB/cycle)
#   demote       the kernel's demotion on reclaim: demotion_enabled=true, and the workload's
#                memcg asked every second to reclaim QUOTA MiB (memory.reclaim: proactive
#                reclaim, the upstream way to make reclaim happen without a memory hog)
#   tiering      demote + NUMA-balancing tiering mode (kernel.numa_balancing=2), which
#                promotes hot pages found on the slow tier
# Each samples every second: share of the hot part on node 0, of the cold part on node 1,
# swapped pages; after SWAP_AT seconds the exerciser swaps hot and cold, and the time until
# 95% of the new hot part is on node 0 is measured. Pages moved: cslide's own verified
# totals (showhostpages --json); the kernel's from /proc/vmstat (pgdemote_*, pgpromote_success).
# Env: CSB_HOT (64) CSB_COLD (192) CSB_QUOTA (48) CSB_SECS (45) CSB_SWAP_AT (20) CSB_MODES.
set -u
B=${ETMEM_BUILD_DIR:?} SRC=${ETMEM_SRC_DIR:?}
[ "${ETMEM_IN_VM:-0}" = 1 ] && grep -qw etmem_vm=1 /proc/cmdline ||
    { echo "skip: tiering.sh changes kernel tiering settings: only inside the test VM"; exit 77; }
[ -d /sys/devices/system/node/node1 ] || { echo "skip: no node 1"; exit 77; }
HOT=${CSB_HOT:-64} COLD=${CSB_COLD:-192} QUOTA=${CSB_QUOTA:-48}
SECS=${CSB_SECS:-45} SWAP_AT=${CSB_SWAP_AT:-20} MODES=${CSB_MODES:-cslide demote tiering}
TMP=$(mktemp -d /tmp/csb.XXXXXX)
PIDS=""
CG=/sys/fs/cgroup/csb
DEMOTE=/sys/kernel/mm/numa/demotion_enabled
NB=/proc/sys/kernel/numa_balancing
old_demote=$(cat $DEMOTE 2>/dev/null) old_nb=$(cat $NB 2>/dev/null)

cleanup() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    [ -n "$old_demote" ] && echo "$old_demote" >$DEMOTE
    [ -n "$old_nb" ] && echo "$old_nb" >$NB
    rmdir $CG 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

pagestat() { "$B/tests/tools/pagestat" "$@"; }
# pct PID RANGE NODE: share of the range's pages on NODE (move_pages query)
pct() {
    pagestat -n "$1" "$2" | awk -v n="node$3" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                                              printf "%d\n", v["pages"] ? 100 * v[n] / v["pages"] : 0 }'
}
swapped() { pagestat "$1" "$2" | sed -n 's/.* swapped=\([0-9]*\).*/\1/p'; }
vmstat_sum() { awk -v re="$1" '$1 ~ re { s += $2 } END { print s + 0 }' /proc/vmstat; }

# start_exerciser NAME [CGROUP]: in CGROUP from its first page on (cgroup v2 does not move
# the charge of pages allocated before a process moves, so memory.reclaim would not see them)
start_exerciser() {
    local out=$TMP/ex-$1.out
    if [ -n "${2:-}" ]; then
        sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$2" \
            "$B/bin/etmem-exerciser" --name "csb-$1" --total $((HOT + COLD)) --hot "$HOT" >"$out" 2>&1 &
    else
        "$B/bin/etmem-exerciser" --name "csb-$1" --total $((HOT + COLD)) --hot "$HOT" >"$out" 2>&1 &
    fi
    EX=$!
    PIDS="$PIDS $EX"
    for _ in $(seq 1 300); do grep -q '^ready ' "$out" && break; sleep 0.1; done
    EX_OUT=$out
    HOT_R=$(sed -n 's/^ready .* hot=\([^ ]*\).*/\1/p' "$out")
    COLD_R=$(sed -n 's/^ready .* cold=\([^ ]*\).*/\1/p' "$out")
}

SOCK=csb-$$
start_cslide() {
    "$B/bin/etmemd" -s "$SOCK" -l 1 >"$TMP/etmemd.log" 2>&1 &
    DPID=$!
    PIDS="$PIDS $DPID"
    for _ in $(seq 1 100); do "$B/bin/etmem" project show -s "$SOCK" >/dev/null 2>&1 && break; sleep 0.1; done
    cat >"$TMP/cs.yaml" <<CONF
[project]
name=csb
loop=1
interval=1
sleep=1
[engine]
name=cslide
project=csb
node_pair=0,1
hot_threshold=1
node_mig_quota=$QUOTA
node_hot_reserve=16
[task]
project=csb
engine=cslide
name=ex
type=pid
value=$EX
anon_only=yes
ign_host=no
CONF
    chmod 600 "$TMP/cs.yaml"
    "$B/bin/etmem" obj add -f "$TMP/cs.yaml" -s "$SOCK" && "$B/bin/etmem" project start -n csb -s "$SOCK"
}

stop_cslide() {
    "$B/bin/etmem" engine showhostpages -n csb -e cslide -s "$SOCK" --json >"$TMP/host.json"
    kill -TERM "$DPID"
    wait "$DPID" 2>/dev/null
}

reclaimer() {   # memory.reclaim QUOTA MiB every second (proactive reclaim of the workload)
    while :; do echo "${QUOTA}M" 2>/dev/null >$CG/memory.reclaim; sleep 1; done
}

# The kernel modes need the workload in a memcg of its own: the memory controller must be
# on in the root's subtree_control (a fresh guest has it off).
memcg_ready() {
    grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
        echo +memory >/sys/fs/cgroup/cgroup.subtree_control || return 1
    mkdir -p $CG && [ -w $CG/memory.reclaim ]
}

run_mode() {
    local mode=$1 t rpid="" swapped_at="" conv="-" d0 p0 hot cold sw csw line
    case $mode in
    cslide) start_exerciser "$mode" ;;
    *)  memcg_ready || { echo "note: no memory.reclaim under /sys/fs/cgroup: mode $mode not run"
                         return 1; }
        start_exerciser "$mode" $CG ;;
    esac
    d0=$(vmstat_sum '^pgdemote_') p0=$(vmstat_sum '^pgpromote_success')
    case $mode in
    cslide) start_cslide || { echo "cslide did not start"; cat "$TMP/etmemd.log"; return 1; } ;;
    demote|tiering)
        echo true >$DEMOTE
        [ "$mode" = tiering ] && echo 2 >$NB
        reclaimer & rpid=$!
        PIDS="$PIDS $rpid" ;;
    esac
    echo "mode $mode: t hot_on_fast% cold_on_slow% swapped pages of each part"
    for t in $(seq 1 "$SECS"); do
        sleep 1
        if [ "$t" = "$SWAP_AT" ]; then
            kill -USR2 "$EX"
            sleep 0.2
            line=$(sed -n 's/^swapped hot=\([^ ]*\).*/\1/p' "$EX_OUT" | tail -1)
            local old_hot=$HOT_R
            HOT_R=$line
            # the new cold part: the old hot part
            COLD_R=$old_hot
            swapped_at=$t
        fi
        hot=$(pct "$EX" "$HOT_R" 0) cold=$(pct "$EX" "$COLD_R" 1) sw=$(swapped "$EX" "$HOT_R")
        csw=$(swapped "$EX" "$COLD_R")
        echo "  $mode t=$t hot_fast=$hot cold_slow=$cold hot_swapped=$sw cold_swapped=$csw"
        if [ -n "$swapped_at" ] && [ "$conv" = - ] && [ "$hot" -ge 95 ]; then
            conv=$((t - swapped_at))
        fi
    done
    local demoted=$(( $(vmstat_sum '^pgdemote_') - d0 )) promoted=$(( $(vmstat_sum '^pgpromote_success') - p0 ))
    case $mode in
    cslide)
        stop_cslide
        demoted=$(( $(sed -n 's/.*"moved_to_slow_kb":\([0-9]*\).*/\1/p' "$TMP/host.json") / 4 ))
        promoted=$(( $(sed -n 's/.*"moved_to_fast_kb":\([0-9]*\).*/\1/p' "$TMP/host.json") / 4 ))
        CS_SECS=$(sed -n 's/.*"move_secs":\([0-9.]*\).*/\1/p' "$TMP/host.json")
        CS_PAGES=$((demoted + promoted)) ;;
    *)
        kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null
        echo "$old_demote" >$DEMOTE
        [ -n "$old_nb" ] && echo "$old_nb" >$NB ;;
    esac
    echo "RESULT mode=$mode final_hot_fast=$hot final_cold_slow=$cold final_cold_swapped_pages=$csw demoted_pages=$demoted promoted_pages=$promoted converge_after_swap_s=$conv"
    kill -TERM "$EX" 2>/dev/null
    wait "$EX" 2>/dev/null
    rmdir $CG 2>/dev/null
    return 0
}

for m in $MODES; do run_mode "$m"; done

# Migration rate: cslide's verified pages per second in its move calls (including the
# query that checks them) against the bare loop on the same kind of memory, same guest.
if [ -x "$B/bench/cslide-move-loop" ]; then
    start_exerciser bare
    echo "RESULT bare move_pages 0->1: $("$B/bench/cslide-move-loop" "$EX" "$COLD_R" 1)"
    echo "RESULT bare move_pages 1->0: $("$B/bench/cslide-move-loop" "$EX" "$COLD_R" 0)"
else
    echo "note: $B/bench/cslide-move-loop not built (bench/ not in this build): no bare figure"
fi
if [ -n "${CS_SECS:-}" ]; then
    echo "RESULT cslide moved_pages=$CS_PAGES move_secs=$CS_SECS pages_per_sec=$(awk -v p="$CS_PAGES" -v s="$CS_SECS" 'BEGIN { printf "%.0f", (s > 0 ? p / s : 0) }')"
fi
exit 0
