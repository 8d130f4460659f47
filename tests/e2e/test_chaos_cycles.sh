#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Chaos: 1000 cycles of obj add, project start, project stop, obj del of a slide project on a
# real process (each start takes the process up and primes its tracker; each stop drains
# it). Every cycle must succeed, etmemd's open descriptors must not change and its resident
# memory must stay flat across the cycles: sampled every 100 cycles after the first 100
# (warm-up: thread stacks, allocator arenas), the samples may differ by at most
# CHAOS_RSS_SLACK_KB (default 1024 kB). Then the target's bytes verify and a cycle still
# works. In a sanitizer build (the asan phase) the count is 200 and VmRSS is not judged:
# ASan keeps freed memory in quarantine (up to 256 MiB), and LSan fails the daemon's exit on
# a leak instead. CHAOS_CYCLES changes the count.
. "$(dirname "$0")/lib.sh"
SLACK=${CHAOS_RSS_SLACK_KB:-1024}
if etmemd_sanitized; then SANITIZED=1 CYCLES=${CHAOS_CYCLES:-200}
else SANITIZED=0 CYCLES=${CHAOS_CYCLES:-1000}; fi
daemon_start
exerciser chaos-cycles --total 16 --hot 4
cfg=$(slide_conf cyc name chaos-cycles)

rss_min="" rss_max=0 fds_min="" fds_max=0 failed_at=""
sample() {
    local r f
    r=$(proc_rss_kb "$DPID") f=$(proc_fds "$DPID")
    [ -z "$rss_min" ] || [ "$r" -lt "$rss_min" ] && rss_min=$r
    [ "$r" -gt "$rss_max" ] && rss_max=$r
    [ -z "$fds_min" ] || [ "$f" -lt "$fds_min" ] && fds_min=$f
    [ "$f" -gt "$fds_max" ] && fds_max=$f
    echo "# after $1 cycles: etmemd VmRSS $r kB, $f fds"
}

start=$(date +%s)
for i in $(seq 1 "$CYCLES"); do
    if ! "$ETMEM" obj add -f "$cfg" -s "$DSOCK" >/dev/null ||
       ! "$ETMEM" project start -n cyc -s "$DSOCK" >/dev/null ||
       ! "$ETMEM" project stop -n cyc -s "$DSOCK" >/dev/null ||
       ! "$ETMEM" obj del -f "$cfg" -s "$DSOCK" >/dev/null; then
        failed_at=$i
        break
    fi
    [ $((i % 100)) = 0 ] && [ "$i" -ge 100 ] && sample "$i"
done
check "$CYCLES add/start/stop/del cycles succeed in $(( $(date +%s) - start )) s${failed_at:+ (cycle $failed_at failed)}" \
    [ -z "$failed_at" ]
check "etmemd's descriptors stay flat ($fds_min..$fds_max)" [ "$fds_min" = "$fds_max" ]
if [ "$SANITIZED" = 0 ]; then
    check "etmemd's VmRSS stays flat ($rss_min..$rss_max kB, bound $SLACK kB)" \
        [ $((rss_max - rss_min)) -le "$SLACK" ]
else
    echo "# VmRSS not judged in a sanitizer build ($rss_min..$rss_max kB; quarantine)"
fi
expect 0 "no project is left" "$ETMEM" project show -s "$DSOCK"
expect_out "no project exists" "... project show says so"
expect 0 "a cycle still works: add and start" sh -c \
    "'$ETMEM' obj add -f '$cfg' -s '$DSOCK' && '$ETMEM' project start -n cyc -s '$DSOCK'"
cold_out() { [ "$(pct_of swapped "$EX_PID" "$EX_COLD")" -ge 90 ]; }
check "... 90% of the cold part goes out" wait_for 60 cold_out
check "every page of the target verifies" verify_exerciser "$EX_PID" "$EX_OUT"
expect 0 "... stop and delete" sh -c \
    "'$ETMEM' project stop -n cyc -s '$DSOCK' && '$ETMEM' obj del -f '$cfg' -s '$DSOCK'"
finish
