#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Chaos: 50 clients at once, mixing commands against a daemon whose project "mix" swaps out
# a real process meanwhile. Each client does its part three times: its own project's whole
# life on the same process (add, start, show --json, stop, del), shows of everything, an
# engine command the engine does not have, a start of the started project, a bad config,
# the original client's project show. Every answer must be the expected one (exit code and
# first error words), every client must finish, etmemd must serve afterwards, and the
# process's cold pages go out and its bytes verify.
. "$(dirname "$0")/lib.sh"
CLIENTS=${CHAOS_CLIENTS:-50}
ensure_swap
daemon_start
exerciser chaos-mix --total 160 --hot 16
mix=$(slide_conf mix name chaos-mix)
expect 0 "project mix is added and started" sh -c \
    "'$ETMEM' obj add -f '$mix' -s '$DSOCK' && '$ETMEM' project start -n mix -s '$DSOCK'"
bad=$(conf bad <<'CONF'
[project]
name=bad
loop=0
interval=1
sleep=1
CONF
)

# want CODE TEXT CMD...: run CMD; complain unless it exits CODE with TEXT in its output.
want() {
    local code=$1 text=$2 out rc
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" != "$code" ]; then echo "FAIL: $* exited $rc, not $code: $out"
    else case $out in *"$text"*) ;; *) echo "FAIL: $* printed '$out', not '$text'" ;; esac; fi
}

client() {
    local i=$1 role=$(( $1 % 6 )) round cfg
    cfg=$(slide_conf "c$i" name chaos-mix)
    for round in 1 2 3; do
        case $role in
        0)
            want 0 "" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
            want 0 "" "$ETMEM" project start -n "c$i" -s "$DSOCK"
            want 0 "\"name\":\"c$i\"" "$ETMEM" project show -n "c$i" -s "$DSOCK" --json
            want 0 "" "$ETMEM" project stop -n "c$i" -s "$DSOCK"
            want 0 "" "$ETMEM" obj del -f "$cfg" -s "$DSOCK"
            ;;
        1)
            want 0 "project: mix" "$ETMEM" project show -s "$DSOCK"
            want 0 '"name":"mix"' "$ETMEM" project show -s "$DSOCK" --json
            ;;
        2) want 186 "error: invalid parameters: engine 'slide' has no engine commands" \
               "$ETMEM" engine showtaskpages -n mix -e slide -s "$DSOCK" ;;
        3) want 186 "error: project 'mix' has been started already" \
               "$ETMEM" project start -n mix -s "$DSOCK" ;;
        4) want 186 "[project] loop: value 0 is out of range 1..120" \
               "$ETMEM" obj add -f "$bad" -s "$DSOCK" ;;
        5) want 0 '\xff' "$RAWSOCK" "$DSOCK" -L \
               "proj_name mix file_name - cmd 4 eng_name - eng_cmd - task_name -" ;;
        esac
    done
    echo DONE
}

base=$(vmswap_kb "$EX_PID")
pids=""
for i in $(seq 1 "$CLIENTS"); do
    client "$i" >"$E2E_TMP/client$i.log" 2>&1 &
    pids="$pids $!"
    track_pid $!
done
for p in $pids; do wait "$p"; done
done_count=$(cat "$E2E_TMP"/client*.log | grep -c '^DONE$')
check "all $CLIENTS clients finish ($done_count)" [ "$done_count" = "$CLIENTS" ]
fails=$(cat "$E2E_TMP"/client*.log | grep -c '^FAIL')
[ "$fails" = 0 ] || grep -h '^FAIL' "$E2E_TMP"/client*.log | head -10
check "every answer was the expected one ($fails were not)" [ "$fails" = 0 ]
expect 0 "etmemd serves afterwards" "$ETMEM" project show -s "$DSOCK"
check "... and holds only project mix" [ "$(echo "$OUT" | grep -c '^project: ')" = 1 ]
check "mix's cold pages go out" wait_for 60 swap_grows "$EX_PID" 32768 "$base"
check "every page of the process verifies" verify_exerciser "$EX_PID" "$EX_OUT"
expect 0 "project mix stops and goes" sh -c \
    "'$ETMEM' project stop -n mix -s '$DSOCK' && '$ETMEM' obj del -f '$mix' -s '$DSOCK'"
finish
