#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The thirdparty engine with the test plug-ins of tests/plugins: the original's call order
# with the private keys reaching the plug-in, every refusal of a library (each a specific
# error at the key's file:line, nothing left behind), and plug-ins that fail, write the
# protocol's reserved bytes, hang in stop_task or eng_mgt_func, return late or leak, while
# etmemd keeps serving other projects.
. "$(dirname "$0")/lib.sh"
PLUG=$BUILD/tests/plugins
[ -f "$PLUG/testplug.so" ] || skip "the test plug-ins are not built ($PLUG)"
LIB=$E2E_TMP/lib
mkdir -m 700 "$LIB"
# install_plugin SRC NAME [MODE [OWNER]]: a copy of a built test plug-in; prints its path.
install_plugin() {
    install -o "${4:-root}" -g root -m "${3:-500}" "$PLUG/$1.so" "$LIB/$2"
    echo "$LIB/$2"
}
GOOD=$(install_plugin testplug good.so)
TRACE=$E2E_TMP/trace
# engine_conf NAME PROJECT LIBNAME OPS [MORE LINES]: an [engine] section file.
engine_conf() {
    conf "$1" <<CONF
[engine]
name=thirdparty
project=$2
eng_name=$1
libname=$3
ops_name=$4
${5:-}
CONF
}
# plugin_project NAME LIBNAME OPS [ENGINE LINES [TASK LINES]]: a file with project NAME,
# its engine NAME and, unless TASK LINES is "-", a task t of it; prints its path.
plugin_project() {
    local task="[task]
project=$1
engine=$1
name=t
type=pid
value=4194304
${5:-}"
    [ "${5:-}" = - ] && task=
    conf "$1" <<CONF
[project]
name=$1
loop=1
interval=1
sleep=1
[engine]
name=thirdparty
project=$1
eng_name=$1
libname=$2
ops_name=$3
${4:-}
$task
CONF
}
show() { "$ETMEM" project show -s "$DSOCK" 2>&1; }
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

daemon_start
other=$(conf other <<'CONF'
[project]
name=other
loop=1
interval=1
sleep=1
CONF
)
expect 0 "a second project to be served meanwhile" "$ETMEM" obj add -f "$other" -s "$DSOCK"

# --- the lifecycle, in the original's order, with private keys ---------------------------
lc=$(conf lc <<CONF
[project]
name=lc
loop=1
interval=1
sleep=1
[engine]
name=thirdparty
project=lc
eng_name=my_engine
libname=$GOOD
ops_name=my_engine_ops
engine_private_key=1024
trace_file=$TRACE
[task]
project=lc
engine=my_engine
name=t1
type=pid
value=$$
task_private_key=2048
CONF
)
expect 0 "a plug-in engine and task are added" "$ETMEM" obj add -f "$lc" -s "$DSOCK"
check "... with no warning about their private keys" [ -z "$ERR" ]
expect 0 "project show lists the task under its eng_name" "$ETMEM" project show -n lc -s "$DSOCK"
expect_out "t1               my_engine        false" "... with the original's columns"
expect 186 "an engine command needs a started project" "$ETMEM" engine echo -n lc -e my_engine -s "$DSOCK"
expect 0 "project start" "$ETMEM" project start -n lc -s "$DSOCK"
expect 0 "eng_mgt_func answers" "$ETMEM" engine echo -n lc -e my_engine -s "$DSOCK"
expect_out "engine my_engine task - cmd echo engine_private_key=1024" "... with the engine's private key"
expect 0 "... and with -t" "$ETMEM" engine echo -n lc -e my_engine -t t1 -s "$DSOCK"
expect_out "task t1 cmd echo engine_private_key=1024 task_private_key=2048" "... with the task's too"
expect_out "pids=none" "... and tk->pids left to the plug-in, as in the original"
expect 0 "... and with the long options" \
    "$ETMEM" engine echo --proj_name lc --engine my_engine --task_name t1 --socket "$DSOCK"
