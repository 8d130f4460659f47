# SPDX-License-Identifier: MulanPSL-2.0
# bench/lib/guard.sh - the feedback guard on data that compresses like real data: Redis with
# JSON-like records, zipfian keys whose ranking drifts during the phase, and the exerciser
# whose hot part moves; no offload, slide without the guard, slide with it, slide on a
# region project, the psi engine (where cgroup v2 has the memory controller) and
# Senpai-style, interleaved over rounds (the phase machinery of savings.sh). Then what the
# zram algorithm and compaction change in the net saving. All of it on a zram device of the
# run's own (bench/run makes it; this part remakes it per algorithm; removed at exit). Sourced by bench/run; report: guard_report.

GUARD_CSV_NAME=latest-guard.csv GUARD_ENV_NAME=latest-guard-env.txt GUARD_MD_NAME=guard-redis.md
GUARD_VM_CSV_NAME=latest-guard-vm.csv GUARD_VM_ENV_NAME=latest-guard-vm-env.txt

# guard_psi_missing: why the psi engine cannot run here (empty when it can).
guard_psi_missing() {
    local v2=/sys/fs/cgroup
    [ -f $v2/cgroup.controllers ] || v2=/sys/fs/cgroup/unified
    if [ ! -f $v2/cgroup.controllers ]; then echo "no cgroup v2 hierarchy"; return; fi
    grep -qw memory $v2/cgroup.controllers ||
        { echo "cgroup v2 at $v2 has no memory controller (it is bound to the v1 hierarchy: $(awk '$3 == "cgroup" && $4 ~ /memory/ { print $2 }' /proc/mounts))"; return; }
    grep -qw memory $v2/cgroup.subtree_control ||
        echo "the memory controller is not delegated below $v2 (cgroup.subtree_control)"
}

# guard_ratios: how the records compress, whole (a stream) and page by page (as zram sees
# them), with lz4 and zstd at level 1; prints key=value lines for the env file.
guard_ratios() {
    local f=$RUN_TMP/records.sample d=$RUN_TMP/pages alg tot comp p
    "$BIN_BENCH/redisload" --sample 8192 --value-size "$RD_VALUE" --values records >"$f" || return 1
    mkdir -p "$d" && head -c 2097152 "$f" | (cd "$d" && split -b 4096 - p.)
    for alg in lz4 zstd; do
        command -v "$alg" >/dev/null || { echo "ratio_$alg=n/a ($alg not installed)"; continue; }
        comp=0 tot=0
        for p in "$d"/p.*; do
            comp=$((comp + $("$alg" -1 -c -q "$p" | wc -c))); tot=$((tot + 4096))
        done
        echo "ratio_$alg=$(awk -v a="$(stat -c %s "$f")" -v b="$("$alg" -1 -c -q "$f" | wc -c)" -v t="$tot" -v c="$comp" \
            'BEGIN { printf "%.2fx per 4 KiB page, %.2fx as one stream", t / c, a / b }')"
    done
    rm -rf "$d" "$f"
}

