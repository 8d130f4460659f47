# SPDX-License-Identifier: MulanPSL-2.0
# tests/vm/run --prepare (sourced; bash): install host packages and put both guest
# kernels into the cache. Slow the first time on a machine (kernel build: minutes),
# seconds afterwards. Needs the network (Debian mirrors) unless everything is cached.

# Private apt state under the cache: sees bookworm-backports without touching /etc/apt
# or the host's package state. Sets APT_CONFIG for the calling shell.
apt_private() {
    local d=$VM_CACHE/apt k=/usr/share/keyrings/debian-archive-keyring.gpg
    mkdir -p "$d"/{lists/partial,cache/archives/partial,etc/preferences.d,status}
    touch "$d/status/status"
    echo "deb [signed-by=$k] http://deb.debian.org/debian $VM_SUITE main" >"$d/etc/sources.list"
    cat >"$d/apt.conf" <<EOF
Dir::State "$d"; Dir::State::lists "$d/lists"; Dir::State::status "$d/status/status";
Dir::Cache "$d/cache"; Dir::Etc::sourcelist "$d/etc/sources.list"; Dir::Etc::sourceparts "/nonexistent";
Dir::Etc::preferencesparts "$d/etc/preferences.d"; APT::Sandbox::User "root";
EOF
    export APT_CONFIG=$d/apt.conf
    apt-get update -q=2 >"$d/update.log" 2>&1 || { cat "$d/update.log" >&2; return 1; }
}

# Keep the newest few entries of a kind (other checkouts may use other keys).
prune_cache() {
    ls -dt "$VM_CACHE/$1"/*/ 2>/dev/null | tail -n +4 | while read -r d; do
        say "$1: removing old cache entry $d"
        rm -rf "$d"
    done
}

# publish_entry FILLED_DIR ENTRY_DIR: mark complete and move into place atomically.
publish_entry() {
    date -u +%FT%TZ >"$1/ok"
    rm -rf "$2"
    mv "$1" "$2"
}

prepare_custom() {
    local ver dir t0 work tmp
    ver=$(apt-cache policy "$VM_SRC_PKG" 2>/dev/null | sed -n 's/^ *Candidate: //p')
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || { warn "custom: cannot resolve $VM_SRC_PKG in $VM_SUITE"; return 2; }
    dir=$VM_CACHE/custom/$(custom_key)-$ver
    if [ -e "$dir/ok" ]; then
        say "custom: cached $dir ($(cat "$dir/release"))"
        return 0
    fi
    say "custom: building the kernel from $VM_SRC_PKG $ver (a few minutes; log: $dir.log)"
    t0=$SECONDS
    work=$(mktemp -d "$VM_CACHE/work.XXXXXX")
    tmp=$work/entry
    mkdir -p "$tmp"
    chmod 755 "$work" "$tmp"
    if ! (
        set -e
        cd "$work"
        apt-get download -q=2 "$VM_SRC_PKG=$ver"
        dpkg-deb --fsys-tarfile "$VM_SRC_PKG"_*.deb | tar -xO "./usr/src/$VM_SRC_PKG.tar.xz" | tar -xJ
        rm -f "$VM_SRC_PKG"_*.deb
        "$VM_DIR/kernel/build-custom.sh" "$work/$VM_SRC_PKG" "$work/build"
        cp "$work/build/bzImage" "$work/build/.config" "$tmp/"
        mv "$tmp/.config" "$tmp/config"
        make -s -C "$work/$VM_SRC_PKG" O="$work/build" kernelrelease >"$tmp/release"
        echo "$VM_SRC_PKG $ver" >"$tmp/source"
    ) >"$dir.log" 2>&1; then
        tail -n 40 "$dir.log" >&2
        warn "custom: kernel build FAILED after $((SECONDS - t0))s (full log: $dir.log)"
        rm -rf "$work"
        return 1
    fi
    echo "build seconds: $((SECONDS - t0))" >>"$dir.log"
    mv "$dir.log" "$tmp/build.log"
    publish_entry "$tmp" "$dir"
    rm -rf "$work"
    say "custom: built $dir ($(cat "$dir/release")) in $((SECONDS - t0))s"
    prune_cache custom
}

prepare_stock() {
    local kv dir t0 tmp
    # Debian keeps only the newest ABI in a suite: resolve the name each time.
    kv=$(apt-cache show "linux-image-amd64" 2>/dev/null |
        sed -n 's/^Depends: linux-image-\([^ ,]*\).*/\1/p' | sort -V | tail -n 1)
    [ -n "$kv" ] || { warn "stock: cannot resolve linux-image-amd64 in $VM_SUITE"; return 2; }
    dir=$VM_CACHE/stock/$(stock_key)-$kv
    if [ -e "$dir/ok" ]; then
        say "stock: cached $dir ($kv)"
        return 0
    fi
    t0=$SECONDS
    tmp=$(mktemp -d "$VM_CACHE/work.XXXXXX")
    chmod 755 "$tmp"
    if ! "$VM_DIR/kernel/fetch-stock.sh" "$kv" "$tmp" >"$tmp.log" 2>&1; then
        cat "$tmp.log" >&2
        warn "stock: fetching linux-image-$kv FAILED"
        rm -rf "$tmp" "$tmp.log"
        return 1
    fi
    echo "$kv" >"$tmp/release"
    mv "$tmp.log" "$tmp/fetch.log"
    publish_entry "$tmp" "$dir"
    say "stock: fetched $dir in $((SECONDS - t0))s"
    prune_cache stock
}

# prepare KERNEL... ; returns 0, 1 (a kernel could not be built: always an error)
# or 2 (could not be obtained, e.g. no network).
prepare() {
    local k d rc=0 r
    ensure_packages "${VM_RUN_PKGS[@]}" "${VM_PREPARE_PKGS[@]}" || return 2
    mkdir -p "$VM_CACHE"
    exec 9>"$VM_CACHE/.lock"
    flock -w 3600 9 || { warn "cannot lock $VM_CACHE/.lock"; return 1; }
    if [ "${ETMEM_VM_REBUILD:-0}" = 1 ]; then
        for k in "$@"; do
            say "$k: --rebuild: dropping cached entries for key $(kernel_key "$k")"
            rm -rf "$VM_CACHE/$k/$(kernel_key "$k")"-*
        done
    fi
    mkdir -p "$VM_CACHE/custom" "$VM_CACHE/stock"
    if ! apt_private; then
        warn "cannot reach $VM_SUITE (no network?)"
        for k in "$@"; do
            if d=$(cached_kernel_dir "$k"); then say "$k: using cached $d"; else rc=2; fi
        done
        exec 9>&-
        return $rc
    fi
    for k in "$@"; do
        "prepare_$k" && continue
        r=$?
        if [ $r = 1 ] || [ $rc = 0 ]; then rc=$r; fi
    done
    exec 9>&-
    return $rc
}
