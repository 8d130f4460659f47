#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# gen-docs.sh [BUILD_DIR] - refresh every committed file generated from the code's tables:
# docs/cli.md, docs/config-keys.md, the man pages (etmem.8, etmemd.8, etmem.conf.5) and the
# bash completion.
# Run after changing a command, an option or a config key; tests fail while these drift.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake --build "$build" -j2 --target etmem etmemd man_pages bash_completion >/dev/null
"$build/bin/etmem" --help-markdown >docs/cli.md
"$build/bin/etmemd" --help-config=md >docs/config-keys.md
cp "$build/man/etmem.8" "$build/man/etmemd.8" "$build/man/etmem.conf.5" man/
cp "$build/completion/etmem.bash" completion/
git status --short docs man completion
