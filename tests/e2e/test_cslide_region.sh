#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# cslide on a region project (scan_type=region) on a machine with a fast and a slow NUMA node
# (the qemu guest: node 0 = CPUs + memory, node 1 = memory only): the workload's cold part
# goes to node 1 and its hot part stays on node 0, both checked with move_pages queries
# (pagestat -n); no cycle moves more than node_mig_quota; when the workload swaps its hot and
# cold parts, the new hot part comes back to node 0; an unmanaged control stays put; every
# byte reads back intact; project show names the region source and the regions; a tracker
# that is no region source (idle_pages) and hugetlb memory are refused.
# Knobs: CSLIDE_HOT_MB (16), CSLIDE_COLD_MB (48), CSLIDE_QUOTA_MB (32), CSLIDE_SCAN_BACKEND
# (auto: the source the probe names; page_idle: region_page_idle; damon), CSLIDE_GUARD_RATE_MIB
# (unset; set: the feedback guard caps demotions at that many MiB per second of a cycle, and
# no cycle may demote more), CSLIDE_SLACK_CYCLES (3: cycles allowed beyond size/quota to
# get there).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/numa_lib.sh"

NODE=/sys/devices/system/node
[ -d $NODE/node0 ] && [ -d $NODE/node1 ] || skip "needs NUMA nodes 0 and 1 (this machine: $(ls -d $NODE/node* 2>/dev/null | wc -l) node(s))"
HOT=${CSLIDE_HOT_MB:-16} COLD=${CSLIDE_COLD_MB:-48} QUOTA=${CSLIDE_QUOTA_MB:-32}
BACKEND=${CSLIDE_SCAN_BACKEND:-auto} RATE=${CSLIDE_GUARD_RATE_MIB:-}
# A cycle is one aggregation; 2 s, so that a look (a move_pages query of the whole range,
# slow under TCG) ends before the next cycle's moves begin.
AGGR_S=2
SLACK=${CSLIDE_SLACK_CYCLES:-3}
GUARD=${RATE:+guard_rate_mib=$RATE}
case $BACKEND in
    auto) SOURCE=$("$ETMEMD" --probe | sed -n "s/.* region=\([a-z_]*\).*/\1/p") ;;
    page_idle) SOURCE=region_page_idle ;;
    *) SOURCE=$BACKEND ;;
esac
PS=$(getconf PAGESIZE 2>/dev/null || echo 4096)   # busybox has no getconf

daemon_start
S=$DSOCK
CS_PROJECT=csr

# region_conf NAME TASK_LINES: a region project csr with a cslide engine; prints its path.
region_conf() {
    conf "$1" <<CONF
[project]
name=csr
scan_type=region
sample_interval=200000
aggr_interval=$((AGGR_S * 1000000))
update_interval=$((AGGR_S * 1000000))
min_nr_regions=40
max_nr_regions=200
[engine]
name=cslide
project=csr
node_pair=0,1
hot_threshold=2
node_mig_quota=$QUOTA
node_hot_reserve=16
[task]
project=csr
engine=cslide
name=tgt
type=name
value=csr-tgt$E2E_TAG
anon_only=yes
$2
CONF
}

cfg=$(region_conf page_tracker "scan_backend=idle_pages")
expect 186 "a tracker that is no region source is refused in a region project" "$ETMEM" obj add -f "$cfg" -s "$S"
expect_err "page_tracker.yaml:23: [task] scan_backend: 'idle_pages' is not a region source" "... at its line, saying why"
cfg=$(region_conf hugetlb "vm_flags=ht")
expect 186 "hugetlb memory in a region project is refused" "$ETMEM" obj add -f "$cfg" -s "$S"
expect_err "does not tier hugetlb memory" "... saying why"

exerciser "csr-ctl$E2E_TAG" --total 16 --hot 0 --node 0
ctl_pid=$EX_PID ctl_all=$EX_COLD
exerciser "csr-tgt$E2E_TAG" --total $((HOT + COLD)) --hot "$HOT" --node 0
tgt_out=$EX_OUT HOT_R=$EX_HOT COLD_R=$EX_COLD
cfg=$(region_conf cslide_region "scan_backend=$BACKEND
$GUARD")
expect 0 "the cslide region project is added" "$ETMEM" obj add -f "$cfg" -s "$S"
expect 0 "... and started" "$ETMEM" project start -n csr -s "$S"

# A region unit does not know which of its memory is THP, and the kernel moves a huge page
# whole: a unit that starts inside one takes its head along (at most one per cut unit).
OVER_KB=2048
[ -n "$RATE" ] && [ $((RATE * AGGR_S)) -lt "$QUOTA" ] && QUOTA_SET=$QUOTA QUOTA=$((RATE * AGGR_S))
check_moves "the cold part" "$COLD_R" 1 "$COLD" "$SLACK" 60
QUOTA=${QUOTA_SET:-$QUOTA}
lowest "$HOT_R" 0 3 30
check "the hot part stays on node 0 over 3 cycles (at least $LOW%, want 95%)" [ "$LOW" -ge 95 ]
ctl0=$(pct "$ctl_pid" "$ctl_all" 0)
check "the unmanaged control stays on node 0 ($ctl0%)" [ "$ctl0" -ge 99 ]

expect 0 "project show reports the task" "$ETMEM" project show -n csr -s "$S"
echo "$OUT" | sed 's/^/#   /'
expect_out "$SOURCE+move_pages" "... on the $SOURCE region source with move_pages"
expect_out " regions; moved to slow" "... on regions"
[ -n "$RATE" ] && expect_out "guard: out " "... and the guard's line: demotion rate against its cap"

# --- the hot set moves: the new hot part comes to node 0 -------------------------------
kill -USR2 "$EX_PID"
wait_for 10 grep -q '^swapped ' "$tgt_out"
NEW_HOT=$(sed -n 's/^swapped hot=\([^ ]*\).*/\1/p' "$tgt_out" | tail -1)
echo "# hot set now $NEW_HOT (was $HOT_R)"
check_moves "the new hot part" "$NEW_HOT" 0 "$HOT" "$SLACK" 60
check "the old hot part goes to node 1 (95%)" follow "$HOT_R" 1 95 60
check "every page of the target reads back intact" verify_exerciser "$EX_PID" "$tgt_out"
expect 0 "the project stops" "$ETMEM" project stop -n csr -s "$S"
expect 0 "... and is deleted" "$ETMEM" obj del -f "$cfg" -s "$S"
finish
