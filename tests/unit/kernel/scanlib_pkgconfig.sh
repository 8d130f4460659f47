#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# Install the build tree into a scratch DESTDIR, then build scanlib_user.c against the
# INSTALLED libetmemd_scan.so using only `pkg-config --cflags --libs etmem` with the
# installed etmem.pc as it is (it is relocatable: its prefix follows its own directory),
# run it, move the installed tree elsewhere and check pkg-config follows, and check the
# library exports exactly the six public symbols.
# usage: scanlib_pkgconfig.sh BUILD_DIR DIR_OF_THIS_SCRIPT
set -eu
build=$1
t=$2
dest=$(mktemp -d /tmp/etmem-install-XXXXXX)
trap 'rm -rf "$dest"' EXIT INT TERM

DESTDIR=$dest/a cmake --install "$build" >/dev/null
pcdir=$(find "$dest/a" -name etmem.pc -printf '%h\n' | head -n1)
[ -n "$pcdir" ] || { echo "etmem.pc not installed"; exit 1; }
export PKG_CONFIG_PATH=$pcdir
flags=$(pkg-config --cflags --libs etmem)
echo "pkg-config --cflags --libs etmem: $flags"
case "$flags" in *-letmemd_scan*) ;; *) echo "no -letmemd_scan"; exit 1 ;; esac
case "$flags" in *-I/usr/include/glib-2.0*) ;; *) echo "no glib cflags"; exit 1 ;; esac
case "$flags" in *-lglib-2.0*) ;; *) echo "glib is not in Requires (plug-in headers include glib.h)"; exit 1 ;; esac
inc=$(pkg-config --variable=includedir etmem)
case "$(realpath "$inc")" in "$dest"/a/*) ;; *) echo "includedir $inc is outside the install"; exit 1 ;; esac
[ -f "$inc/etmemd_scan_export.h" ] || { echo "etmemd_scan_export.h not installed"; exit 1; }

libdir=$(dirname "$(find "$dest/a" -name 'libetmemd_scan.so' | head -n1)")
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

# relocated: the same tree under another root still resolves to itself
mv "$dest/a" "$dest/b"
export PKG_CONFIG_PATH=$dest/b${pcdir#"$dest/a"}
inc=$(pkg-config --variable=includedir etmem)
case "$(realpath "$inc")" in "$dest"/b/*) ;; *) echo "moved: includedir $inc does not follow"; exit 1 ;; esac
[ -f "$inc/etmemd_scan_export.h" ] || { echo "moved: no header at $inc"; exit 1; }
lib=$(pkg-config --variable=libdir etmem)
[ -e "$lib/libetmemd_scan.so" ] || { echo "moved: no library at $lib"; exit 1; }
echo "relocated tree: includedir $inc"
