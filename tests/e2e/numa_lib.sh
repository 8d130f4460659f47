# SPDX-License-Identifier: MulanPSL-2.0
# numa_lib.sh - what the cslide tests on a machine with NUMA nodes share (sourced after
# lib.sh): where a process's pages are, asked from the kernel with move_pages queries
# (pagestat -n), never from etmem's counters, and waiting cycle by cycle until a range of
# the exerciser ($EX_PID) reaches a node. CS_PROJECT names the project whose cycles count
# (default cs); the daemon's socket is $DSOCK.

# cycles: the project's completed cycles.
cycles() { "$ETMEM" project show -n "${CS_PROJECT:-cs}" -s "$DSOCK" --json | sed -n 's/.*"cycles":\([0-9]*\).*/\1/p'; }
# pct PID RANGE NODE: the share (%) of the range's pages on that node.
pct() { echo $(( 100 * $(pages_on "$1" "$2" "$3") / $("$BUILD/tests/tools/pagestat" "$1" "$2" | sed -n 's/^pages=\([0-9]*\).*/\1/p') )); }

# follow RANGE NODE TARGET_PCT TIMEOUT: poll each cycle until TARGET_PCT of RANGE is on
# NODE. Sets TOOK (cycles) and BURST (largest increase per cycle, pages: no cycle may move
# more than the quota; when a look spans several cycles, their average).
follow() {
    local range=$1 node=$2 want=$3 deadline=$(( $(date +%s) + $4 )) c0 c last n prev k
    c0=$(cycles) last=$c0 prev=$(pages_on "$EX_PID" "$range" "$node") BURST=0 TOOK=-1
    while [ "$(date +%s)" -lt "$deadline" ]; do
        c=$(cycles)
        if [ "${c:-0}" != "$last" ]; then
            n=$(pages_on "$EX_PID" "$range" "$node") k=$((c - last))
            [ $(( (n - prev + k - 1) / k )) -gt "$BURST" ] && BURST=$(( (n - prev + k - 1) / k ))
            [ "$k" -gt 1 ] && echo "# (sampled $k cycles at once at cycle $c)"
            prev=$n last=$c
            if [ "$(pct "$EX_PID" "$range" "$node")" -ge "$want" ]; then
                TOOK=$((c - c0))
                return 0
            fi
        fi
        sleep 0.2
    done
    return 1
}

# lowest RANGE NODE CYCLES TIMEOUT: the lowest share (%) of RANGE on NODE seen at the end
# of each of the next CYCLES cycles, in LOW. One look per cycle: a pagestat query of a large
# range is heavy in the TCG guest, and polling it starves the workload.
lowest() {
    local c c0 last deadline=$(( $(date +%s) + $4 )) p
    LOW=100 c0=$(cycles) last=$c0
    while c=$(cycles); [ "$(( ${c:-0} - c0 ))" -lt "$3" ] && [ "$(date +%s)" -lt "$deadline" ]; do
        if [ "${c:-0}" != "$last" ]; then
            p=$(pct "$EX_PID" "$1" "$2")
            [ "$p" -lt "$LOW" ] && LOW=$p
            last=$c
        fi
        sleep 0.3
    done
}

# check_moves WHAT RANGE NODE MB SLACK TIMEOUT: check that 95% of RANGE (WHAT, MB MiB) gets
# to NODE within MB/quota + SLACK cycles, no cycle moving more than node_mig_quota ($QUOTA
# MiB, pages of $PS bytes) and $OVER_KB (0) more.
check_moves() {
    local bound=$(( ($4 + QUOTA - 1) / QUOTA + $5 )) over=${OVER_KB:-0}
    check "at least 95% of $1 gets to node $3" follow "$2" "$3" 95 "$6"
    check "... within $bound cycles (took $TOOK)" test "$TOOK" -ge 0 -a "$TOOK" -le "$bound"
    check "... no cycle moved more than node_mig_quota$([ "$over" = 0 ] || echo " + $over KiB") ($((BURST * PS >> 10)) KiB <= $((QUOTA << 10)) KiB)" \
        [ "$BURST" -le $(( (QUOTA * 1048576 + over * 1024) / PS )) ]
}
