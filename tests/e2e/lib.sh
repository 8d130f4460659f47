# SPDX-License-Identifier: MulanPSL-2.0
# lib.sh - helpers for end-to-end tests: a private etmemd per test, config files, checks.
# Source it first thing. It sticks to tools busybox also has, so guest tests can use it.
# Every process a test starts goes through track_pid and is ended by PID at exit.
set -u

E2E_NAME=$(basename "$0" .sh)
# Appended to the process names a test targets (type=name), so two runs of a test at once on
# one machine never pick up each other's processes (names stay within comm's 15 characters).
E2E_TAG=$(( $$ % 100000 ))
BUILD=${ETMEM_BUILD_DIR:?set ETMEM_BUILD_DIR to the build tree}
SRC=${ETMEM_SRC_DIR:?set ETMEM_SRC_DIR to the source tree}
ETMEM=$BUILD/bin/etmem
ETMEMD=$BUILD/bin/etmemd
RAWSOCK=$BUILD/tests/tools/rawsock
E2E_TMP=$(mktemp -d /tmp/etmem-e2e.XXXXXX)
E2E_PIDS=""
E2E_DAEMONS=""      # "pid:logfile:socket" of every etmemd started with daemon_start
E2E_CGROUPS=""      # cgroups made with cgroup_new, deepest first
E2E_PASSED=0
E2E_FAILED=0
OUT="" ERR="" RC=0

e2e_cleanup() {
    local p
    for p in $E2E_PIDS; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in $E2E_PIDS; do
        wait_gone "$p" 10 || kill -KILL "$p" 2>/dev/null
    done
    cgroups_remove
    rm -rf "$E2E_TMP"
}
trap e2e_cleanup EXIT

skip() {
    echo "SKIP $E2E_NAME: $*"
    exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root (etmemd serves only root)"

track_pid() { E2E_PIDS="$E2E_PIDS $1"; }

# wait_gone PID SECONDS: wait for a process to end (reaping it if it is our child).
wait_gone() {
    local i=0
    while kill -0 "$1" 2>/dev/null; do
        [ $i -ge $(( $2 * 10 )) ] && return 1
        # a zombie child still answers kill -0: reap it when it has exited
        [ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" = Z ] && break
        sleep 0.1
        i=$((i + 1))
    done
    wait "$1" 2>/dev/null
    return 0
}

ok() {
    E2E_PASSED=$((E2E_PASSED + 1))
    echo "ok - $*"
}

not_ok() {
    E2E_FAILED=$((E2E_FAILED + 1))
    echo "not ok - $*"
    echo "    exit: $RC"
    echo "    stdout: $(echo "$OUT" | head -20 | sed '2,$s/^/            /')"
    echo "    stderr: $(echo "$ERR" | head -20 | sed '2,$s/^/            /')"
}

# run CMD...: run it, keeping $RC, $OUT, $ERR.
run() {
    "$@" >"$E2E_TMP/.out" 2>"$E2E_TMP/.err"
    RC=$?
    OUT=$(cat "$E2E_TMP/.out")
    ERR=$(cat "$E2E_TMP/.err")
}

# expect CODE DESC CMD...: run CMD and check its exit code.
expect() {
    local want=$1 desc=$2
    shift 2
    run "$@"
    if [ "$RC" = "$want" ]; then ok "$desc"; else not_ok "$desc (wanted exit $want)"; fi
}

# expect_out TEXT DESC / expect_err TEXT DESC / expect_no_out TEXT DESC: after run/expect.
expect_out() {
    case "$OUT" in *"$1"*) ok "$2" ;; *) not_ok "$2 (stdout lacks '$1')" ;; esac
}
expect_err() {
    case "$ERR" in *"$1"*) ok "$2" ;; *) not_ok "$2 (stderr lacks '$1')" ;; esac
}
expect_no_out() {
    case "$OUT$ERR" in *"$1"*) not_ok "$2 (output has '$1')" ;; *) ok "$2" ;; esac
}
# expect_lines N DESC: stderr is exactly N lines (one-line errors).
expect_err_lines() {
    local n
    n=$(printf '%s\n' "$ERR" | grep -c .)
    if [ "$n" = "$1" ]; then ok "$2"; else not_ok "$2 (stderr has $n lines, wanted $1)"; fi
}
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# conf NAME: write stdin to a config file with the mode etmemd wants; prints its path.
conf() {
    local f="$E2E_TMP/$1.yaml"
    cat >"$f"
    chmod 600 "$f"
    echo "$f"
}

