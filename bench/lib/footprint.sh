# SPDX-License-Identifier: MulanPSL-2.0
# bench/lib/footprint.sh - etmemd's own cost as the tracked memory grows: a fresh etmemd
# tracks one all-hot exerciser of FP_SIZES MiB each (nothing is cold, so this is the cost of
# tracking alone: scans, probes, the heat map), for FP_CYCLES cycles of loop=1 interval=1
# sleep=1. Two sizes separate the daemon's fixed RSS from what grows with the tracked memory,
# which is what extrapolates to 64 GiB. Sourced by bench/run; writes $OUT_FP_CSV:
# mib,tracked_kb,idle_rss_kb,rss_kb,hwm_kb,cycles,cpu_s,cpu_ns_per_page_scan

fp_cycles() { "$BIN/etmem" project show -n fp -s "$1" --json 2>/dev/null | sed -n 's/.*"cycles":\([0-9]*\).*/\1/p' | head -1; }
fp_cycles_at_least() { [ "$(fp_cycles "$1")" -ge "$2" ] 2>/dev/null; }

fp_one() {
    local mib=$1 dir=$RUN_TMP/fp-$1 sock="etmem-bench-fp-$$-$1" dpid wpid idle c0 c1 cy0 cy1 tracked
    mkdir -p "$dir"
    taskset -c "$CPU_POLICY" "$BIN/etmemd" -s "$sock" -l 2 >"$dir/etmemd.log" 2>&1 &
    dpid=$!
    track_pid "$dpid"
    wait_until 10 daemon_ready "$sock" || die "footprint etmemd did not start"
    taskset -c "$CPU_WL" "$BIN/etmem-exerciser" --name ebench-fp --total "$mib" --hot "$mib" \
        --report 10 >"$dir/work.out" 2>&1 &
    wpid=$!
    track_pid "$wpid"
    wait_until 120 grep -q '^ready' "$dir/work.out" || die "footprint exerciser did not start"
    idle=$(status_kb "$dpid" VmRSS)
    printf '[project]\nname=fp\nloop=1\ninterval=1\nsleep=1\n[engine]\nname=slide\nproject=fp\n[task]\nproject=fp\nengine=slide\nname=all-hot\ntype=pid\nvalue=%d\nT=1\n' \
        "$wpid" >"$dir/fp.yaml"
    chmod 600 "$dir/fp.yaml"
    "$BIN/etmem" obj add -f "$dir/fp.yaml" -s "$sock" >&2 && "$BIN/etmem" project start -n fp -s "$sock" >&2 ||
        die "footprint project did not start"
    # count from the end of the first cycle (the first one allocates what the others reuse)
    wait_until 30 fp_cycles_at_least "$sock" 1
    c0=$(cpu_ticks "$dpid") cy0=$(fp_cycles "$sock")
    wait_until 60 fp_cycles_at_least "$sock" $((cy0 + FP_CYCLES))
    c1=$(cpu_ticks "$dpid") cy1=$(fp_cycles "$sock")
    tracked=$(( $(status_kb "$wpid" VmRSS) + $(status_kb "$wpid" VmSwap) ))
    awk -v mib="$mib" -v tr="$tracked" -v idle="$idle" -v rss="$(status_kb "$dpid" VmRSS)" \
        -v hwm="$(status_kb "$dpid" VmHWM)" -v cy=$((cy1 - cy0)) -v c=$((c1 - c0)) -v tck="$CLK_TCK" \
        -v page_kb=$(( $(getconf PAGESIZE) / 1024 )) 'BEGIN {
        printf "%d,%d,%d,%d,%d,%d,%.2f,%s\n", mib, tr, idle, rss, hwm, cy, c / tck,
            cy ? sprintf("%.1f", c / tck * 1e9 / cy / (tr / page_kb)) : ""
    }' >>"$OUT_FP_CSV"
    stop_pid "$wpid"
    stop_pid "$dpid"
}

footprint_bench() {
    local mib
    echo "mib,tracked_kb,idle_rss_kb,rss_kb,hwm_kb,cycles,cpu_s,cpu_ns_per_page_scan" >"$OUT_FP_CSV"
    for mib in $FP_SIZES; do
        say "  etmemd tracking an all-hot $mib MiB process for $FP_CYCLES cycles"
        fp_one "$mib"
    done
}
