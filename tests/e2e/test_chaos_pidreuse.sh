#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Chaos: pid reuse. A slide task names its target by pid; the target exits and a new process
# gets the very same pid before etmemd looks again. etmemd must see that the pid belongs to
# another process now (pid + start time) and leave the newcomer alone; both processes'
# bytes verify. To hand out a chosen pid without touching the machine's own pid counter,
# the test runs in a pid namespace of its own (pidns.sh).
. "$(dirname "$0")/pidns.sh"
. "$(dirname "$0")/lib.sh"
pidns_required
ensure_swap
daemon_start

exerciser reuse-a --total 128 --hot 16
a_pid=$EX_PID a_out=$EX_OUT
cfg=$(slide_conf reuse pid "$a_pid")
expect 0 "a slide task on pid $a_pid is added and started" sh -c \
    "'$ETMEM' obj add -f '$cfg' -s '$DSOCK' && '$ETMEM' project start -n reuse -s '$DSOCK'"
check "its cold pages go out" wait_for 60 swap_grows "$a_pid" 16384 0

kill -TERM "$a_pid"
wait "$a_pid"
check "the target verified every page as it exited" grep -q 'verify=ok' "$a_out"
b_pid=""
respawn_at "$a_pid" reuse-b --total 128 --hot 16 && b_pid=$EX_PID
b_out=$EX_OUT
check "a new process got pid $a_pid" [ "$b_pid" = "$a_pid" ]
# A second project on a control process shows the cycles going by: the reuse task waits
# through at least three of them.
exerciser reuse-clock --total 32 --hot 8
clock_pid=$EX_PID clock_out=$EX_OUT
clock=$(slide_conf clock name reuse-clock)
reuse_waits_out "$a_pid" "$clock" 60
check "the newcomer was left alone (VmSwap $(vmswap_kb "$a_pid") kB)" [ "$(vmswap_kb "$a_pid")" -lt 1024 ]
check "the newcomer's pages verify" verify_exerciser "$a_pid" "$b_out"
check "the task still waits" reuse_waiting
check "the control's pages verify" verify_exerciser "$clock_pid" "$clock_out"
expect 0 "etmemd serves and the projects go" sh -c \
    "'$ETMEM' obj del -f '$cfg' -s '$DSOCK' && '$ETMEM' obj del -f '$clock' -s '$DSOCK'"
finish
