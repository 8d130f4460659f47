#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Processes etmemd never manages: itself and kernel threads are refused at obj add with the
# reason, and left out when a task reaches them at run time (by name, or as a child of its
# target); pid 1 (init, and so every service of the host as its children) only with
# allow_init=yes.
. "$(dirname "$0")/lib.sh"
ensure_swap
daemon_start

# with_key FILE KEY=VALUE: a copy of a config with one more [task] key (the last section).
with_key() {
    local f="${1%.yaml}-$2.yaml"
    { cat "$1"; echo "$2"; } >"$f"
    chmod 600 "$f"
    echo "$f"
}

cfg=$(slide_conf self pid "$DPID")
expect 186 "a task on etmemd's own pid is refused" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect_err "process $DPID (etmemd) is not managed: it is etmemd itself" "... saying why"
expect_err "value" "... naming the key"

kthreadd=$(awk '$2 == "(kthreadd)" { print $1 }' /proc/2/stat 2>/dev/null)
if [ "$kthreadd" = 2 ]; then
    cfg=$(slide_conf kthread pid 2)
    expect 186 "a task on a kernel thread (kthreadd) is refused" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
    expect_err "it is a kernel thread" "... saying why"
else
    ok "# SKIP no kthreadd at pid 2 here (a pid namespace?)"
fi

cfg=$(slide_conf init pid 1)
expect 186 "a task on pid 1 (init) is refused without allow_init" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect_err "allow_init=yes" "... naming the opt-in"
expect 0 "... and added with allow_init=yes (not started)" \
    "$ETMEM" obj add -f "$(with_key "$cfg" allow_init=yes)" -s "$DSOCK"
expect 0 "... and deleted" "$ETMEM" obj del -f "$(with_key "$cfg" allow_init=yes)" -s "$DSOCK"
cfg=$(slide_conf badopt pid 1)
expect 186 "allow_init takes yes or no" "$ETMEM" obj add -f "$(with_key "$cfg" allow_init=maybe)" -s "$DSOCK"
expect_err "allow_init" "... naming the key"

# At run time: kernel threads by name are left out, and say so.
cfg=$(slide_conf kname name kthreadd)
expect 0 "a task naming kthreadd is added and started" sh -c \
    "'$ETMEM' obj add -f '$cfg' -s '$DSOCK' && '$ETMEM' project start -n kname -s '$DSOCK'"
noted() { "$ETMEM" project show -n kname -s "$DSOCK" --json | grep -q 'is a kernel thread'; }
check "... it covers none of them and says why" wait_for 30 noted
check "... no process is covered" [ "$(task_field kname nr_pids)" = 0 ]
expect 0 "... and is deleted" "$ETMEM" obj del -f "$cfg" -s "$DSOCK"

# A second etmemd, child of a parent process that a task names by pid: the task covers the
# parent's other child (an exerciser) but never the daemon.
parent_dir="$E2E_TMP/parent"
mkdir "$parent_dir"
sock2="etmem-e2e-child-$$"
sh -c "'$ETMEMD' -s '$sock2' -l 0 >'$parent_dir/etmemd.log' 2>&1 & echo \$! >'$parent_dir/etmemd.pid'
       '$BUILD/bin/etmem-exerciser' --name nm-kid-$E2E_TAG --total 64 --hot 8 >'$parent_dir/ex.out' 2>&1 &
       echo \$! >'$parent_dir/ex.pid'; wait" &
parent=$!
track_pid "$parent"
wait_for 30 grep -q '^ready ' "$parent_dir/ex.out"
child_etmemd=$(cat "$parent_dir/etmemd.pid") kid=$(cat "$parent_dir/ex.pid")
track_pid "$child_etmemd"
track_pid "$kid"
daemon_wait_ready "$sock2"
cfg=$(slide_conf family pid "$parent")
expect 0 "a task on the parent of the exerciser and of an etmemd is added and started" sh -c \
    "'$ETMEM' obj add -f '$cfg' -s '$sock2' && '$ETMEM' project start -n family -s '$sock2'"
check "the exerciser's cold pages go out" wait_for 60 swap_grows "$kid" 16384 0
run "$ETMEM" project show -n family -s "$sock2" --json
expect_out "$kid" "... it is covered"
case "$OUT" in *"$child_etmemd"*) not_ok "... the daemon is not" ;; *) ok "... the daemon is not" ;; esac
check "the daemon's own memory stays in (VmSwap $(vmswap_kb "$child_etmemd") kB)" \
    [ "$(vmswap_kb "$child_etmemd")" -lt 1024 ]
check "the exerciser's pages verify" verify_exerciser "$kid" "$parent_dir/ex.out"
expect 0 "the project is deleted" "$ETMEM" obj del -f "$cfg" -s "$sock2"
kill -TERM "$child_etmemd"
check "the second etmemd stops" wait_gone "$child_etmemd" 15
kill -TERM "$kid" 2>/dev/null
finish
