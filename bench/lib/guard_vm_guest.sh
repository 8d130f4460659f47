#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# bench/lib/guard_vm_guest.sh - runs inside the qemu guest (bench/run's guardvm part, through
# a guest case it makes): the guard part's exerciser, its hot part moving every GV_DRIFT s,
# in a cgroup v2 child of its own, under no offload, slide with the guard and the psi engine,
# interleaved over GV_ROUNDS rounds (the baseline first, then last), with an unmanaged control
# copy outside the cgroup. One `GBVM key=value ...` line per phase, for the host to parse.
# Env: BENCH_LIB (this directory), GV_ROUNDS, GV_TOTAL, GV_HOT, GV_WARM, GV_DRIFT, GV_REFAULT,
# GV_SETTLE_MIN, GV_SETTLE, GV_MEASURE; ETMEM_BUILD_DIR (the guest's build).
set -uo pipefail
# it writes cgroups and starts reclaim: only in the test guest
if [ "${ETMEM_IN_VM:-}" != 1 ] || ! grep -qw etmem_vm=1 /proc/cmdline; then
    echo "skip: not in the etmem test guest"
    exit 77
fi
. "$BENCH_LIB/common.sh"
. "$BENCH_LIB/savings.sh"
BIN=$ETMEM_BUILD_DIR/bin CGROOT=/sys/fs/cgroup
grep -qw memory "$CGROOT/cgroup.controllers" 2>/dev/null ||
    { echo "skip: cgroup v2 has no memory controller here"; exit 77; }
echo +memory >"$CGROOT/cgroup.subtree_control" || { echo "cannot enable the memory controller"; exit 1; }
RUN_TMP=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$RUN_TMP"' EXIT
trap 'exit 130' INT TERM
DSOCK=etmem-gbvm
"$BIN/etmemd" -s "$DSOCK" -l 2 >"$RUN_TMP/etmemd.log" 2>&1 &
DPID=$!
track_pid "$DPID"
wait_until 30 daemon_ready "$DSOCK" || { cat "$RUN_TMP/etmemd.log"; exit 1; }
echo "GBVM-INFO kernel=$(uname -r) backend=$("$BIN/etmemd" --probe | sed -n 's/^ *auto: *//p' | tr ' ' ';')"
EX_ARGS=(--total "$GV_TOTAL" --hot "$GV_HOT" --warm "$GV_WARM" --warm-period 2.5 --fill half --report 1)
N=0

# gv_policy_start COND CGROUP-NAME: sets PROJ (empty for the baseline).
gv_policy_start() {
    local cfg
    PROJ=""
    [ "$1" = base ] && return 0
    PROJ=gbvm$N
    cfg=$RUN_TMP/$PROJ.conf
    case $1 in
    etmem-guard)
        printf '[project]\nname=%s\nloop=1\ninterval=1\nsleep=1\n[engine]\nname=slide\nproject=%s\n[task]\nproject=%s\nengine=slide\nname=workload\ntype=pid\nvalue=%s\nT=1\nguard_refault_pct=%s\n' \
            "$PROJ" "$PROJ" "$PROJ" "$WL_PID" "$GV_REFAULT" >"$cfg" ;;
    psi)
        # the engine's defaults (pressure 0.1 %, rates 0.05 creeping to 0.5), 1-s steps as
        # slide's cycles here
        printf '[project]\nname=%s\nscan_type=psi\ninterval=1\n[engine]\nname=psi\nproject=%s\n[task]\nproject=%s\nengine=psi\nname=workload\ntype=name\nvalue=cgroup_v2\ncg_dir=%s\n' \
            "$PROJ" "$PROJ" "$PROJ" "$2" >"$cfg" ;;
    *) die "unknown guest setting $1" ;;
    esac
    chmod 600 "$cfg"
    "$BIN/etmem" obj add -f "$cfg" -s "$DSOCK" && "$BIN/etmem" project start -n "$PROJ" -s "$DSOCK"
}

gv_policy_stop() {
    [ -n "$PROJ" ] || return 0
    "$BIN/etmem" project stop -n "$PROJ" -s "$DSOCK"
    "$BIN/etmem" obj del -f "$RUN_TMP/$PROJ.conf" -s "$DSOCK"
}

