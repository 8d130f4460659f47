#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Commands answer promptly whatever the engines are doing: while a slide task is in the
# middle of a long observation window (interval=1200), project show answers at once and
# project stop returns within a second, and a task stopped that way can start again.
# SLIDE_SCAN_BACKEND picks the tracker (the guest runs it with DAMON).
. "$(dirname "$0")/lib.sh"
daemon_start
S=$DSOCK
exerciser "sp$E2E_TAG" --total 64 --hot 16
TGT=$EX_PID

f=$(conf prompt <<CONF
[project]
name=prompt
loop=2
interval=1200
sleep=1
[engine]
name=slide
project=prompt
[task]
project=prompt
engine=slide
name=t
type=pid
value=$TGT
T=1
scan_backend=${SLIDE_SCAN_BACKEND:-auto}
CONF
)
expect 0 "a project with a 1200 s window adds" "$ETMEM" obj add -f "$f" -s "$S"
expect 0 "... and starts" "$ETMEM" project start -n prompt -s "$S"
# covers TGT: the task covers the target, so its first window is under way
covers() { "$ETMEM" project show -n prompt -s "$S" --json | grep -q "\"pids\":\[$TGT\]"; }
check "the task covers the target" wait_for 20 covers

# elapsed_ms CMD...: run CMD, print how long it took in milliseconds (10 ms steps, from
# /proc/uptime: busybox's date has no %N); RC holds its status
uptime_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
elapsed_ms() {
    local t0 t1
    t0=$(uptime_ms)
    "$@" >/dev/null 2>&1
    RC=$?
    t1=$(uptime_ms)
    echo $(( t1 - t0 ))
}

ms=$(elapsed_ms "$ETMEM" project show -s "$S")
check "project show answers during the window (${ms} ms)" test "$RC" -eq 0 -a "$ms" -lt 1000
# a show sent while the stop is under way answers too
"$ETMEM" project stop -n prompt -s "$S" >/dev/null 2>&1 &
STOPPER=$!
track_pid "$STOPPER"
ms=$(elapsed_ms "$ETMEM" project show -s "$S")
check "project show answers while the project stops (${ms} ms)" test "$RC" -eq 0 -a "$ms" -lt 1000
wait "$STOPPER"
check "that stop succeeded" [ $? -eq 0 ]

expect 0 "the project starts again" "$ETMEM" project start -n prompt -s "$S"
check "... and covers the target again" wait_for 20 covers
ms=$(elapsed_ms "$ETMEM" project stop -n prompt -s "$S")
check "project stop returns within a second during the window (${ms} ms)" test "$RC" -eq 0 -a "$ms" -lt 1000
run "$ETMEM" project show -n prompt -s "$S" --json
expect_out '"running":false' "... and the task shows stopped"
expect 0 "obj del removes it" "$ETMEM" obj del -f "$f" -s "$S"
finish
