# SPDX-License-Identifier: MulanPSL-2.0
# bench/lib/scan.sh - scan and action cost, from the kernel layer's bench/scan/scan_bench
# (not duplicated here): on this host at SCAN_SIZES MiB, and inside the qemu guest of
# tests/vm (page_idle, DAMON, two NUMA nodes) at GUEST_MIB. Sourced by bench/run; writes
# $OUT_SCAN_CSV: where,mib,kind,name,ours,bare,ratio,unit,cpu_ns,note and keeps the raw
# outputs in $OUT_SCAN_TXT.

SCAN_CSV_HEADER="where,mib,kind,name,ours,bare,ratio,unit,cpu_ns,note"

# scan_parse WHERE MIB: scan_bench output on stdin -> CSV rows.
scan_parse() {
    awk -v where="$1" -v mib="$2" '
        /^bare loops:/ {
            if (match($0, /pagemap [0-9.]+ ns/)) { pm = substr($0, RSTART + 8, RLENGTH - 11) }
            printf "%s,%s,bare,pagemap,%s,%s,1,ns/page,,pagemap pread alone\n", where, mib, pm, pm
        }
        $1 ~ /^(idle_pages|page_idle|damon|fallback)$/ && $3 == "ns/page" {
            cpu = $5; sub(/\)/, "", cpu)
            printf "%s,%s,tracker,%s,%s,%s,%s,ns/page,%s,bare %s\n", where, mib, $1, $2, $7, $10, cpu,
                ($1 == "page_idle" ? "pagemap + per-PFN bitmap pwrite+pread" : $1 == "fallback" ? "clear_refs+smaps+pagemap" : \
                 $1 == "damon" ? "sysfs update_schemes_tried_regions + read the regions" : "pagemap")
        }
        $1 ~ /^(idle_pages|page_idle|damon|fallback)$/ && $2 == "unavailable:" {
            printf "%s,%s,tracker,%s,,,,,,unavailable\n", where, mib, $1
        }
        $1 == "reclaim" && $4 == "pages/s" {
            printf "%s,%s,action,reclaim %s,%s,%s,%s,pages/s,,bare process_madvise\n", where, mib, $2, $3, $7, $10
        }
        $1 == "reclaim" && $2 == "skipped:" { printf "%s,%s,action,reclaim,,,,,,skipped\n", where, mib }
        $1 == "migrate" && $4 == "pages/s" {
            note = $0; sub(/.*\(/, "", note); sub(/\).*/, "", note); gsub(/,/, ";", note)
            printf "%s,%s,action,migrate %s,%s,%s,%s,pages/s,,%s\n", where, mib, $2, $3, $7, $10, note
        }'
}

scan_host() {
    local mib free_mb
    free_mb=$(( $(meminfo_kb SwapFree) / 1024 ))
    for mib in $SCAN_SIZES; do
        # the action part pages the whole target out: it must fit the free swap with room
        if [ "$free_mb" -lt $((mib * 3 / 2)) ]; then
            say "  host ${mib} MiB: skipped, only $free_mb MiB of swap free"
            echo "host,$mib,note,,,,,,,skipped: only $free_mb MiB of swap free" >>"$OUT_SCAN_CSV"
            continue
        fi
        say "  host: scan_bench $mib MiB x $SCAN_REPEATS (tool on CPU $CPU_POLICY, target on CPU $CPU_WL)"
        echo "== host, $mib MiB" >>"$OUT_SCAN_TXT"
        # scan_bench forks its target: it inherits the CPU set, so allow both CPUs
        taskset -c "$CPU_POLICY,$CPU_WL" "$BIN_BENCH/scan_bench" "$mib" "$SCAN_REPEATS" \
            >"$RUN_TMP/scan-$mib.txt" 2>&1 || say "  scan_bench $mib MiB failed"
        cat "$RUN_TMP/scan-$mib.txt" >>"$OUT_SCAN_TXT"
        scan_parse host "$mib" <"$RUN_TMP/scan-$mib.txt" >>"$OUT_SCAN_CSV"
    done
}

# scan_guest: boots the custom guest kernel (page_idle + DAMON + a CPU-less node 1) through a
# private copy of tests/vm from HEAD with one extra case; needs its cached kernel
# (`tests/vm/run --prepare`), otherwise says why and skips.
# guest_tree TREE: a private copy of tests/vm under TREE/tests/vm, from HEAD (others may be
# editing the working tree), else the files as they are; a part adds its own case to it.
guest_tree() {
    mkdir -p "$1/tests" || return 1
    git -C "$ROOT" archive HEAD tests/vm 2>/dev/null | tar -x -C "$1" 2>/dev/null ||
        cp -a "$ROOT/tests/vm" "$1/tests/vm"
}

scan_guest() {
    local tree=$RUN_TMP/vmtree gbuild=$RUN_TMP/guestbuild log=$RUN_TMP/guest.log
    mkdir -p "$gbuild/bin"
    guest_tree "$tree" || {
        echo "guest,$GUEST_MIB,note,,,,,,,skipped: no tests/vm to boot the guest with" >>"$OUT_SCAN_CSV"
        return 0
    }
    cp "$BIN_BENCH/scan_bench" "$gbuild/bin/"
    cat >"$tree/tests/vm/cases/bench-scan" <<CASE
#!/bin/sh
# bench-scan: bench/scan/scan_bench in the guest (made by bench/run; not a test case)
# vm-requires: numa2 swap
# vm-timeout: 900
exec "\$ETMEM_BUILD_DIR/bin/scan_bench" $GUEST_MIB $SCAN_REPEATS
CASE
    chmod +x "$tree/tests/vm/cases/bench-scan"
    say "  guest (custom kernel, TCG): scan_bench $GUEST_MIB MiB x $SCAN_REPEATS"
    ETMEM_BUILD_DIR=$gbuild "$tree/tests/vm/run" --kernel custom -v bench-scan >"$log" 2>&1
    local rc=$?
    echo "== guest (custom kernel), $GUEST_MIB MiB" >>"$OUT_SCAN_TXT"
    sed -n 's/^ *| //p' "$log" >>"$OUT_SCAN_TXT"
    GUEST_KERNEL=$(sed -n 's/^vm: custom: kernel=\([^ ]*\).*/\1/p' "$log" | head -1)
    if [ "$rc" != 0 ] || ! grep -q '^ *| actions' "$log"; then
        say "  guest run did not complete (rc $rc): $(grep -m1 -E 'SKIP|FAIL|cache|kernel' "$log")"
        echo "guest,$GUEST_MIB,note,,,,,,,skipped: $(grep -m1 -E 'SKIP|FAIL|no cached' "$log" | tr ',' ';')" >>"$OUT_SCAN_CSV"
        return 0
    fi
    sed -n 's/^ *| //p' "$log" | scan_parse guest "$GUEST_MIB" >>"$OUT_SCAN_CSV"
}