# gv_snap NAME: what a phase compares, into the associative array NAME.
gv_snap() {
    local -n s=$1
    s[t]=$EPOCHREALTIME   # busybox's date may lack %N
    s[rss]=$(status_kb "$WL_PID" VmRSS)
    s[swap]=$(status_kb "$WL_PID" VmSwap)
    s[mc]=$(( $(cat "$CG/memory.current") / 1024 ))
    s[majflt]=$(majflt "$WL_PID")
    s[psi]=$(psi_some_total "$CG/memory.pressure")
    s[lines]=$(grep -c 'ops/s=' "$WL_OUT")
    s[ctlswap]=$(status_kb "$CTL_PID" VmSwap)
}

gv_phase() {
    local round=$1 order=$2 cond=$3 name drift ops p50 p99 slow settle_s p
    local -A S0 S1 S2
    N=$((N + 1))
    name=etmem-gbvm.$N CG=$CGROOT/etmem-gbvm.$N
    mkdir "$CG" || die "cannot create $CG"
    BENCH_CGROUPS="$BENCH_CGROUPS $CG"
    WL_OUT=$RUN_TMP/work.$N
    sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' gv "$CG" \
        "$BIN/etmem-exerciser" --name gbvm-work "${EX_ARGS[@]}" >"$WL_OUT" 2>&1 &
    WL_PID=$!
    track_pid "$WL_PID"
    "$BIN/etmem-exerciser" --name gbvm-ctl "${EX_ARGS[@]}" --rate 20000 >"$RUN_TMP/ctl.$N" 2>&1 &
    CTL_PID=$!
    track_pid "$CTL_PID"
    wait_until 180 grep -q '^ready' "$WL_OUT" && wait_until 180 grep -q '^ready' "$RUN_TMP/ctl.$N" ||
        die "the exerciser did not start: $(cat "$WL_OUT")"
    (while sleep "$GV_DRIFT"; do kill -USR2 "$WL_PID" "$CTL_PID" 2>/dev/null || exit 0; done) &
    drift=$!
    track_pid "$drift"
    sleep 3
    gv_snap S0
    gv_policy_start "$cond" "$name" || die "setting $cond did not start"
    settle_s=$(settle "${S0[rss]}" "$GV_SETTLE_MIN" "$GV_SETTLE")
    gv_snap S1
    sleep "$GV_MEASURE"
    gv_snap S2
    gv_policy_stop
    for p in $drift "$WL_PID" "$CTL_PID"; do stop_pid "$p"; done
    cg_remove "$CG"
    read -r ops p50 p99 slow <<<"$(window_stats "$WL_OUT" "${S1[lines]}" "${S2[lines]}")"
    awk -v r="$round" -v o="$order" -v c="$cond" -v rss0="${S0[rss]}" -v rss2="${S2[rss]}" \
        -v swap2="${S2[swap]}" -v mc0="${S0[mc]}" -v mc2="${S2[mc]}" -v ops="$ops" -v p99="$p99" \
        -v mf1="${S1[majflt]}" -v mf2="${S2[majflt]}" -v psi1="${S1[psi]}" -v psi2="${S2[psi]}" \
        -v t1="${S1[t]}" -v t2="${S2[t]}" -v settle_s="$settle_s" -v ctl="$(( S2[ctlswap] - S0[ctlswap] ))" 'BEGIN {
        w = t2 - t1
        printf "GBVM round=%s order=%s cond=%s rss0_kb=%d rss_end_kb=%d swap_end_kb=%d mc0_kb=%d mc_end_kb=%d ops=%d p99_ns=%d majflt_per_s=%.2f psi_ms_per_s=%.3f settle_s=%s ctl_swap_kb=%d\n",
            r, o, c, rss0, rss2, swap2, mc0, mc2, ops, p99, (mf2 - mf1) / w, (psi2 - psi1) / 1000 / w, settle_s, ctl
    }'
}

for ((r = 1; r <= GV_ROUNDS; r++)); do
    if ((r % 2)); then conds=(base etmem-guard psi); else conds=(etmem-guard psi base); fi
    order=0
    for c in "${conds[@]}"; do
        order=$((order + 1))
        gv_phase "$r" "$order" "$c"
    done
done
