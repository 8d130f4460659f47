#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Bad input, table driven: every case of tests/e2e/bad_inputs.txt (invalid config values and
# files, malformed command lines, garbage on the socket) gets the exact exit code and the
# exact stdout and stderr the table gives, and leaves etmemd's state as it was: `project
# show` and `project show --json` are compared with the state before the first case after
# every case. The daemon holds a project with an engine and a task meanwhile, so "already
# exists" and "does not exist" answers are real.
#
# Table format (blocks, one per case; lines starting with # are comments):
#   == DESCRIPTION
#   < LINE        a line of the case's config file $FILE (printf %b escapes: \t \xNN \n);
#                 "< @PROJECT@" stands for a valid [project] p (loop=1, interval=1, sleep=1)
#   $ COMMAND     the command, run by the shell (default, with < lines: obj add -f $FILE);
#                 it may use $ETMEM $SOCK $FILE $TMP $RAWSOCK $GOOD (a valid config file)
#   ? CODE        the exit code it must end with
#   1 TEXT        a line it must print on stdout (all of them, in order; none: no stdout)
#   2 TEXT        a line it must print on stderr (same)
# In the 1/2 lines @FILE@, @SOCK@ and @TMP@ stand for the values of the run, and bytes
# outside ASCII are written as cat -v shows them (M-^?); trailing empty lines are dropped.
# ETMEM_BAD_INPUT_TABLE=PATH runs another table. ETMEM_BAD_INPUT_RECORD=PATH writes the table
# (without its comments) back to PATH with the ? 1 2 lines this build
# gives (to review before taking them over when messages change on purpose).
. "$(dirname "$0")/lib.sh"
TABLE=${ETMEM_BAD_INPUT_TABLE:-$SRC/tests/e2e/bad_inputs.txt}
RECORD=${ETMEM_BAD_INPUT_RECORD:-}
daemon_start
SOCK=$DSOCK
TMP=$E2E_TMP/cases
FILE=$TMP/case.yaml
mkdir -p "$TMP"
export ETMEM SOCK FILE TMP RAWSOCK

GOOD=$(conf good <<'CONF'
[project]
name=good
loop=1
interval=1
sleep=1
CONF
)
base=$(conf base <<'CONF'
[project]
name=base
loop=2
interval=1
sleep=1
[engine]
project=base
name=slide
[task]
project=base
engine=slide
name=t1
type=name
value=base-target
T=3
CONF
)
export GOOD
expect 0 "the baseline project (engine, task) is added" "$ETMEM" obj add -f "$base" -s "$SOCK"
state() { "$ETMEM" project show -s "$SOCK" 2>&1; echo "rc=$?"; "$ETMEM" project show -s "$SOCK" --json 2>&1; echo "rc=$?"; }
STATE0=$(state)

# Output as the table writes it: the run's values as placeholders, bytes outside ASCII as
# cat -v shows them (M-...).
placeholders() { cat -v | sed -e "s|$FILE|@FILE@|g" -e "s|$TMP|@TMP@|g" -e "s|$SOCK|@SOCK@|g"; }

cases=0
case_desc="" case_cmd="" case_code="" case_conf=0 want_out="" want_err="" n_want_out=0 n_want_err=0
: >"$TMP/.conf"

run_case() {
    local got_out got_err cmd=$case_cmd
    [ -z "$case_desc" ] && return
    cases=$((cases + 1))
    if [ "$case_conf" = 1 ]; then
        rm -rf "$FILE"
        printf '%b' "$(cat "$TMP/.conf")" >"$FILE"
        chmod 600 "$FILE"
        [ -z "$cmd" ] && cmd='"$ETMEM" obj add -f "$FILE" -s "$SOCK"'
    fi
    (cd "$TMP" && eval "$cmd") >"$E2E_TMP/.out" 2>"$E2E_TMP/.err" </dev/null
    RC=$?
    got_out=$(placeholders <"$E2E_TMP/.out")
    got_err=$(placeholders <"$E2E_TMP/.err")
    OUT=$got_out ERR=$got_err
    if [ -n "$RECORD" ]; then
        {
            echo "? $RC"
            [ -n "$got_out" ] && printf '%s\n' "$got_out" | sed 's/^/1 /'
            [ -n "$got_err" ] && printf '%s\n' "$got_err" | sed 's/^/2 /'
        } >>"$RECORD"
    fi
    if [ "$RC" = "$case_code" ] && [ "$got_out" = "$want_out" ] && [ "$got_err" = "$want_err" ]; then
        ok "$case_desc: exit $RC, exact output"
    else
        not_ok "$case_desc: wanted exit $case_code, stdout '$want_out', stderr '$want_err'"
    fi
    if [ "$(state)" = "$STATE0" ]; then
        ok "$case_desc: state unchanged"
    else
        RC=- OUT=$(state) ERR=""
        not_ok "$case_desc: state unchanged"
    fi
    rm -rf "${TMP:?}"/* 2>/dev/null
    case_desc="" case_cmd="" case_code="" case_conf=0 want_out="" want_err="" n_want_out=0 n_want_err=0
    : >"$TMP/.conf"
}

# add_line VAR TEXT: append a line to want_out or want_err (n_VAR counts the lines so far).
add_line() {
    local n="n_$1"
    if [ "${!n}" -gt 0 ]; then printf -v "$1" '%s\n%s' "${!1}" "$2"; else printf -v "$1" '%s' "$2"; fi
    printf -v "$n" '%d' $((${!n} + 1))
}

[ -n "$RECORD" ] && : >"$RECORD"
while IFS= read -r line || [ -n "$line" ]; do
    tag=${line%% *}
    rest=${line#"$tag"}
    rest=${rest# }
    case $tag in
    "==") run_case; case_desc=$rest ;;
    "<")
        case_conf=1
        if [ "$rest" = "@PROJECT@" ]; then
            rest='[project]\nname=p\nloop=1\ninterval=1\nsleep=1'
        fi
        printf '%s\\n' "$rest" >>"$TMP/.conf"
        ;;
    "$") case_cmd=$rest ;;
    "?") case_code=$rest ;;
    1) add_line want_out "$rest"; continue ;;
    2) add_line want_err "$rest"; continue ;;
    esac
    if [ -n "$RECORD" ]; then
        case $tag in
        "?") ;;                             # written by run_case, with what the build did
        "==") [ -z "$rest" ] && continue    # the end of the table
              [ "$cases" -gt 0 ] && echo >>"$RECORD"; echo "$line" >>"$RECORD" ;;
        *) echo "$line" >>"$RECORD" ;;
        esac
    fi
done < <(grep -v '^#' "$TABLE" | grep -v '^$'; echo "== ")
case_desc=""
check "the table has at least 100 cases ($cases)" [ "$cases" -ge 100 ]
echo "# $cases bad inputs tried"
check "etmemd still serves after them" "$ETMEM" project show -s "$SOCK"
finish
