# SPDX-License-Identifier: MulanPSL-2.0
# Shared definitions for tests/vm/run (sourced; bash).
# Paths, messages, the kernel cache layout and its keys, package installation.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$VM_DIR/../.." && pwd)
VM_CACHE=${ETMEM_VM_CACHE:-/var/cache/etmem-vm}

# The two guest kernels and what the bed expects each of them to provide (the feature
# names printed by `bed-selfcheck --features`). A case that skips although the kernel
# provides everything its "# vm-requires:" line names is an unexpected skip.
VM_KERNELS=(custom stock)
VM_EXPECT_custom="page_idle damon numa2 tiers swap zram thp softdirty memcg lru_gen userfaultfd unix"
VM_EXPECT_stock="damon numa2 tiers swap zram thp softdirty memcg lru_gen userfaultfd unix pidns"

# Where the kernels come from (Debian bookworm-backports, through a private apt config).
VM_SUITE=bookworm-backports
VM_SRC_PKG=linux-source-6.12

# Host packages: what a run needs, and what --prepare needs on top (kernel build).
VM_RUN_PKGS=(qemu-system-x86 busybox-static cpio util-linux numactl gcc libc6-dev)
VM_PREPARE_PKGS=(make flex bison bc libelf-dev libssl-dev xz-utils zstd binutils debian-archive-keyring)

say() { printf 'vm: %s\n' "$*"; }
warn() { printf 'vm: %s\n' "$*" >&2; }
is_strict() { [ "${ETMEM_VM_STRICT:-0}" = 1 ]; }

# Cache keys: a hash of everything that determines the kernel, so that editing the
# config or the build script selects (and --prepare builds) a new entry.
custom_key() {
    { cat "$VM_DIR/kernel/build-custom.sh" "$VM_DIR/kernel/custom.config"; echo "$VM_SUITE $VM_SRC_PKG"; } |
        sha256sum | cut -c1-12
}
stock_key() {
    { cat "$VM_DIR/kernel/fetch-stock.sh" "$VM_DIR/kernel/stock.modules"; echo "$VM_SUITE"; } |
        sha256sum | cut -c1-12
}
kernel_key() { "${1}_key"; }

# The newest complete cache entry for kernel $1 with the current key: <cache>/<kind>/<key>-<version>/
cached_kernel_dir() {
    local d
    d=$(ls -dt "$VM_CACHE/$1/$(kernel_key "$1")"-*/ 2>/dev/null | while read -r d; do
        [ -e "$d/ok" ] && { echo "${d%/}"; break; }
    done)
    [ -n "$d" ] && echo "$d"
}

# Install the Debian packages that are missing (only those: never upgrade what is there).
ensure_packages() {
    local p missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} = 0 ] && return 0
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || {
        warn "missing packages: ${missing[*]} (and cannot install them: not root or no apt-get)"
        return 1
    }
    say "installing ${missing[*]}"
    local apt=(apt-get install -y -q=2 --no-install-recommends "${missing[@]}")
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1 ||
        { apt-get update -q=2 >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null; } || {
        warn "apt-get install ${missing[*]} failed"
        return 1
    }
}