# guard_idle_gaps: how long Redis's value pages stay untouched under this part's key
# choice, drawn offline (redisload --idle-gaps) at the baseline's median rate over
# GB_IDLE_S s; prints idle_* lines for the env file.
guard_idle_gaps() {
    local rate
    rate=$(awk -F, '$1 == "redis" && $4 == "base" { print $16 }' "$CSV" | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
    [ -n "$rate" ] && [ "$rate" -gt 0 ] || return 0
    echo "idle_cmd=redisload --keys $RD_KEYS --dist zipf:$GB_ZIPF --drift $GB_DRIFT_S:$GB_DRIFT_PCT --idle-gaps $GB_IDLE_S --rate $rate"
    "$BIN_BENCH/redisload" --keys "$RD_KEYS" --dist "zipf:$GB_ZIPF" --drift "$GB_DRIFT_S:$GB_DRIFT_PCT" \
        --idle-gaps "$GB_IDLE_S" --rate "$rate" | sed 's/^/idle_line=/'
}

guard_bench() {
    local alg r saved_csv=$CSV saved_conds=("${ETMEM_CONDS[@]}") saved_match=$SENPAI_MATCH
    local saved_rounds=$SAV_ROUNDS psi_missing
    local EX_TOTAL=$GB_EX_TOTAL EX_HOT=$GB_EX_HOT EX_WARM=$GB_EX_WARM RD_KEYS=$GB_RD_KEYS
    local EX_SETTLE=$GB_SETTLE RD_SETTLE=$GB_SETTLE SAV_MEASURE=$GB_MEASURE SWAP_QUIET_S=4
    local SAV_SETTLE_MIN=$GB_SETTLE_MIN
    CSV=$RES/$GUARD_CSV_NAME
    echo "$SAV_CSV_HEADER" >"$CSV"
    ETMEM_SETTING[etmem-slide]="1 1 1 1"
    ETMEM_SETTING[etmem-guard]="1 1 1 1 guard_refault_pct=$GB_REFAULT"
    # the guard's setting with T=0: no page is ever cold enough to go, the tracker senses as
    # usual; its major faults are what sensing alone costs (a dry run cannot show this: it
    # turns the fallback tracker's pageout probes off)
    ETMEM_SETTING[etmem-probes]="1 1 1 0 guard_refault_pct=$GB_REFAULT"
    ETMEM_SETTING[etmem-region]="- - - 1 P:scan_type=region P:sample_interval=200000 P:aggr_interval=1000000 P:update_interval=1000000 P:min_nr_regions=10 P:max_nr_regions=1000"
    ETMEM_CONDS=("${GB_CONDS[@]}") SENPAI_MATCH=etmem-guard SAV_ROUNDS=$GB_ROUNDS
    psi_missing=$(guard_psi_missing)
    {
        echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "commands=bench/run $BENCH_ARGS"
        echo "mode=$([ "$SMOKE" = 1 ] && echo smoke || echo full), rounds $GB_ROUNDS"
        echo "refault_target=$GB_REFAULT"
        echo "swap=$( [ -n "$BENCH_ZRAM" ] && echo "a zram device of the benchmark's own (made and removed by it), lz4, at a priority above the machine's swap" || echo "the machine's swap ($ZRAM_DEV): no zram device of the benchmark's own could be made")"
        echo "psi=${psi_missing:-available}"
        guard_ratios
        echo "ex_desc=$EX_TOTAL MiB: $EX_HOT MiB hot (read continuously, moving onto memory that was cold every $GB_EX_DRIFT s), $EX_WARM MiB warm (read every $EX_WARM_PERIOD s), the rest cold, --fill $EX_FILL"
        echo "rd_desc=redis-server $(redis-server --version 2>/dev/null | sed 's/.*v=\([^ ]*\).*/\1/'), $RD_KEYS keys x $RD_VALUE-byte JSON-like records, GETs zipf:$GB_ZIPF over chunks of 64 keys placed at random, the ranking moving by $GB_DRIFT_PCT % of the keys every $GB_DRIFT_S s, one request in flight"
    } >"$RES/$GUARD_ENV_NAME"
    local saved_senpai=$WITH_SENPAI LOST_LOG=$RES/$GUARD_ENV_NAME
    WITH_SENPAI=$GB_SENPAI
    if [[ " $GB_WLS " == *" exerciser "* ]]; then
        say "== guard: exerciser, drifting hot set ($GB_ROUNDS rounds: base ${GB_CONDS[*]}$( [ "$GB_SENPAI" = 1 ] && echo " senpai"))"
        EX_DRIFT=$GB_EX_DRIFT savings_workload exerciser
    fi
    if [[ " $GB_WLS " == *" redis "* ]]; then
        say "== guard: redis, JSON-like records, zipf:$GB_ZIPF drifting"
        RD_VALUES=records RD_DIST=zipf:$GB_ZIPF RD_DRIFT=$GB_DRIFT_S:$GB_DRIFT_PCT savings_workload redis
        guard_idle_gaps >>"$RES/$GUARD_ENV_NAME"
    fi
    WITH_SENPAI=$saved_senpai
    # the zram algorithm and compaction: the guard on GB_ZRAM_WL, on a fresh device per
    # algorithm
    echo "zram_wl=$GB_ZRAM_WL" >>"$RES/$GUARD_ENV_NAME"
    for alg in $GB_ZRAM_ALGS; do
        zram_remove "$BENCH_ZRAM"
        if ! zram_make "$alg" "$GB_ZRAM_MB"; then
            echo "zram_$alg=not offered by this kernel's zram ($(tr -d '[]' </sys/block/zram0/comp_algorithm 2>/dev/null))" >>"$RES/$GUARD_ENV_NAME"
            continue
        fi
        say "== guard: zram $alg"
        SETTLE_MAX=$GB_SETTLE
        for ((r = 1; r <= GB_ZRAM_ROUNDS; r++)); do
            EX_DRIFT=$GB_EX_DRIFT RD_VALUES=records RD_DIST=zipf:$GB_ZIPF RD_DRIFT=$GB_DRIFT_S:$GB_DRIFT_PCT \
                phase "$GB_ZRAM_WL" "$alg.$r" 1 etmem-guard
            sed -i "\$ s/^$GB_ZRAM_WL,/zram,/" "$CSV"
        done
    done
    CSV=$saved_csv ETMEM_CONDS=("${saved_conds[@]}") SENPAI_MATCH=$saved_match SAV_ROUNDS=$saved_rounds
}

# guard_report DIR: the guard part's Markdown from DIR/latest-guard.csv (and its env file);
# nothing when the part did not run there.
guard_report() {
    local dir=$1 csv=$1/$GUARD_CSV_NAME genv=$1/$GUARD_ENV_NAME targets zram best tmp
    [ -f "$csv" ] && [ "$(wc -l <"$csv")" -gt 1 ] || return 0
    gget() { sed -n "s/^$1=//p" "$genv" | tail -1; }
    tmp=$(mktemp)
    targets=$(awk -v target="$(gget refault_target)" -v part=targets -f "$ROOT/bench/lib/guard_targets.awk" "$csv")
    zram=$(awk -v part=zram -f "$ROOT/bench/lib/guard_targets.awk" "$csv")
    best=$(printf '%s\n' "$zram" | sed -n 's/^BEST|//p')
    echo "## Feedback guard on compressible data"
    echo
    echo "Made by \`$(gget commands)\` ($(gget mode)) on $(gget date). Raw data: [$GUARD_CSV_NAME]($GUARD_CSV_NAME)."
    [ -n "$(gget commands_note)" ] && echo && echo "$(gget commands_note)"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| exerciser | $(gget ex_desc) |"
    echo "| redis | $(gget rd_desc) |"
    echo "| how the records compress | lz4: $(gget ratio_lz4); zstd: $(gget ratio_zstd) (level 1, \`lz4\`/\`zstd\` on the values as redisload writes them) |"
    echo "| swap | $(gget swap) |"
    echo "| the guard | \`guard_refault_pct=$(gget refault_target)\` on slide loop=1 interval=1 sleep=1 T=1 (page monitoring, the fallback tracker here: with the guard its probe budget is half the refault target, without it 0.5 %/min, as the daemon of the run has it); recall and the poor-compression stop as by default |"
    echo "| psi engine | $( [ "$(gget psi)" = available ] && echo "the host has the cgroup v2 memory controller, but this benchmark runs the psi engine only in the qemu guest" || echo "not available on this host: $(gget psi)"); measured in the qemu guest instead (its own table below) |"
    echo
    echo "### Targets"
    echo
    printf '%s\n' "$targets" | grep -v '^NOISE|'
    echo
    sed -n 's/^lost=/- phase lost: /p' "$genv"
    grep -q '^lost=' "$genv" && echo
    echo "What the noise allows: $(printf '%s\n' "$targets" | sed -n 's/^NOISE|//p' | paste -sd ';' | sed 's/;/; /g'). A target met by the median but not in most rounds is within the noise, and so is a difference between two settings smaller than their ranges; the last column says how many rounds agree."
    echo
    guard_faults_report "$csv" "$(gget refault_target)"
    guard_idle_report "$genv" "$(gget refault_target)"
    guard_vm_report "$dir"
    awk -F, 'NR == 1 || $1 != "zram"' "$csv" >"$tmp"
    awk -v plot=/dev/null -v targets=/dev/null \
        -v titles="exerciser=Exerciser: $(gget ex_desc);redis=Redis: $(gget rd_desc)" \
        -v descs="etmem-slide=etmem slide loop=1 interval=1 sleep=1 T=1, no guard;etmem-guard=the same with guard_refault_pct=$(gget refault_target);etmem-probes=the guard's setting with T=0: the tracker senses as usual but no page is ever cold enough to go, so its major faults are what sensing alone costs (the fallback tracker's pageout probes; a dry run would not show it: dry runs turn the probes off);etmem-region=etmem slide on a region project (scan_type=region, 1 s aggregations of 5 samples, 10..1000 regions), T=1, no guard;senpai=kernel LRU, Senpai-style (v1 limit + PSI), its floor the RSS the guard reached in the same round" \
        -f "$ROOT/bench/lib/summarise.awk" "$tmp"
    rm -f "$tmp"
    echo
    echo "### zram algorithm and compaction"
    echo
    echo "The guard on the $(gget zram_wl) again, on a fresh zram device per algorithm (RSS saved and net are the phase's own, not paired with a baseline). The ratio is that of what arrived in zram during the phase (its orig_data_size growth over its mem_used_total growth, allocator included); phases where others swapped too are counted in the last column. Net after compaction: after the measured window the device is compacted (\`echo 1 > compact\`) and its \`mem_used_total\` read again."
    echo
    printf '%s\n' "$zram" | grep -v '^BEST|'
    sed -n '/^zram_wl=/d; s/^zram_\([^=]*\)=/- \1: /p' "$genv"
    echo
    if [ -n "$best" ]; then
        local alg net add nsh nph
        IFS='|' read -r alg net add nsh nph <<<"$best"
        echo "Recommended: **$alg** (net $net % of the workload's RSS after compaction, the largest of those measured; compaction changed it by $add pp$(awk -v a="$add" 'BEGIN { if (a < 1 && a > -1) print ": nothing measurable, not worth scheduling for this data" }')). $( [ "$nsh" -gt 0 ] && echo "Others swapped in $nsh of the $nph phases, whose net is charged at the device's average cost: a difference of a few points between algorithms is indicative, not settled.")"
    fi
}

# guard_faults_report CSV TARGET: where the major faults of the etmem settings come from:
# the fallback tracker's probes (etmemd's debug log, counted per window) and the rest (pages
# etmem swapped out coming back); nothing when no phase counted probes.
guard_faults_report() {
    local t
    t=$(awk -v target="$2" -v part=faults -f "$ROOT/bench/lib/guard_targets.awk" "$1")
    [ -n "$t" ] || return 0
    echo "### Where the major faults come from"
    echo
    echo "The fallback tracker senses access by paging sample pages out (probes); a probe page the workload touches again is a major fault the guard did not decide. etmemd's debug log counts, per window, the probe pages found back (at the window's end or, watched on, in a later window); the rest of the workload's major faults are pages etmem swapped out coming back. Median over rounds [range]; %/min of the workload's resident memory at the end of the phase."
    echo
    printf '%s\n' "$t"
    echo
    echo "The probe count is a lower bound of the probes' major faults (a probe page touched after the tracker stopped watching it is counted with the rest), and it may pass the major faults a little: a probe page touched while still in the swap cache comes back on a minor fault. \`etmem-probes\` swaps nothing out by decision (T=0), so all of its major faults are sensing's: its probe pages found idle stay out (what it saved) and come back when touched later."
    echo
}

# guard_idle_report ENV TARGET: how long Redis's pages stay untouched (guard_idle_gaps), and
# what that allows any policy.
guard_idle_report() {
    local genv=$1 target=$2
    grep -q '^idle_line=' "$genv" 2>/dev/null || return 0
    echo "### How long Redis's pages stay untouched"
    echo
    echo "Redis's value pages (4 records of ~1000 bytes each, in the allocator's 1 KiB class, loaded in id order) under this benchmark's key choice, drawn offline over the same key chooser (\`$(sed -n 's/^idle_cmd=//p' "$genv" | tail -1)\`, the rate being the baseline's median). A policy that pages a page out once it stayed untouched TAU s keeps the share below out and pays a refault each time an out page is touched again; the last rows are the bound for any policy without prefetching (it knows the future, pages out for whole gaps, the longest first)."
    echo
    sed -n 's/^idle_line=//p' "$genv" | awk -v target="$target" '
        /^idle / { for (i = 2; i <= NF; i++) { split($i, kv, "="); h[kv[1]] = kv[2] } }
        /^longest_gap_s / { for (i = 2; i <= NF; i++) { split($i, kv, "="); g[kv[1]] = kv[2] } }
        /^tau=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
                  nt++; tau[nt] = f["tau"]; out[nt] = f["out_pct"]; rf[nt] = f["refault_pct_resident_per_min"]
                  if (rf[nt] <= target && out[nt] > best) { best = out[nt]; btau = tau[nt] } }
        /^oracle / { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
                     no++; oout[no] = f["out_pct"]; orf[no] = f["refault_pct_resident_per_min"]; onote[no] = ($0 ~ /not reachable/) }
        END {
            printf "Over %d s at %d ops/s, %d pages: the longest time a page stayed untouched is %.0f s (median page %.0f s, 90 %% of pages %.0f s, 99 %% %.0f s); pages that ever stayed untouched %.0f s: %d.\n\n",
                h["secs"], h["rate"], h["pages"], g["max"], g["p50"], g["p90"], g["p99"], 3000, g["pages_untouched_3000s"]
            print "| policy | value pages out % | refaults %/min of the resident pages |"
            print "|---|---|---|"
            for (i = 1; i <= nt; i++) if (out[i] > 0 || i == 1) printf "| page out after %s s untouched | %.2f | %.2f |\n", tau[i], out[i], rf[i]
            for (i = 1; i <= no; i++) printf "| bound for any policy | %s | %s |\n", oout[i], onote[i] ? "not reachable" : sprintf("%.2f", orf[i])
            for (i = 1; i <= no; i++) if (oout[i] == 50) b50 = orf[i]
            printf "\nSo on this workload **no policy can save 50 %% of Redis'"'"'s value pages at refaults <= %s %%/min**: even one that knew the future would pay %.0f %%/min (%.0fx the target); a page would have to stay untouched for about 50 minutes to go out at that rate, and none stays untouched for more than %.0f s. %s The Redis targets of >= 50 %% saved and refaults within %s %%/min cannot both be met here; the figures above measure how close the guard gets, not whether it could.\n\n",
                target, b50, b50 / target, g["max"],
                btau == "" ? "None of the page-out-after-idle policies above stays within the target." : sprintf("Within the target, the best of the page-out-after-idle policies above keeps %.2f %% of the value pages out (after %s s untouched).", best, btau), target
        }'
}

