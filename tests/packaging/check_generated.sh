#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# check_generated.sh - the committed man pages and bash completion are what the binaries
# print (no drift); every man page is clean under `mandoc -T lint` and renders with `man -l` without
# a groff warning, and the hand-written etmem-engine-abi(3) names every public header,
# every exported scan library symbol and every struct engine_ops member; the Debian
# changelog carries the project's version.
set -uo pipefail
src=${ETMEM_SRC_DIR:?} build=${ETMEM_BUILD_DIR:?}
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $*"; fail=$((fail + 1)); }

for tool in mandoc man; do
    command -v $tool >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps.sh test)"; exit 77; }
done

for page in man/etmem.8 man/etmemd.8 man/etmem.conf.5 completion/etmem.bash; do
    if cmp -s "$src/$page" "$build/$page"; then
        ok "$page is what the binaries print"
    else
        not_ok "$page differs from what the binaries print (run scripts/gen-docs.sh):"
        diff "$src/$page" "$build/$page" | head -20
    fi
done

pages=("$build/man/etmem.8" "$build/man/etmemd.8" "$build/man/etmem.conf.5"
       "$src/man/etmem-engine-abi.3")
for page in "${pages[@]}"; do
    name=${page##*/}
    lint=$(mandoc -T lint "$page" 2>&1)
    if [ -z "$lint" ]; then ok "$name is clean under mandoc -T lint"
    else not_ok "mandoc -T lint $name:"; echo "$lint"; fi
    warnings=$(MANWIDTH=80 man -l --warnings=all "$page" 2>&1 >/dev/null)
    text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
    if [ -z "$warnings" ] && [ "$(printf '%s\n' "$text" | wc -l)" -gt 20 ]; then
        ok "$name renders with man -l"
    else
        not_ok "man -l $name: ${warnings:-too short}"
    fi
done

# The hand-written page carries the version and date the generated ones do.
th_of() { sed -n 's/^\.TH [^ ]* [0-9] \(.*\)$/\1/p' "$1"; }
if [ "$(th_of "$src/man/etmem-engine-abi.3")" = "$(th_of "$build/man/etmemd.8")" ]; then
    ok "etmem-engine-abi.3 has the release's date and version"
else
    not_ok "etmem-engine-abi.3 .TH says '$(th_of "$src/man/etmem-engine-abi.3")', the release is '$(th_of "$build/man/etmemd.8")'"
fi

abi="$src/man/etmem-engine-abi.3"
names=()
for h in "$src"/include/etmem/*.h; do names+=("${h##*/}"); done
names+=($(sed -n 's/^ *\(etmemd_[a-z_]*\);$/\1/p' "$src/src/scan/etmemd_scan.version"))
names+=($(sed -n '/^struct engine_ops {/,/^};/s/.*(\*\([a-z_]*\)).*/\1/p' \
          "$src/include/etmem/etmemd_engine_exp.h"))
missing=()
for n in "${names[@]}"; do
    grep -q -- "$(printf '%s' "$n" | sed 's/[.]/\\./g; s/-/\\\\-/g')" "$abi" || missing+=("$n")
done
if [ ${#names[@]} -gt 20 ] && [ ${#missing[@]} = 0 ]; then
    ok "etmem-engine-abi.3 names all ${#names[@]} headers, symbols and engine_ops members"
else
    not_ok "etmem-engine-abi.3 does not name: ${missing[*]} (of ${#names[@]})"
fi

# One version: CMake's project() is the source; the Debian changelog must say the same.
version=$("$build/bin/etmem" --version | sed 's/^etmem //')
changelog=$(sed -n '1s/^etmem (\([^)]*\)).*/\1/p' "$src/debian/changelog")
if [ "$changelog" = "$version" ]; then
    ok "debian/changelog's version is the project's ($version)"
else
    not_ok "debian/changelog says '$changelog', CMakeLists.txt's project() says '$version'"
fi

echo "generated: $pass passed, $fail failed"
[ "$fail" = 0 ]
