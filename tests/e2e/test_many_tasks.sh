#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Ten thousand tasks share a bounded set of task threads: a project whose 10,000 tasks name
# processes that do not exist (all "waiting"), beside a project of three tasks on real
# processes. etmemd's threads stay within 2 x CPUs + 1 task threads (+ main and client
# connections), its memory stays modest (no thread, stack or pid per task), project show
# answers promptly, every task gets its cycles, the real targets included, and stop and
# SIGTERM answer promptly (SIGTERM exits within 500 ms).
. "$(dirname "$0")/lib.sh"
NTASKS=10000 NREAL=3
CPUS=$(getconf _NPROCESSORS_ONLN)
# main + the task threads + at most two client connections being served
THREADS_MAX=$(( 2 * CPUS + 1 + 3 ))
# about 12 KiB of state per started slide task (report, guard, targets) and the model: a
# thread per task added as much again
RSS_MAX_KB=$(( 160 * 1024 ))
# what answers promptly, on a loaded machine too
PROMPT_MS=10000
# SIGTERM's exit: 30-320 ms on a 2-core host, idle or loaded: no per-task log line, syslog
# attempt or cycle is left in it
EXIT_MS=500

# timed CMD...: run it (RC, OUT, ERR as run sets them) and set MS to how long it took.
timed() {
    local t0
    t0=$(date +%s%N)
    run "$@"
    MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}
threads_now() { awk '/^Threads:/ {print $2}' "/proc/$DPID/status"; }
peak=0
sample_threads() { local t; t=$(threads_now); [ "$t" -gt "$peak" ] && peak=$t; return 1; }
only_main_thread() { [ "$(threads_now)" -le 1 ]; }

# The projects as --state-dir keeps them (one record per obj add, the way an etmemd
# restarted on it finds them): 10,000 task files through the client would take a minute.
# In memory (/dev/shm) where it can be: 10,000 small files on disk take seconds to write.
STATE=$(mktemp -d /dev/shm/etmem-e2e-state.XXXXXX 2>/dev/null) || STATE=$(mktemp -d "$E2E_TMP/state.XXXXXX")
trap 'rm -rf "$STATE"; e2e_cleanup' EXIT
real=""
for i in $(seq 1 $NREAL); do
    exerciser "many$i-$E2E_TAG" --total 16 --hot 8
    real="$real many$i-$E2E_TAG"
done
awk -v n=$NTASKS -v tag=$E2E_TAG -v real="$real" -v dir="$STATE" '
    function record(seq, body,   f) {
        f = sprintf("%s/obj-%08d.conf", dir, seq)
        printf "# etmem-state 1 bytes=%d\n%s", length(body), body >f
        close(f)
    }
    function project(seq, name) {
        record(seq, "[project]\nname=" name "\nloop=1\ninterval=1\nsleep=1\n" \
                    "[engine]\nproject=" name "\nname=slide\n")
    }
    function task(seq, proj, name, value) {
        record(seq, "[task]\nproject=" proj "\nengine=slide\nname=" name \
                    "\ntype=name\nvalue=" value "\nT=0\n")
    }
    BEGIN {
        project(1, "real")
        nr = split(real, r, " ")
        for (i = 1; i <= nr; i++)
            task(1 + i, "real", "real" i, r[i])
        project(nr + 2, "many")
        for (i = 1; i <= n; i++)
            task(nr + 2 + i, "many", "gone" i, "nx" i "-" tag)
    }'
daemon_start --state-dir "$STATE"

expect 0 "a project of $NREAL real targets starts" "$ETMEM" project start -n real -s "$DSOCK"
timed "$ETMEM" project start -n many -s "$DSOCK"
check "a project of $NTASKS tasks starts ($MS ms)" [ "$RC" = 0 ]

# cycles_of_real JSON I: the cycles of task realI (the first count after its name)
cycles_of_real() {
    printf '%s' "$1" | grep -o "\"name\":\"real$2\",\"type\".*" | grep -o '"cycles":[0-9]*' |
        head -1 | cut -d: -f2
}
# real_cycles N: every task of the real project has ended at least N cycles
real_cycles() {
    local json i c
    json=$("$ETMEM" project show -n real -s "$DSOCK" --json 2>/dev/null)
    for i in $(seq 1 $NREAL); do
        c=$(cycles_of_real "$json" "$i")
        [ "${c:-0}" -ge "$1" ] || return 1
    done
}
poll_for 2 sample_threads
check "the real targets' tasks complete a cycle" wait_for 60 real_cycles 1
check "... and a second one" wait_for 60 real_cycles 2
poll_for 1 sample_threads
check "etmemd runs at most $THREADS_MAX threads for $((NTASKS + NREAL)) tasks ($peak at peak, $CPUS CPUs)" \
    [ "$peak" -le "$THREADS_MAX" ]
rss=$(proc_rss_kb "$DPID")
if etmemd_sanitized; then
    echo "# RSS ${rss} kB not judged in a sanitizer build"
else
    check "etmemd's memory stays modest (RSS ${rss} kB <= $RSS_MAX_KB kB)" [ "$rss" -le "$RSS_MAX_KB" ]
fi
timed "$ETMEM" project show -n many -s "$DSOCK"
check "project show answers promptly ($MS ms)" [ "$RC" = 0 -a "$MS" -lt "$PROMPT_MS" ]
check "... listing every task as waiting for its process" \
    [ "$(printf '%s\n' "$OUT" | grep -c ' waiting .*no process named nx')" = "$NTASKS" ]
# all_cycled: every task of the big project has had a cycle (with nothing to do)
all_cycled() {
    [ "$("$ETMEM" project show -n many -s "$DSOCK" --json | grep -o '"idle_cycles":[1-9]' | wc -l)" = "$NTASKS" ]
}
check "... and every one of them had its cycle" wait_for 60 all_cycled
timed "$ETMEM" project stop -n many -s "$DSOCK"
check "project stop answers promptly ($MS ms)" [ "$RC" = 0 -a "$MS" -lt "$PROMPT_MS" ]
c=$(cycles_of_real "$("$ETMEM" project show -n real -s "$DSOCK" --json)" 1)
check "the real targets go on with their cycles" wait_for 60 real_cycles $((c + 1))
expect 0 "the real project stops" "$ETMEM" project stop -n real -s "$DSOCK"
check "... and the task threads end" poll_for 5 only_main_thread
expect 0 "both projects start again" sh -c \
    "'$ETMEM' project start -n many -s '$DSOCK' && '$ETMEM' project start -n real -s '$DSOCK'"
check "... the real targets get cycles again" wait_for 60 real_cycles 1
daemon_stop "$DPID"
rc=$?
# under ASan the exit itself takes seconds more (LSan's leak scan of the whole heap)
etmemd_sanitized && EXIT_MS=$PROMPT_MS
check "SIGTERM with $((NTASKS + NREAL)) tasks running ends etmemd within ${EXIT_MS} ms (exit $rc, $STOP_MS ms)" \
    [ "$rc" = 0 -a "$STOP_MS" -lt "$EXIT_MS" ]
finish
