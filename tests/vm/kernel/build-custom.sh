#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Build the "custom" guest kernel: tinyconfig + tests/vm/kernel/custom.config, all built in.
# Usage: build-custom.sh <linux source dir> <build dir>
# Leaves <build dir>/bzImage and <build dir>/.config. Fails if any option requested in
# custom.config does not end up as requested (e.g. an unmet dependency silently dropped it:
# without X86_64_ACPI_NUMA qemu's -numa is ignored and the guest has one node).
# Needs gcc make flex bison bc libelf-dev libssl-dev. Parallelism: $JOBS (default nproc).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
frag=$here/custom.config
src=$(realpath "$1")
out=$(realpath -m "$2")
mkdir -p "$out"
cd "$src"

make -s O="$out" tinyconfig >/dev/null

# Translate the fragment into scripts/config arguments.
args=()
while IFS= read -r line; do
    case $line in
    CONFIG_*=y) args+=(--enable "${line%%=*}") ;;
    CONFIG_*=\"*) v=${line#*=}; v=${v#\"}; args+=(--set-str "${line%%=*}" "${v%\"}") ;;
    CONFIG_*=*) args+=(--set-val "${line%%=*}" "${line#*=}") ;;
    "# CONFIG_"*" is not set") n=${line#\# }; args+=(--disable "${n%% *}") ;;
    esac
done <"$frag"

# Some options only become visible once their parents are on: apply twice.
for _ in 1 2; do
    scripts/config --file "$out/.config" "${args[@]}"
    make -s O="$out" olddefconfig >/dev/null
done

bad=0
while IFS= read -r line; do
    case $line in
    CONFIG_*=*)
        grep -qxF -- "$line" "$out/.config" || {
            echo "build-custom: requested $line, got: $(grep -E "^(# )?${line%%=*}[= ]" "$out/.config" || echo 'absent (dependency not met?)')" >&2
            bad=1
        } ;;
    "# CONFIG_"*" is not set")
        n=${line#\# }; n=${n%% *}
        if grep -q "^$n=" "$out/.config"; then
            echo "build-custom: requested $n off, got: $(grep "^$n=" "$out/.config")" >&2
            bad=1
        fi ;;
    esac
done <"$frag"
[ "$bad" = 0 ] || { echo "build-custom: kernel config does not match custom.config" >&2; exit 1; }

make -s O="$out" -j"${JOBS:-$(nproc)}" bzImage
cp "$out/arch/x86/boot/bzImage" "$out/bzImage"
echo "build-custom: built $out/bzImage ($(make -s O="$out" kernelrelease))"
