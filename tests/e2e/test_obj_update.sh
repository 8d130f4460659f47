#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# etmem obj update on a running slide project with real targets: T changed (the new value in
# project show, and its effect: the target's cold part goes to swap only once T allows it),
# the task's cycle counter counting on through the update (its runtime state is kept); a
# task added (its target gets cycles and its cold part goes out); a task removed (its cycles
# stop and its target, read back in, is left alone while the other task cycles on); bad
# updates (a misspelt key, a bad value, an unknown project, a key that cannot change while
# the project is started) each refused with their own error, changing nothing; an update of
# the stopped project changing such a key; a thirdparty engine's tasks added, changed
# (removed and added again) and removed through its plug-in's ops; the update kept across a
# restart (--state-dir), and an obj del of one of its tasks too.
. "$(dirname "$0")/lib.sh"
ensure_swap
STATE=$E2E_TMP/state
daemon_start --state-dir "$STATE"

exerciser "up-ctl$E2E_TAG" --total 64 --hot 16
ctl_pid=$EX_PID ctl_cold=$EX_COLD
exerciser "up-a$E2E_TAG" --total 64 --hot 16
a_pid=$EX_PID a_out=$EX_OUT a_cold=$EX_COLD
exerciser "up-b$E2E_TAG" --total 64 --hot 16
b_pid=$EX_PID b_cold=$EX_COLD

# upd_conf NAME PROJECT-KEYS TASKS...: an update file of project upd (one slide engine);
# each task is "name:target:T[:more keys, comma separated]".
upd_conf() {
    local name=$1 keys=$2 t
    shift 2
    {
        printf '[project]\nname=upd\nloop=1\ninterval=1\nsleep=1\n%s\n' "$(echo "$keys" | tr , '\n')"
        printf '[engine]\nname=slide\nproject=upd\n'
        for t in "$@"; do
            IFS=: read -r tn tv tT tmore <<<"$t"
            printf '[task]\nproject=upd\nengine=slide\nname=%s\ntype=name\nvalue=%s\nT=%s\n%s\n' \
                "$tn" "$tv" "$tT" "$(echo "$tmore" | tr , '\n')"
        done
    } | conf "$name"
}
A="up-a$E2E_TAG" B="up-b$E2E_TAG"
show() { "$ETMEM" project show -s "$DSOCK" --json; }
# a task's part of show --json: from its name to the next object that has a name
task_json() { show | sed 's/{"name":"/\n/g' | grep "^$1\",\"type\":"; }
task_num() { task_json "$1" | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2; }
task_key() { task_json "$1" | grep -o '"keys":{[^}]*}' | grep -o "\"$2\":\"[^\"]*\"" | cut -d'"' -f4; }
# the configuration show gives: every object's keys, the tasks, whether started
config_of() { show | grep -o '"keys":{[^}]*}\|"name":"[^"]*","type"\|"started":[a-z]*'; }
cycles_of() { n=$(task_num "$1" cycles); [ "${n:-0}" -ge "$2" ]; }
out_pct() { pct_of swapped "$1" "$2"; }

# T=0 calls nothing cold: the project runs, scans, and moves nothing.
v1=$(upd_conf v1 "" "a:$A:0")
expect 0 "a project with task a (T=0) is added" "$ETMEM" obj add -f "$v1" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n upd -s "$DSOCK"
check "task a runs cycles" wait_for 60 cycles_of a 2
sw=$(out_pct "$a_pid" "$a_cold")
check "... with T=0 its target's cold part stays in RAM ($sw% swapped)" [ "$sw" -le 5 ]

# Change T: the same task, with its runtime, takes it at its next cycle.
c0=$(task_num a cycles)
v2=$(upd_conf v2 "" "a:$A:1")
expect 0 "obj update changes T of the running task" "$ETMEM" obj update -f "$v2" -s "$DSOCK"
check "... project show gives the new T" [ "$(task_key a T)" = 1 ]
c1=$(task_num a cycles)
check "... the task's cycle counter counts on ($c0 -> $c1), not from 0" [ "${c1:-0}" -ge "$c0" ]
a_out_now() { [ "$(out_pct "$a_pid" "$a_cold")" -ge 90 ]; }
check "... and with T=1 its target's cold part goes to swap" wait_for 60 a_out_now
check "... the task still counts on" wait_for 30 cycles_of a $(( c0 + 2 ))