# guard_vm: the guard part's exerciser in the qemu guest (custom kernel: cgroup v2 with the
# memory controller, PSI, page_idle), where the psi engine can run: no offload, slide with
# the guard, the psi engine (bench/lib/guard_vm_guest.sh, through a guest case of a private
# tests/vm copy); writes latest-guard-vm.csv and its env file. Needs the cached custom
# kernel (`tests/vm/run --prepare`), otherwise says why and writes only the reason.
guard_vm() {
    local tree=$RUN_TMP/vmtree-guard gbuild=$RUN_TMP/guestbuild-guard log=$RUN_TMP/guest-guard.log rc
    local csv=$RES/$GUARD_VM_CSV_NAME genv=$RES/$GUARD_VM_ENV_NAME
    echo "round,order,cond,rss0_kb,rss_end_kb,swap_end_kb,mc0_kb,mc_end_kb,ops,p99_ns,majflt_per_s,psi_ms_per_s,settle_s,ctl_swap_kb" >"$csv"
    {
        echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "commands=bench/run $BENCH_ARGS"
        echo "rounds=$GV_ROUNDS"
        echo "refault_target=$GB_REFAULT"
        echo "desc=$GV_TOTAL MiB: $GV_HOT MiB hot (moving onto memory that was cold every $GB_EX_DRIFT s), $GV_WARM MiB warm (read every 2.5 s), the rest cold, --fill half; in a cgroup v2 child of its own; an unmanaged copy at 20000 ops/s outside it; warm-up 3 s, the setting settles $GV_SETTLE_MIN..$GV_SETTLE s (until the RSS stops trending), then $GV_MEASURE s measured"
    } >"$genv"
    mkdir -p "$gbuild/bin" "$gbuild/lib"
    if ! guest_tree "$tree"; then echo "skipped=no tests/vm to boot the guest with" >>"$genv"; return 0; fi
    cp "$BIN/etmemd" "$BIN/etmem" "$BIN/etmem-exerciser" "$gbuild/bin/" &&
        cp -a "$BUILD"/lib/*.so* "$gbuild/lib/" 2>/dev/null
    mkdir -p "$tree/tests/bench-lib"
    cp "$ROOT/bench/lib/common.sh" "$ROOT/bench/lib/savings.sh" "$ROOT/bench/lib/guard_vm_guest.sh" "$tree/tests/bench-lib/"
    cat >"$tree/tests/vm/cases/bench-guard" <<CASE
#!/bin/sh
# bench-guard: the guard part's exerciser in the guest (made by bench/run; not a test case)
# vm-requires: memcg swap zram
# vm-timeout: $GV_TIMEOUT
export BENCH_LIB=\$ETMEM_SRC_DIR/tests/bench-lib GV_ROUNDS=$GV_ROUNDS GV_TOTAL=$GV_TOTAL GV_HOT=$GV_HOT
export GV_WARM=$GV_WARM GV_DRIFT=$GB_EX_DRIFT GV_REFAULT=$GB_REFAULT GV_SETTLE_MIN=$GV_SETTLE_MIN
export GV_SETTLE=$GV_SETTLE GV_MEASURE=$GV_MEASURE
exec bash "\$BENCH_LIB/guard_vm_guest.sh"
CASE
    chmod +x "$tree/tests/vm/cases/bench-guard"
    say "  guest (custom kernel, TCG): the exerciser, $GV_ROUNDS rounds of base etmem-guard psi"
    ETMEM_BUILD_DIR=$gbuild "$tree/tests/vm/run" --kernel custom -v bench-guard >"$log" 2>&1
    rc=$?
    echo "kernel=$(sed -n 's/^vm: custom: kernel=\([^ ]*\).*/\1/p' "$log" | head -1)" >>"$genv"
    sed -n 's/^ *| GBVM-INFO //p' "$log" | tr ' ' '\n' | sed -n 's/^backend=/backend=/p' | tail -1 >>"$genv"
    sed -n 's/^ *| GBVM round=//p' "$log" | sed 's/ [a-z0-9_]*=/,/g' >>"$csv"
    if [ "$rc" != 0 ] || [ "$(wc -l <"$csv")" -le 1 ]; then
        say "  guest run did not complete (rc $rc): $(grep -m1 -E 'SKIP|FAIL|cache|kernel' "$log")"
        echo "skipped=the guest run did not complete (rc $rc): $(grep -m1 -E 'SKIP|FAIL|no cached' "$log")" >>"$genv"
        tail -n 40 "$log" >&2
    fi
}

