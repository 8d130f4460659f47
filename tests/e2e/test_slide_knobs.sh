#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Each slide knob of the guide shows its effect on real processes (read from pagemap):
# sysmem_threshold, swap_threshold, T, swap_flag, dram_percent, type=name following a
# restarted process, max_threads bounding concurrency, tasks added to a running project;
# and the backend keys (allow_fallback, swap_backend) against what this kernel offers.
# KNOBS picks the parts to run (default: all); SLIDE_SCAN_BACKEND the tracker.
. "$(dirname "$0")/lib.sh"
KNOBS=${KNOBS:-backends sysmem swap_threshold T swap_flag dram_percent restart max_threads add_running}
knob() { case " $KNOBS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
ensure_swap
[ "$SWAP_FREE_MB" -ge 600 ] || skip "needs 600 MiB of free swap, has $SWAP_FREE_MB MiB"
daemon_start
S=$DSOCK
n=0

# slide_project NAME KEY=VALUE...: add and start a project with one slide task; extra keys
# go to [project] (loop, interval, sleep, sysmem_threshold) or [task] (the rest).
slide_project() {
    local name=$1 pkeys="" tkeys="" kv f
    shift
    for kv in "$@"; do
        case $kv in
        loop=*|interval=*|sleep=*|sysmem_threshold=*) pkeys="$pkeys$kv"$'\n' ;;
        *) tkeys="$tkeys$kv"$'\n' ;;
        esac
    done
    case $pkeys in *loop=*) ;; *) pkeys="${pkeys}loop=1"$'\n' ;; esac
    case $pkeys in *interval=*) ;; *) pkeys="${pkeys}interval=1"$'\n' ;; esac
    case $pkeys in *sleep=*) ;; *) pkeys="${pkeys}sleep=1"$'\n' ;; esac
    case $tkeys in *T=*) ;; *) tkeys="${tkeys}T=1"$'\n' ;; esac
    tkeys="${tkeys}scan_backend=${SLIDE_SCAN_BACKEND:-auto}"$'\n'
    f=$(conf "$name" <<CONF
[project]
name=$name
$pkeys
[engine]
name=slide
project=$name
[task]
project=$name
engine=slide
name=t
type=name
value=$name$E2E_TAG
$tkeys
CONF
)
    "$ETMEM" obj add -f "$f" -s "$S" && "$ETMEM" project start -n "$name" -s "$S"
}
remove_project() { "$ETMEM" obj del -f "$E2E_TMP/$1.yaml" -s "$S"; }
json() { "$ETMEM" project show -n "$1" -s "$S" --json; }
cycles_of() { json "$1" | sed -n 's/.*"cycles":\([0-9]*\).*/\1/p'; }
idle_cycles_of() { json "$1" | sed -n 's/.*"idle_cycles":\([0-9]*\).*/\1/p'; }
# idle_cycles_reach PROJECT N: its task had N cycles with nothing to do
idle_cycles_reach() { [ "$(idle_cycles_of "$1")" -ge "$2" ]; }
note_of() { json "$1" | sed -n 's/.*"note":"\([^"]*\)".*/\1/p'; }
state_of() { json "$1" | sed -n 's/.*"state":"\([^"]*\)".*/\1/p'; }
swapped_pct() { pct_of swapped "$1" "$2"; }
majflt_of() { awk '{print $12}' "/proc/$1/stat"; }
# threads_now: etmemd's threads; only_main_thread: true once its task threads have ended
threads_now() { awk '/^Threads:/ {print $2}' "/proc/$DPID/status"; }
only_main_thread() { [ "$(threads_now)" -le 1 ]; }
# after_cycles PROJECT N: wait until N cycles of its task completed
after_cycles() { wait_for 90 sh -c "[ \"\$('$ETMEM' project show -n $1 -s '$S' --json | sed -n 's/.*\"cycles\":\([0-9]*\).*/\1/p')\" -ge $2 ]"; }

