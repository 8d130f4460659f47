#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# cslide on this machine: node_pair checked against the real NUMA nodes at obj add (a missing
# node, or no NUMA tiers at all, is refused with file:line and nothing is added); the keys
# and the engine's commands as far as a machine without tiers can show them. The tiering
# itself runs in the qemu guest (tests/vm/cases/cslide-*, test_cslide_numa.sh), which has a
# fast and a slow node; on a machine that has them this script runs that test too.
. "$(dirname "$0")/lib.sh"
NODE=/sys/devices/system/node
nodes=$(ls -d $NODE/node[0-9]* 2>/dev/null | sed 's/.*node//' | sort -n | paste -sd, -)
missing=0
while [ -d $NODE/node$missing ]; do missing=$((missing + 1)); done
daemon_start
S=$DSOCK

cfg=$(conf cs_missing <<CONF
[project]
name=cs
loop=1
interval=1
sleep=1

[engine]
name=cslide
project=cs
node_pair=0,$missing
hot_threshold=1
node_mig_quota=64
node_hot_reserve=16

[task]
project=cs
engine=cslide
name=tgt
type=pid
value=$$
CONF
)
expect 186 "a node_pair naming node $missing (missing here) is refused" "$ETMEM" obj add -f "$cfg" -s "$S"
expect_err "cs_missing.yaml:10: [engine] node_pair: node $missing does not exist" "... at its file and line, naming the node"
if [ "$nodes" = 0 ]; then
    expect_err "this machine has no NUMA tiers (its only NUMA node is node 0)" "... saying the machine has no NUMA tiers"
else
    expect_err "(this machine's NUMA nodes: $nodes)" "... listing the machine's nodes"
fi
expect_err_lines 1 "... in one line"
expect 0 "nothing was added" "$ETMEM" project show -s "$S"
check "... (project show: no project exists)" [ "$OUT" = "no project exists" ]

cfg=$(conf cs_far <<'CONF'
[project]
name=cs
loop=1
interval=1
sleep=1
[engine]
name=cslide
project=cs
node_pair=7,1000
hot_threshold=1
node_mig_quota=64
node_hot_reserve=16
CONF
)
expect 186 "node numbers far off are refused the same way" "$ETMEM" obj add -f "$cfg" -s "$S"
expect_err "cs_far.yaml:9: [engine] node_pair: node 7 does not exist" "... naming the first missing node"

run "$ETMEMD" --help-config
expect_out "scan_backend" "... scan_backend among them"
run "$ETMEMD" --help-config=md
if [ "$OUT" = "$(cat "$SRC/docs/config-keys.md")" ]; then
    ok "docs/config-keys.md is what --help-config=md prints"
else
    not_ok "docs/config-keys.md is what --help-config=md prints (regenerate it)"
fi

# A machine with tiers runs the whole tiering test here as well.
if [ -d $NODE/node1 ] && [ -z "$(cat $NODE/node1/cpulist 2>/dev/null)" ]; then
    finish_rc=0
    bash "$(dirname "$0")/test_cslide_numa.sh" || finish_rc=$?
    [ "$finish_rc" = 0 ] || [ "$finish_rc" = 77 ] && ok "test_cslide_numa.sh" || not_ok "test_cslide_numa.sh (exit $finish_rc)"
else
    echo "# no CPU-less node 1 here: the tiering itself is tested in the qemu guest (tests/vm/cases/cslide-*)"
fi
finish