# guard_vm_report DIR: the guest table, when the guardvm part ran there.
guard_vm_report() {
    local csv=$1/$GUARD_VM_CSV_NAME genv=$1/$GUARD_VM_ENV_NAME t
    [ -f "$genv" ] || return 0
    vget() { sed -n "s/^$1=//p" "$genv" | tail -1; }
    echo "### In the qemu guest: the psi engine (TCG emulation: ratios only)"
    echo
    echo "This host's cgroup v2 has no memory controller, so the psi engine runs in the qemu guest of tests/vm (custom kernel $(vget kernel): cgroup v2 with the memory controller, PSI; what etmemd picks there, --probe: $(vget backend | sed 's/;/, /g')). Made by \`$(vget commands)\` on $(vget date), $(vget rounds) interleaved rounds. The exerciser: $(vget desc). Settings: \`base\` no offload; \`etmem-guard\` slide loop=1 interval=1 sleep=1 T=1 with guard_refault_pct=$(vget refault_target); \`psi\` the psi engine on the exerciser's cgroup with its default keys (pressure 0.1 %, reclaim_rate 0.05 creeping to 0.5) and interval=1. Under TCG everything runs many times slower than on hardware: only ratios against the baseline of the same guest run mean anything, and its PSI stalls are emulation's too. Median over rounds [range]; saved is percentage points beyond what the baseline lost."
    echo
    if [ -n "$(vget skipped)" ]; then echo "Not measured: $(vget skipped)."; echo; return 0; fi
    t=$(awk -v part=vm -f "$ROOT/bench/lib/guard_targets.awk" "$csv")
    printf '%s\n' "$t" | grep -v '^NOISE|'
    echo
    printf '%s\n' "$t" | sed -n 's/^NOISE|\(.*\)/What the noise allows: \1./p'
    echo
}
