#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# etmemd --state-dir: SIGKILL etmemd in the middle of a cycle and start it again with the
# same directory: the same projects are there, the started one started again and working
# (its target's cold part goes to swap; an unmanaged control is left alone), although the
# config files are gone (their content was kept); a truncated or corrupt state file is
# reported by name and skipped while the daemon starts; obj del then restart: gone.
# Without --state-dir nothing is kept.
. "$(dirname "$0")/lib.sh"
ensure_swap
STATE=$E2E_TMP/state
daemon_start --state-dir "$STATE"

control_and_target st --total 80 --hot 16

kept=$(slide_conf kept name "st-tgt$E2E_TAG")
idle=$(slide_conf idle name "st-none$E2E_TAG")
expect 0 "a project is added" "$ETMEM" obj add -f "$kept" -s "$DSOCK"
expect 0 "... and a second one" "$ETMEM" obj add -f "$idle" -s "$DSOCK"
expect 0 "the first is started" "$ETMEM" project start -n kept -s "$DSOCK"
check "state files are written" [ -f "$STATE/obj-00000001.conf" -a -f "$STATE/obj-00000002.conf" -a -f "$STATE/started" ]
check "... the record keeps the file's content" grep -q "^value=st-tgt$E2E_TAG$" "$STATE/obj-00000001.conf"
check "... the started list names the started project" grep -qx kept "$STATE/started"
check "... and nothing is left half written" [ "$(ls -A "$STATE" | grep -c tmp)" = 0 ]
show() { "$ETMEM" project show -s "$DSOCK" --json; }
started_json() { show | grep -o "{\"name\":\"$1\",\"started\":[a-z]*" | sed 's/.*://'; }
show_has_task() { show | grep -q '"name":"kept-task"'; }
cycling() { [ "$(task_field kept cycles)" -ge 1 ] 2>/dev/null; }
check "a cycle has run" wait_for 60 cycling
rm -f "$kept" "$idle"
# loop=2, interval=1: a cycle scans for two seconds; kill it during the next one.
sleep 0.5
kill -KILL "$DPID"
wait_gone "$DPID" 10

daemon_restart --state-dir "$STATE"
run show
expect_out '"name":"kept","started":true' "after SIGKILL and restart the started project is there, started"
expect_out '"name":"idle","started":false' "... and the other one, not started"
check "... with its engine and task" show_has_task
cold_out() { [ "$(pct_of swapped "$EX_PID" "$EX_COLD")" -ge 90 ]; }
check "the restored project works: its target's cold part goes to swap" wait_for 90 cold_out
sw=$(pct_of swapped "$ctl_pid" "$ctl_cold")
check "... the unmanaged control is left alone ($sw%)" [ "$sw" -le 5 ]
check "the log says what was replayed" grep -q "state: 2 record(s) in $STATE replayed" "$DLOG"
check "... without an error" [ "$(grep -c 'etmemd\[error\]' "$DLOG")" = 0 ]

# A cut record and a corrupt one are reported by name and skipped; the daemon starts.
daemon_stop
size=$(wc -c <"$STATE/obj-00000002.conf")
truncate -s $(( size - 20 )) "$STATE/obj-00000002.conf"
printf 'not a state file\n' >"$STATE/obj-00000009.conf"
daemon_restart --state-dir "$STATE"
check "a truncated state file is reported by its name" \
    grep -q "state file $STATE/obj-00000002.conf: truncated or corrupt" "$DLOG"
check "... and a corrupt one" grep -q "state file $STATE/obj-00000009.conf: truncated or corrupt" "$DLOG"
run show
expect_out '"name":"kept","started":true' "... the daemon still starts with the rest"
expect_no_out '"name":"idle"' "... without the skipped project"

# obj del forgets; after a restart the project is gone.
kept=$(slide_conf kept name "st-tgt$E2E_TAG")
expect 0 "obj del of the started project" "$ETMEM" obj del -f "$kept" -s "$DSOCK"
check "... forgets its record" [ ! -e "$STATE/obj-00000001.conf" ]
check "... and that it was started" [ -z "$(sed 1d "$STATE/started")" ]
daemon_stop
daemon_restart --state-dir "$STATE"
run show
expect_no_out '"name":"kept"' "after obj del and a restart the project is gone"

# Without --state-dir nothing is kept.
daemon_stop
daemon_restart
expect 0 "a project is added to a daemon without --state-dir" "$ETMEM" obj add -f "$kept" -s "$DSOCK"
daemon_stop
daemon_restart
run show
expect_no_out '"name":"kept"' "... and is gone after a restart"
finish
