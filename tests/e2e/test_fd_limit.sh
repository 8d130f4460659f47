#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Out of file descriptors (etmemd limited to 64, as a unit without LimitNOFILE could end up):
# the accept loop backs off instead of spinning, logs that rarely, and serves again as soon
# as connections close.
. "$(dirname "$0")/lib.sh"
command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
FLOOD=$BUILD/tests/tools/clientflood
daemon_start
prlimit --pid "$DPID" --nofile=64:64 || skip "cannot lower etmemd's descriptor limit"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Root connections that say nothing: each holds a descriptor until its request deadline.
"$FLOOD" "$DSOCK" 100 idle 60 >"$E2E_TMP/flood.out" 2>&1 &
flood=$!
track_pid $flood
check "etmemd runs out of descriptors" wait_for 10 grep -q "Too many open files" "$DLOG"
t0=$(cpu_ticks "$DPID")
sleep 3
used=$(( $(cpu_ticks "$DPID") - t0 ))
hz=$(getconf CLK_TCK)
check "... and does not spin meanwhile ($used of $((3 * hz)) CPU ticks in 3 s)" [ "$used" -lt $((3 * hz / 10)) ]
lines=$(grep -c "Too many open files" "$DLOG")
check "... logging it rarely ($lines lines)" [ "$lines" -lt 10 ]
kill -TERM "$flood"
wait "$flood"
check "etmemd serves again once the connections close" wait_for 5 sh -c "'$ETMEM' project show -s '$DSOCK' >/dev/null"
finish
