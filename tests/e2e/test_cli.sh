#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The client's command line: help, usage errors, exit codes and the first words of its
# messages, as the original etmem had them (compat notes §2). No daemon needed.
. "$(dirname "$0")/lib.sh"

NOSOCK="etmem-e2e-nobody-listens-$$"

expect 0 "etmem help exits 0" "$ETMEM" help
expect_out "etmem OBJECT COMMAND" "etmem help prints usage"
expect_out "OBJECT  := { project | obj | engine | metrics }" "etmem help lists objects"
expect 234 "etmem with no arguments exits 234" "$ETMEM"
expect_err "Usage:" "etmem with no arguments prints usage"
expect 234 "etmem help x exits 234" "$ETMEM" help x
expect 234 "an unknown object exits 234" "$ETMEM" frob show
expect 234 "an object without a command exits 234" "$ETMEM" project
expect_err "etmem project start [options]" "... and prints that object's help"

for obj in obj project engine; do
    expect 0 "etmem $obj help exits 0" "$ETMEM" "$obj" help
    expect_out "Usage:" "etmem $obj help prints usage"
    expect_out "-s|--socket <socket_name>" "etmem $obj help lists -s"
done
expect_out "6. cslide engine eng_cmd: showtaskpages, showhostpages." "engine help keeps the original notes"

expect 255 "an unsupported project command exits 255" "$ETMEM" project other -s x
expect_err "project cmd other is not supported" "... and says so"
expect 255 "an unsupported obj command exits 255" "$ETMEM" obj other -s x
expect_err "obj cmd other is not supported" "... and says so"

expect 234 "project show without -s exits 234" "$ETMEM" project show
expect_err "socket name to connect must be given" "... with the original's first words"
expect_err_lines 1 "... in one line"
expect 234 "project start without -n exits 234" "$ETMEM" project start -s x
expect_err "project name must be given" "... with the original's first words"
expect 234 "obj add without -f exits 234" "$ETMEM" obj add -s x
expect_err "file name must be given" "... with the original's first words"
expect 234 "obj del without -s exits 234" "$ETMEM" obj del -f /etc/etmem/x.yaml
expect 255 "engine without -s exits 255" "$ETMEM" engine showhostpages -n p -e cslide
expect_err "socket name to connect must be given" "... and names -s first"
expect 255 "engine without -n exits 255" "$ETMEM" engine showhostpages -s x -e cslide
expect_err "project name must be given" "... then -n"
expect 255 "engine without -e exits 255" "$ETMEM" engine showhostpages -s x -n p
expect_err "engine name must be given" "... then -e"
expect 255 "engine without a command exits 255" "$ETMEM" engine -s x -n p -e cslide
expect_err "engine command must be given" "... and says the command is missing"

expect 234 "an invalid project option exits 234" "$ETMEM" project show -s x -q
expect_err "invalid option: -q" "... and names it"
expect 234 "an invalid engine option exits 234" "$ETMEM" engine cmd -s x -n p -e e -q
expect_err "invalid options: -q" "... with the original's plural"
expect 234 "an option without its value exits 234" "$ETMEM" project show -s
expect_err "option -s needs a value" "... and says which"
expect 234 "project start does not take --json" "$ETMEM" project start -n p -s x --json
expect 249 "extra words exit 249" "$ETMEM" project show -s x extra
expect_err "warn: etmem useless parameters passed in" "... with the original's warning"

long=$(printf 'a%.0s' $(seq 1 107))
expect 234 "a 107-character socket name exits 234 (the original client cannot reach it)" "$ETMEM" project show -s "$long"
expect_err "at most 106 characters" "... and gives the limit"

expect 111 "a socket nobody listens on exits 111 (ECONNREFUSED)" "$ETMEM" project show -s "$NOSOCK"
expect_err "etmem connect to server failed: Connection refused" "... with the original's first words"
expect_err_lines 1 "... in one line"
expect 111 "the long options work too" "$ETMEM" project show --name p --socket "$NOSOCK"
expect 111 "obj add --file --socket work" "$ETMEM" obj add --file /etc/etmem/x.yaml --socket "$NOSOCK"

expect 0 "etmem --help-markdown prints the CLI reference" "$ETMEM" --help-markdown
if diff -u "$SRC/docs/cli.md" "$E2E_TMP/.out" >/dev/null; then
    ok "docs/cli.md is generated from the command tables and current"
else
    not_ok "docs/cli.md differs from 'etmem --help-markdown' (regenerate it)"
fi
finish
