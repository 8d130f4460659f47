# SPDX-License-Identifier: MulanPSL-2.0
# Building the guest's initramfs and booting it (sourced by tests/vm/run; bash).
#
# The initramfs is two concatenated gzip'd cpio archives: a common one (busybox, bash,
# setpriv, the guest init, bed-selfcheck, the etmem build and tests) built once per run,
# and a small per-kernel one (the plan, settings, modules).
#
# Guest layout:
#   /etmem               = the repository root (ETMEM_SRC_DIR): /etmem/tests, /etmem/conf
#   /etmem/build         = the build artefacts (ETMEM_BUILD_DIR), same relative paths as on the host
#   /etmem/vm/bin        = bed-selfcheck and other bed tools (ETMEM_VM_BIN)
#   /etmem/vm/plan       = the cases to run;  /etmem/vm/plan.env = settings for /init
#   /etmem/vm/aliases    = "host-path guest-path" symlinks made at boot (absolute build paths)

# copy_elf FILE DEST_IN_STAGE: copy a binary and, if dynamic, every library ldd resolves,
# to the same absolute paths in the stage.
declare -A staged_libs
copy_elf() {
    local src=$1 dst=$2 lib
    mkdir -p "$(dirname "$dst")"
    cp -P "$src" "$dst"
    [ -L "$src" ] && return 0
    [ "$(head -c 4 "$src" 2>/dev/null)" = $'\x7fELF' ] || return 0
    while read -r lib; do
        [ -n "$lib" ] && [ -z "${staged_libs[$lib]:-}" ] || continue
        staged_libs[$lib]=1
        mkdir -p "$stage$(dirname "$lib")"
        cp -L "$lib" "$stage$lib"
    done < <(ldd "$src" 2>/dev/null | awk '
        /not found/ { print "MISSING " $1 > "/dev/stderr"; next }
        $2 == "=>" && $3 ~ /^\// { print $3; next }
        $1 ~ /^\// { print $1 }')
}

# build_common_initramfs OUT WORK: everything that does not depend on the kernel.
build_common_initramfs() {
    local out=$1 stage=$2/stage f rel tool build=$ETMEM_BUILD_DIR
    rm -rf "$stage"
    mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,root,etc,usr/lib,etmem/vm/bin,etmem/build}
    ln -s bin "$stage/sbin"
    ln -s ../bin "$stage/usr/bin"
    ln -s ../bin "$stage/usr/sbin"
    for d in lib lib64; do # mirror a merged /usr, so ldd's paths land where the loader looks
        if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$stage/$d"; else mkdir -p "$stage/$d"; fi
    done
    mkdir -p "$stage/usr/lib64"

    if ldd /bin/busybox >/dev/null 2>&1; then # ldd fails on a static binary
        warn "/bin/busybox is dynamically linked: install busybox-static"
        return 1
    fi
    cp -L /bin/busybox "$stage/bin/busybox"
    copy_elf "$(readlink -f "$(command -v bash)")" "$stage/bin/bash"
    # /bin/sh is bash (as POSIX sh), not busybox ash: Debian's busybox-static ash prefers its
    # own applets over /bin files, which would shadow the real setpriv copied below.
    ln -s bash "$stage/bin/sh"
    # host tools for cases: util-linux setpriv (busybox's lacks --reuid) and unshare, numactl,
    # ldd (a script)
    for tool in setpriv numactl ldd unshare; do
        command -v "$tool" >/dev/null && copy_elf "$(readlink -f "$(command -v "$tool")")" "$stage/bin/$tool"
    done
    install -m 755 "$VM_DIR/guest/init" "$stage/init"

    cc -O2 -Wall -static -o "$stage/etmem/vm/bin/bed-selfcheck" "$VM_DIR/guest/bed-selfcheck.c" || return 1

    printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$stage/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$stage/etc/group"
    printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' >"$stage/etc/nsswitch.conf"
    echo etmem-vm >"$stage/etc/hostname"

    # the repository's tests/ and conf/ trees
    [ -d "$REPO_DIR/tests" ] && cp -a "$REPO_DIR/tests" "$stage/etmem/tests"
    [ -d "$REPO_DIR/conf" ] && cp -a "$REPO_DIR/conf" "$stage/etmem/conf"
    [ -d "$REPO_DIR/bench" ] && cp -a "$REPO_DIR/bench" "$stage/etmem/bench"   # guest benchmarks

    # the build: executables and shared objects under bin/ and lib/, test executables under
    # tests/, benchmark tools under bench/
    local n=0
    if [ -d "$build" ]; then
        while IFS= read -r -d '' f; do
            rel=${f#"$build"/}
            copy_elf "$f" "$stage/etmem/build/$rel"
            n=$((n + 1))
        done < <(
            for d in bin lib tests bench; do
                [ -d "$build/$d" ] || continue
                find "$build/$d" -name CMakeFiles -prune -o \( -type f -o -type l \) \
                    \( -perm -u+x -o -name '*.so' -o -name '*.so.*' \) -print0
            done
        )
    fi
    if [ "$n" = 0 ]; then
        say "initramfs: WARNING: no build artefacts in $build: cases that run etmem will fail (build first, or set ETMEM_BUILD_DIR)"
    else
        say "initramfs: $n build artefacts from $build"
    fi

    # absolute host paths baked into the build resolve in the guest as well
    {
        echo "$REPO_DIR /etmem"
        [ "$(realpath -m "$build")" = "$REPO_DIR/build" ] || echo "$(realpath -m "$build") /etmem/build"
    } >"$stage/etmem/vm/aliases"

    (cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$out"
}

# build_kernel_initramfs OUT WORK KERNEL KERNEL_DIR PLAN: per-kernel settings and modules.
build_kernel_initramfs() {
    local out=$1 stage=$2/stage-$3 kernel=$3 kdir=$4 plan=$5 expect
    rm -rf "$stage"
    mkdir -p "$stage/etmem/vm/modules"
    cp "$plan" "$stage/etmem/vm/plan"
    if [ -d "$kdir/modules" ]; then cp "$kdir"/modules/* "$stage/etmem/vm/modules/"; fi
    expect=VM_EXPECT_$kernel
    is_strict && expect=${!expect} || expect=
    cat >"$stage/etmem/vm/plan.env" <<EOF
VM_KERNEL=$kernel
VM_EXPECT="$expect"
VM_STRICT=${ETMEM_VM_STRICT:-0}
VM_SHELL=${VM_SHELL:-0}
VM_ZRAM_SIZE=${ETMEM_VM_ZRAM_SIZE:-1G}
VM_RETRY=${ETMEM_VM_RETRY:-1}
EOF
    (cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$out"
}

# boot_guest KERNEL_IMAGE INITRD RESULTS CONSOLE TIMEOUT: run qemu; returns qemu's status
# (124 on timeout). With VM_SHELL=1 the console is this terminal.
boot_guest() {
    local image=$1 initrd=$2 results=$3 console=$4 limit=$5 mem=${ETMEM_VM_NODE_MEM:-1G}
    local args=(
        -accel tcg -cpu qemu64 -smp 2 -m "$(($(size_mib "$mem") * 2))M"
        -machine pc,hmat=on
        -object "memory-backend-ram,id=m0,size=$mem" -object "memory-backend-ram,id=m1,size=$mem"
        # node 0: both CPUs and memory; node 1: memory only, a slower tier (ACPI HMAT)
        -numa node,nodeid=0,cpus=0-1,memdev=m0,initiator=0
        -numa node,nodeid=1,memdev=m1,initiator=0
        -numa hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-latency,latency=10
        -numa hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-bandwidth,bandwidth=10G
        -numa hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-latency,latency=100
        -numa hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-bandwidth,bandwidth=1G
        -kernel "$image" -initrd "$initrd"
        -append "console=ttyS0 panic=-1 loglevel=${ETMEM_VM_LOGLEVEL:-4} etmem_vm=1 ${ETMEM_VM_APPEND:-}"
        -nographic -no-reboot -nodefaults
    )
    if [ "${VM_SHELL:-0}" = 1 ]; then
        timeout --foreground -k 5 "$limit" qemu-system-x86_64 "${args[@]}" \
            -serial mon:stdio -serial "file:$results"
        return
    fi
    timeout --foreground -k 5 "$limit" qemu-system-x86_64 "${args[@]}" \
        -serial "file:$console" -serial "file:$results" </dev/null >"$console.qemu" 2>&1 &
    qemu_pid=$!
    wait "$qemu_pid"
    local rc=$?
    qemu_pid=
    return $rc
}

size_mib() {
    case $1 in
    *G) echo $((${1%G} * 1024)) ;;
    *M) echo "${1%M}" ;;
    *) echo "$1" ;;
    esac
}
