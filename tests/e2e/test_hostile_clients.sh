#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Hostile local users: 130 connections from uid 65534 that trickle a byte every 5 s (a
# framed header claiming a large request, or a partial original-etmem line) or say nothing
# must neither keep root out nor delay SIGTERM, and must not flood the log; neither may a
# root client that connects and says nothing.
. "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
FLOOD=$BUILD/tests/tools/clientflood

# ms CMD...: run CMD, print how many milliseconds it took.
ms() {
    local t0
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
# slowest N CMD...: the slowest of N runs of CMD, in milliseconds.
slowest() {
    local n=$1 i t worst=0
    shift
    for i in $(seq 1 "$n"); do
        t=$(ms "$@")
        [ "$t" -gt "$worst" ] && worst=$t
    done
    echo "$worst"
}

daemon_start
exerciser hostile --total 64 --hot 8
cfg=$(slide_conf hostile pid "$EX_PID")
expect 0 "a project runs meanwhile" sh -c \
    "'$ETMEM' obj add -f '$cfg' -s '$DSOCK' && '$ETMEM' project start -n hostile -s '$DSOCK'"

# The tool must be executable by nobody wherever the build tree lives.
pub=$(mktemp -d /tmp/etmem-e2e-pub.XXXXXX)
chmod 755 "$pub"
cp "$FLOOD" "$pub/clientflood"
chmod 755 "$pub/clientflood"
flood() {   # flood COUNT MODE: as uid 65534, in the background
    setpriv --reuid=65534 --regid=65534 --clear-groups "$pub/clientflood" "$DSOCK" "$1" "$2" 120 \
        >"$E2E_TMP/flood-$2.out" 2>&1 &
    track_pid $!
    FLOODS="${FLOODS:-} $!"
}
flood 45 framed
flood 45 legacy
flood 40 idle
client_lines() { grep -c 'refused\|dropping\|before a request\|suppressed' "$DLOG"; }
log_before=$(client_lines)
sleep 3
check "the hostile connections keep coming (every one is refused and tried again)" \
    sh -c "[ \$(grep -c 'refused' '$DLOG') -gt 0 ]"

worst=$(slowest 5 "$ETMEM" project show -s "$DSOCK")
expect 0 "root's project show is served during the flood" "$ETMEM" project show -s "$DSOCK"
expect_out "project: hostile" "... with the project"
check "... promptly (slowest of 5: ${worst} ms)" [ "$worst" -lt 1000 ]
run "$RAWSOCK" "$DSOCK" -l
case "$OUT" in *'\xff') ok "an original client (root) is served during the flood" ;;
*) not_ok "an original client (root) is served during the flood" ;; esac

# the flood's log lines are limited, and the rest counted
sleep 2
lines=$(( $(client_lines) - log_before ))
check "the flood logs at most a few lines a second ($lines lines about clients in ~5 s)" [ "$lines" -lt 40 ]
check "... and says how many it suppressed" grep -q "messages about clients suppressed" "$DLOG"

# A root client that connects and says nothing holds a place, but not the shutdown.
"$RAWSOCK" "$DSOCK" -w 8000 >/dev/null 2>&1 &
track_pid $!
sleep 0.2
t0=$(date +%s%N)
kill -TERM "$DPID"
wait "$DPID"
rc=$?
took=$(( ($(date +%s%N) - t0) / 1000000 ))
check "SIGTERM during the flood, with a project running and a silent root client: exit 0 ($rc)" [ "$rc" = 0 ]
# under a sanitizer the exit also runs its checks (LSan's heap scan, TSan's reports)
exit_ms=500
etmemd_sanitized && exit_ms=5000
check "... within $exit_ms ms (took ${took} ms)" [ "$took" -lt "$exit_ms" ]
for p in $FLOODS; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
cat "$E2E_TMP"/flood-*.out | sed 's/^/# flood: /'
rm -rf "$pub"
finish
