#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Fetch the "stock" guest kernel: Debian bookworm-backports linux-image-amd64, downloaded
# and unpacked (never installed on the host: that would pull in udev/systemd upgrades).
# Usage: APT_CONFIG=<private apt.conf> fetch-stock.sh <abi name, e.g. 6.12.95+deb12-amd64> <out dir>
# Leaves <out>/vmlinuz, <out>/config and <out>/modules/*.ko (decompressed, for busybox insmod)
# with <out>/modules/load-order (dependencies first). The .deb has no modules.dep and the
# host may have no kmod, so dependencies are read from each module's modinfo "depends=".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kv=$1
out=$(realpath -m "$2")
modules=$(sed -e 's/#.*//' "$here/stock.modules")

work=$(mktemp -d "${TMPDIR:-/tmp}/etmem-vm-stock.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q=2 "linux-image-$kv")
dpkg-deb -x "$work"/linux-image-"$kv"_*.deb "$work/root"
rm -f "$work"/linux-image-"$kv"_*.deb

mkdir -p "$out/modules"
cp "$work/root/boot/vmlinuz-$kv" "$out/vmlinuz"
cp "$work/root/boot/config-$kv" "$out/config"
moddir=$work/root/lib/modules/$kv
[ -d "$moddir" ] || moddir=$work/root/usr/lib/modules/$kv

declare -A seen
order=()
decompress() {
    case $1 in
    *.xz) xz -dc "$1" ;;
    *.zst) zstd -dc "$1" ;;
    *.gz) gzip -dc "$1" ;;
    *) cat "$1" ;;
    esac
}
add_module() {
    local m=$1 f d
    [ -z "${seen[$m]:-}" ] || return 0
    seen[$m]=1
    f=$(find "$moddir/kernel" \( -name "$m.ko*" -o -name "${m//_/-}.ko*" \) -print -quit)
    if [ -z "$f" ]; then
        # not a module: it must be built in, or the kernel lacks it
        if grep -qs "/${m//_/[-_]}.ko\$" "$moddir/modules.builtin"; then return 0; fi
        echo "fetch-stock: module $m is neither in $kv's modules nor built in" >&2
        return 1
    fi
    decompress "$f" >"$work/m.ko"
    for d in $(strings "$work/m.ko" | sed -n 's/^depends=//p' | tr , ' '); do
        add_module "$d"
    done
    decompress "$f" >"$out/modules/$m.ko"
    order+=("$m")
}
for m in $modules; do add_module "$m"; done
printf '%s\n' "${order[@]}" >"$out/modules/load-order"
echo "fetch-stock: $kv, modules: ${order[*]:-none}"
