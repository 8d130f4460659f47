# SPDX-License-Identifier: MulanPSL-2.0
# bench/lib/savings.sh - memory saved vs slowdown: one phase = a fresh workload (plus an
# unmanaged control copy) under one policy, measured against a baseline phase of the same
# round. Sourced by bench/run, which sets the sizes and times (see its "settings" block).
#
# A phase: wait for zram and swap to be quiet, make a cgroup pair, start the workload pinned
# to CPU_WL inside it and the control copy pinned to CPU_POLICY (low rate, outside), warm up,
# snapshot (s0), start the policy (none | an etmem slide project | senpai-v1), let it settle
# (until the workload's RSS stops trending, within bounds), snapshot (s1), measure, snapshot
# (s2), stop everything by PID, remove the cgroups, write one CSV row.
# Fresh processes each phase keep memory younger than the platform's ~60 s pageout age and
# give every phase the same starting state.

SAV_CSV_HEADER="workload,round,order,cond,loop,interval,sleep,T,rss0_kb,rss_end_kb,swap_end_kb,saved_pct,zram_used_delta_kb,zram_orig_delta_kb,net_saved_pct,ops,ops_whole,p50_ns,p99_ns,slow_share,majflt_per_s,swapin_pct_ws_per_min,pol_cpu_pct,pol_cpu_whole_pct,pol_rss_kb,cpu_ns_per_scan_page,pswpout_delta,pswpin_delta,ctl_swap_kb,psi_ms_per_s,scans,ws_kb,load1,senpai_floor_kb,settle_s,zram_other_kb,swap_free_mb,wl_cpu_share_pct,ops_per_cpu_s,net_compacted_pct,zram_ratio,recalled_kb,probe_refaults_per_s"

PHASE_N=0

# ---- workloads: each start sets WL_PID (whose memory and CPU per operation are measured),
# WL_OUT (its per-second lines), WL_CPU_PIDS (everything on the workload's CPU: their share of
# it tells a quiet machine from a shared one), CTL_PID (the control whose swap-out is
# reported), WS_KB (its working set) and WL_STOP (PIDs to stop, workload drivers first). ----

wl_exerciser_start() {
    local args=(--total "$EX_TOTAL" --hot "$EX_HOT" --warm "$EX_WARM" --warm-period "$EX_WARM_PERIOD"
                --fill "$EX_FILL" --report 1)
    WL_OUT=$RUN_TMP/phase-$PHASE_N.work
    CTL_OUT=$RUN_TMP/phase-$PHASE_N.ctl
    cg_run "$CG_V1" "$CG_V2" "$CPU_WL" "$BIN/etmem-exerciser" --name ebench-work "${args[@]}" \
        >"$WL_OUT" 2>&1 &
    WL_PID=$!
    track_pid "$WL_PID"
    taskset -c "$CPU_POLICY" "$BIN/etmem-exerciser" --name ebench-ctl "${args[@]}" \
        --rate "$EX_CTL_RATE" >"$CTL_OUT" 2>&1 &
    CTL_PID=$!
    track_pid "$CTL_PID"
    WL_STOP="$WL_PID $CTL_PID"
    WL_CPU_PIDS=$WL_PID
    WS_KB=$(( (EX_HOT + EX_WARM) * 1024 ))
    wait_until 120 grep -q '^ready' "$WL_OUT" && wait_until 120 grep -q '^ready' "$CTL_OUT" ||
        { say "bench: the exerciser did not start:"; cat "$WL_OUT" "$CTL_OUT" >&2; return 1; }
    # EX_DRIFT: every that many seconds the hot part moves (SIGUSR2) onto memory that was
    # cold, in the workload and the control alike
    if [ -n "${EX_DRIFT:-}" ]; then
        (while sleep "$EX_DRIFT"; do kill -USR2 "$WL_PID" "$CTL_PID" 2>/dev/null || exit 0; done) &
        track_pid $!
        WL_STOP="$! $WL_STOP"
    fi
}

redis_ping() { redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; }

# redis_start PORT LOGFILE CMD-PREFIX...: a private redis-server on loopback, no persistence.
redis_start() {
    local port=$1 log=$2
    shift 2
    "$@" redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes --save '' \
        --appendonly no --dir "$RUN_TMP" --dbfilename "dump-$port.rdb" --daemonize no \
        --logfile '' >"$log" 2>&1 &
}