expect_out "task t1 cmd echo engine_private_key=1024 task_private_key=2048" "... the same answer"
expect 0 "an answer larger than a pipe is streamed whole" "$ETMEM" engine big -n lc -e my_engine -s "$DSOCK"
check "... all 20000 lines" [ "$(echo "$OUT" | grep -c '^line ')" = 20000 ]
expect 186 "a command the plug-in refuses fails" "$ETMEM" engine nope -n lc -e my_engine -s "$DSOCK"
expect_out "testplug: unknown command 'nope'" "... showing what it wrote"
expect_err "engine 'my_engine' failed command 'nope'" "... and the failure"
expect 0 "project stop" "$ETMEM" project stop -n lc -s "$DSOCK"
expect 0 "obj del" "$ETMEM" obj del -f "$lc" -s "$DSOCK"
want="fill_eng_params engine_private_key=1024
fill_task_params task_private_key=2048
start_task t1
eng_mgt_func echo
eng_mgt_func echo
eng_mgt_func echo
eng_mgt_func big
eng_mgt_func nope
stop_task t1
clear_task_params t1
clear_eng_params"
if [ "$(cat "$TRACE")" = "$want" ]; then
    ok "the plug-in saw fill_eng, fill_task, start, eng_mgt, stop, clear_task, clear_eng"
else
    not_ok "the plug-in's calls came in the original's order"
    diff <(echo "$want") "$TRACE"
fi
check "obj del unloaded the library" sh -c "! grep -q '$GOOD' /proc/$DPID/maps"

# --- refusals: each specific, at the key's line, and nothing changes -----------------------
state=$(show)
refuse() {  # refuse DESC TEXT LIBNAME [OPS]
    local f
    f=$(engine_conf bad other "$3" "${4:-my_engine_ops}")
    expect 186 "refused: $1" "$ETMEM" obj add -f "$f" -s "$DSOCK"
    expect_err "$2" "... saying: $2"
    if [ "$(show)" = "$state" ]; then ok "... and nothing changed"; else not_ok "... nothing changed"; fi
}
refuse "a library owned by another user" \
    "bad.yaml:5: [engine] libname: plug-in $LIB/uid1.so: is owned by uid 1; a plug-in must be owned by root" \
    "$(install_plugin testplug uid1.so 500 1)"
refuse "mode 0755" "has mode 0755, but a plug-in must have mode 500 or 700: its group or others can read or execute it" \
    "$(install_plugin testplug m755.so 755)"
refuse "mode 0600" "has mode 0600, but a plug-in must have mode 500 or 700: its owner cannot both read and execute it" \
    "$(install_plugin testplug m600.so 600)"
refuse "mode 0501" "has mode 0501" "$(install_plugin testplug m501.so 501)"
refuse "mode 0400 (stricter, still not the guide's)" "has mode 0400" "$(install_plugin testplug m400.so 400)"
refuse "group-writable" "its group or others can write it" "$(install_plugin testplug m720.so 720)"
refuse "other-writable" "its group or others can write it" "$(install_plugin testplug m702.so 702)"
ln -s good.so "$LIB/link.so"
refuse "a symbolic link" "plug-in $LIB/link.so: is a symbolic link" "$LIB/link.so"
mkdir -m 500 "$LIB/dir.so"
refuse "a directory" "plug-in $LIB/dir.so: is a directory" "$LIB/dir.so"
refuse "a missing file" "plug-in $LIB/none.so: cannot open it: No such file or directory" "$LIB/none.so"
refuse "a library with a missing symbol" \
    "cannot load it: undefined symbol: etmem_test_no_such_function" "$(install_plugin testplug_undef undef.so)"
refuse "a symbol that is not found" "bad.yaml:6: [engine] ops_name: plug-in $GOOD: has no symbol 'no_such_ops'" \
    "$GOOD" no_such_ops
refuse "a function instead of a struct engine_ops" "symbol 'not_ops_function' is not a variable" \
    "$GOOD" not_ops_function
refuse "a variable too small" "symbol 'small_ops' is 4 bytes, too small" "$GOOD" small_ops
refuse "a symbol of another library" "symbol 'stdout' is not defined by the plug-in" "$GOOD" stdout
refuse "a struct whose members point nowhere" "bad_pointer_ops.start_task points outside every loaded object" \
    "$GOOD" bad_pointer_ops
refuse "a relative path" "bad.yaml:5: [engine] libname: 'lib/good.so' is not an absolute path" \
    "lib/good.so"
check "no refused library stays mapped" sh -c "! grep -q '$LIB/' /proc/$DPID/maps"

