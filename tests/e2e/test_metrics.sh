#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# etmem metrics and etmemd --metrics-file: the Prometheus text format (checked by a parser
# here, and by promtool when it is installed), counters that never go down across cycles,
# values that agree with project show --json, a file rewritten atomically; an unmanaged
# control process with the same pattern is left alone.
. "$(dirname "$0")/lib.sh"
ensure_swap
MFILE="$E2E_TMP/etmem.prom"
daemon_start --metrics-file "$MFILE"

# check_exposition FILE: the text exposition format 0.0.4 as Prometheus parses it: HELP and
# TYPE once per family and before its samples, samples of a family together, names and
# labels well formed, values numbers, no series twice, every name etmem_*.
check_exposition() {
    awk '
    function fail(msg) { printf "line %d: %s: %s\n", NR, msg, $0; bad = 1; exit 1 }
    /^# HELP / { if ($3 in help) fail("HELP twice"); help[$3] = 1; next }
    /^# TYPE / {
        if ($3 in type) fail("TYPE twice")
        if ($4 !~ /^(counter|gauge|untyped|summary|histogram)$/) fail("unknown type")
        type[$3] = $4; next
    }
    /^#/ { next }
    /^$/ { fail("empty line") }
    {
        name = $0; sub(/[{ ].*/, "", name)
        if (name !~ /^etmem_[a-zA-Z0-9_:]*$/) fail("bad metric name")
        if (!(name in type) || !(name in help)) fail("sample before its HELP and TYPE")
        if (name != last && (name in done)) fail("samples of one family apart")
        done[name] = 1; last = name
        rest = substr($0, length(name) + 1)
        series = name
        if (substr(rest, 1, 1) == "{") {
            labels = rest; sub(/} [^}]*$/, "}", labels)
            body = substr(labels, 2, length(labels) - 2)
            while (body != "") {
                if (!match(body, /^[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"/)) fail("bad label")
                body = substr(body, RLENGTH + 1)
                if (body != "" && sub(/^,/, "", body) != 1) fail("labels not comma separated")
            }
            series = name labels
            rest = substr(rest, length(labels) + 1)
        }
        if (rest !~ /^ [-+]?([0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|NaN|Inf)$/) fail("bad value")
        if (series in seen) fail("series twice")
        seen[series] = 1
        if (type[name] == "counter" && name !~ /_total$/) fail("counter without _total")
    }
    END { if (!bad && NR == 0) { print "empty exposition"; exit 1 } }' "$1"
}

# metric NAME [LABEL=VALUE]: the value of the sample of NAME for task "target" (and LABEL).
metric() {
    local extra=${2:+,${2%%=*}=\"${2#*=}\"}
    grep "^$1{project=\"metrics\",task=\"target\"" "$E2E_TMP/metrics.txt" |
        grep -F "$extra}" | awk '{ print $NF }' | head -1
}
scrape() { "$ETMEM" metrics -s "$DSOCK" >"$E2E_TMP/metrics.txt"; }
json_num() { echo "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"; }

expect 0 "etmem metrics answers with no project" "$ETMEM" metrics -s "$DSOCK"
expect_out 'etmem_info{version="' "... the info metric names etmemd's version"
expect_out 'trackers="' "... and the kernel's backends"
echo "$OUT" >"$E2E_TMP/empty.txt"
check "... in the exposition format" check_exposition "$E2E_TMP/empty.txt"
expect 234 "etmem metrics without a socket is a usage error" "$ETMEM" metrics
expect_err "socket name to connect must be given" "... saying what is missing"
expect 0 "etmem metrics help" "$ETMEM" metrics help
expect_out "Prometheus" "... explains the format"

control_and_target met --total 96 --hot 16
cfg=$(conf metrics <<CONF
[project]
name=metrics
loop=1
interval=1
sleep=1
[engine]
name=slide
project=metrics
[task]
project=metrics
engine=slide
name=target
type=name
value=met-tgt$E2E_TAG
T=1
CONF
)
expect 0 "a slide project is added" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
scrape
check "a stopped task is there, not running" grep -q \
    '^etmem_task_running{project="metrics",task="target",engine="slide",backend="-"} 0$' \
    "$E2E_TMP/metrics.txt"
check "... and its project is not started" grep -q \
    '^etmem_project_started{project="metrics"} 0$' "$E2E_TMP/metrics.txt"
expect 0 "... started" "$ETMEM" project start -n metrics -s "$DSOCK"

cycles() { task_field metrics cycles; }
cycles_at_least() { [ "$(cycles)" -ge "$1" ] 2>/dev/null; }
check "two cycles run" wait_for 60 cycles_at_least 2
scrape
check "the exposition of a running task is well formed" check_exposition "$E2E_TMP/metrics.txt"
if command -v "${PROMTOOL:-promtool}" >/dev/null; then
    run "${PROMTOOL:-promtool}" check metrics <"$E2E_TMP/metrics.txt"
    if [ "$RC" = 0 ] && [ -z "$OUT$ERR" ]; then ok "promtool check metrics passes, no lint"
    else not_ok "promtool check metrics passes, no lint"; fi
else
    echo "# promtool not installed (Debian package prometheus, 96 MB with its server, not in" \
        "install-deps): the parser above checked the format"
fi
check "the task runs, with its backend as a label" grep -q \
    '^etmem_task_running{project="metrics",task="target",engine="slide",backend="[^-"][^"]*"} 1$' \
    "$E2E_TMP/metrics.txt"
check "... and its project is started" grep -q '^etmem_project_started{project="metrics"} 1$' \
    "$E2E_TMP/metrics.txt"
check "every family has its HELP and TYPE, counters end in _total" \
    grep -q '^# TYPE etmem_task_swapped_out_bytes_total counter$' "$E2E_TMP/metrics.txt"
n=$(metric etmem_task_processes)
check "one process covered ($n)" [ "$n" = 1 ]

counters() {
    grep -E '^etmem_task_[a-z_]*_total\{project="metrics"' "$E2E_TMP/metrics.txt" | sort
}
cold_out() { [ "$(pct_of swapped "$EX_PID" "$EX_COLD")" -ge 90 ]; }
check "the target's cold part goes to swap" wait_for 60 cold_out
c0=$(cycles)
scrape
counters >"$E2E_TMP/counters.0"
check "... after three more cycles" wait_for 60 cycles_at_least $(( c0 + 3 ))
scrape
counters >"$E2E_TMP/counters.1"
went_down=$(join "$E2E_TMP/counters.0" "$E2E_TMP/counters.1" | awk '$3 < $2' | head -3)
check "no counter went down across cycles ${went_down:+($went_down)}" [ -z "$went_down" ]
n0=$(wc -l <"$E2E_TMP/counters.0") n1=$(join "$E2E_TMP/counters.0" "$E2E_TMP/counters.1" | wc -l)
check "... and all $n0 of them are there both times" [ "$n0" -ge 7 -a "$n1" = "$n0" ]
grew=$(join "$E2E_TMP/counters.0" "$E2E_TMP/counters.1" | awk '$3 > $2' | grep -c 'scans_total\|scanned_pages_total\|scan_cpu_seconds_total')
check "scans, pages scanned and scan CPU time grew ($grew of 3)" [ "$grew" = 3 ]

# Against project show --json: a metric lies between the figures of a show just before and
# one just after (a cycle may end between them); gauges of the last cycle are equal when no
# cycle ended meanwhile, which is retried a few times.
agree() {
    local j0 j1 field metric_name unit v lo hi
    j0=$("$ETMEM" project show -n metrics -s "$DSOCK" --json)
    scrape
    j1=$("$ETMEM" project show -n metrics -s "$DSOCK" --json)
    [ "$(json_num "$j0" cycles)" = "$(json_num "$j1" cycles)" ] || return 1
    for pair in cycles:etmem_task_scans_total:1 pages_scanned_total:etmem_task_scanned_pages_total:1 \
        bytes_swapped:etmem_task_swapped_out_bytes_total:1 refaults:etmem_task_refaults_total:1 \
        pages_hot:etmem_task_hot_bytes:page pages_cold:etmem_task_cold_bytes:page \
        rss_bytes:etmem_task_rss_bytes:1 swap_bytes:etmem_task_swap_bytes:1 \
        bytes_moved_to_slow:etmem_task_moved_bytes_total:1 nr_pids:etmem_task_processes:1; do
        field=${pair%%:*} metric_name=${pair#*:} unit=${metric_name#*:} metric_name=${metric_name%:*}
        [ "$unit" = page ] && unit=$(json_num "$j1" page_size)
        case $metric_name in *moved*) v=$(metric "$metric_name" direction=to_slow) ;;
                             *) v=$(metric "$metric_name") ;; esac
        lo=$(( $(json_num "$j0" "$field") * unit )) hi=$(( $(json_num "$j1" "$field") * unit ))
        if [ "$v" -lt "$lo" ] || [ "$v" -gt "$hi" ]; then
            echo "# $metric_name=$v, project show says $field between $lo and $hi"
            return 1
        fi
    done
    v=$(metric etmem_task_scan_cpu_seconds_total)
    [ "$(json_num "$j1" scan_cpu_secs)" = "$v" ] ||
        { echo "# scan CPU: metrics $v, show $(json_num "$j1" scan_cpu_secs)"; return 1; }
}
agreed=1
for try in 1 2 3 4 5; do
    agree && { agreed=0; break; }
    sleep 0.3
done
check "every task metric agrees with project show --json" [ $agreed = 0 ]
swapped=$(metric etmem_task_swapped_out_bytes_total)
check "bytes swapped out count most of the 80 MiB cold part ($((swapped >> 20)) MiB)" \
    [ "$swapped" -ge $(( 64 << 20 )) ]
ctl_sw=$(pct_of swapped "$ctl_pid" "$ctl_cold")
check "the unmanaged control's cold part is left alone ($ctl_sw% swapped)" [ "$ctl_sw" -le 5 ]

# --metrics-file: the same text, rewritten every few seconds by rename (never half a file).
check "--metrics-file is written" [ -s "$MFILE" ]
check "... in the exposition format" check_exposition "$MFILE"
m0=$(grep '^etmem_task_scans_total{project="metrics"' "$MFILE" | awk '{ print $NF }')
file_moves_on() {
    local m
    m=$(grep '^etmem_task_scans_total{project="metrics"' "$MFILE" | awk '{ print $NF }')
    [ -n "$m" ] && [ "$m" -gt "${m0:-0}" ]
}
check "... and rewritten as cycles go by" wait_for 30 file_moves_on
check "... leaving no temporary file" [ "$(ls "$E2E_TMP" | grep -c '\.tmp$')" = 0 ]
expect 1 "etmemd refuses a --metrics-file it cannot write" "$ETMEMD" -s "$DSOCK-x" \
    --metrics-file "$E2E_TMP/no/such/dir/m.prom"
expect_err "no/such/dir/m.prom: cannot write it: No such file or directory" "... saying why"
finish