wl_redis_start() {
    local port cport drv cdrv secs=$((SAV_WARMUP + RD_SETTLE + SAV_MEASURE + 30))
    local keys=(--keys "$RD_KEYS" --value-size "$RD_VALUE" --values "${RD_VALUES:-random}")
    local drift=()
    [ -n "${RD_DRIFT:-}" ] && drift=(--drift "$RD_DRIFT")
    WL_OUT=$RUN_TMP/phase-$PHASE_N.work
    CTL_OUT=$RUN_TMP/phase-$PHASE_N.ctl
    port=$(free_port)
    redis_start "$port" "$RUN_TMP/redis-$port.log" cg_run "$CG_V1" "$CG_V2" "$CPU_WL"
    WL_PID=$!
    track_pid "$WL_PID"
    cport=$(free_port)
    redis_start "$cport" "$RUN_TMP/redis-$cport.log" taskset -c "$CPU_POLICY"
    CTL_PID=$!
    track_pid "$CTL_PID"
    wait_until 30 redis_ping "$port" && wait_until 30 redis_ping "$cport" ||
        { say "bench: redis-server did not start:"; cat "$RUN_TMP"/redis-*.log >&2; return 1; }
    # load both at once, each on its own CPU
    taskset -c "$CPU_WL" "$BIN_BENCH/redisload" --port "$port" "${keys[@]}" --load >/dev/null &
    drv=$!
    taskset -c "$CPU_POLICY" "$BIN_BENCH/redisload" --port "$cport" "${keys[@]}" --load >/dev/null &
    cdrv=$!
    wait "$drv" && wait "$cdrv" || { say "bench: loading redis failed"; return 1; }
    taskset -c "$CPU_WL" "$BIN_BENCH/redisload" --port "$port" "${keys[@]}" --dist "$RD_DIST" \
        "${drift[@]}" --run "$secs" >"$WL_OUT" 2>&1 &
    drv=$!
    track_pid "$drv"
    taskset -c "$CPU_POLICY" "$BIN_BENCH/redisload" --port "$cport" "${keys[@]}" --dist "$RD_DIST" \
        "${drift[@]}" --rate "$RD_CTL_RATE" --run "$secs" >"$CTL_OUT" 2>&1 &
    cdrv=$!
    track_pid "$cdrv"
    WL_STOP="$drv $cdrv $WL_PID $CTL_PID"
    WL_CPU_PIDS="$WL_PID $drv"
    WS_KB=$(( $(status_kb "$WL_PID" VmRSS) * RD_HOT_PCT / 100 ))
}

# ---- policies ----

etmem_recalled() {
    "$BIN/etmem" project show -n "$1" -s "$DSOCK" --json 2>/dev/null |
        sed -n 's/.*"recalled_bytes":\([0-9]*\).*/\1/p' | head -1 | grep . || echo 0
}

etmem_cycles() {
    "$BIN/etmem" project show -n "$1" -s "$DSOCK" --json 2>/dev/null |
        sed -n 's/.*"cycles":\([0-9]*\).*/\1/p' | head -1
}

# policy_start COND: sets POL_PID (whose CPU and RSS are the policy's cost) and POL_PROJECT.
policy_start() {
    local cond=$1 cfg
    POL_PID="" POL_PROJECT="" SENPAI_FLOOR_KB=""
    case $cond in
    base) ;;
    senpai)
        local usage0
        usage0=$(( $(cat "$CG_V1/memory.usage_in_bytes") / 1024 ))
        # the RSS SENPAI_MATCH reached in this round, plus what the cgroup holds besides the
        # workload's RSS (page cache of its binary, kernel objects)
        SENPAI_FLOOR_KB=$(( SENPAI_TARGET_KB + usage0 - S0[rss] ))
        taskset -c "$CPU_POLICY" "$BIN_BENCH/senpai-v1" --memcg "$CG_V1" \
            --pressure "$CG_V2/memory.pressure" --floor $((SENPAI_FLOOR_KB * 1024)) \
            --step "$SENPAI_STEP" --psi-target "$SENPAI_PSI_US" \
            --duration $((SETTLE_MAX + SAV_MEASURE + 30)) >"$RUN_TMP/phase-$PHASE_N.senpai" 2>&1 &
        POL_PID=$!
        track_pid "$POL_PID"
        ;;
    etmem-*)
        # ETMEM_SETTING: "loop interval sleep T [P:project-key=value ...] [task-key=value ...]";
        # loop, interval and sleep "-" for a region project (its cycle is aggr_interval)
        local spec=${ETMEM_SETTING[$cond]} loop interval sleep t extra kv pkeys="" tkeys=""
        read -r loop interval sleep t extra <<<"$spec"
        [ "$loop" != - ] && pkeys="loop=$loop"$'\n'"interval=$interval"$'\n'"sleep=$sleep"$'\n'
        for kv in $extra; do
            case $kv in P:*) pkeys+="${kv#P:}"$'\n' ;; *) tkeys+="$kv"$'\n' ;; esac
        done
        POL_PROJECT=bench$PHASE_N
        cfg=$RUN_TMP/$POL_PROJECT.yaml
        cat >"$cfg" <<CONF