# Add task b: it starts, as the project is started.
ca=$(task_num a cycles)
v3=$(upd_conf v3 "" "a:$A:1" "b:$B:1")
expect 0 "obj update adds task b" "$ETMEM" obj update -f "$v3" -s "$DSOCK"
check "... b runs cycles" wait_for 60 cycles_of b 1
b_out_now() { [ "$(out_pct "$b_pid" "$b_cold")" -ge 90 ]; }
check "... and its target's cold part goes to swap" wait_for 60 b_out_now
check "... task a kept its counter ($ca -> $(task_num a cycles))" [ "$(task_num a cycles)" -ge "$ca" ]

# Remove task a: it stops; read its target back in and it stays in RAM while b cycles on.
v4=$(upd_conf v4 "" "b:$B:1")
expect 0 "obj update removes task a" "$ETMEM" obj update -f "$v4" -s "$DSOCK"
check "... a is no longer in project show" [ -z "$(task_json a)" ]
check "... b is still running" [ -n "$(task_json b)" ]
check "a's target reads back intact (and so back in)" verify_exerciser "$a_pid" "$a_out"
back=$(pct_of present "$a_pid" "$a_cold")
cb=$(task_num b cycles)
check "task b runs two more cycles" wait_for 60 cycles_of b $(( cb + 2 ))
now=$(pct_of present "$a_pid" "$a_cold")
check "... a's target is left alone ($back% of its cold part resident, now $now%)" \
    [ "$now" -ge $(( back - 5 )) ] && [ "$now" -ge 90 ]
sw=$(out_pct "$ctl_pid" "$ctl_cold")
check "the unmanaged control's cold part is left alone ($sw% swapped)" [ "$sw" -le 5 ]

# Bad updates: their own error each, and nothing changes.
before=$(config_of)
bad() {
    local desc=$1 code=$2 want=$3 file=$4
    expect "$code" "$desc is refused" "$ETMEM" obj update -f "$file" -s "$DSOCK"
    expect_err "$want" "... saying why"
    check "... and changes nothing" [ "$(config_of)" = "$before" ]
}
bad "a misspelt key (Tx for T)" 186 "missing required key 'T'" \
    "$(upd_conf bad1 "" "b:$B:1" | xargs sed -i 's/^T=/Tx=/' && echo "$E2E_TMP/bad1.yaml")"
bad "a bad value" 186 "bad2.yaml:16: [task] T: 'abc' is not a whole number" "$(upd_conf bad2 "" "b:$B:abc")"
bad "an unknown project" 186 "project 'nosuch' does not exist" \
    "$(upd_conf bad3 "" "b:$B:1" | xargs sed -i 's/=upd$/=nosuch/' && echo "$E2E_TMP/bad3.yaml")"
bad "a change of scan_backend while started" 186 \
    "key \`scan_backend\` of task b cannot change while project upd is started; stop it first" \
    "$(upd_conf bad4 "" "b:$B:1:scan_backend=fallback")"
bad "a change of dry_run while started, with a change of T beside it" 186 \
    "key \`dry_run\` cannot change while project upd is started; stop it first" \
    "$(upd_conf bad5 "dry_run=yes" "b:$B:2")"
bad "a task of an engine the file does not have" 186 "engine 'cslide' has no [engine] section" \
    "$(upd_conf bad6 "" "b:$B:1" | xargs sed -i '$a [task]\nproject=upd\nengine=cslide\nname=c\ntype=name\nvalue=c\n' && echo "$E2E_TMP/bad6.yaml")"

# Stopped, the project takes what it refused while started.
expect 0 "the project is stopped" "$ETMEM" project stop -n upd -s "$DSOCK"
v5=$(upd_conf v5 "dry_run=yes" "b:$B:1")
expect 0 "an update of the stopped project sets dry_run" "$ETMEM" obj update -f "$v5" -s "$DSOCK"
check "... show gives it" show | grep -q '"dry_run":"yes"'
expect 0 "the project is started again" "$ETMEM" project start -n upd -s "$DSOCK"
check "... task b runs as a dry run" wait_for 30 sh -c "'$ETMEM' project show -s '$DSOCK' --json | grep -q '\"dry_run\":true'"

