#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# deb.sh - the Debian packages as a distribution builds them: dpkg-buildpackage -us -uc -b
# on a copy of the tracked tree (Debian's flags, no -Werror: the log must still hold no
# compiler warning), the packages unpacked into a temporary root, and there: the binaries
# run and print the package's version, the man pages render and lint clean, the completion
# loads, every file the README promises is in its package (configs as conffiles), the unit
# verifies, the pkg-config file works; lintian reports no error (its warnings are printed).
# Last line: "deb: N passed, N failed". Needs the `deb` group of scripts/install-deps.sh.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/etmem-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $*"; fail=$((fail + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
finish() { echo "deb: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

# A clean copy: what is tracked (with the work tree's changes), nothing of any build.
mkdir "$work/etmem"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 cp --parents -t "$work/etmem" 2>/dev/null)
else
    (cd "$src" && tar --exclude='./build*' --exclude='./obj-*' -cf - .) | tar -xf - -C "$work/etmem"
fi
if (cd "$work/etmem" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b builds the packages"
else
    not_ok "dpkg-buildpackage -us -uc -b failed:"
    tail -30 "$work/build.log"
    finish
fi
warnings=$(grep -E "(warning|error): " "$work/build.log" | grep -v "^dpkg-\|^dh_\|lintian" | head -5)
check "the build with Debian's flags has no compiler warning${warnings:+: $warnings}" [ -z "$warnings" ]

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
root=$work/root
declare -A deb
for p in etmem libetmemd-scan1 etmem-dev; do
    deb[$p]=$(ls "$work"/${p}_"$version"_*.deb 2>/dev/null | head -1)
    if [ -n "${deb[$p]}" ]; then
        mkdir -p "$root/$p"
        dpkg-deb -x "${deb[$p]}" "$root/$p"
        ok "package $p $version is built"
    else
        not_ok "package $p $version is missing"
        finish
    fi
done

# The README's promises: file (a glob) -> package.
promised=(
    "etmem usr/bin/etmem" "etmem usr/bin/etmemd" "etmem lib/systemd/system/etmemd.service"
    "etmem etc/etmem/slide_conf.yaml" "etmem etc/etmem/cslide_conf.yaml"
    "etmem etc/etmem/thirdparty_conf.yaml" "etmem usr/share/man/man8/etmem.8.gz"
    "etmem usr/share/man/man8/etmemd.8.gz" "etmem usr/share/man/man5/etmem.conf.5.gz"
    "etmem usr/share/bash-completion/completions/etmem" "etmem usr/share/doc/etmem/copyright"
    "libetmemd-scan1 usr/lib/*/libetmemd_scan.so.1"
    "etmem-dev usr/lib/*/libetmemd_scan.so" "etmem-dev usr/lib/*/pkgconfig/etmem.pc"
    "etmem-dev usr/include/etmem/etmemd_thirdparty_export.h"
    "etmem-dev usr/include/etmem/etmemd_scan_export.h"
    "etmem-dev usr/share/man/man3/etmem-engine-abi.3.gz"
)
for entry in "${promised[@]}"; do
    p=${entry%% *} f=${entry#* }
    check "$p has $f" sh -c "ls -d $root/$p/$f >/dev/null 2>&1"
done
conffiles=$(dpkg-deb --ctrl-tarfile "${deb[etmem]}" | tar -xOf - ./conffiles 2>/dev/null)
for c in slide cslide thirdparty; do
    check "/etc/etmem/${c}_conf.yaml is a conffile" grep -qx "/etc/etmem/${c}_conf.yaml" <<<"$conffiles"
done
check "the example configs keep mode 600 (etmemd reads no other)" \
    [ "$(stat -c %a "$root/etmem/etc/etmem/slide_conf.yaml")" = 600 ]

bin=$root/etmem/usr/bin
check "etmem --version prints the package's version ($version)" \
    [ "$("$bin/etmem" --version 2>&1)" = "etmem $version" ]
check "etmemd --version prints the package's version" \
    [ "$("$bin/etmemd" --version 2>&1)" = "etmemd $version" ]
check "etmemd --probe runs" sh -c "'$bin/etmemd' --probe >/dev/null"
check "etmemd --probe=json runs" sh -c "'$bin/etmemd' --probe=json | grep -q '{'"

for page in "$root"/*/usr/share/man/man*/*.gz; do
    name=${page##*/}
    lint=$(zcat "$page" | mandoc -T lint 2>&1)
    check "$name is clean under mandoc -T lint${lint:+: $lint}" [ -z "$lint" ]
    warn=$(MANWIDTH=80 man -l --warnings=all "$page" 2>&1 >/dev/null)
    check "$name renders with man -l${warn:+: $warn}" \
        sh -c "[ -z '$warn' ] && MANWIDTH=80 man -l '$page' 2>/dev/null | grep -q 'SEE ALSO'"
done

comp=$root/etmem/usr/share/bash-completion/completions/etmem
check "the completion loads and completes etmem's objects" bash --norc --noprofile -c "
    . '$comp' && complete -p etmem | grep -q _etmem || exit 1
    COMP_WORDS=(etmem pro); COMP_CWORD=1; _etmem; [ \"\${COMPREPLY[*]}\" = project ]"

pcdir=$(ls -d "$root"/etmem-dev/usr/lib/*/pkgconfig)
check "pkg-config finds etmem $version in the unpacked -dev package" \
    [ "$(PKG_CONFIG_PATH=$pcdir pkg-config --modversion etmem 2>&1)" = "$version" ]

if command -v systemd-analyze >/dev/null; then
    sed "s|/usr/bin/etmemd|$bin/etmemd|" "$root/etmem/lib/systemd/system/etmemd.service" \
        >"$work/etmemd.service"
    check "the packaged unit passes systemd-analyze verify" \
        systemd-analyze verify --man=no "$work/etmemd.service"
fi

lintian --no-tag-display-limit "$work"/etmem_"$version"_*.changes >"$work/lintian.log" 2>&1
errors=$(grep -c '^E:' "$work/lintian.log")
grep -E '^[EW]:' "$work/lintian.log" | sed 's/^/    lintian: /'
check "lintian reports no error ($errors)" [ "$errors" = 0 ]
finish