[project]
name=$POL_PROJECT
$pkeys[engine]
name=slide
project=$POL_PROJECT
[task]
project=$POL_PROJECT
engine=slide
name=workload
type=pid
value=$WL_PID
T=$t
$tkeys
CONF
        chmod 600 "$cfg"
        "$BIN/etmem" obj add -f "$cfg" -s "$DSOCK" >&2 &&
            "$BIN/etmem" project start -n "$POL_PROJECT" -s "$DSOCK" >&2 || return 1
        POL_PID=$DPID
        ;;
    *) die "unknown condition $cond" ;;
    esac
}

policy_stop() {
    if [ -n "$POL_PROJECT" ]; then
        "$BIN/etmem" project stop -n "$POL_PROJECT" -s "$DSOCK" >&2
        "$BIN/etmem" obj del -f "$RUN_TMP/$POL_PROJECT.yaml" -s "$DSOCK" >&2
    elif [ -n "$POL_PID" ]; then
        stop_pid "$POL_PID"
    fi
}

# ---- measurement ----

# snapshot NAME: fill the associative array NAME with everything a phase compares.
snapshot() {
    local -n s=$1
    s[t]=$(date +%s.%N)
    s[rss]=$(status_kb "$WL_PID" VmRSS)
    s[swap]=$(status_kb "$WL_PID" VmSwap)
    s[majflt]=$(majflt "$WL_PID")
    s[wlcpu]=$(cpu_ticks "$WL_PID")
    local p
    s[share]=0
    for p in $WL_CPU_PIDS; do s[share]=$(( ${s[share]} + $(cpu_ticks "$p") )); done
    s[polcpu]=0 s[polrss]=0 s[cycles]=0
    if [ -n "$POL_PID" ]; then
        s[polcpu]=$(cpu_ticks "$POL_PID")
        s[polrss]=$(status_kb "$POL_PID" VmRSS)
    fi
    [ -n "$POL_PROJECT" ] && s[cycles]=$(etmem_cycles "$POL_PROJECT")
    s[zused]=$(zram_stat 3)
    s[zorig]=$(zram_stat 1)
    s[zcompr]=$(zram_stat 2)
    s[recalled]=0
    [ -n "$POL_PROJECT" ] && s[recalled]=$(etmem_recalled "$POL_PROJECT")
    s[pswpout]=$(vmstat_get pswpout)
    s[pswpin]=$(vmstat_get pswpin)
    s[ctlswap]=$(status_kb "$CTL_PID" VmSwap)
    s[lines]=$(grep -c 'ops/s=' "$WL_OUT")
    s[psi]=$(psi_some_total "$CG_V2/memory.pressure")
    s[dlog]=0
    [ -n "${DLOG:-}" ] && s[dlog]=$(wc -l <"$DLOG")
}