# allow_fallback=no: where auto would have to use the fallback tracker, the task is refused
# and says why; swap_backend names the action, and one the kernel lacks is refused.
if knob backends; then
    auto=$("$ETMEMD" --probe | sed -n 's/^ *auto: //p')
    if [ "${auto#tracker=fallback}" != "$auto" ] && [ "${SLIDE_SCAN_BACKEND:-auto}" = auto ]; then
        expect 186 "allow_fallback=no is refused where only the fallback tracker is left" \
            slide_project nofb allow_fallback=no
        expect_err "fallback: not allowed by the configuration" "... saying the fallback is not allowed"
    fi
    if ! "$ETMEMD" --probe | grep -q '^ *reclaim  swap_pages  yes'; then
        expect 186 "swap_backend=swap_pages is refused without etmem_swap.ko" \
            slide_project swpg swap_backend=swap_pages
        expect_err "swap_pages" "... naming it"
    fi
    expect 0 "swap_backend=madvise starts" slide_project madv swap_backend=madvise
    run "$ETMEM" project show -n madv -s "$S"
    expect_out "+madvise" "... and project show names the madvise backend"
    remove_project madv
fi

# sysmem_threshold: with 1% nothing happens (available memory is far above it) ...
if knob sysmem; then
    exerciser "sysa$E2E_TAG" --total 96 --hot 32
    check "sysmem_threshold=1 starts" slide_project sysa sysmem_threshold=1
    check "... the task idles" wait_for 20 sh -c "[ \"\$('$ETMEM' project show -n sysa -s '$S' --json | sed -n 's/.*\"state\":\"\([^\"]*\)\".*/\1/p')\" = idle ]"
    check "... for three more cycles" wait_for 60 idle_cycles_reach sysa $(( $(idle_cycles_of sysa) + 3 ))
    check "... and swaps nothing out ($(swapped_pct "$EX_PID" "$EX_COLD")% of the cold part)" [ "$(swapped_pct "$EX_PID" "$EX_COLD")" -le 5 ]
    RC=0 OUT=$(note_of sysa) ERR=""
    expect_out "not below sysmem_threshold 1%" "... and says why"
    remove_project sysa
    # ... and with 100% it swaps (available memory is always below all of RAM).
    check "sysmem_threshold=100 starts" slide_project sysa sysmem_threshold=100
    sysa_out() { [ "$(swapped_pct "$EX_PID" "$EX_COLD")" -ge 95 ]; }
    check "... and swaps the cold part out" wait_for 60 sysa_out
    remove_project sysa
    kill "$EX_PID"
fi

# swap_threshold: a process using less than it is skipped, a bigger one of the same name is
# swapped. (The threshold is in GiB, so the big one holds just over 1 GiB, mostly hot.)
if knob swap_threshold; then
    exerciser "swth$E2E_TAG" --total 96 --hot 32
    small=$EX_PID small_cold=$EX_COLD
    exerciser "swth$E2E_TAG" --total 1100 --hot 1040
    big=$EX_PID big_cold=$EX_COLD
    check "swap_threshold=1g starts" slide_project swth swap_threshold=1g
    big_out() { [ "$(swapped_pct "$big" "$big_cold")" -ge 95 ]; }
    check "... the process above 1 GiB is swapped" wait_for 90 big_out
    check "... the one below is not ($(swapped_pct "$small" "$small_cold")%)" [ "$(swapped_pct "$small" "$small_cold")" -le 5 ]
    RC=0 OUT=$(note_of swth) ERR=""
    expect_out "below swap_threshold 1 GiB" "... and the note says why"
    remove_project swth
    kill "$small" "$big"
fi

