#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# A region project's task waits for its process without a busy loop: region projects have no
# `sleep` (a cycle is one aggregation), so with nothing to monitor the task waits one
# aggregation interval between looks. etmemd's CPU time over two aggregations must stay small;
# then the process appears and is picked up.
. "$(dirname "$0")/lib.sh"

daemon_start
cfg=$(SLIDE_TASK=t region_conf wait "rw-tgt$E2E_TAG" 100000 100)
expect 0 "a slide region project for a process not running yet is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n wait -s "$DSOCK"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
t0=$(cpu_ticks "$DPID")
sleep 2
used=$(( $(cpu_ticks "$DPID") - t0 ))
check "etmemd waits without spinning ($used ticks of $((2 * hz)) in 2 s, want < 10%)" [ "$used" -lt $((2 * hz / 10)) ]
expect 0 "project show says the task waits" "$ETMEM" project show -n wait -s "$DSOCK"
expect_out "waiting" "... waiting"
exerciser "rw-tgt$E2E_TAG" --total 16 --hot 8
check "the process is picked up when it appears" wait_cycles wait 1
finish
