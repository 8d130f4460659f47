#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# systemd's notify protocol, with this test as systemd: its own NOTIFY_SOCKET (notifysink)
# and WATCHDOG_USEC. READY=1 once the socket listens, STATUS lines that follow the model,
# WATCHDOG=1 pings while every thread makes progress, none once a plug-in call is stuck
# (the test plug-in's eng_mgt_func sleeps forever), STOPPING=1 at the end. Then the unit
# file passes systemd-analyze verify.
. "$(dirname "$0")/lib.sh"
SINK=$BUILD/tests/tools/notifysink
PLUG=$BUILD/tests/plugins
[ -x "$SINK" ] || skip "not built: $SINK"
[ -f "$PLUG/testplug.so" ] || skip "the test plug-ins are not built ($PLUG)"

sock=$E2E_TMP/notify.sock
log=$E2E_TMP/notify.log
"$SINK" "$sock" 120 >"$log" 2>&1 &
track_pid $!
wait_for 5 test -S "$sock" || skip "notifysink did not bind $sock"

got() { grep -c -- "$1" "$log"; }
# last_ping_age: ms since the last WATCHDOG=1 (by the sink's clock: its latest line)
NOTIFY_SOCKET=$sock WATCHDOG_USEC=1000000 daemon_start
wait_for 5 grep -q " READY=1$" "$log"
check "READY=1 once the socket listens" grep -q " READY=1$" "$log"
check "a STATUS line with projects, tasks and the backend" \
    grep -Eq " STATUS=projects 0 \(0 started\), tasks 0, backend [a-z_]+$" "$log"
check "the daemon logs the watchdog period" grep -q "systemd watchdog: fed every 500 ms" "$DLOG"
wait_for 10 sh -c "[ \$(grep -c ' WATCHDOG=1$' '$log') -ge 4 ]"
check "WATCHDOG=1 pings while every thread makes progress" [ "$(got ' WATCHDOG=1$')" -ge 4 ]

lib=$E2E_TMP/lib
mkdir -m 700 "$lib"
install -o root -g root -m 500 "$PLUG/testplug.so" "$lib/hang.so"
f=$(conf hang <<CONF
[project]
name=hang
loop=1
interval=1
sleep=1
[engine]
name=thirdparty
project=hang
eng_name=hang
libname=$lib/hang.so
ops_name=mgt_sleeps_ops
call_timeout=1
[task]
project=hang
engine=hang
name=t
type=pid
value=4194304
CONF
)
expect 0 "a project whose plug-in's eng_mgt_func hangs is added and started" sh -c \
    "'$ETMEM' obj add -f '$f' -s '$DSOCK' && '$ETMEM' project start -n hang -s '$DSOCK'"
wait_for 5 grep -q "STATUS=projects 1 (1 started), tasks 1," "$log"
check "STATUS follows: 1 project started, 1 task" \
    grep -q "STATUS=projects 1 (1 started), tasks 1," "$log"
wait_for 5 sh -c "[ \$(grep -c ' WATCHDOG=1$' '$log') -ge 8 ]"
check "... and the pings go on while it runs" [ "$(got ' WATCHDOG=1$')" -ge 8 ]

expect 186 "the plug-in command times out (its call is left running)" \
    "$ETMEM" engine ask -n hang -e hang -s "$DSOCK"
wait_for 5 grep -q "not feeding systemd's watchdog" "$DLOG"
check "the daemon says a plug-in call is stuck and stops feeding the watchdog" \
    grep -q "watchdog: a plug-in call has been busy for [0-9]* ms" "$DLOG"
pings=$(got ' WATCHDOG=1$')
wait_for 3 false
check "no WATCHDOG=1 for 3 s (six periods) while the call is stuck" [ "$(got ' WATCHDOG=1$')" = "$pings" ]
check "... though the daemon is alive and answers" "$ETMEM" project show -s "$DSOCK"
stop_daemons
check "STOPPING=1 at the end" grep -q " STOPPING=1$" "$log"

NOTIFY_SOCKET="@etmem-e2e-nobody-$$" WATCHDOG_USEC=1000000 daemon_start
check "an abstract NOTIFY_SOCKET nobody reads does not disturb the daemon" \
    "$ETMEM" project show -s "$DSOCK"
WATCHDOG_PID=1 WATCHDOG_USEC=1000000 NOTIFY_SOCKET=$E2E_TMP/none daemon_start
check "WATCHDOG_PID of another process: no watchdog" sh -c "! grep -q 'systemd watchdog' '$DLOG'"
stop_daemons

if command -v systemd-analyze >/dev/null; then
    unit=$E2E_TMP/etmemd.service
    sed "s|/usr/bin/etmemd|$ETMEMD|" "$SRC/systemd/etmemd.service" >"$unit"
    expect 0 "systemd-analyze verify accepts the unit" systemd-analyze verify --man=no "$unit"
    check "... without a warning" [ -z "$ERR" ]
fi
finish