# T moves the split. T=0 makes nothing cold; T=1 with loop=3 takes the never-touched part
# but not a warm part touched every 2.5 s (at least once in each cycle's 3+ s of scans).
# With a per-page tracker (page_idle, idle_pages, in the guest) T=3 also takes the warm part
# (it scores at most 2 of 3) and leaves the hot one. Warm pages come back at their next
# touch, so the proof they went out is the target's major faults (/proc/PID/stat):
# about one per warm page per cycle with T=3, none with T=1;
# the fallback tracker assumes a region it found accessed stays hot for a few windows (to
# spare the target refaults), so on it warm and hot score alike and that case is skipped.
if knob T; then
    exerciser "tsplit$E2E_TAG" --total 192 --hot 32 --warm 64 --warm-period 2.5
    check "T=0 starts" slide_project tsplit loop=3 T=0
    check "... it completes two cycles" after_cycles tsplit 2
    c0=$(swapped_pct "$EX_PID" "$EX_COLD")
    check "... and nothing is cold ($c0% of the cold part swapped)" [ "$c0" -le 5 ]
    remove_project tsplit
    check "T=1 with loop=3 starts" slide_project tsplit loop=3 T=1
    check "... it completes two cycles" after_cycles tsplit 2
    warm_pages=$(( 64 * 1024 * 1024 / $(getconf PAGESIZE) ))
    m1=$(majflt_of "$EX_PID")
    w1=$(swapped_pct "$EX_PID" "$EX_WARM") c1=$(swapped_pct "$EX_PID" "$EX_COLD")
    check "... the cold part goes ($c1%; note: $(note_of tsplit))" [ "$c1" -ge 95 ]
    check "... the warm part stays ($w1% swapped)" [ "$w1" -le 20 ]
    check "... it completes a third cycle" after_cycles tsplit 3
    f1=$(( $(majflt_of "$EX_PID") - m1 ))
    check "... and the warm part was not refaulted ($f1 major faults in it)" [ "$f1" -le $(( warm_pages / 20 )) ]
    m3=$(majflt_of "$EX_PID")
    backend=$(json tsplit | sed -n 's/.*"backend":"\([^+"]*\).*/\1/p')
    remove_project tsplit
    if [ "$backend" = fallback ]; then
        echo "# T=3 warm/hot split: the fallback tracker cannot tell warm from hot within a cycle"
    else
        check "T=3 with loop=3 starts" slide_project tsplit loop=3 T=3
        check "... it completes three cycles" after_cycles tsplit 3
        f3=$(( $(majflt_of "$EX_PID") - m3 ))
        h3=$(pct_of present "$EX_PID" "$EX_HOT")
        check "... now the warm part goes too ($f3 refaults in 3 cycles, $warm_pages warm pages)" \
            [ "$f3" -ge "$warm_pages" ]
        check "... and the hot part stays ($h3% resident)" [ "$h3" -ge 90 ]
        remove_project tsplit
    fi
    kill "$EX_PID"
fi

# swap_flag=yes: only memory the process marked is swapped. Upstream the mark is a VMA name
# (CONFIG_ANON_VMA_NAME); without it nothing may go, and etmem says so.
if knob swap_flag; then
    exerciser "sflag$E2E_TAG" --total 128 --hot 32 --mark-cold
    marked=$EX_PID marked_cold=$EX_COLD
    check "swap_flag=yes starts" slide_project sflag swap_flag=yes
    check "... it completes two cycles" after_cycles sflag 2
    if grep -q 'etmem_swap' "/proc/$EX_PID/maps"; then
        exerciser "sflag$E2E_TAG" --total 128 --hot 32
        unmarked=$EX_PID unmarked_cold=$EX_COLD
        check "... the next cycle covers an unmarked process too" after_cycles sflag 4
        check "... the marked cold part went to swap" [ "$(swapped_pct "$marked" "$marked_cold")" -ge 95 ]
        check "... the unmarked one's cold part stayed" [ "$(swapped_pct "$unmarked" "$unmarked_cold")" -le 5 ]
    else
        check "... nothing is swapped where memory cannot be marked" [ "$(swapped_pct "$EX_PID" "$EX_COLD")" -le 5 ]
        RC=0 OUT=$(note_of sflag) ERR=""
        expect_out "this kernel cannot mark memory" "... and the note says why"
        check "... and the log too" grep -q "swap_flag=yes, but this kernel cannot mark memory" "$DLOG"
    fi
    remove_project sflag
    kill $EX_PID ${unmarked:-}
fi

# dram_percent=50: at most half of the process stays in RAM, the coldest pages go first.
if knob dram_percent; then
    exerciser "dramp$E2E_TAG" --total 200 --hot 40
    check "dram_percent=50 starts" slide_project dramp dram_percent=50
    check "... it completes two cycles" after_cycles dramp 2
    whole="$(sed -n 's/^ready .* base=\([^ ]*\).*/\1/p' "$EX_OUT")-${EX_COLD#*-}"
    sw=$(swapped_pct "$EX_PID" "$whole")
    check "... about half of the process went to swap ($sw%)" [ "$sw" -ge 45 ] && [ "$sw" -le 60 ]
    check "... none of it hot ($(pct_of present "$EX_PID" "$EX_HOT")% resident)" [ "$(pct_of present "$EX_PID" "$EX_HOT")" -ge 95 ]
    remove_project dramp
    kill "$EX_PID"
