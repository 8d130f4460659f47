# SPDX-License-Identifier: MulanPSL-2.0
# bench/lib/ctl.sh - control plane: how long `etmem project show` (and --json) takes with
# CTL_PROJECTS projects x CTL_TASKS tasks in a private etmemd, stopped and then started.
# Sourced by bench/run; writes $OUT_CTL_CSV: state,command,projects,tasks,reps,median_ms,p95_ms,max_ms,bytes

# ctl_time REPS CMD...: wall milliseconds of each run (fork + exec + request + reply), one a line.
ctl_time() {
    local reps=$1 i t0 t1
    shift
    for ((i = 0; i < reps; i++)); do
        t0=$EPOCHREALTIME
        "$@" >/dev/null 2>&1 || { say "bench: '$*' failed"; return 1; }
        t1=$EPOCHREALTIME
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
    done
}

# ctl_summarise STATE NAME BYTES: read milliseconds on stdin, append a CSV row.
ctl_summarise() {
    sort -n | awk -v state="$1" -v name="$2" -v bytes="$3" -v np="$CTL_PROJECTS" -v nt="$CTL_TASKS" '
        { v[++n] = $1 }
        END {
            if (!n) exit 1
            p95 = v[int(0.95 * (n - 1)) + 1]
            med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            printf "%s,%s,%d,%d,%d,%.2f,%.2f,%.2f,%d\n", state, name, np, nt, n, med, p95, v[n], bytes
        }' >>"$OUT_CTL_CSV"
}

ctl_measure() {
    local state=$1 bytes
    bytes=$("$BIN/etmem" project show -s "$CSOCK" | wc -c)
    ctl_time "$CTL_REPS" "$BIN/etmem" project show -s "$CSOCK" | ctl_summarise "$state" "project show" "$bytes"
    bytes=$("$BIN/etmem" project show -s "$CSOCK" --json | wc -c)
    ctl_time "$CTL_REPS" "$BIN/etmem" project show -s "$CSOCK" --json | ctl_summarise "$state" "project show --json" "$bytes"
    ctl_time "$CTL_REPS" "$BIN/etmem" project show -n ctl1 -s "$CSOCK" | ctl_summarise "$state" "project show -n (one project)" 0
}

ctl_bench() {
    local p t f dir=$RUN_TMP/ctl cpid
    mkdir -p "$dir"
    echo "state,command,projects,tasks,reps,median_ms,p95_ms,max_ms,bytes" >"$OUT_CTL_CSV"
    CSOCK="etmem-bench-ctl-$$"
    taskset -c "$CPU_POLICY" "$BIN/etmemd" -s "$CSOCK" -l 2 >"$dir/etmemd.log" 2>&1 &
    cpid=$!
    track_pid "$cpid"
    wait_until 10 daemon_ready "$CSOCK" || die "control-plane etmemd did not start"
    say "  adding $CTL_PROJECTS projects x $CTL_TASKS tasks"
    local t_add0=$EPOCHREALTIME
    for ((p = 1; p <= CTL_PROJECTS; p++)); do
        for ((t = 1; t <= CTL_TASKS; t++)); do
            f=$dir/p$p-t$t.yaml
            {
                if [ "$t" = 1 ]; then
                    printf '[project]\nname=ctl%d\nloop=1\ninterval=1200\nsleep=1200\n' "$p"
                    printf '[engine]\nname=slide\nproject=ctl%d\n' "$p"
                fi
                printf '[task]\nproject=ctl%d\nengine=slide\nname=t%d\ntype=name\nvalue=ebn%d-%d\nT=1\n' \
                    "$p" "$t" "$p" "$t"
            } >"$f"
            chmod 600 "$f"
            "$BIN/etmem" obj add -f "$f" -s "$CSOCK" >/dev/null || die "obj add $f failed"
        done
    done
    CTL_ADD_MS=$(awk -v a="$t_add0" -v b="$EPOCHREALTIME" -v n=$((CTL_PROJECTS * CTL_TASKS)) \
        'BEGIN { printf "%.2f", (b - a) * 1000 / n }')
    ctl_measure stopped
    for ((p = 1; p <= CTL_PROJECTS; p++)); do
        "$BIN/etmem" project start -n "ctl$p" -s "$CSOCK" >/dev/null || die "project start ctl$p failed"
    done
    ctl_measure started
    CTL_DAEMON_RSS_KB=$(status_kb "$cpid" VmRSS)
    stop_pid "$cpid"
}
