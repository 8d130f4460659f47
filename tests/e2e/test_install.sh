#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# cmake --install: binaries (mode 500, as the original), example configs (600), the systemd
# unit, the scan library, public headers, the pkg-config file and the man pages, in a
# staging tree; both binaries print the project's version.
. "$(dirname "$0")/lib.sh"
command -v cmake >/dev/null || skip "cmake is not installed"
[ -f "$BUILD/CMakeCache.txt" ] || skip "not a CMake build tree: $BUILD"
stage="$E2E_TMP/stage"
expect 0 "cmake --install into a staging tree" env DESTDIR="$stage" cmake --install "$BUILD"
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
root="$stage$prefix"
mode() { stat -c %a "$1" 2>/dev/null; }
check "etmemd is installed with mode 500" [ "$(mode "$root/bin/etmemd")" = 500 ]
check "etmem is installed with mode 500" [ "$(mode "$root/bin/etmem")" = 500 ]
for f in slide cslide thirdparty; do
    c=$(find "$stage" -path "*/etc/etmem/${f}_conf.yaml")
    check "the $f example config is installed with mode 600" [ -n "$c" ] && [ "$(mode "$c")" = 600 ]
done
check "the systemd unit is installed" sh -c "find '$stage' -name etmemd.service | grep -q ."
check "libetmemd_scan.so is installed" sh -c "find '$root' -name 'libetmemd_scan.so*' | grep -q ."
check "the plug-in header is installed" [ -f "$root/include/etmem/etmemd_thirdparty_export.h" ]
check "the scan library header is installed" [ -f "$root/include/etmem/etmemd_scan_export.h" ]
check "the pkg-config file etmem is installed" sh -c "find '$root' -name etmem.pc | grep -q ."
for page in man8/etmem.8 man8/etmemd.8 man5/etmem.conf.5 man3/etmem-engine-abi.3; do
    check "the man page $page is installed" [ -s "$root/share/man/$page" ]
done
check "the bash completion is installed as etmem" \
    sh -c "find '$stage' -path '*/bash-completion/completions/etmem' | grep -q ."
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")
check "etmem --version prints the project's version ($version)" \
    [ "$("$root/bin/etmem" --version)" = "etmem $version" ]
check "etmemd --version prints the project's version ($version)" \
    [ "$("$root/bin/etmemd" --version)" = "etmemd $version" ]
check "nothing is installed outside the staging tree's prefix and etc" \
    sh -c "! find '$stage' -mindepth 1 -maxdepth 1 | grep -v -e '$stage/usr' -e '$stage/etc' -e '$stage/lib' | grep -q ."
finish