fi

# type=name follows a restarted process.
if knob restart; then
    exerciser "rstrt$E2E_TAG" --total 96 --hot 32
    first=$EX_PID
    check "a task for name rstrt starts" slide_project rstrt
    rst_out() { [ "$(swapped_pct "$EX_PID" "$EX_COLD")" -ge 95 ]; }
    check "... the first process is swapped" wait_for 60 rst_out
    kill "$first"
    wait_gone "$first" 10
    exerciser "rstrt$E2E_TAG" --total 96 --hot 32
    check "... a new process with the name is picked up and swapped" wait_for 60 rst_out
    run "$ETMEM" project show -n rstrt -s "$S" --json
    expect_out "\"pids\":[$EX_PID]" "... and show lists the new pid only"
    remove_project rstrt
    kill "$EX_PID"
fi

# max_threads bounds how many processes are worked on at once: three processes, interval 2 s.
# Cycles run on the shared task threads: one runs the task's cycle, max_threads-1 more join
# it for the processes, and they end once no task runs.
if knob max_threads; then
    for i in 1 2 3; do exerciser "mthr$E2E_TAG" --total 48 --hot 16; done
    peak_threads() {  # sample etmemd's thread count for $1 seconds
        local end=$(( $(date +%s) + $1 )) peak=0 t
        while [ "$(date +%s)" -lt "$end" ]; do
            t=$(awk '/^Threads:/ {print $2}' "/proc/$DPID/status")
            [ "$t" -gt "$peak" ] && peak=$t
            sleep 0.05
        done
        echo "$peak"
    }
    check "max_threads=2 starts" slide_project mthr interval=2 max_threads=2
    check "... and covers the three processes" wait_for 20 sh -c "'$ETMEM' project show -n mthr -s '$S' --json | grep -q '\"nr_pids\":3'"
    p2=$(peak_threads 5)
    check "... etmemd runs at most main + 2 task threads ($p2 threads at peak)" [ "$p2" -le 3 ]
    check "... and does use both" [ "$p2" -ge 3 ]
    remove_project mthr
    check "... the task threads end with the task" poll_for 5 only_main_thread
    check "max_threads=1 starts" slide_project mthr interval=2 max_threads=1
    check "... and covers the three processes" wait_for 20 sh -c "'$ETMEM' project show -n mthr -s '$S' --json | grep -q '\"nr_pids\":3'"
    p1=$(peak_threads 5)
    check "... etmemd runs main + one task thread only ($p1 threads at peak)" [ "$p1" -le 2 ]
    remove_project mthr
fi

# A task added to a running project starts at once; one deleted stops at once.
if knob add_running; then
    exerciser "addrun$E2E_TAG" --total 96 --hot 32
    check "an empty project starts" sh -c "printf '[project]\nname=addrun\nloop=1\ninterval=1\nsleep=1\n[engine]\nname=slide\nproject=addrun\n' >'$E2E_TMP/ar.yaml' && chmod 600 '$E2E_TMP/ar.yaml' && '$ETMEM' obj add -f '$E2E_TMP/ar.yaml' -s '$S' && '$ETMEM' project start -n addrun -s '$S'"
    tk=$(conf artask <<CONF
[task]
project=addrun
engine=slide
name=late
type=name
value=addrun$E2E_TAG
T=1
CONF
    )
    expect 0 "a task added to the running project" "$ETMEM" obj add -f "$tk" -s "$S"
    ar_out() { [ "$(swapped_pct "$EX_PID" "$EX_COLD")" -ge 95 ]; }
    check "... works at once" wait_for 60 ar_out
    expect 0 "the task is deleted while running" "$ETMEM" obj del -f "$tk" -s "$S"
    check "... and its task threads end ($(threads_now) left at once)" poll_for 5 only_main_thread
fi

finish
