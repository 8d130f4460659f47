# SPDX-License-Identifier: MulanPSL-2.0
# bench/lib/common.sh - what every part of bench/run shares: processes it starts (ended by
# PID at exit), the cgroups it makes (removed at exit), /proc and /sys readers. Sourced.

BENCH_PIDS=""     # every process we started, ended by PID in bench_cleanup
BENCH_CGROUPS=""  # every cgroup directory we made, removed in bench_cleanup
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)   # busybox (the guest) has no getconf

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

track_pid() { BENCH_PIDS="$BENCH_PIDS $1"; }

# stop_pid PID [SECONDS]: SIGTERM, wait, then SIGKILL; reaps it when it is our child.
stop_pid() {
    local pid=$1 i=0 limit=$(( ${2:-10} * 10 ))
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    while kill -0 "$pid" 2>/dev/null && [ "$(proc_state "$pid")" != Z ]; do
        [ $i -ge $limit ] && { kill -KILL "$pid" 2>/dev/null; break; }
        sleep 0.1
        i=$((i + 1))
    done
    wait "$pid" 2>/dev/null
    return 0
}

bench_cleanup() {
    local p c
    for p in $BENCH_PIDS; do kill -TERM "$p" 2>/dev/null; done
    for p in $BENCH_PIDS; do stop_pid "$p" 5; done
    for c in $BENCH_CGROUPS; do cg_remove "$c"; done
    [ -n "$BENCH_ZRAM" ] && zram_remove "$BENCH_ZRAM"
}

# ---- a zram swap device of the benchmark's own ----
BENCH_ZRAM=""   # the device we made (zramN), removed in bench_cleanup; never another's

# zram_make ALGORITHM MIB: a new zram device (hot_add) compressing with ALGORITHM, as swap
# at a priority above every other area so that swap-outs go to it; sets BENCH_ZRAM and
# ZRAM_DEV. 1 (with a message) when this kernel cannot.
zram_make() {
    local dev n
    [ -w /sys/class/zram-control/hot_add ] || modprobe zram 2>/dev/null
    n=$(cat /sys/class/zram-control/hot_add 2>/dev/null) || { say "bench: cannot add a zram device"; return 1; }
    dev=zram$n
    BENCH_ZRAM=$dev
    if ! grep -qw "$1" "/sys/block/$dev/comp_algorithm"; then
        say "bench: zram here cannot compress with $1 (it offers: $(tr -d '[]' <"/sys/block/$dev/comp_algorithm"))"
        zram_remove "$dev"
        return 1
    fi
    echo "$1" >"/sys/block/$dev/comp_algorithm" && echo "${2}M" >"/sys/block/$dev/disksize" &&
        mkswap "/dev/$dev" >/dev/null && swapon -p 32767 "/dev/$dev" ||
        { say "bench: cannot set up /dev/$dev as swap"; zram_remove "$dev"; return 1; }
    ZRAM_DEV=$dev
}

# zram_remove DEV: swapoff (its pages come back to RAM), reset and remove our device.
zram_remove() {
    grep -q "^/dev/$1 " /proc/swaps && swapoff "/dev/$1"
    echo 1 >"/sys/block/$1/reset" 2>/dev/null
    echo "${1#zram}" >/sys/class/zram-control/hot_remove 2>/dev/null
    [ "$BENCH_ZRAM" = "$1" ] && BENCH_ZRAM="" ZRAM_DEV=zram0
    return 0
}

# ---- /proc readers (0 or empty when the process is gone) ----

proc_state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1; }

# status_kb PID FIELD: a kB field of /proc/PID/status (VmRSS, VmSwap, VmHWM).
status_kb() { awk -v k="$2:" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# stat_after_comm PID N: field N of /proc/PID/stat counting from the state field as 1
# (so the comm, which may hold spaces, is never split).
stat_after_comm() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk -v n="$2" '{ print $n + 0 }'; }
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ t = $12 + $13 } END { print t + 0 }'; }  # utime+stime (0: gone)
majflt() { stat_after_comm "$1" 10; }

vmstat_get() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# zram_stat N: field N of /sys/block/$ZRAM_DEV/mm_stat (1 orig_data_size, 2 compr_data_size,
# 3 mem_used_total; bytes), 0 without zram. ZRAM_DEV: the device swap goes to (zram0, or
# the one a part of the benchmark made for itself).
ZRAM_DEV=zram0
zram_stat() { [ -r "/sys/block/$ZRAM_DEV/mm_stat" ] && awk -v n="$1" '{ print $n }' "/sys/block/$ZRAM_DEV/mm_stat" || echo 0; }

# psi_some_total FILE: microseconds of "some" memory stall so far.
psi_some_total() { sed -n 's/^some .*total=\([0-9]*\).*/\1/p' "$1" 2>/dev/null || echo 0; }

load1() { cut -d' ' -f1 /proc/loadavg; }

# ---- cgroups ----
# cg_create NAME: a v1 memory cgroup (a child of our own, for the limit) and a cgroup2
# directory (for memory.pressure: PSI is a core cgroup2 file, present without the memory
# controller). Sets CG_V1 and CG_V2; both are removed at exit.
cg_create() {
    local own v1root=/sys/fs/cgroup/memory v2root=/sys/fs/cgroup/unified
    own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
    [ -d "$v1root$own" ] || return 1
    CG_V1="$v1root$own/$1"
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then v2root=/sys/fs/cgroup; fi # pure v2
    CG_V2="$v2root/$1"
    mkdir "$CG_V1" || return 1
    BENCH_CGROUPS="$BENCH_CGROUPS $CG_V1"
    mkdir "$CG_V2" || return 1
    BENCH_CGROUPS="$BENCH_CGROUPS $CG_V2"
}

# cg_remove DIR: once its processes are gone (they are ours and already stopped).
cg_remove() {
    local i
    [ -d "$1" ] || return 0
    for i in $(seq 1 50); do
        rmdir "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    say "bench: could not remove cgroup $1 (still busy)"
}

# cg_run V1 V2 CPU CMD... &: run CMD pinned to CPU inside both cgroups (the shell moves itself
# in before exec, so all of CMD's memory is charged there). It execs: call it in the
# background, and $! is CMD's PID.
cg_run() {
    local v1=$1 v2=$2 cpu=$3
    shift 3
    exec sh -c 'echo $$ >"$1/cgroup.procs" && echo $$ >"$2/cgroup.procs" && shift 2 && exec "$@"' \
        cg-run "$v1" "$v2" taskset -c "$cpu" "$@"
}

# free_port: a TCP port nobody listens on (checked in /proc/net/tcp{,6}).
free_port() {
    local p hex
    while :; do
        p=$((20000 + RANDOM % 30000))
        hex=$(printf ':%04X$' "$p")
        cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" { print $2 }' |
            grep -q "$hex" || { echo "$p"; return; }
    done
}

# wait_until SECONDS CMD...: poll every 0.1 s.
wait_until() {
    local i limit=$(( $1 * 10 ))
    shift
    for ((i = 0; i < limit; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# daemon_ready SOCKET: etmemd answers on SOCKET.
daemon_ready() { "$BIN/etmem" project show -s "$1" >/dev/null 2>&1; }
