#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# What sensing costs the target, on this machine's kernel with slide (the fallback tracker
# pages out probe pages; every probe of a page in use is a major fault of the target): an
# idle-VM-like target, 48 MiB mostly cold with one 4 KiB page in every 256 KiB read every
# 2-5 s, the way an idle guest keeps touching a sparse scattered set of pages. Managed with
# loop=1 interval=1 sleep=1 T=1, after a few cycles:
#  - the target's own major faults (/proc/PID/stat, not etmemd's figures) stay within what
#    the default probe cost budget allows: 0.5 %/min of its resident memory over the time
#    measured, plus the minute's budget the controller may spend at once and one window's
#    probes (8 at the floor, where it is by then): its documented bound (probe_budget.h),
#    while its cold part went to swap;
#  - project show and the metrics give the probe cost: probes and comebacks per cycle and
#    in total, and the budget in force;
# and an unmanaged control with the same pattern is left alone.
. "$(dirname "$0")/lib.sh"
ensure_swap
[ "$SWAP_FREE_MB" -ge 200 ] || skip "only $SWAP_FREE_MB MiB of swap free"
daemon_start
BUDGET=0.5
# pct_per_min FAULTS RSS_KB SECS: faults per minute as % of the resident pages
pct_per_min() {
    awk -v f="$1" -v r="$2" -v s="$3" -v p="$(getconf PAGESIZE 2>/dev/null || echo 4096)" \
        'BEGIN { printf "%.3f", f / (r * 1024 / p) * 100 * 60 / s }'
}
now() { date +%s.%N; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

control_and_target pc --total 48 --hot 0 --sparse 256 --sparse-period 2
cfg=$(SLIDE_LOOP=1 SLIDE_TASK=t slide_conf pc name "pc-tgt$E2E_TAG")
expect 0 "obj add" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "project start" "$ETMEM" project start -n pc -s "$DSOCK"
run "$ETMEM" project show -n pc -s "$DSOCK"
case "$OUT" in
*fallback*) ;;
*) skip "slide does not run on the fallback tracker here (it probes only there): $OUT" ;;
esac
check "the first cycles pass" wait_cycles pc 6
f0=$(majflt "$EX_PID") t0=$(now) c0=$(majflt "$ctl_pid")
check "six more cycles pass" wait_cycles pc 6
f1=$(majflt "$EX_PID") secs=$(secs_since "$t0") c1=$(majflt "$ctl_pid")
rss=$(proc_rss_kb "$EX_PID") swap=$(vmswap_kb "$EX_PID")
pct=$(pct_per_min $((f1 - f0)) "$rss" "$secs")
echo "# target: $((f1 - f0)) major faults in $secs s, $rss kB resident, $swap kB in swap: $pct %/min"
# A resident set this small is a few thousand pages: the budget is a few faults a minute,
# and what the bound allows at once (a minute's budget, a window's probes) is several times
# the rate over a 12 s window. The daemon before the budget: ~250 faults in 12 s.
allowed=$(awk -v r="$rss" -v s="$secs" -v b="$BUDGET" -v p="$(getconf PAGESIZE 2>/dev/null || echo 4096)" \
    'BEGIN { printf "%.1f", b / 100 * r * 1024 / p * (s / 60 + 1) + 8 }')
check "the target's major faults stay within the probe budget ($((f1 - f0)) <= $allowed: $BUDGET %/min over $secs s + a minute's + 8 probes)" \
    awk -v f="$((f1 - f0))" -v a="$allowed" 'BEGIN { exit !(f <= a) }'
check "... while its cold part went to swap ($swap kB of 49152 kB)" [ "$swap" -ge 32768 ]
run "$ETMEM" project show -n pc -s "$DSOCK"
printf '%s\n' "$OUT" | sed 's/^/# /'
case "$OUT" in
*"probes: "*" sent, "*" back last cycle ("*"budget 0.500%"*" in total; "*" allowed next window"*)
    ok "project show gives the probe cost and the budget in force" ;;
*) not_ok "project show gives the probe cost and the budget in force" ;;
esac
run "$ETMEM" project show -n pc -s "$DSOCK" --json
case "$OUT" in
*'"probes":{"budget_pct":0.5,"budget_from":"default","cycle":'*) ok "... and so does --json" ;;
*) not_ok "... and so does --json" ;;
esac
"$ETMEM" metrics -s "$DSOCK" >"$E2E_TMP/metrics.txt"
check "the metrics count probes and comebacks" grep -q \
    '^etmem_task_probe_comebacks_total{project="pc",task="t".*} [0-9]' "$E2E_TMP/metrics.txt"
check "... and give the budget in force" grep -q \
    '^etmem_task_probe_budget_percent_per_minute{project="pc",task="t".*} 0.500000$' \
    "$E2E_TMP/metrics.txt"
check "the target's pages are intact" verify_exerciser "$EX_PID" "$EX_OUT"
ctl_swap=$(vmswap_kb "$ctl_pid")
check "the unmanaged control is left alone ($((c1 - c0)) major faults, $ctl_swap kB in swap)" \
    [ "$ctl_swap" -lt 4096 ]
expect 0 "project stop" "$ETMEM" project stop -n pc -s "$DSOCK"
finish