# daemon_start [etmemd args...]: start a private etmemd; sets DSOCK, DPID, DLOG.
daemon_start() {
    DSOCK="etmem-e2e-$$-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
    DLOG="$E2E_TMP/daemon-$DSOCK.log"
    "$ETMEMD" -s "$DSOCK" -l 0 "$@" >"$DLOG" 2>&1 &
    DPID=$!
    track_pid "$DPID"
    E2E_DAEMONS="$E2E_DAEMONS $DPID:$DLOG:$DSOCK"
    daemon_wait_ready "$DSOCK" || { echo "etmemd did not come up:"; cat "$DLOG"; return 1; }
}

daemon_wait_ready() {
    local i
    for i in $(seq 1 100); do
        "$ETMEM" project show -s "$1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# daemon_stop [PID]: SIGTERM and wait; returns the daemon's exit status and sets STOP_MS
# to the milliseconds from the signal to its exit, looked at every 10 ms without a process
# of the shell's (a fork and exec each time would blur the figure in a guest).
daemon_stop() {
    local pid=${1:-$DPID} i=0 stat t0 nap_fd
    # a FIFO nobody writes: read -t on it is a sleep (guests have no /dev/fd for <(...))
    [ -p "$E2E_TMP/nap" ] || mkfifo "$E2E_TMP/nap"
    exec {nap_fd}<>"$E2E_TMP/nap"
    t0=${EPOCHREALTIME//[.,]/}      # microseconds; bash's own clock (busybox date has no %N)
    kill -TERM "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null; do
        # a zombie child still answers kill -0; its state follows the ") " of its stat line
        read -r stat <"/proc/$pid/stat" 2>/dev/null || break
        stat=${stat##*) }
        [ "${stat%% *}" = Z ] && break
        [ $i -ge 1500 ] && { exec {nap_fd}>&-; echo "etmemd $pid did not stop in 15 s"; return 124; }
        read -r -t 0.01 -u "$nap_fd" stat
        i=$((i + 1))
    done
    STOP_MS=$(( (${EPOCHREALTIME//[.,]/} - t0) / 1000 ))
    exec {nap_fd}>&-
    wait "$pid"
}

# True for a sanitizer build (the asan and tsan phases), whose allocator keeps freed memory
# resident (ASan's quarantine: up to 256 MiB): RSS cannot be judged there.
etmemd_sanitized() { grep -qE "__asan_init|__tsan_init" "$ETMEMD" 2>/dev/null; }

# Stop every daemon still running; each must exit 0, which under ASan/LSan also means no
# leak and no memory error.
stop_daemons() {
    local d pid log rc
    for d in $E2E_DAEMONS; do
        pid=${d%%:*}
        log=${d#*:}
        log=${log%%:*}
        kill -0 "$pid" 2>/dev/null || continue
        if [ "$E2E_FAILED" != 0 ]; then
            echo "--- etmem project show of etmemd $pid, at the end ---"
            "$ETMEM" project show -s "${d##*:}" 2>&1
        fi
        daemon_stop "$pid"
        rc=$?
        if [ "$rc" = 0 ]; then
            ok "etmemd $pid exits 0 at the end (no leaks or memory errors)"
        else
            RC=$rc OUT="" ERR=$(tail -40 "$log")
            not_ok "etmemd $pid exits 0 at the end (no leaks or memory errors)"
        fi
    done
}

finish() {
    local d
    stop_daemons
    if [ "$E2E_FAILED" != 0 ]; then
        for d in $E2E_DAEMONS; do
            echo "--- last lines of etmemd ${d%%:*}'s log ---"
            d=${d#*:}
            tail -40 "${d%%:*}"
        done
    fi
    echo "$E2E_NAME: $E2E_PASSED passed, $E2E_FAILED failed"
    [ "$E2E_FAILED" = 0 ]
    exit $?
}

# ensure_swap: make sure swap exists and set SWAP_FREE_MB. When the machine has no swap at
# all, /dev/zram0 is set up as 4 GiB of swap and left on (tests never remove swap they did
# not create, and zram swap holds nothing once the test processes are gone). Skips the
# test when that is not possible.
ensure_swap() {
    if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" = 0 ]; then
        [ -e /sys/block/zram0 ] || modprobe zram 2>/dev/null
        [ -e /sys/block/zram0 ] || skip "no swap and no /dev/zram0 to set one up"
        if [ "$(cat /sys/block/zram0/disksize)" = 0 ]; then
            echo lz4 >/sys/block/zram0/comp_algorithm 2>/dev/null
            echo 4G >/sys/block/zram0/disksize || skip "cannot size /dev/zram0"
        fi
        mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 || skip "cannot enable swap on /dev/zram0"
        echo "# set up /dev/zram0 as 4 GiB of swap; it stays on"
    fi
    SWAP_FREE_MB=$(( $(awk '/^SwapFree:/ {print $2}' /proc/meminfo) / 1024 ))
}

# scale_to_swap HOT COLD: set HOT_MB/COLD_MB to the sizes asked for, or, when free swap is
# short of (HOT+COLD)*1.5, to the largest sizes in the same ratio that fit, with a note.
scale_to_swap() {
    local want=$(( ($1 + $2) * 3 / 2 ))
    HOT_MB=$1 COLD_MB=$2
    if [ "$SWAP_FREE_MB" -lt "$want" ]; then
        HOT_MB=$(( $1 * SWAP_FREE_MB / want ))
        COLD_MB=$(( $2 * SWAP_FREE_MB / want ))
        echo "# only $SWAP_FREE_MB MiB of swap free: scaled to ${HOT_MB} MiB hot + ${COLD_MB} MiB cold"
    fi
    [ "$COLD_MB" -ge 32 ] || skip "only $SWAP_FREE_MB MiB of swap free"
}

# [EX_CGROUP=DIR] exerciser NAME ARGS...: start the bundled workload under comm NAME (in the
# cgroup DIR from its first page); sets EX_PID, EX_OUT and EX_HOT/EX_WARM/EX_COLD (address
# ranges as pagestat takes them) once it is ready. Its data compresses about 2:1 unless ARGS
# say --fill random: random bytes gain nothing in zram, and etmemd's poor-compression stop
# (on by default) would hold them back after a cycle.
exerciser() {
    local name=$1 i
    shift
    EX_OUT="$E2E_TMP/exerciser-$name.$RANDOM.out"
    # with EX_CGROUP=DIR it joins that cgroup before it maps anything (v2 moves no charges)
    sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 1; shift; exec "$@"' sh \
        "${EX_CGROUP:-}" "$BUILD/bin/etmem-exerciser" --name "$name" --fill half "$@" >"$EX_OUT" 2>&1 &
    EX_PID=$!
    track_pid "$EX_PID"
    for i in $(seq 1 300); do
        grep -q '^ready ' "$EX_OUT" && break
        sleep 0.1
    done
    EX_HOT=$(sed -n 's/^ready .* hot=\([^ ]*\).*/\1/p' "$EX_OUT")
    EX_WARM=$(sed -n 's/^ready .* warm=\([^ ]*\).*/\1/p' "$EX_OUT")
    EX_COLD=$(sed -n 's/^ready .* cold=\([^ ]*\).*/\1/p' "$EX_OUT")
    [ -n "$EX_COLD" ] || { cat "$EX_OUT"; return 1; }
}

# respawn_at PID NAME EXERCISER-ARGS...: an exerciser NAME that gets PID, freed by a process
# that exited, in this test's own pid namespace (pidns.sh); false if others kept taking it.
respawn_at() {
    local want=$1 try
    shift
    for try in 1 2 3 4 5; do
        echo $((want - 1)) >/proc/sys/kernel/ns_last_pid
        exerciser "$@"
        [ "$EX_PID" = "$want" ] && return 0
        kill -TERM "$EX_PID"
        wait "$EX_PID"
    done
    return 1
}

# ---- cgroups ----------------------------------------------------------------------------
# cgroup_v2_mount: where the cgroup v2 hierarchy is mounted (empty if nowhere).
cgroup_v2_mount() { awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts; }

# cgroup_new DIR: make the cgroup DIR (its parent must exist), removed again at exit.
cgroup_new() {
    mkdir "$1" 2>/dev/null || return 1
    E2E_CGROUPS="$1 $E2E_CGROUPS"
}

# memcg_enable: turn the memory controller on for the children of the v2 hierarchy if it is
# available there; false (with WHY_NOT set) when it cannot be.
memcg_enable() {
    local mnt
    mnt=$(cgroup_v2_mount)
    WHY_NOT="no cgroup v2 hierarchy mounted"
    [ -n "$mnt" ] || return 1
    WHY_NOT="no memory controller on cgroup v2 here (only '$(cat "$mnt/cgroup.controllers")')"
    grep -qw memory "$mnt/cgroup.controllers" || return 1
    WHY_NOT="the memory controller is not enabled for $mnt's children and cannot be"
    grep -qw memory "$mnt/cgroup.subtree_control" ||
        echo +memory >"$mnt/cgroup.subtree_control" 2>/dev/null
}

# memcg_required: memcg_enable, or skip saying why.
memcg_required() { memcg_enable || skip "$WHY_NOT"; }

# Whatever is still in the cgroups made here goes to their parents; then they go, deepest
# first (a cgroup whose last process just exited may take a moment to become removable).
cgroups_remove() {
    local d p i
    for d in $E2E_CGROUPS; do
        for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
            echo "$p" >"${d%/*}/cgroup.procs" 2>/dev/null
        done
        for i in $(seq 1 50); do
            rmdir "$d" 2>/dev/null || [ ! -d "$d" ] && break
            sleep 0.1
        done
    done
    E2E_CGROUPS=""
}

# The pid reuse tests: project "reuse" has a task on a pid whose process exited and was
# replaced by a newcomer; project "clock" (on a control process) shows the cycles going by.
reuse_waiting() { "$ETMEM" project show -n reuse -s "$DSOCK" --json | grep -q '"state":"waiting"'; }
reuse_note() { "$ETMEM" project show -n reuse -s "$DSOCK" --json | sed -n 's/.*"note":"\([^"]*\)".*/\1/p'; }
# reuse_waits_out PID CLOCK-CONF SECONDS: the clock project is added and started; the reuse
# task waits (PID is another process now), covering nothing, through three of its cycles
# (within SECONDS), and says its process exited.
reuse_waits_out() {
    expect 0 "a control project is added and started" sh -c \
        "'$ETMEM' obj add -f '$2' -s '$DSOCK' && '$ETMEM' project start -n clock -s '$DSOCK'"
    check "the task waits: pid $1 is another process now" wait_for 60 reuse_waiting
    check "... it covers no process" [ "$(task_field reuse nr_pids)" = 0 ]
    check "three cycles of the control project go by" wait_for "$3" cycles_reach clock 3
    run reuse_note
    check "... and says the target has exited ($OUT)" [ "$OUT" = "process $1 has exited" ]
}

# control_and_target PREFIX EXERCISER-ARGS...: an unmanaged control process PREFIX-ctl and a
# target PREFIX-tgt (both names tagged) with the same pattern; the control's figures are in
# ctl_pid, ctl_out, ctl_hot, ctl_warm, ctl_cold, the target's in EX_*.
control_and_target() {
    local prefix=$1
    shift
    exerciser "$prefix-ctl$E2E_TAG" "$@"
    ctl_pid=$EX_PID ctl_out=$EX_OUT ctl_hot=$EX_HOT ctl_warm=$EX_WARM ctl_cold=$EX_COLD
    exerciser "$prefix-tgt$E2E_TAG" "$@"
}

# pct_of FIELD PID RANGE: percentage of the range's pages in state FIELD (present|swapped),
# read from /proc/PID/pagemap by pagestat.
pct_of() {
    "$BUILD/tests/tools/pagestat" "$2" "$3" |
        awk -v f="$1" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                         printf "%d\n", v["pages"] ? 100 * v[f] / v["pages"] : 0 }'
}

# pages_on PID RANGE NODE: pages of the range resident on NUMA node NODE (move_pages query).
pages_on() {
    "$BUILD/tests/tools/pagestat" -n "$1" "$2" | sed -n "s/.* node$3=\([0-9]*\).*/\1/p" | grep . || echo 0
}

# wait_for SECONDS CMD...: poll CMD every half second until it succeeds.
wait_for() {
    local deadline=$(( $(date +%s) + $1 ))
    shift
    until "$@"; do
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.5
    done
}

# verify_exerciser PID OUT: ask it to check every page; true when all are intact.
verify_exerciser() {
    local before
    before=$(grep -c '^verify ' "$2")
    kill -USR1 "$1"
    wait_for 120 sh -c "[ \$(grep -c '^verify ' '$2') -gt $before ]" || return 1
    grep '^verify ' "$2" | tail -1 | grep -q '^verify ok'
}

# ---- chaos helpers (test_chaos*.sh) -------------------------------------------------------
# slide_conf NAME TYPE VALUE [TASK-KEYS]: a slide project NAME (loop=$SLIDE_LOOP or 2,
# interval=1, sleep=1, T=1) with one task ($SLIDE_TASK or NAME-task) on the process(es) given
# by TYPE (pid|name|cgroup) and VALUE, plus TASK-KEYS; prints the config's path.
slide_conf() {
    conf "$1" <<CONF
[project]
name=$1
loop=${SLIDE_LOOP:-2}
interval=1
sleep=1
[engine]
project=$1
name=slide
[task]
project=$1
engine=slide
name=${SLIDE_TASK:-$1-task}
type=$2
value=$3
T=1
${4:-}
CONF
}

# region_conf NAME VALUE SAMPLE_US MAX_REGIONS [TASK-KEYS]: a slide region project NAME
# (aggregations of 1 s, at least 10 regions) with one task ($SLIDE_TASK or NAME-task, T=1)
# on the processes named VALUE, plus TASK-KEYS; prints the config's path.
region_conf() {
    conf "$1" <<CONF
[project]
name=$1
scan_type=region
sample_interval=$3
aggr_interval=1000000
update_interval=1000000
min_nr_regions=10
max_nr_regions=$4
[engine]
name=slide
project=$1
[task]
project=$1
engine=slide
name=${SLIDE_TASK:-$1-task}
type=name
value=$2
T=1
${5:-}
CONF
}

# vmswap_kb PID: the process's VmSwap in kB (0 once it is gone).
vmswap_kb() { awk '/^VmSwap:/ { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# task_field PROJECT FIELD: a number of the project's first task from project show --json.
task_field() {
    "$ETMEM" project show -n "$1" -s "$DSOCK" --json 2>/dev/null | grep -o "\"$2\":[0-9]*" |
        head -1 | cut -d: -f2
}

# cycles_reach PROJECT N: the project's first task has ended at least N cycles.
cycles_reach() { [ "$(task_field "$1" cycles)" -ge "$2" ]; }

# wait_cycles PROJECT N: wait until the project's first task has ended N more cycles.
wait_cycles() {
    local want=$(( $(task_field "$1" cycles) + $2 ))
    wait_for $(( $2 * 6 + 30 )) cycles_reach "$1" "$want"
}

# swap_grows PID KB BASE_KB: true once PID's VmSwap is KB above BASE_KB.
swap_grows() { [ "$(vmswap_kb "$1")" -ge $(( $3 + $2 )) ]; }

# proc_rss_kb PID / proc_fds PID: resident memory (kB) and open descriptors of a process.
proc_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
proc_fds() { ls "/proc/$1/fd" | wc -l; }
# majflt PID: the process's major faults so far.
majflt() { awk '{print $12}' "/proc/$1/stat"; }

# poll_for SECONDS CMD...: like wait_for, polling every 50 ms (to act in a short window).
poll_for() {
    local deadline=$(( $(date +%s) + $1 ))
    shift
    until "$@"; do
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

# daemon_restart [etmemd args...]: start etmemd again on the socket of the last daemon_start
# (after that one died), as a service manager would; sets DPID, DLOG.
daemon_restart() {
    DLOG="$E2E_TMP/daemon-$DSOCK.$RANDOM.log"
    "$ETMEMD" -s "$DSOCK" -l 0 "$@" >"$DLOG" 2>&1 &
    DPID=$!
    track_pid "$DPID"
    E2E_DAEMONS="$E2E_DAEMONS $DPID:$DLOG:$DSOCK"
    daemon_wait_ready "$DSOCK" || { echo "etmemd did not come up again:"; cat "$DLOG"; return 1; }
}
