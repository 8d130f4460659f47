#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Chaos: pid reuse under cslide, on a machine with a fast and a slow NUMA node (the qemu
# guest). A cslide task names its target by pid; right after a cycle that moved the target's
# cold part to node 1, the target exits and a new process bound to node 0 gets the very same
# pid while the next cycle scans. cslide must see that the pid is another process now (pid +
# start time; moves bound to the pidfd of the process they were decided for) and move none
# of the newcomer's pages; both processes' bytes verify. The pid is handed out in a pid
# namespace of the test's own (pidns.sh).
. "$(dirname "$0")/pidns.sh"
. "$(dirname "$0")/lib.sh"
NODE=/sys/devices/system/node
[ -d $NODE/node0 ] && [ -d $NODE/node1 ] || skip "needs NUMA nodes 0 and 1 (this machine: $(ls -d $NODE/node* 2>/dev/null | wc -l) node(s))"
pidns_required
daemon_start

# cslide_pid_conf NAME TYPE VALUE: a cslide project (two 2 s scans a cycle) on nodes 0 -> 1.
cslide_pid_conf() {
    conf "$1" <<CONF
[project]
name=$1
loop=2
interval=2
sleep=1
[engine]
name=cslide
project=$1
node_pair=0,1
hot_threshold=1
node_mig_quota=1024
node_hot_reserve=16
[task]
project=$1
engine=cslide
name=$1-task
type=$2
value=$3
anon_only=yes
ign_host=no
CONF
}

exerciser reuse-a --total 64 --hot 8 --node 0
a_pid=$EX_PID a_out=$EX_OUT a_cold=$EX_COLD
cfg=$(cslide_pid_conf reuse pid "$a_pid")
expect 0 "a cslide task on pid $a_pid is added and started" sh -c \
    "'$ETMEM' obj add -f '$cfg' -s '$DSOCK' && '$ETMEM' project start -n reuse -s '$DSOCK'"
cold_down() { [ "$(pages_on "$a_pid" "$a_cold" 1)" -ge 4096 ]; }
check "its cold part goes to node 1" wait_for 90 cold_down

# Right after a cycle ends the next one starts scanning (sleep=1, then 2 x 2 s): the target
# is replaced while the task is working on it.
wait_cycles reuse 1
kill -TERM "$a_pid"
wait "$a_pid"
check "the target verified every page as it exited" grep -q 'verify=ok' "$a_out"
b_pid=""
respawn_at "$a_pid" reuse-b --total 64 --hot 8 --node 0 && b_pid=$EX_PID
b_out=$EX_OUT b_hot=$EX_HOT b_cold=$EX_COLD
check "a new process got pid $a_pid" [ "$b_pid" = "$a_pid" ]

# A second project on a control process shows the cycles going by.
exerciser reuse-clock --total 32 --hot 8 --node 0
clock_pid=$EX_PID clock_out=$EX_OUT
clock=$(cslide_pid_conf clock name reuse-clock)
reuse_waits_out "$a_pid" "$clock" 90
moved=$(( $(pages_on "$b_pid" "$b_cold" 1) + $(pages_on "$b_pid" "$b_hot" 1) ))
check "none of the newcomer's pages went to node 1 ($moved)" [ "$moved" = 0 ]
check "the newcomer's pages verify" verify_exerciser "$b_pid" "$b_out"
check "the control's pages verify" verify_exerciser "$clock_pid" "$clock_out"
expect 0 "etmemd serves and the projects go" sh -c \
    "'$ETMEM' obj del -f '$cfg' -s '$DSOCK' && '$ETMEM' obj del -f '$clock' -s '$DSOCK'"
finish
