#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# etmemd's options and life cycle: the original's checks and messages, one daemon per
# socket name, two daemons side by side, the forking (-m) mode, clean shutdown.
. "$(dirname "$0")/lib.sh"

expect 0 "etmemd -h exits 0" "$ETMEMD" -h
expect_out "usage of etmemd:" "... with the original's usage"
expect_out "-m|--mode-systemctl" "... listing -m"
expect 255 "etmemd -h -l 0 exits 255, as the original (-h takes nothing else along)" "$ETMEMD" -h -l 0
expect_err "warn: useless parameters passed in" "... with the original's warning"
expect 255 "etmemd -l 0 -h exits 255 too" "$ETMEMD" -l 0 -h
expect 255 "etmemd without -s exits 255" "$ETMEMD" -l 1
expect_err "error: socket name of rpc to listen must be provided" "... with the original's message"
expect 255 "-s twice exits 255" "$ETMEMD" -s a -s b
expect_err "error: parse sock parameter repeated" "... with the original's message"
expect 255 "-l 4 exits 255" "$ETMEMD" -s a -l 4
expect_err "error: invalid log level [4]" "... with the original's message"
expect 255 "-l x exits 255" "$ETMEMD" -s a -l x
expect 255 "-l -1 exits 255" "$ETMEMD" -s a -l -1
expect 255 "an unknown option exits 255" "$ETMEMD" -s a -q
expect_err "error: parse parameters failed" "... with the original's message"
expect 255 "extra words exit 255" "$ETMEMD" -s a extra
expect_err "warn: useless parameters passed in" "... with the original's message"
long=$(printf 'b%.0s' $(seq 1 107))
expect 255 "a 107-character socket name is refused (the original client cannot reach it)" "$ETMEMD" -s "$long"
expect_err "at most 106 characters" "... giving the limit"
expect 0 "etmemd --probe exits 0" "$ETMEMD" --probe
expect_out "Backends (auto order):" "... with the backend table"
expect_out "auto: tracker=" "... and the backends it would pick"
expect 0 "etmemd --probe=json exits 0" "$ETMEMD" --probe=json
expect_out '"features":{"idle_pages":{"ok":' "... and prints JSON"
expect 255 "etmemd --probe=xml is refused" "$ETMEMD" --probe=xml
expect_err "error: --probe=xml: unknown output format (known: json)" "... naming the formats"
expect 255 "etmemd --help-config=html is refused" "$ETMEMD" --help-config=html
expect 0 "the long option --help works" "$ETMEMD" --help
expect_out "usage of etmemd:" "... printing the usage"
expect 255 "the long options are parsed (--log-level 9 is refused)" "$ETMEMD" --socket x --log-level 9
expect_err "error: invalid log level [9]" "... naming the level"
expect 0 "etmemd --help-config lists every key" "$ETMEMD" --help-config
expect_out "[task] T" "... including slide's T"
expect 0 "etmemd --help-config=md prints markdown" "$ETMEMD" --help-config=md
if diff -u "$SRC/docs/config-keys.md" "$E2E_TMP/.out" >/dev/null; then
    ok "docs/config-keys.md is generated from the key tables and current"
else
    not_ok "docs/config-keys.md differs from 'etmemd --help-config=md' (regenerate it)"
fi

# A 106-character name (the longest the original client can reach) is allowed; both daemons
# serve side by side.
name106=$(printf 'c%.0s' $(seq 1 99))-$$
name106=$(printf '%-106s' "$name106" | tr ' ' x)
"$ETMEMD" -s "$name106" -l 1 >"$E2E_TMP/d106.log" 2>&1 &
d106=$!
track_pid $d106
check "a daemon listens on a 106-character name" daemon_wait_ready "$name106"
daemon_start
first=$DSOCK first_pid=$DPID
expect 0 "the first daemon answers" "$ETMEM" project show -s "$first"
expect 0 "the second daemon answers" "$ETMEM" project show -s "$name106"

# It keeps only the capabilities it needs: sys_admin(21), sys_ptrace(19), sys_nice(23),
# dac_override(1), dac_read_search(2) = 0x00a80006, in every set, with no-new-privs.
caps=$(awk '/^Cap(Eff|Prm|Bnd):/ {print $1 $2}' "/proc/$first_pid/status" | tr '\n' ' ')
check "etmemd drops every capability it does not need ($caps)" \
    [ "$caps" = "CapPrm:0000000000a80006 CapEff:0000000000a80006 CapBnd:0000000000a80006 " ]
check "... and sets no-new-privs" grep -q "^NoNewPrivs:[[:space:]]*1" "/proc/$first_pid/status"
expect 0 "... and still serves" "$ETMEM" project show -s "$first"

# A second daemon on a name in use must fail loudly (the original exited 0).
expect 1 "a second etmemd on a name in use exits 1" "$ETMEMD" -s "$first"
expect_err "socket name '$first' is already in use" "... and says why"
expect 0 "the first daemon still serves" "$ETMEM" project show -s "$first"

# SIGTERM with objects present: everything freed, exit 0.
cfg=$(conf sig <<CONF
[project]
name=sigproj
loop=1
interval=1
sleep=1
[engine]
name=slide
project=sigproj
[task]
project=sigproj
engine=slide
name=t1
type=pid
value=4194304
T=1
CONF
)
expect 0 "objects added before shutdown" "$ETMEM" obj add -f "$cfg" -s "$first"
daemon_stop "$first_pid"
rc=$?
RC=$rc
check "SIGTERM stops etmemd with exit 0" [ "$rc" = 0 ]
check "... after logging the signal" grep -q "caught signal 15" "$DLOG"
check "... and its socket is gone" sh -c "! '$ETMEM' project show -s '$first' 2>/dev/null"
kill -INT $d106
wait $d106
RC=$?
check "SIGINT stops etmemd with exit 0" [ "$RC" = 0 ]

# Forking mode: the parent returns once the child listens; the pid file names the child.
pidfile="$E2E_TMP/etmemd.pid"
msock="etmem-e2e-m-$$"
expect 0 "etmemd -m returns 0 once listening" "$ETMEMD" -s "$msock" -m --pid-file "$pidfile" -l 1
mpid=$(cat "$pidfile" 2>/dev/null)
[ -n "$mpid" ] && track_pid "$mpid"
check "the pid file names a running etmemd" sh -c "[ -n '$mpid' ] && grep -q etmemd /proc/$mpid/comm"
expect 0 "the forked daemon serves at once" "$ETMEM" project show -s "$msock"
expect 1 "a second -m daemon on the same pid file fails" "$ETMEMD" -s "$msock-2" -m --pid-file "$pidfile"
expect_err "is held by another etmemd" "... saying the pid file is taken"
check "... and leaves the first one's pid file alone" grep -qx "$mpid" "$pidfile"
kill -TERM "$mpid"
check "the forked daemon stops on SIGTERM" wait_gone "$mpid" 15
check "... and removes its pid file" sh -c "[ ! -e '$pidfile' ]"

if command -v systemd-analyze >/dev/null 2>&1; then
    expect 0 "the systemd unit passes systemd-analyze verify" \
        sh -c "SYSTEMD_LOG_LEVEL=err systemd-analyze verify --man=no '$SRC/systemd/etmemd.service' 2>&1 | grep -v 'etmemd.*not executable\|Command /usr/bin/etmemd' | grep . && exit 1 || exit 0"
fi
finish
