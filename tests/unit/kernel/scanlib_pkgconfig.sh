#!/bin/sh
# Install the build tree into a scratch DESTDIR, then build scanlib_user.c against the
# INSTALLED libetmemd_scan.so using only `pkg-config --cflags --libs etmem`, run it, and
# check the library exports exactly the six public symbols.
# usage: scanlib_pkgconfig.sh BUILD_DIR DIR_OF_THIS_SCRIPT
set -eu
build=$1
t=$2
dest=$(mktemp -d /tmp/etmem-install-XXXXXX)
trap 'rm -rf "$dest"' EXIT INT TERM

DESTDIR=$dest cmake --install "$build" >/dev/null
pcdir=$(find "$dest" -name etmem.pc -printf '%h\n' | head -n1)
[ -n "$pcdir" ] || { echo "etmem.pc not installed"; exit 1; }
# point the installed .pc at the scratch root (as a package's own prefix would be)
prefix=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=prefix etmem)
mkdir "$dest/pc"
sed "s|^prefix=.*|prefix=$dest$prefix|" "$pcdir/etmem.pc" >"$dest/pc/etmem.pc"
export PKG_CONFIG_PATH=$dest/pc
flags=$(pkg-config --cflags --libs etmem)
echo "pkg-config --cflags --libs etmem: $flags"
case "$flags" in *-letmemd_scan*) ;; *) echo "no -letmemd_scan"; exit 1 ;; esac
case "$flags" in *-I/usr/include/glib-2.0*) ;; *) echo "no glib cflags"; exit 1 ;; esac
[ -f "$(pkg-config --variable=includedir etmem)/etmemd_scan_export.h" ] ||
    { echo "etmemd_scan_export.h not installed"; exit 1; }

libdir=$(dirname "$(find "$dest" -name 'libetmemd_scan.so' | head -n1)")
# a sanitizer build's library needs its user built the same way
san=
if ldd "$libdir/libetmemd_scan.so" | grep -q libasan; then
    san="-fsanitize=address,undefined"
fi
cc -std=c11 -D_GNU_SOURCE -O1 $san -o "$dest/scanlib_user" "$t/scanlib_user.c" "$t/ktest_child.c" \
    "$t/ktest_swap.c" -I"$t" $flags
syms=$(nm -D --defined-only "$libdir/libetmemd_scan.so" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort | tr '\n' ' ')
echo "exported: $syms"
[ "$syms" = "etmemd_free_page_refs etmemd_free_vmas etmemd_get_page_refs etmemd_get_vmas etmemd_scan_exit etmemd_scan_init " ] ||
    { echo "unexpected exported symbols"; exit 1; }
LD_LIBRARY_PATH=$libdir "$dest/scanlib_user"
