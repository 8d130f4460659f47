#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# demo.sh - etmem's main job on a bundled example: start etmemd, run a workload with a
# known hot and cold part, add the example slide config, start it, and show what it saved.
# Run as root from a built tree (`make demo` builds first). Everything it starts is ended
# and every file it makes is removed when it finishes or is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${ETMEM_BUILD_DIR:-build}/bin
HOT_MB=64 COLD_MB=448 SECONDS_TO_WATCH=${DEMO_SECONDS:-20}

[ "$(id -u)" = 0 ] || { echo "demo: run as root (etmemd serves only root)" >&2; exit 1; }
[ -x "$BIN/etmemd" ] || { echo "demo: build first (make)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/etmem-demo.XXXXXX)
sock="etmem-demo-$$"
daemon_pid="" work_pid=""
cleanup() {
    [ -n "$work_pid" ] && kill "$work_pid" 2>/dev/null && wait "$work_pid" 2>/dev/null
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    rm -rf "$tmp"
    true
}
trap cleanup EXIT INT TERM

mib() { echo $(( $1 / 1024 )); }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
zram_used() { [ -r /sys/block/zram0/mm_stat ] && awk '{print $3}' /sys/block/zram0/mm_stat || echo 0; }

if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" = 0 ]; then
    # lz4: the most net saving of the algorithms this kernel's zram offers, in
    # bench/results/guard-redis.md (29 % of the workload's RSS against 23 % for lzo-rle)
    echo "== no swap on this machine: setting up /dev/zram0 (2 GiB, lz4) as swap; it stays on"
    [ -e /sys/block/zram0 ] || modprobe zram
    echo lz4 >/sys/block/zram0/comp_algorithm 2>/dev/null || true
    echo 2G >/sys/block/zram0/disksize
    mkswap /dev/zram0 >/dev/null
    swapon /dev/zram0
fi
echo "== swap: $(awk 'NR > 1 {printf "%s (%s, %d MiB) ", $1, $2, $3 / 1024}' /proc/swaps)"

echo "== starting etmemd on socket $sock"
"$BIN/etmemd" -s "$sock" -l 1 2>"$tmp/etmemd.log" &
daemon_pid=$!
for _ in $(seq 50); do "$BIN/etmem" project show -s "$sock" >/dev/null 2>&1 && break; sleep 0.1; done
echo "   $("$BIN/etmemd" --probe | grep '^  auto:')"

echo "== starting the workload: $HOT_MB MiB hot (read all the time), $COLD_MB MiB cold"
"$BIN/etmem-exerciser" --name etmem-demo --total $((HOT_MB + COLD_MB)) --hot $HOT_MB \
    --fill half --report 2 >"$tmp/work.out" &
work_pid=$!
until grep -q '^ready' "$tmp/work.out"; do sleep 0.2; done
sleep 2
rss0=$(status_kb "$work_pid" VmRSS) zram0=$(zram_used)
ops0=$(grep '^ops/s' "$tmp/work.out" | tail -1 | sed 's/ops\/s=\([0-9]*\).*/\1/')
echo "   RSS $(mib "$rss0") MiB, $ops0 reads/s"

cat >"$tmp/demo.yaml" <<CONF
# The workload is found by its name; each cycle scans once, pages not read during the
# scan's 1 s window are cold (T=1), then etmemd sleeps 2 s.
[project]
name=demo
loop=1
interval=1
sleep=2

[engine]
name=slide
project=demo

[task]
project=demo
engine=slide
name=workload
type=name
value=etmem-demo
T=1
CONF
chmod 600 "$tmp/demo.yaml"
echo "== the config ($tmp/demo.yaml):"
sed 's/^/   /' "$tmp/demo.yaml"
echo "== etmem obj add -f $tmp/demo.yaml -s $sock && etmem project start -n demo -s $sock"
"$BIN/etmem" obj add -f "$tmp/demo.yaml" -s "$sock"
"$BIN/etmem" project start -n demo -s "$sock"

echo "== watching for $SECONDS_TO_WATCH s"
for ((t = 0; t < SECONDS_TO_WATCH; t += 4)); do
    sleep 4
    printf '   t=%2ds  RSS %4d MiB  swap %4d MiB  %s\n' $((t + 4)) \
        "$(mib "$(status_kb "$work_pid" VmRSS)")" "$(mib "$(status_kb "$work_pid" VmSwap)")" \
        "$(grep '^ops/s' "$tmp/work.out" | tail -1 | cut -d' ' -f1)"
done

echo "== etmem project show -s $sock"
"$BIN/etmem" project show -s "$sock"

rss1=$(status_kb "$work_pid" VmRSS) zram1=$(zram_used)
ops1=$(grep '^ops/s' "$tmp/work.out" | tail -1 | sed 's/ops\/s=\([0-9]*\).*/\1/')
# reading every page back (and so from swap) checks that no byte was lost
kill -USR1 "$work_pid"
until grep -q '^verify' "$tmp/work.out"; do sleep 0.5; done
saved_kb=$((rss0 - rss1)) zram_kb=$(( (zram1 - zram0) / 1024 ))
echo "== what it saved"
echo "   workload RSS: $(mib "$rss0") MiB -> $(mib "$rss1") MiB ($(mib "$saved_kb") MiB moved out of RAM)"
if [ "$(awk 'NR == 2 {print $1}' /proc/swaps)" = /dev/zram0 ]; then
    echo "   zram holds it in $(mib "$zram_kb") MiB of RAM: net saving $(mib $((saved_kb - zram_kb))) MiB" \
         "($(( (saved_kb - zram_kb) * 100 / rss0 ))% of the workload; zram compresses with" \
         "$(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/zram0/comp_algorithm), lz4 recommended:" \
         "docs/guard.md)"
fi
echo "   reads/s: $ops0 before, $ops1 after"
echo "   every page read back from swap: $(grep '^verify' "$tmp/work.out" | tail -1)"

echo "== etmem project stop, obj del, and stopping etmemd"
"$BIN/etmem" project stop -n demo -s "$sock"
"$BIN/etmem" obj del -f "$tmp/demo.yaml" -s "$sock"
