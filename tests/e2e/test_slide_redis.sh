#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# slide end to end on a real server: a private redis-server from Debian (loopback, a free
# port, no persistence) loaded with JSON-like records that can be checked (each value is
# expanded from a hash of its key; they compress ~2x, as cache data does, so the
# poor-compression stop lets them go), read with a skewed pattern (bench/redisload: 99 % of the
# GETs on 10 % of the keys); etmem slide swaps out the cold keys' memory, checked in
# /proc/PID/smaps_rollup, while an unmanaged control redis with the same data and pattern
# is left alone; then every key of both reads back with its value.
# REDIS_MB sets redis' data size (default 240 MiB, scaled down to the swap there is).
. "$(dirname "$0")/lib.sh"

"$SRC/scripts/install-deps.sh" bench >"$E2E_TMP/deps.log" 2>&1
command -v redis-server >/dev/null || skip "redis-server cannot be installed: $(tail -1 "$E2E_TMP/deps.log")"
REDISLOAD=$BUILD/bench/redisload
if [ ! -x "$REDISLOAD" ]; then # a build configured before libhiredis-dev was there
    pkg-config --exists hiredis || skip "libhiredis-dev cannot be installed: $(tail -1 "$E2E_TMP/deps.log")"
    REDISLOAD=$E2E_TMP/redisload
    # shellcheck disable=SC2046
    cc -O2 -o "$REDISLOAD" "$SRC/bench/redisload.c" $(pkg-config --cflags --libs hiredis) -lm ||
        { not_ok "bench/redisload.c builds"; finish; }
fi
ensure_swap
total=${REDIS_MB:-240}
scale_to_swap $((total / 10)) $((total - total / 10))
KEYS=$(( (HOT_MB + COLD_MB) * 1024 * 1024 / 1200 )) # ~1.2 KB per 1000-byte value in redis
LOAD=(--keys "$KEYS" --value-size 1000 --seed 6 --values records)

# free_port: a TCP port nobody listens on.
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 30000))
        awk '$4 == "0A" { print $2 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null |
            grep -qi "$(printf ':%04X$' "$p")" || { echo "$p"; return; }
    done
}

# redis PORT: start a private redis-server; sets RPID.
redis() {
    redis-server --port "$1" --bind 127.0.0.1 --protected-mode yes --save '' --appendonly no \
        --dir "$E2E_TMP" --dbfilename "dump-$1.rdb" --daemonize no --logfile '' \
        >"$E2E_TMP/redis-$1.log" 2>&1 &
    RPID=$!
    track_pid "$RPID"
    wait_for 20 sh -c "redis-cli -p $1 ping 2>/dev/null | grep -q PONG"
}

rss_mb() { awk '$1 == "VmRSS:" { printf "%d\n", $2 / 1024 }' "/proc/$1/status"; }

# swapped_pct PID: share of the process's memory that is in swap (smaps_rollup Swap/(Rss+Swap)).
swapped_pct() {
    awk '$1 == "Rss:" { r = $2 } $1 == "Swap:" { s = $2 } END { printf "%d\n", r + s ? 100 * s / (r + s) : 0 }' \
        "/proc/$1/smaps_rollup"
}

tport=$(free_port)
check "the target redis-server starts on port $tport" redis "$tport"
tpid=$RPID
cport=$(free_port)
check "the control redis-server starts on port $cport" redis "$cport"
cpid=$RPID
expect 0 "the target is loaded with $KEYS JSON-like records" "$REDISLOAD" --port "$tport" "${LOAD[@]}" --load
expect 0 "... and the control too" "$REDISLOAD" --port "$cport" "${LOAD[@]}" --load
echo "# redis holds $(rss_mb "$tpid") MiB (RSS) for $KEYS keys"

# the same skewed reads on both, bounded in time and rate
"$REDISLOAD" --port "$tport" "${LOAD[@]}" --dist hotspot:10:99 --rate 5000 --run 300 >"$E2E_TMP/tload.out" 2>&1 &
tdrv=$!
track_pid "$tdrv"
"$REDISLOAD" --port "$cport" "${LOAD[@]}" --dist hotspot:10:99 --rate 5000 --run 300 >"$E2E_TMP/cload.out" 2>&1 &
cdrv=$!
track_pid "$cdrv"

daemon_start
cfg=$(conf redis <<CONF
[project]
name=redis
loop=3
interval=1
sleep=1
[engine]
name=slide
project=redis
[task]
project=redis
engine=slide
name=redis
type=pid
value=$tpid
T=1
CONF
)
expect 0 "the slide project for redis-server $tpid is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n redis -s "$DSOCK"

# a page is cold when none of three 1-s scans saw it read (T=1); a hot page is read about
# once a second or more often
mostly_out() { [ "$(swapped_pct "$tpid")" -ge 50 ]; }
check "at least half of redis' memory goes to swap (smaps_rollup)" wait_for 240 mostly_out
echo "# target: $(swapped_pct "$tpid")% of its memory in swap, RSS $(rss_mb "$tpid") MiB"
# three more cycles: what comes back is only what the reads need
more=$(( $(task_field redis cycles) + 3 ))
check "... three more cycles end" wait_for 60 cycles_reach redis "$more"
out=$(swapped_pct "$tpid")
echo "# ... and after three more cycles: $out% in swap, RSS $(rss_mb "$tpid") MiB"
check "... and stays there while the reads go on ($out%)" [ "$out" -ge 50 ]
ctl=$(swapped_pct "$cpid")
check "the unmanaged control redis is left alone ($ctl% in swap)" [ "$ctl" -le 5 ]
check "the reads still answer while it runs" [ "$(grep -c 'ops/s=' "$E2E_TMP/tload.out")" -gt 5 ]

wait_gone_term() { kill -TERM "$1" 2>/dev/null; wait_gone "$1" 10; }
wait_gone_term "$tdrv"
wait_gone_term "$cdrv"
grep -h '^summary' "$E2E_TMP/tload.out" "$E2E_TMP/cload.out" | sed 's/^/# /'
check "every value read during the load was right (target)" grep -q '^summary .* bad=0 errors=0' "$E2E_TMP/tload.out"
check "... and on the control" grep -q '^summary .* bad=0 errors=0' "$E2E_TMP/cload.out"
expect 0 "every key of the target reads back with its value" "$REDISLOAD" --port "$tport" "${LOAD[@]}" --verify
expect_out "verify ok keys=$KEYS" "... all $KEYS of them"
expect 0 "every key of the control reads back with its value" "$REDISLOAD" --port "$cport" "${LOAD[@]}" --verify
expect 0 "the project stops" "$ETMEM" project stop -n redis -s "$DSOCK"
finish
