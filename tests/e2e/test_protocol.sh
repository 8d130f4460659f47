#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The wire protocol: an original etmem client's one-line requests and 0xff/0xfe answers;
# garbage, oversize, truncated and stalled clients are dropped with a log line while the
# daemon keeps serving; many clients at once.
. "$(dirname "$0")/lib.sh"
daemon_start
S=$DSOCK
legacy() { run "$RAWSOCK" "$S" -L "proj_name $1 file_name $2 cmd $3 eng_name - eng_cmd - task_name -"; }
serves() { "$ETMEM" project show -s "$S" >/dev/null 2>&1; }

legacy - - 4
check "an original client's project show is answered and ends with 0xff" [ "$OUT" = 'no project exists

\xff' ]
cfg=$(conf legacy <<'CONF'
[project]
name=legacy
loop=1
interval=1
sleep=1
CONF
)
(cd "$E2E_TMP" && "$RAWSOCK" "$S" -L "proj_name - file_name legacy.yaml cmd 0 eng_name - eng_cmd - task_name -") >"$E2E_TMP/l.out"
check "an original client's obj add with a path relative to its cwd works (0xff)" grep -q '^\\xff$' "$E2E_TMP/l.out"
legacy legacy - 4
expect_out "project: legacy" "the project it added shows"
legacy nope - 2
case "$OUT" in
*"error: project 'nope' does not exist"*"error: project is not exist"'\xfe') ok "a failure ends with the original's error text and 0xfe" ;;
*) not_ok "a failure ends with the original's error text and 0xfe" ;;
esac
run "$RAWSOCK" "$S" -L "proj_name x file_name - cmd 9 eng_name - eng_cmd - task_name -"
check "an original request with an unknown command is answered with the reason and 0xfe" \
    [ "$OUT" = 'error: malformed request: legacy request command is not known
error: malformed request\xfe' ]
check "... and a log line" grep -q "legacy request command is not known" "$DLOG"
run "$RAWSOCK" "$S" -L "proj_name x file_name"
case "$OUT" in
*"error: malformed request: "*'\xfe') ok "a cut-short original request is answered 0xfe too" ;;
*) not_ok "a cut-short original request is answered 0xfe too" ;;
esac

# A one-line request is complete as soon as it parses: answered at once, not after a pause
# to see whether more comes (the original client sends it whole, in one send()).
for i in 1 2 3 4 5 6 7; do "$RAWSOCK" "$S" -l -T 2>&1 >/dev/null; done >"$E2E_TMP/legacy.ms"
median=$(sort -n "$E2E_TMP/legacy.ms" | sed -n 4p)
check "the original client's request is answered in under 20 ms (median of 7: $median ms)" \
    awk -v m="$median" 'BEGIN { exit !(m != "" && m < 20) }'

# Control bytes in a config value reach neither the client's terminal nor the log raw.
esc=$(printf '[project]\nname=e\033[31mvil\nloop=1\ninterval=1\nsleep=1\n' | conf esc)
expect 186 "a config value with an escape sequence is refused" "$ETMEM" obj add -f "$esc" -s "$S"
expect_err "'e\x1b[31mvil'" "... quoting it with the escape byte written out"
no_raw_esc() { case "$1" in *$'\033'*) return 1 ;; esac; }
check "... to the client (no raw ESC byte)" no_raw_esc "$ERR"
log_escaped() { grep -qF 'e\x1b[31mvil' "$DLOG" && ! grep -q $'\033' "$DLOG"; }
check "... and to the log" log_escaped

run "$RAWSOCK" "$S" -t "hello, this is not etmem talking"
check "garbage gets no answer" [ -z "$OUT" ]
check "... and a log line" grep -q "not an etmem request" "$DLOG"
check "... and the daemon still serves" serves

run "$RAWSOCK" "$S" -x 454d0100ffffffff
check "a frame claiming 4 GiB is dropped" [ -z "$OUT" ]
check "... with a log line giving the limit" grep -q "4294967295 bytes, the limit is" "$DLOG"
check "... and the daemon still serves" serves

run "$RAWSOCK" "$S" -x 454d010000010000 -c
check "a client leaving in the middle of its request is logged" \
    wait_for 5 grep -q "dropping request from pid .*: Connection reset by peer" "$DLOG"
check "... and the daemon still serves" serves

# version 2 request: header (EM, REQUEST, len 18) + version 2, cmd 4, flags 0, 5 absent fields
run "$RAWSOCK" "$S" -x 454d0100120000000200040000000000ffffffffffffffffffff
expect_out "protocol version 2, this etmemd speaks version 1" "a newer client is told the protocol version"
check "... and the daemon still serves" serves

# A client that connects and says nothing must not hold others up.
"$RAWSOCK" "$S" -w 8000 >/dev/null 2>&1 &
stall=$!
track_pid $stall
connected() { ls -l "/proc/$stall/fd" 2>/dev/null | grep -q 'socket:'; }
check "a client connects and stalls" poll_for 5 connected
start=$(date +%s%N)
expect 0 "project show answers while another client stalls" "$ETMEM" project show -s "$S"
took=$(( ($(date +%s%N) - start) / 1000000 ))
check "... without waiting for it (took ${took} ms, the stall lasts 8000 ms)" [ "$took" -lt 4000 ]

# 50 clients at once, mixing adds, shows and deletes of their own projects.
for i in $(seq 1 50); do
    printf '[project]\nname=c%d\nloop=1\ninterval=1\nsleep=1\n' "$i" >"$E2E_TMP/c$i.yaml"
    chmod 600 "$E2E_TMP/c$i.yaml"
done
pids=""
for i in $(seq 1 50); do
    ( "$ETMEM" obj add -f "$E2E_TMP/c$i.yaml" -s "$S" && "$ETMEM" project show -n "c$i" -s "$S" |
        grep -q "project: c$i" && "$ETMEM" obj del -f "$E2E_TMP/c$i.yaml" -s "$S" ) \
        >"$E2E_TMP/c$i.log" 2>&1 &
    pids="$pids $!"
done
bad=0
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
check "50 concurrent clients each add, show and delete their project ($bad failed)" [ "$bad" = 0 ]
expect 0 "afterwards only the legacy project is left" "$ETMEM" project show -s "$S"
check "... as show says" [ "$(echo "$OUT" | grep -c '^project:')" = 1 ]
daemon_stop
check "the daemon stops cleanly after all that" [ $? = 0 ]
finish
