#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# agreement.sh - the user-space region monitor over page_idle against the kernel's DAMON on
# the exerciser (HOT MiB read all the time, COLD MiB never touched), in one run: both
# region sources watch the same process with the same attributes, one after the other
# (region_agreement), and print the share of the bytes both call hot or both call cold,
# each one's hits against the truth and its CPU per aggregation (etmemd's part, and the
# kdamond's). Runs INSIDE the qemu test guest only (it creates a kdamond):
# tests/vm/cases/region-agreement. Prints a RESULT line; exit 0, or 77 when the kernel
# lacks page_idle or DAMON vaddr.
# Env: RAG_HOT (16) RAG_COLD (64) MiB; RAG_SAMPLE_US (200000) RAG_AGGR_US (2000000)
# RAG_WARMUP (4) RAG_ROUNDS (4) aggregations.
set -u
B=${ETMEM_BUILD_DIR:?}
[ "${ETMEM_IN_VM:-0}" = 1 ] && grep -qw etmem_vm=1 /proc/cmdline ||
    { echo "skip: agreement.sh creates a kdamond: only inside the test VM"; exit 77; }
HOT=${RAG_HOT:-16} COLD=${RAG_COLD:-64}
TMP=$(mktemp -d /tmp/rag.XXXXXX)
EX_PID=""
cleanup() {
    [ -n "$EX_PID" ] && kill -TERM "$EX_PID" 2>/dev/null && wait "$EX_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

"$B/bin/etmem-exerciser" --name rag --total $(( HOT + COLD )) --hot "$HOT" >"$TMP/ex.out" 2>&1 &
EX_PID=$!
for _ in $(seq 1 300); do
    grep -q '^ready ' "$TMP/ex.out" && break
    sleep 0.1
done
hot=$(sed -n 's/^ready .* hot=\([^ ]*\).*/\1/p' "$TMP/ex.out")
cold=$(sed -n 's/^ready .* cold=\([^ ]*\).*/\1/p' "$TMP/ex.out")
[ -n "$cold" ] || { cat "$TMP/ex.out"; echo "the exerciser did not start"; exit 1; }
"$B/bench/region_agreement" "$EX_PID" "$hot" "$cold" \
    --sample-us "${RAG_SAMPLE_US:-200000}" --aggr-us "${RAG_AGGR_US:-2000000}" \
    --warmup "${RAG_WARMUP:-4}" --rounds "${RAG_ROUNDS:-4}" | tee "$TMP/out"
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || exit "$rc"
echo "RESULT region agreement $(sed -n 's/^agreement \([0-9.]*\)%.*/\1/p' "$TMP/out")% (hot $HOT MiB, cold $COLD MiB)"