# probe_refaults LOG FROM TO SECS PID: the fallback tracker's pageout probes that PID touched
# again (a major fault each, found back at the window's end or one window later), per
# second, from etmemd's debug lines FROM+1..TO; empty when no fallback tracker watched PID.
probe_refaults() {
    [ -n "$1" ] || return 0
    sed -n "$(( $2 + 1 )),$3p" "$1" | awk -v pid="$5" -v secs="$4" '
        index($0, "fallback pid " pid ": window resolved ") && match($0, /\([0-9]+ hit, [0-9]+ late/) {
            split(substr($0, RSTART + 1, RLENGTH - 1), f, /[ ,]+/); n += f[1] + f[3]; seen = 1
        }
        END { if (seen) printf "%.2f", n / secs }'
}

# window_stats FILE FROM TO: mean ops/s, median p50 and p99 (ns), ops-weighted slow share
# over the per-second lines FROM+1..TO of an exerciser or redisload output.
window_stats() {
    grep 'ops/s=' "$1" | sed -n "$(( $2 + 1 )),$3p" | awk '
        function med(a, n,   i, j, t) {
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        {
            for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            n++; ops[n] = v["ops/s"]; sum += v["ops/s"]
            p50[n] = ("p50_ns" in v) ? v["p50_ns"] : v["p50_us"] * 1000
            p99[n] = ("p99_ns" in v) ? v["p99_ns"] : v["p99_us"] * 1000
            s = ("slow5us" in v) ? v["slow5us"] : v["srv_slow5us"]
            if (s >= 0) { slow += s * v["ops/s"]; wsum += v["ops/s"] }
            delete v
        }
        END {
            if (!n) { print "0 0 0 -1"; exit }
            printf "%.0f %.0f %.0f %.6f\n", sum / n, med(p50, n), med(p99, n), wsum ? slow / wsum : -1
        }'
}

# settle RSS0 MIN MAX: wait until the workload's RSS stops trending: the mean of the last 4
# one-second samples is within 2 % of RSS0 of the mean of the 4 before (an RSS that swings
# with a warm part's period still settles); at least MIN, at most MAX seconds. Prints the
# seconds it took.
settle() {
    local rss0=$1 min=$2 max=$3 i n a b samples=()
    for ((i = 1; i <= max; i++)); do
        sleep 1
        samples+=("$(status_kb "$WL_PID" VmRSS)")
        n=${#samples[@]}
        [ "$i" -ge "$min" ] && [ "$n" -ge 8 ] || continue
        a=$(( samples[n-1] + samples[n-2] + samples[n-3] + samples[n-4] ))
        b=$(( samples[n-5] + samples[n-6] + samples[n-7] + samples[n-8] ))
        (( (a > b ? a - b : b - a) * 50 <= rss0 * 4 )) && break
    done
    echo $((i > max ? max : i))
}

# settle_min COND: an etmem setting gets two whole cycles before its RSS may count as settled.
settle_min() {
    local loop interval sleep t
    case $1 in
    etmem-*)
        read -r loop interval sleep t _ <<<"${ETMEM_SETTING[$1]}"
        [ "$loop" = - ] && loop=1 interval=1 sleep=0   # a region project: 1 s aggregations
        echo $(( 2 * (loop * interval + sleep) + 2 > SAV_SETTLE_MIN ? 2 * (loop * interval + sleep) + 2 : SAV_SETTLE_MIN )) ;;
    *) echo "$SAV_SETTLE_MIN" ;;
    esac
}

# swap_quiet NEED_MB: before a phase, wait (at most SWAP_QUIET_S, 15 s) until zram stops shrinking (what
# the last phase's processes left is freed lazily) and (at most 60 s) until NEED_MB of swap
# is free, so that a phase neither inherits the previous one's frees nor runs out of swap.
# Prints the free swap in MiB.
swap_quiet() {
    local i prev now free
    prev=$(zram_stat 1)
    for ((i = 0; i < ${SWAP_QUIET_S:-15}; i++)); do
        sleep 1
        now=$(zram_stat 1)
        (( prev - now < 1048576 )) && break
        prev=$now
    done
    for ((i = 0; i < 60; i++)); do
        free=$(( $(meminfo_kb SwapFree) / 1024 ))
        [ "$free" -ge "$1" ] && break
        sleep 1
    done
    [ "$free" -ge "$1" ] || say "    only $free MiB of swap free (wanted $1): other users hold the rest"
    echo "$free"
}

# phase WORKLOAD ROUND ORDER COND: run one phase and append its CSV row.
phase() {
    local wl=$1 round=$2 order=$3 cond=$4 ops p50 p99 slow ops_whole junk settle_s swap_free need
    local -A S0 S1 S2
    PHASE_N=$((PHASE_N + 1))
    POL_PID="" POL_PROJECT="" SENPAI_FLOOR_KB=""
    say "  [$wl round $round] $cond"
    case $wl in exerciser) need=$((EX_TOTAL * 12 / 10)) ;; *) need=$((RD_KEYS * 15 / 10240)) ;; esac
    swap_free=$(swap_quiet "$need")
    cg_create "etmem-bench.$$.$PHASE_N" || die "cannot create cgroups (needs root and the v1 memory controller)"
    "wl_${wl}_start" || die "workload $wl did not start"
    sleep "$SAV_WARMUP"
    snapshot S0
    policy_start "$cond" || die "policy $cond did not start"
    settle_s=$(settle "${S0[rss]}" "$(settle_min "$cond")" "$SETTLE_MAX")
    snapshot S1
    sleep "$SAV_MEASURE"
    snapshot S2
    local died=""
    { kill -0 "$WL_PID" 2>/dev/null && [ "$(proc_state "$WL_PID")" != Z ]; } || died=1
    # what compaction gives back of zram's memory (the net saving after it)
    local zu_compacted=${S2[zused]}
    if [ -w "/sys/block/$ZRAM_DEV/compact" ] && echo 1 >"/sys/block/$ZRAM_DEV/compact" 2>/dev/null; then
        zu_compacted=$(zram_stat 3)
    fi
    policy_stop
    local p
    for p in $WL_STOP; do stop_pid "$p"; done
    cg_remove "$CG_V1"
    cg_remove "$CG_V2"
    # a workload that died (its cgroup's OOM killer under a limit) has no figures to compare
    if [ -n "$died" ]; then
        say "    the workload died during the phase: no row"
        [ -n "${LOST_LOG:-}" ] && echo "lost=$wl round $round, $cond: the workload died during the phase (killed, e.g. by its cgroup's OOM killer under the setting's limit)" >>"$LOST_LOG"
        return 0
    fi

    local probe_rf
    probe_rf=$(probe_refaults "${DLOG:-}" "${S1[dlog]}" "${S2[dlog]}" "$(awk -v a="${S1[t]}" -v b="${S2[t]}" 'BEGIN { print b - a }')" "$WL_PID")
    read -r ops p50 p99 slow <<<"$(window_stats "$WL_OUT" "${S1[lines]}" "${S2[lines]}")"
    read -r ops_whole junk <<<"$(window_stats "$WL_OUT" "${S0[lines]}" "${S2[lines]}")"
    local spec="" loop="" interval="" sleep_s="" t=""
    if [[ $cond == etmem-* ]]; then
        spec=${ETMEM_SETTING[$cond]}
        read -r loop interval sleep_s t _ <<<"$spec"
        [ "$loop" = - ] && loop="" interval="" sleep_s=""
    fi
    awk -v wl="$wl" -v round="$round" -v order="$order" -v cond="$cond" -v loop="$loop" \
        -v interval="$interval" -v sleep_s="$sleep_s" -v T="$t" \
        -v rss0="${S0[rss]}" -v rss2="${S2[rss]}" -v swap2="${S2[swap]}" \
        -v zu0="${S0[zused]}" -v zu2="${S2[zused]}" -v zo0="${S0[zorig]}" -v zo2="${S2[zorig]}" \
        -v ops="$ops" -v ops_whole="$ops_whole" -v p50="$p50" -v p99="$p99" -v slow="$slow" \
        -v mf1="${S1[majflt]}" -v mf2="${S2[majflt]}" -v ws="$WS_KB" \
        -v c0="${S0[polcpu]}" -v c1="${S1[polcpu]}" -v c2="${S2[polcpu]}" -v tck="$CLK_TCK" \
        -v t0="${S0[t]}" -v t1="${S1[t]}" -v t2="${S2[t]}" -v polrss="${S2[polrss]}" \
        -v cy1="${S1[cycles]}" -v cy2="${S2[cycles]}" \
        -v po0="${S0[pswpout]}" -v po2="${S2[pswpout]}" -v pi0="${S0[pswpin]}" -v pi2="${S2[pswpin]}" \
        -v ctlswap="${S2[ctlswap]}" -v psi1="${S1[psi]}" -v psi2="${S2[psi]}" \
        -v ours=$(( ${S2[swap]} - ${S0[swap]} + ${S2[ctlswap]} - ${S0[ctlswap]} )) -v swap_free="$swap_free" \
        -v wc1="${S1[wlcpu]}" -v wc2="${S2[wlcpu]}" -v sh1="${S1[share]}" -v sh2="${S2[share]}" \
        -v load="$(load1)" -v floor="$SENPAI_FLOOR_KB" -v settle_s="$settle_s" -v page_kb=$(( $(getconf PAGESIZE) / 1024 )) \
        -v zuc="$zu_compacted" -v zo_now="${S2[zorig]}" -v zc_now="${S2[zcompr]}" -v zu_now="${S2[zused]}" -v rec="${S2[recalled]}" -v probe_rf="$probe_rf" '
    BEGIN {
        w = t2 - t1; whole = t2 - t0
        zu = (zu2 - zu0) / 1024; zo = (zo2 - zo0) / 1024
        # zram is the machine'"'"'s: when others stored or freed more than 32 MiB in it during
        # the phase, its growth is not this run'"'"'s alone, and this run'"'"'s own swap (workload
        # and control) is charged at what the device holds a byte in at the end instead
        shared = zo - ours > 32768 || zo - ours < -32768
        zcost = (zo_now > 0) ? zu_now / zo_now : 1
        zu_ours = shared ? ours * zcost : zu
        saved = rss0 ? 100 * (rss0 - rss2) / rss0 : 0
        net = rss0 ? 100 * (rss0 - rss2 - zu_ours) / rss0 : 0
        mfs = (mf2 - mf1) / w
        swapin = ws ? 100 * (mf2 - mf1) * page_kb / ws / (w / 60) : 0
        cpu = 100 * (c2 - c1) / tck / w
        cpu_whole = 100 * (c2 - c0) / tck / whole
        scans = (loop != "" && cy2 > cy1) ? (cy2 - cy1) * loop : 0
        ns_scan_page = scans && rss0 ? (c2 - c1) / tck * 1e9 / scans / (rss0 / page_kb) : ""
        netc = rss0 ? 100 * (rss0 - rss2 - (shared ? ours * ((zo_now > 0) ? zuc / zo_now : 1) : (zuc - zu0) / 1024)) / rss0 : 0
        printf "%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%.2f,%d,%d,%.2f,%d,%d,%d,%d,%.6f,%.2f,%.3f,%.2f,%.2f,%d,%s,%d,%d,%d,%.3f,%d,%d,%s,%s,%s,%d,%d,%.1f,%.0f,%.2f,%.3f,%d,%s\n",
            wl, round, order, cond, loop, interval, sleep_s, T, rss0, rss2, swap2, saved, zu, zo, net,
            ops, ops_whole, p50, p99, slow, mfs, swapin, cpu, cpu_whole, polrss,
            ns_scan_page == "" ? "" : sprintf("%.1f", ns_scan_page),
            po2 - po0, pi2 - pi0, ctlswap, (psi2 - psi1) / 1000 / w, scans, ws, load, floor, settle_s,
            zo - ours, swap_free, 100 * (sh2 - sh1) / tck / w, (wc2 > wc1) ? ops * w / ((wc2 - wc1) / tck) : 0,
            netc, (zc_now > 0) ? zo_now / zc_now : 0, rec / 1024, probe_rf
    }' >>"$CSV"
    tail -1 "$CSV" | awk -F, '{ printf "    RSS %d -> %d MiB (saved %s %%, net of zram %s %%), %s ops/s, p99 %s ns, slow %s, policy cpu %s %%\n",
        $9 / 1024, $10 / 1024, $12, $15, $16, $19, $20, $23 }' >&2
}

