#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# check_spdx.sh SRC_DIR - every tracked source, script and build file carries the SPDX line
# in its first three lines (after a shebang or a man page's first comment). Data (fuzz
# corpora, /proc fixtures, recorded results) and prose (*.md, LICENSE) are exempt.
set -uo pipefail
src=${1:?usage: check_spdx.sh SRC_DIR}
cd "$src" || exit 1
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "SKIP: $src is not a git checkout (the check reads the tracked files)"
    exit 77
fi

# needs_spdx FILE: is FILE code, a script or build input (as opposed to data or prose)?
needs_spdx() {
    case $1 in
    fuzz/corpus/*|tests/fixtures/*|bench/results/*) return 1 ;;
    debian/changelog|debian/copyright|debian/source/format) return 1 ;;
    */CMakeLists.txt|CMakeLists.txt|*/Makefile|Makefile|debian/*) return 0 ;;
    *.c|*.h|*.sh|*.cmake|*.awk|*.gp|*.in|*.version|*.config|*.modules|*.yaml|*.yml) return 0 ;;
    *.service|*.py|*.[1-8]|*.bash) return 0 ;;
    esac
    head -c 2 "$1" | grep -q '^#!'          # any other script
}

checked=0 missing=0
while IFS= read -r f; do
    [ -f "$f" ] || continue                  # deleted in the work tree, not yet committed
    needs_spdx "$f" || continue
    checked=$((checked + 1))
    if ! head -3 "$f" | grep -q 'SPDX-License-Identifier: MulanPSL-2.0'; then
        echo "missing SPDX line (SPDX-License-Identifier: MulanPSL-2.0) in the first lines: $f"
        missing=$((missing + 1))
    fi
done < <(git ls-files)

echo "spdx: $checked files checked, $missing without the SPDX line"
[ "$checked" -gt 0 ] && [ "$missing" = 0 ]