# --- plug-ins that return errors -------------------------------------------------------
f=$(engine_conf fe other "$GOOD" fill_eng_fails_ops)
expect 186 "fill_eng_params failing refuses the engine" "$ETMEM" obj add -f "$f" -s "$DSOCK"
expect_err "engine 'fe': its plug-in rejected the [engine] section (fill_eng_params failed)" "... saying so"
check "... and nothing is registered" [ "$(show)" = "$state" ]
ft=$(conf ft <<CONF
[engine]
name=thirdparty
project=other
eng_name=ft
libname=$GOOD
ops_name=fill_task_fails_ops
[task]
project=other
engine=ft
name=t
type=pid
value=4194304
CONF
)
expect 186 "fill_task_params failing refuses engine and task together" "$ETMEM" obj add -f "$ft" -s "$DSOCK"
expect_err "engine 'ft': its plug-in rejected task 't' (fill_task_params failed)" "... saying so"
check "... and nothing is registered" [ "$(show)" = "$state" ]
sf=$(plugin_project sf "$GOOD" start_fails_ops)
expect 0 "a plug-in whose start_task fails is added" "$ETMEM" obj add -f "$sf" -s "$DSOCK"
expect 186 "... but project start fails" "$ETMEM" project start -n sf -s "$DSOCK"
expect_err "engine 'sf' failed to start task 't' (its plug-in's start_task returned -1" "... saying so"
expect 0 "... and the project is not started" "$ETMEM" project show -n sf -s "$DSOCK"
expect_out "sf               false" "... as project show says"
expect 0 "it is removed" "$ETMEM" obj del -f "$sf" -s "$DSOCK"
ns=$(plugin_project ns "$GOOD" no_start_ops)
expect 0 "a plug-in without start_task is added" "$ETMEM" obj add -f "$ns" -s "$DSOCK"
expect 186 "... and cannot start" "$ETMEM" project start -n ns -s "$DSOCK"
expect_err "engine 'ns' cannot start task 't': its plug-in has no start_task" "... saying so"
expect 0 "it is removed" "$ETMEM" obj del -f "$ns" -s "$DSOCK"

# --- the reserved bytes ------------------------------------------------------------------
rb=$(plugin_project rb "$GOOD" reserved_ops "" -)
expect 0 "a plug-in writing 0xff is added and started" sh -c \
    "'$ETMEM' obj add -f '$rb' -s '$DSOCK' && '$ETMEM' project start -n rb -s '$DSOCK'"
expect 186 "its command fails" "$ETMEM" engine x -n rb -e rb -s "$DSOCK"
check "... its output cut before the 0xff" [ "$OUT" = "before" ]
expect_err "engine 'rb' wrote a reserved byte (0xff or 0xfe) in its output; the output was cut there" \
    "... with the reason"
expect 0 "etmemd still serves" "$ETMEM" project show -n other -s "$DSOCK"
expect 0 "it is removed" "$ETMEM" obj del -f "$rb" -s "$DSOCK"

# --- hangs: stop_task and eng_mgt_func sleep forever ---------------------------------------
# Each hanging plug-in is its own file: a library with a call still inside takes no more.
hang_project() {  # hang_project NAME OPS: a started project NAME whose task's plug-in hangs
    local lib f
    lib=$(install_plugin testplug "$1.so")
    f=$(plugin_project "$1" "$lib" "$2" call_timeout=3)
    expect 0 "project $1 ($2) is added and started" sh -c \
        "'$ETMEM' obj add -f '$f' -s '$DSOCK' && '$ETMEM' project start -n $1 -s '$DSOCK'"
    HANG_CONF=$f
}
# served_meanwhile PID DESC: while PID (a client stuck behind a hung plug-in) still runs,
# another project's show answers within a second.
served_meanwhile() {
    local t0 t1
    sleep 0.5
    t0=$(ms_now)
    run "$ETMEM" project show -n other -s "$DSOCK"
    t1=$(ms_now)
    check "$2: another project is shown in $((t1 - t0)) ms meanwhile" \
        [ "$RC" = 0 ] && [ $((t1 - t0)) -lt 1000 ] && kill -0 "$1" 2>/dev/null
}

