#!/usr/bin/env bash
# SPDX-License-Identifier: MulanPSL-2.0
# fuzz/run.sh [SECONDS] [TARGET...] - build the libFuzzer harnesses with clang (ASan+UBSan)
# into build-fuzz/ and run each TARGET (default: all, as fuzz/targets.cmake lists them) for
# SECONDS (default 60) on its seed corpus fuzz/corpus/TARGET with the dictionary
# fuzz/dict/TARGET.dict.
# Exits non-zero when a target crashes, leaks, times out or fails one of its checks; the
# inputs that did it are kept under build-fuzz/artifacts/TARGET/ (never in the repository).
# New inputs go to build-fuzz/corpus/TARGET, so the checked-in seeds stay as they are.
# Environment: ETMEM_FUZZ_BUILD (build dir), ETMEM_FUZZ_JOBS (build jobs).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
read -r -a all_targets < <(sed -n 's/^set(FUZZ_TARGETS \(.*\))$/\1/p' "$root/fuzz/targets.cmake")
secs=${1:-60}
[[ $# -gt 0 ]] && shift
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")
build=${ETMEM_FUZZ_BUILD:-$root/build-fuzz}

die() { echo "fuzz/run.sh: $*" >&2; exit 2; }

[[ $secs =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive whole number, not '$secs'"
for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || die "unknown target '$t' (known: ${all_targets[*]})"
done
"$root/scripts/install-deps.sh" fuzz || die "clang and libFuzzer are missing (scripts/install-deps.sh fuzz)"

mkdir -p "$build/logs"
cmake -S "$root/fuzz" -B "$build" -DCMAKE_C_COMPILER=clang >"$build/logs/configure.log" 2>&1 ||
    { cat "$build/logs/configure.log"; die "configuring the fuzz build failed"; }
cmake --build "$build" -j "${ETMEM_FUZZ_JOBS:-$(nproc)}" \
    --target "${targets[@]/#/fuzz_}" >"$build/logs/build.log" 2>&1 ||
    { tail -40 "$build/logs/build.log"; die "building the harnesses failed (log: $build/logs/build.log)"; }

failed=()
summary=()
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    artifacts=$build/artifacts/$t
    log=$build/logs/$t.log
    stamp=$build/logs/$t.start
    mkdir -p "$corpus" "$artifacts"
    touch "$stamp"
    echo "== fuzz_$t for ${secs}s (corpus $corpus, seeds fuzz/corpus/$t)"
    rc=0
    # The first corpus dir receives new inputs; the seeds are only read.
    "$build/bin/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -dict="$root/fuzz/dict/$t.dict" \
        -artifact_prefix="$artifacts/" "$corpus" "$root/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    found=$(find "$artifacts" -type f -newer "$stamp" | wc -l)
    line="fuzz_$t: ${runs:-?} execs, ${rate:-?} exec/s, corpus $(find "$corpus" -type f | wc -l) files"
    if [[ $rc -ne 0 || $found -ne 0 ]]; then
        grep -E "^(SUMMARY|==[0-9]+==ERROR|fuzz_$t:)" "$log" | head -5 || true
        line="$line: FAILED (exit $rc); inputs in $artifacts, log $log"
        failed+=("$t")
    fi
    summary+=("$line")
done

echo
printf '%s\n' "${summary[@]}"
echo "$(( ${#targets[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed"
[[ ${#failed[@]} -eq 0 ]]