# A thirdparty engine: tasks added and removed through its plug-in's ops; a task whose keys
# change is removed and added again; the engine's own keys and, while a plug-in task runs,
# the project's keys cannot change.
PLUG=$BUILD/tests/plugins
if [ -f "$PLUG/testplug.so" ]; then
    mkdir -m 700 "$E2E_TMP/lib"
    install -o root -g root -m 500 "$PLUG/testplug.so" "$E2E_TMP/lib/testplug.so"
    TRACE=$E2E_TMP/trace
    # tp_conf NAME LOOP ENGINE-KEY TASK:KEY...: project tp with the test plug-in's engine
    tp_conf() {
        local name=$1 loop=$2 ekey=$3 t
        shift 3
        {
            printf '[project]\nname=tp\nloop=%s\ninterval=1\nsleep=1\n' "$loop"
            printf '[engine]\nname=thirdparty\nproject=tp\neng_name=tp\nlibname=%s\n' "$E2E_TMP/lib/testplug.so"
            printf 'ops_name=my_engine_ops\nengine_private_key=%s\ntrace_file=%s\n' "$ekey" "$TRACE"
            for t in "$@"; do
                printf '[task]\nproject=tp\nengine=tp\nname=%s\ntype=pid\nvalue=%s\n' "${t%%:*}" $$
                printf 'task_private_key=%s\n' "${t#*:}"
            done
        } | conf "$name"
    }
    expect 0 "a thirdparty project with task t1 is added" "$ETMEM" obj add -f "$(tp_conf tp1 1 7 t1:1)" -s "$DSOCK"
    expect 0 "... and started" "$ETMEM" project start -n tp -s "$DSOCK"
    : >"$TRACE"
    expect 0 "an update changes t1's key and adds t2" "$ETMEM" obj update -f "$(tp_conf tp2 1 7 t1:2 t2:3)" -s "$DSOCK"
    expect 0 "an update removes t2" "$ETMEM" obj update -f "$(tp_conf tp3 1 7 t1:2)" -s "$DSOCK"
    want="fill_task_params task_private_key=2
fill_task_params task_private_key=3
start_task t2
stop_task t1
clear_task_params t1
start_task t1
stop_task t2
clear_task_params t2"
    if [ "$(cat "$TRACE")" = "$want" ]; then
        ok "... the plug-in saw t2 filled and started, t1 removed and added again, t2 removed"
    else
        not_ok "... the plug-in's calls"
        diff <(echo "$want") "$TRACE"
    fi
    before=$(config_of)
    bad "a change of the plug-in engine's own key" 186 \
        "key \`engine_private_key\` of engine 'tp' cannot change by obj update" "$(tp_conf tp4 1 8 t1:2)"
    bad "a change of the project's loop while a plug-in task runs" 186 \
        "key \`loop\` cannot change while project tp is started: engine 'tp' (thirdparty)" \
        "$(tp_conf tp5 2 7 t1:2)"
    expect 0 "the thirdparty project is stopped" "$ETMEM" project stop -n tp -s "$DSOCK"
    tp_del=$(printf '[project]\nname=tp\n' | conf tp_del)
    expect 0 "... and deleted" "$ETMEM" obj del -f "$tp_del" -s "$DSOCK"
else
    echo "# the test plug-ins are not built ($PLUG): thirdparty part left out"
fi

# The state directory keeps the update: a restart comes back with it.
check "the update is kept as a record" ls "$STATE"/obj-*.update
check "... that replaced the obj add's" [ ! -e "$STATE/obj-00000001.conf" ]
after=$(config_of)
daemon_stop
daemon_restart --state-dir "$STATE"
check "after a restart the project is as updated" [ "$(config_of)" = "$after" ]
check "... started, with task b and without a" [ -n "$(task_json b)" ] && [ -z "$(task_json a)" ]
check "... without an error in the log" [ "$(grep -c 'etmemd\[error\]' "$DLOG")" = 0 ]
# obj del of one task of the updated project: the record loses that task's section.
task_del=$(printf '[task]\nproject=upd\nengine=slide\nname=b\n' | conf task_del)
expect 0 "obj del of task b" "$ETMEM" obj del -f "$task_del" -s "$DSOCK"
check "... the update record is kept without it" \
    sh -c "grep -q '^name=upd$' '$STATE'/obj-*.update && ! grep -q '^name=b$' '$STATE'/obj-*.update"
daemon_stop
daemon_restart --state-dir "$STATE"
check "... and after a restart the project is there without it" \
    [ -n "$(show | grep -o '"name":"upd"')" ] && [ -z "$(task_json b)" ]
check "... without an error in the log" [ "$(grep -c 'etmemd\[error\]' "$DLOG")" = 0 ]
del=$(printf '[project]\nname=upd\n' | conf del)
expect 0 "obj del of the project" "$ETMEM" obj del -f "$del" -s "$DSOCK"
check "... forgets the update record too" [ -z "$(ls "$STATE" | grep update)" ]
finish
