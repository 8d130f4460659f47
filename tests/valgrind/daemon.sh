#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# tests/valgrind/daemon.sh - etmemd under valgrind memcheck through an end-to-end scenario:
# obj add, project show (text and --json), project start, a slide cycle that swaps out part of
# a real process (the checksummed exerciser; where valgrind can run it, see below), project
# stop, obj del; a thirdparty plug-in's tasks started and stopped and its engine commands
# (eng_mgt_func, its output relayed); a refused config, the original client's protocol and
# garbage on the socket; then SIGTERM. The daemon must exit
# 0: valgrind exits 99 on any invalid read or write, use of uninitialised memory, bad free,
# or a definite or indirect leak (--errors-for-leak-kinds=definite,indirect).
# Needs root and valgrind; ETMEM_BUILD_DIR, ETMEM_SRC_DIR as for the e2e tests. The last
# line is "daemon: N passed, N failed". VALGRIND_LOG=PATH keeps valgrind's log there.
. "$(dirname "$0")/../e2e/lib.sh"
command -v valgrind >/dev/null || skip "valgrind is not installed (scripts/install-deps.sh valgrind)"
VGLOG=${VALGRIND_LOG:-$E2E_TMP/valgrind.log}
PLUG=$BUILD/tests/plugins/testplug.so
[ -f "$PLUG" ] || skip "the test plug-in is not built ($PLUG)"

# etmemd as daemon_start runs it, under valgrind (same pid: valgrind runs it in-process).
cat >"$E2E_TMP/etmemd-vg" <<WRAP
#!/bin/sh
exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \\
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30 \\
    --log-file="$VGLOG" "$ETMEMD" "\$@"
WRAP
chmod 700 "$E2E_TMP/etmemd-vg"
ETMEMD=$E2E_TMP/etmemd-vg
serves() { "$ETMEM" project show -s "$DSOCK" >/dev/null 2>&1; }
daemon_start >/dev/null || true
check "etmemd comes up under valgrind" wait_for 120 serves

# --- slide on a real process ------------------------------------------------------------
# Valgrind 3.19 (Debian 12) does not know pidfd_open(2) and process_madvise(2), which every
# tracker and swap-out of this kernel needs: there etmemd refuses the slide task, saying
# so, and the slide cycle is left out of this run (it runs under ASan in the e2e tests).
ensure_swap
exerciser vg-target --total 64 --hot 8
cfg=$(slide_conf vg name vg-target)
run "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
if [ "$RC" != 0 ] && case $ERR in *"pidfd_open(2): Function not implemented"*) true ;; *) false ;; esac; then
    ok "a slide task is refused with the reason (pidfd_open is unknown to valgrind $(valgrind --version | sed 's/valgrind-//'))"
    echo "# slide cycle left out: this valgrind cannot run pidfd_open/process_madvise"
    expect 0 "the refused file left nothing behind" "$ETMEM" project show -s "$DSOCK"
    expect_out "no project exists" "... project show says so"
else
    check "obj add" [ "$RC" = 0 ]
    expect 0 "project show" "$ETMEM" project show -s "$DSOCK"
    expect_out "vg-target" "... lists the task"
    expect 0 "project start" "$ETMEM" project start -n vg -s "$DSOCK"
    check "a slide cycle swaps out cold pages" wait_for 300 swap_grows "$EX_PID" 8192 0
    expect 0 "project show --json" "$ETMEM" project show -n vg -s "$DSOCK" --json
    expect_out '"bytes_swapped":' "... with the cycle's numbers"
    expect 186 "an engine command slide does not have is refused" \
        "$ETMEM" engine showtaskpages -n vg -e slide -s "$DSOCK"
    expect 0 "project stop" "$ETMEM" project stop -n vg -s "$DSOCK"
    expect 0 "obj del" "$ETMEM" obj del -f "$cfg" -s "$DSOCK"
fi
check "every page of the process verifies" verify_exerciser "$EX_PID" "$EX_OUT"

# --- a project's life: add, show (text, --json), start, stop, del ----------------------------
life=$(printf '[project]\nname=life\nloop=1\ninterval=1\nsleep=1\n' | conf life)
expect 0 "obj add of a project" "$ETMEM" obj add -f "$life" -s "$DSOCK"
expect 0 "project show" "$ETMEM" project show -n life -s "$DSOCK"
expect_out "project: life" "... shows it"
expect 0 "project show --json" "$ETMEM" project show -s "$DSOCK" --json
expect_out '"name":"life"' "... has it"
expect 0 "project start" "$ETMEM" project start -n life -s "$DSOCK"
expect 186 "a second start is refused" "$ETMEM" project start -n life -s "$DSOCK"
expect 0 "project stop" "$ETMEM" project stop -n life -s "$DSOCK"
expect 0 "obj del" "$ETMEM" obj del -f "$life" -s "$DSOCK"

# --- a thirdparty plug-in and its engine command ---------------------------------------------
mkdir -m 700 "$E2E_TMP/lib"
install -o root -g root -m 500 "$PLUG" "$E2E_TMP/lib/testplug.so"
tp=$(conf tp <<CONF
[project]
name=tp
loop=1
interval=1
sleep=1
[engine]
name=thirdparty
project=tp
eng_name=my_engine
libname=$E2E_TMP/lib/testplug.so
ops_name=my_engine_ops
[task]
project=tp
engine=my_engine
name=t1
type=pid
value=$$
CONF
)
expect 0 "a plug-in engine and task are added and started" sh -c \
    "'$ETMEM' obj add -f '$tp' -s '$DSOCK' && '$ETMEM' project start -n tp -s '$DSOCK'"
expect 0 "eng_mgt_func answers through the relay" "$ETMEM" engine echo -n tp -e my_engine -t t1 -s "$DSOCK"
expect_out "task t1 cmd echo" "... with its output"
expect 0 "a large answer is streamed" "$ETMEM" engine big -n tp -e my_engine -s "$DSOCK"
expect 186 "a command the plug-in refuses fails" "$ETMEM" engine nope -n tp -e my_engine -s "$DSOCK"
expect 0 "the plug-in project stops and goes" sh -c \
    "'$ETMEM' project stop -n tp -s '$DSOCK' && '$ETMEM' obj del -f '$tp' -s '$DSOCK'"

# --- refusals and other clients ------------------------------------------------------------
bad=$(printf '[project]\nname=bad\nloop=0\ninterval=1\nsleep=1\n' | conf bad)
expect 186 "a bad config is refused" "$ETMEM" obj add -f "$bad" -s "$DSOCK"
run "$RAWSOCK" "$DSOCK" -L "proj_name - file_name - cmd 4 eng_name - eng_cmd - task_name -"
check "the original client's project show is answered" [ "$OUT" = 'no project exists

\xff' ]
run "$RAWSOCK" "$DSOCK" -t "garbage, not a request"
check "garbage gets no answer" [ -z "$OUT" ]
check "etmemd still serves" serves

stop_daemons    # SIGTERM: the exit status is valgrind's (99 on any error or leak)
sed -n 's/^==[0-9]*== \(ERROR SUMMARY\|   definitely lost\|   indirectly lost\|Memcheck\)/# \1/p' "$VGLOG"
[ "$E2E_FAILED" = 0 ] || { echo "--- valgrind log ---"; head -200 "$VGLOG"; }
E2E_DAEMONS=""
finish