# savings_workload WL: SAV_ROUNDS rounds of base + every etmem setting + senpai (the
# conditions are ETMEM_CONDS, SENPAI_MATCH names the one senpai is aimed at); the
# baseline moves from first to last between rounds; senpai comes last, aimed at the RSS
# SENPAI_MATCH reached in the same round.
savings_workload() {
    local wl=$1 r c order conds
    case $wl in exerciser) SETTLE_MAX=$EX_SETTLE ;; *) SETTLE_MAX=$RD_SETTLE ;; esac
    for ((r = 1; r <= SAV_ROUNDS; r++)); do
        if ((r % 2)); then conds=(base "${ETMEM_CONDS[@]}"); else conds=("${ETMEM_CONDS[@]}" base); fi
        order=0
        SENPAI_TARGET_KB=""
        for c in "${conds[@]}"; do
            order=$((order + 1))
            phase "$wl" "$r" "$order" "$c"
            [ "$c" = "$SENPAI_MATCH" ] && SENPAI_TARGET_KB=$(tail -1 "$CSV" | cut -d, -f10)
        done
        if [ "$WITH_SENPAI" = 1 ] && [ -n "$SENPAI_TARGET_KB" ]; then
            phase "$wl" "$r" $((order + 1)) senpai
        fi
    done
}
