#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# A client that asks for a large `project show --json` and never reads it must delay nobody:
# the reply is built under the model lock and sent without it.
. "$(dirname "$0")/lib.sh"
daemon_start
PROJECTS=30 TASKS=12
pad=$(printf "x%.0s" $(seq 1 64))

# Many tasks with long names, so that the JSON answer is far larger than what a socket
# buffers (~200 KiB).
t0=$(date +%s%N)
for ((p = 1; p <= PROJECTS; p++)); do
    for ((t = 1; t <= TASKS; t++)); do
        {
            if [ "$t" = 1 ]; then
                printf '[project]\nname=big%d\nloop=1\ninterval=1200\nsleep=1200\n' "$p"
                printf '[engine]\nname=slide\nproject=big%d\n' "$p"
            fi
            printf '[task]\nproject=big%d\nengine=slide\nname=%s\ntype=name\nvalue=nosuch%d-%d\nT=1\n' \
                "$p" "${t}${pad:0:62}" "$p" "$t"
        } >"$E2E_TMP/p$p-t$t.yaml"
        chmod 600 "$E2E_TMP/p$p-t$t.yaml"
        "$ETMEM" obj add -f "$E2E_TMP/p$p-t$t.yaml" -s "$DSOCK" >/dev/null || echo "obj add p$p-t$t failed"
    done
done
echo "# $((PROJECTS * TASKS)) tasks added in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
bytes=$("$ETMEM" project show --json -s "$DSOCK" | wc -c)
check "project show --json of the whole setup is large ($bytes bytes > 240 KiB)" [ "$bytes" -gt 245760 ]

# The framed request for `project show --json`: header (EM, REQUEST, 18 bytes), version 1,
# cmd 4, flags 1 (JSON), five absent fields. rawsock sends it and then sleeps, reading nothing.
"$RAWSOCK" "$DSOCK" -x 454d0100120000000100040001000000ffffffffffffffffffff -w 12000 >/dev/null 2>&1 &
stall=$!
track_pid $stall
sleep 0.5       # let the daemon build the reply and fill the socket
worst=0
for i in 1 2 3; do
    start=$(date +%s%N)
    run "$ETMEM" project show -n big1 -s "$DSOCK"
    took=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$took" -gt "$worst" ] && worst=$took
done
check "project show answers while a --json reader stalls (exit $RC)" [ "$RC" = 0 ]
expect_out "project: big1" "... with the project"
check "... at once (slowest of 3: ${worst} ms, the reader stalls 12 s)" [ "$worst" -lt 1000 ]
start=$(date +%s%N)
expect 0 "project start answers meanwhile too" "$ETMEM" project start -n big2 -s "$DSOCK"
took=$(( ($(date +%s%N) - start) / 1000000 ))
check "... at once (${took} ms)" [ "$took" -lt 1000 ]
kill "$stall" 2>/dev/null
wait "$stall" 2>/dev/null
expect 0 "project big2 stops" "$ETMEM" project stop -n big2 -s "$DSOCK"
finish
