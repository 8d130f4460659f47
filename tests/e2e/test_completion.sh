#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Bash completion (completion/etmem.bash, generated from the client's tables), driven the
# way bash drives it: COMP_WORDS/COMP_CWORD set, _etmem called, COMPREPLY read, in a
# non-interactive bash. Project, engine and task names come from a running daemon; a
# socket nobody answers on gives nothing, quietly and quickly.
. "$(dirname "$0")/lib.sh"
script="$BUILD/completion/etmem.bash"
[ -f "$script" ] || skip "not built: $script"
command -v timeout >/dev/null || skip "timeout (coreutils) is missing"

# complete_line LINE: what completing the last word of LINE offers (one per line, sorted);
# a LINE ending in a blank completes an empty word.
complete_line() {
    PATH="$BUILD/bin:$PATH" bash --norc --noprofile -c '
        . "$1" || exit 1
        read -r -a COMP_WORDS <<<"$2"
        case $2 in *" ") COMP_WORDS+=("") ;; esac
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$2 COMP_POINT=${#2}
        _etmem
        printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$script" "$1" 2>&1
}
# offers DESC LINE WORD...: completing LINE offers exactly these words
offers() {
    local desc=$1 line=$2 got want
    shift 2
    got=$(complete_line "$line")
    want=$(printf '%s\n' "$@" | sort)
    if [ "$got" = "$want" ]; then ok "$desc"
    else not_ok "$desc: '$line' offers [$(echo $got)], wanted [$(echo $want)]"; fi
}

check "the script is valid bash" bash -n "$script"
check "complete registers _etmem for etmem" sh -c \
    "bash --norc -c '. \"$script\"; complete -p etmem' | grep -q -- '-F _etmem etmem'"
offers "objects first" "etmem " engine help metrics obj project --version
offers "an object by its prefix" "etmem pro" project
offers "project's commands" "etmem project " help show start stop
offers "obj's commands" "etmem obj " add del help update
offers "options of project show, with --json" "etmem project show -" \
    --json --name --socket -j -n -s
offers "options of obj add (no --json)" "etmem obj add --" --file --socket
offers "options of engine commands" "etmem engine showtaskpages --" \
    --engine --json --proj_name --socket --task_name
offers "metrics takes its options at once" "etmem metrics -" --socket -s
mkdir -p "$E2E_TMP/confs/sub"
touch "$E2E_TMP/confs/a.yaml" "$E2E_TMP/confs/b.conf" "$E2E_TMP/confs/notes.txt"
offers "-f offers config files and directories" "etmem obj add -f $E2E_TMP/confs/" \
    "$E2E_TMP/confs/a.yaml" "$E2E_TMP/confs/b.conf" "$E2E_TMP/confs/sub"
offers "-f falls back to any file" "etmem obj add -f $E2E_TMP/confs/no" "$E2E_TMP/confs/notes.txt"

nobody="etmem-e2e-nobody-$$"
start=$(date +%s)
offers "-n with no daemon on the socket: nothing, quietly" \
    "etmem project start -s $nobody -n "
check "... at once (no daemon to wait for)" [ $(( $(date +%s) - start )) -le 2 ]
offers "-e with no daemon: the built-in engines" "etmem engine x -s $nobody -e " cslide slide

daemon_start
p=$(conf proj <<EOC
[project]
name=alpha
loop=1
interval=1
sleep=1

[engine]
name=slide
project=alpha

[task]
project=alpha
engine=slide
name=t_one
type=name
value=e2e-none-$E2E_TAG
T=1
EOC
)
q=$(conf proj2 <<EOC
[project]
name=beta
loop=1
interval=1
sleep=1
EOC
)
expect 0 "two projects are added" sh -c "'$ETMEM' obj add -f '$p' -s $DSOCK && '$ETMEM' obj add -f '$q' -s $DSOCK"
offers "-n offers the daemon's projects" "etmem project start -s $DSOCK -n " alpha beta
offers "-n completes a prefix" "etmem project stop -s $DSOCK -n a" alpha
offers "--proj_name of engine commands too" "etmem engine x -s $DSOCK --proj_name b" beta
offers "-e offers the built-in and the daemon's engines" "etmem engine x -s $DSOCK -n alpha -e " \
    cslide slide
offers "-t offers the daemon's tasks" "etmem engine x -s $DSOCK -t " t_one
got=$(complete_line "etmem project show -s etmem-e2e")
check "-s offers listening abstract sockets" sh -c "printf '%s\n' '$got' | grep -qx '$DSOCK'"
stop_daemons
finish
