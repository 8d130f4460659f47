#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# bench/region/footprint.sh - what tracking costs etmemd as the target grows, page mode
# against region mode, in one run: a fresh etmemd tracks one all-hot exerciser (nothing is
# cold, so this is the cost of tracking alone) of each size in SIZES (MiB, default
# "1024 4096 16384") with a slide project of each scan_type, for CYCLES cycles (default 5):
# with dry_run=yes (tracking and deciding as usual, nothing swapped: at 16 GiB the
# exerciser cannot touch every page each second, and a real swap-out of what looks cold
# would fill swap and turn the run into a measurement of paging):
#   page:   loop=1 interval=1 sleep=1 (one scan per cycle)
#   region: sample_interval=200 ms, aggr_interval=1 s (one aggregation of 5 checks per
#           region per cycle), min/max_nr_regions 10/1000
# and prints etmemd's CPU per scan (cycle), its CPU share of a core, its RSS, and the ratios
# largest/smallest size per mode and region/page per size. A size that does not fit in
# available memory (with 2 GiB to spare) is left out with a note.
# usage: bench/region/footprint.sh [--sizes "MiB ..."] [--cycles N]   (root; ETMEM_BUILD_DIR)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. bench/lib/common.sh
SIZES="1024 4096 16384" CYCLES=5
while [ $# -gt 0 ]; do
    case $1 in
    --sizes) SIZES=$2; shift 2 ;;
    --cycles) CYCLES=$2; shift 2 ;;
    *) die "usage: bench/region/footprint.sh [--sizes \"MiB ...\"] [--cycles N]" ;;
    esac
done
BIN=${ETMEM_BUILD_DIR:-build}/bin
[ -x "$BIN/etmemd" ] || die "no $BIN/etmemd: build first"
RUN_TMP=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$RUN_TMP"' EXIT

project_conf() { # MODE PID
    if [ "$1" = page ]; then
        printf '[project]\nname=fp\nloop=1\ninterval=1\nsleep=1\ndry_run=yes\n'
    else
        printf '[project]\nname=fp\nscan_type=region\nsample_interval=200000\naggr_interval=1000000\nupdate_interval=1000000\nmin_nr_regions=10\nmax_nr_regions=1000\ndry_run=yes\n'
    fi
    printf '[engine]\nname=slide\nproject=fp\n[task]\nproject=fp\nengine=slide\nname=all-hot\ntype=pid\nvalue=%d\nT=1\n' "$2"
}

fp_cycles() { "$BIN/etmem" project show -n fp -s "$1" --json 2>/dev/null | sed -n 's/.*"cycles":\([0-9]*\).*/\1/p' | head -1; }
fp_cycles_at_least() { [ "$(fp_cycles "$1")" -ge "$2" ] 2>/dev/null; }

# one MODE MIB: prints "mode mib rss_kb cycles cpu_s wall_s"
one() {
    local mode=$1 mib=$2 sock="etmem-bench-rfp-$$-$1-$2" dpid wpid c0 c1 cy0 cy1 t0 t1
    "$BIN/etmemd" -s "$sock" -l 2 >"$RUN_TMP/etmemd-$mode-$mib.log" 2>&1 &
    dpid=$!
    track_pid "$dpid"
    wait_until 10 daemon_ready "$sock" || die "etmemd did not start"
    "$BIN/etmem-exerciser" --name ebench-rfp --total "$mib" --hot "$mib" --report 10 \
        >"$RUN_TMP/work-$mode-$mib.out" 2>&1 &
    wpid=$!
    track_pid "$wpid"
    wait_until 300 grep -q '^ready' "$RUN_TMP/work-$mode-$mib.out" || die "exerciser did not start"
    project_conf "$mode" "$wpid" >"$RUN_TMP/fp.yaml"
    chmod 600 "$RUN_TMP/fp.yaml"
    "$BIN/etmem" obj add -f "$RUN_TMP/fp.yaml" -s "$sock" >&2 &&
        "$BIN/etmem" project start -n fp -s "$sock" >&2 || die "project did not start"
    # count from the end of the second cycle (the first ones allocate what the others reuse)
    wait_until 120 fp_cycles_at_least "$sock" 2
    c0=$(cpu_ticks "$dpid") cy0=$(fp_cycles "$sock") t0=$(date +%s.%N)
    wait_until 300 fp_cycles_at_least "$sock" $((cy0 + CYCLES))
    c1=$(cpu_ticks "$dpid") cy1=$(fp_cycles "$sock") t1=$(date +%s.%N)
    echo "$mode $mib $(status_kb "$dpid" VmRSS) $((cy1 - cy0)) $(awk -v c=$((c1 - c0)) -v t="$CLK_TCK" 'BEGIN { printf "%.2f", c / t }') $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
    stop_pid "$wpid"
    stop_pid "$dpid"
}

rows=$RUN_TMP/rows
for mib in $SIZES; do
    avail_mib=$(( $(meminfo_kb MemAvailable) / 1024 ))
    if [ "$avail_mib" -lt $((mib + 2048)) ]; then
        say "  $mib MiB left out: only $avail_mib MiB available"
        continue
    fi
    for mode in page region; do
        say "  $mode mode, all-hot $mib MiB, $CYCLES cycles"
        one "$mode" "$mib" | tee -a "$rows" >&2
    done
done
[ -s "$rows" ] || die "no size fitted"
awk '
{ mode[NR] = $1; mib[NR] = $2; rss[NR] = $3; cyc[NR] = $4; cpu[NR] = $5; wall[NR] = $6
  per[NR] = $4 ? $5 / $4 * 1000 : 0; share[NR] = $6 ? 100 * $5 / $6 : 0
  key[$1 " " $2] = NR; if (!($1 in first)) first[$1] = NR; last[$1] = NR }
END {
    print "| mode | MiB | etmemd RSS kB | cycles | CPU s | CPU ms per scan | % of a core |"
    print "|---|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= NR; i++)
        printf "| %s | %d | %d | %d | %.2f | %.1f | %.2f |\n", mode[i], mib[i], rss[i], cyc[i], cpu[i], per[i], share[i]
    print ""
    for (m in first) {
        f = first[m]; l = last[m]
        if (f != l && per[f] > 0)
            printf "%s: %d -> %d MiB: CPU per scan x%.2f, RSS %+d kB\n", m, mib[f], mib[l], per[l] / per[f], rss[l] - rss[f]
    }
    for (i = 1; i <= NR; i++)
        if (mode[i] == "region" && ("page " mib[i]) in key) {
            p = key["page " mib[i]]
            printf "%d MiB: region/page CPU per scan %.3f, CPU share %.3f, RSS %d vs %d kB\n", mib[i], per[p] ? per[i] / per[p] : 0, share[p] ? share[i] / share[p] : 0, rss[i], rss[p]
        }
}' "$rows"
