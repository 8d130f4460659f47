#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Chaos on the target side: a slide task's target process exits, or execs another program,
# in the middle of a scan and in the middle of a swap-out. Each time every byte the target
# held verifies (the exerciser checks every page when told to, SIGUSR1, and on SIGTERM
# before it exits; the exec case's first program checks a checksum of its data), and
# etmemd keeps serving and follows the process (gone, or the same pid with a new image).
# "Mid-scan" is the window after the task took the process up and before its swap-out
# (VmSwap grew by at most PROBE_KB, what the fallback tracker's sampled page-out probes
# take); "mid-swap-out" is once VmSwap grew by one swap-out batch (16 MiB) more than that,
# with most of the cold part still to go.
. "$(dirname "$0")/lib.sh"
ensure_swap
daemon_start
COLD=224 HOT=32 PROBE_KB=8192

# covers NAME N: the project's task covers N processes. has_pid NAME PID: PID among them.
# scanning PID: etmemd holds a pidfd on PID, which a task takes as it opens its handles on
# the process to scan it; first_cycle NAME: the task has not ended a cycle yet.
covers() { [ "$(task_field "$1" nr_pids)" = "$2" ]; }
has_pid() {
    "$ETMEM" project show -n "$1" -s "$DSOCK" --json | grep -o '"pids":\[[0-9,]*\]' |
        tr '[],' '   ' | grep -qw "$2"
}
scanning() { grep -qs "^Pid:[[:space:]]*$1\$" /proc/"$DPID"/fdinfo/*; }
first_cycle() { [ "$(task_field "$1" cycles)" = 0 ]; }

# start_task NAME PID: a slide project on the pid, started; waits until it covers the pid.
start_task() {
    local cfg
    cfg=$(slide_conf "$1" pid "$2")
    expect 0 "$1: project added and started" sh -c \
        "'$ETMEM' obj add -f '$cfg' -s '$DSOCK' && '$ETMEM' project start -n '$1' -s '$DSOCK'"
    check "$1: the task covers process $2" wait_for 30 covers "$1" 1
    CFG=$cfg
}

# finish_task NAME: the daemon serves, and the project stops and goes.
finish_task() {
    expect 0 "$1: etmemd still serves (project show)" "$ETMEM" project show -n "$1" -s "$DSOCK"
    expect 0 "$1: the project stops and is deleted" sh -c \
        "'$ETMEM' project stop -n '$1' -s '$DSOCK' && '$ETMEM' obj del -f '$CFG' -s '$DSOCK'"
}

# exits NAME WHEN: the target exits (SIGTERM: it verifies every page first) WHEN=scan|swap.
exits() {
    local name=$1 base rc
    exerciser "$name" --total $((HOT + COLD)) --hot $HOT
    base=$(vmswap_kb "$EX_PID")
    start_task "$name" "$EX_PID"
    if [ "$2" = scan ]; then
        # the task opened its handles and primes its tracker; the first sample is a second
        # later, the swap-out after the second
        check "$name: the task scans the process" poll_for 30 scanning "$EX_PID"
        check "$name: in its first cycle" first_cycle "$name"
        check "$name: the swap-out has not started (VmSwap $base -> $(vmswap_kb "$EX_PID") kB)" \
            [ "$(vmswap_kb "$EX_PID")" -le $((base + PROBE_KB)) ]
    else
        check "$name: the swap-out starts" \
            poll_for 60 swap_grows "$EX_PID" $((PROBE_KB + 16384)) "$base"
        echo "# $name: $(( ($(vmswap_kb "$EX_PID") - base) / 1024 )) of $COLD MiB cold out when it exits"
    fi
    kill -TERM "$EX_PID"
    wait "$EX_PID"
    rc=$?
    check "$name: the target verified every page as it exited (exit $rc)" \
        sh -c "[ $rc = 0 ] && grep -q 'verify=ok' '$EX_OUT'"
    check "$name: etmemd drops the process" wait_for 30 covers "$name" 0
    finish_task "$name"
}

# execs NAME WHEN: the target is a shell holding 128 MiB of checksummed data; WHEN=scan|swap it
# checks the data and execs the exerciser (same pid), whose pages then go out and verify.
execs() {
    local name=$1 out=$E2E_TMP/$1.out fifo=$E2E_TMP/$1.fifo pid base
    mkfifo "$fifo"
    EXERCISER=$BUILD/bin/etmem-exerciser NAME=$name FIFO=$fifo bash -c '
        x=$(head -c 96M /dev/urandom | base64 -w0)
        sum=$(printf %s "$x" | cksum)
        trap '\''if [ "$(printf %s "$x" | cksum)" = "$sum" ]; then echo "pre-exec verify ok"
              else echo "pre-exec verify FAILED"; fi
              exec "$EXERCISER" --name "$NAME" --total 160 --hot 16 --fill half'\'' USR1
        exec 3<>"$FIFO"
        echo "holding $sum"
        while :; do read -r -u 3 _; done' >"$out" 2>&1 &
    pid=$!
    track_pid "$pid"
    check "$name: the shell holds its data" wait_for 60 grep -q '^holding' "$out"
    base=$(vmswap_kb "$pid")
    start_task "$name" "$pid"
    if [ "$2" = scan ]; then
        check "$name: the task scans the process" poll_for 30 scanning "$pid"
        check "$name: in its first cycle" first_cycle "$name"
        check "$name: the swap-out has not started" [ "$(vmswap_kb "$pid")" -le $((base + PROBE_KB)) ]
    else
        check "$name: the swap-out starts" poll_for 60 swap_grows "$pid" $((PROBE_KB + 16384)) "$base"
        echo "# $name: $(( ($(vmswap_kb "$pid") - base) / 1024 )) of 128 MiB out when it execs"
    fi
    kill -USR1 "$pid"
    check "$name: its data verified before the exec" wait_for 60 grep -q '^pre-exec verify ok' "$out"
    check "$name: the same pid now runs the exerciser" wait_for 60 grep -q "^ready pid=$pid " "$out"
    check "$name: the task still covers pid $pid" has_pid "$name" "$pid"
    check "$name: the new image's cold pages go out" wait_for 60 swap_grows "$pid" 16384 0
    check "$name: every page of the new image verifies" verify_exerciser "$pid" "$out"
    finish_task "$name"
    kill -TERM "$pid"
    wait "$pid"
    check "$name: ... and again as it exits (exit $?)" grep -q 'verify=ok' "$out"
}

exits exit-scan scan
exits exit-swap swap
execs exec-scan scan
execs exec-swap swap
finish