hang_project hs stop_sleeps_ops
"$ETMEM" project stop -n hs -s "$DSOCK" >"$E2E_TMP/hs.out" 2>"$E2E_TMP/hs.err" &
stopper=$!
track_pid $stopper
served_meanwhile $stopper "stop_task hangs"
wait $stopper
RC=$? OUT=$(cat "$E2E_TMP/hs.out") ERR=$(cat "$E2E_TMP/hs.err")
check "... the stop ends with an error after the time-out" [ "$RC" = 186 ]
expect_err "engine 'hs': its plug-in's stop_task for task 't' did not return within 3 s" "... saying so"
check "... and the time-out is logged" grep -q "stop_task for task 't' did not return within 3 s" "$DLOG"
expect 0 "... the project is stopped" "$ETMEM" project show -n hs -s "$DSOCK"
expect_out "hs               false" "... as project show says"
expect 186 "... and cannot start again while stop_task has not returned" "$ETMEM" project start -n hs -s "$DSOCK"
expect_err "has not returned from stop_task" "... saying so"
expect 0 "its objects can be deleted" "$ETMEM" obj del -f "$HANG_CONF" -s "$DSOCK"
check "... they are kept in memory, as the log says" grep -q "is kept" "$DLOG"
check "... and its library stays loaded" grep -q "$LIB/hs.so" /proc/$DPID/maps

hang_project hm mgt_sleeps_ops
"$ETMEM" engine ask -n hm -e hm -s "$DSOCK" >"$E2E_TMP/hm.out" 2>"$E2E_TMP/hm.err" &
asker=$!
track_pid $asker
served_meanwhile $asker "eng_mgt_func hangs"
expect 0 "... and project stop of another project proceeds" "$ETMEM" project show -s "$DSOCK"
wait $asker
RC=$? OUT=$(cat "$E2E_TMP/hm.out") ERR=$(cat "$E2E_TMP/hm.err")
check "... the command fails after the time-out" [ "$RC" != 0 ]
check "... having streamed what was written before" [ "$OUT" = "partial answer" ]
expect_err "engine 'hm': its plug-in's eng_mgt_func did not return within 3 s" "... saying so"
expect 186 "the next command to it is refused at once" "$ETMEM" engine ask -n hm -e hm -s "$DSOCK"
expect_err "has not returned from eng_mgt_func" "... saying why"
expect 0 "its project is stopped and deleted" sh -c \
    "'$ETMEM' project stop -n hm -s '$DSOCK' && '$ETMEM' obj del -f '$HANG_CONF' -s '$DSOCK'"

# --- a start_task that returns after its time-out -----------------------------------------
sl=$(install_plugin testplug slow.so)
slow=$(plugin_project slow "$sl" slow_start_ops "call_timeout=1
trace_file=$E2E_TMP/slow.trace" delay_secs=3)
expect 0 "a plug-in with a slow start_task is added" "$ETMEM" obj add -f "$slow" -s "$DSOCK"
expect 186 "... its start times out" "$ETMEM" project start -n slow -s "$DSOCK"
expect_err "start_task for task 't' did not return within 1 s" "... saying so"
late() { grep -q "start_task for task 't' returned 0 after" "$DLOG"; }
check "... when it returns at last, the log says so" wait_for 10 late
check "... and that the task runs" grep -q "past its time-out; the task is running" "$DLOG"
expect 0 "deleting it stops the task it started late" "$ETMEM" obj del -f "$slow" -s "$DSOCK"
check "... (stop_task and the clears were called)" \
    sh -c "tail -3 '$E2E_TMP/slow.trace' | tr '\n' ' ' | grep -q 'stop_task t clear_task_params t clear_eng_params'"

# --- a leaking plug-in: etmemd keeps serving (LSan would rightly count its leaks) ---------
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" daemon_start
lk=$(plugin_project leaky "$GOOD" leaky_ops "" -)
expect 0 "a leaking plug-in is added and started" sh -c \
    "'$ETMEM' obj add -f '$lk' -s '$DSOCK' && '$ETMEM' project start -n leaky -s '$DSOCK'"
fails=0
for i in $(seq 1 25); do
    "$ETMEM" engine leak -n leaky -e leaky -s "$DSOCK" >/dev/null 2>&1 || fails=$((fails + 1))
done
check "25 leaking commands all answer ($fails failed)" [ "$fails" = 0 ]
expect 0 "etmemd still serves" "$ETMEM" project show -n leaky -s "$DSOCK"
expect 0 "... and removes it" "$ETMEM" obj del -f "$lk" -s "$DSOCK"
finish
