#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The example policy (examples/thirdparty/coldswap) built the way an operator builds a
# plug-in: against an INSTALLED etmem, with its Makefile and nothing but pkg-config. Loaded
# as root:root 0500 through a [engine] name=thirdparty section, it must page out the cold
# part of a real process (pagemap-checked), leave its hot part and an unmanaged control
# process alone, and answer its private command; every byte reads back intact.
# TP_HOT_MB/TP_COLD_MB set the sizes (default 128 + 384 MiB, scaled to the swap there is).
. "$(dirname "$0")/lib.sh"
command -v make >/dev/null && command -v pkg-config >/dev/null || skip "needs make and pkg-config"
ensure_swap
scale_to_swap "${TP_HOT_MB:-128}" "${TP_COLD_MB:-384}"
HOT=$HOT_MB COLD=$COLD_MB

# Install the build tree into a scratch root (DESTDIR: nothing lands outside it). The
# installed etmem.pc is relocatable (its prefix follows its own directory), so it is used
# as installed.
root=$E2E_TMP/root
DESTDIR=$root cmake --install "$BUILD" >"$E2E_TMP/install.log" 2>&1 ||
    { cat "$E2E_TMP/install.log"; not_ok "cmake --install"; finish; }
pc=$(find "$root" -name etmem.pc | head -n1)
check "the install has etmem.pc" [ -n "$pc" ]
pcdir=$(dirname "$pc")
libdir=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=libdir etmem)
check "the install has the thirdparty header" \
    [ -f "$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=includedir etmem)/etmemd_thirdparty_export.h" ]

# Build the example in a copy of its directory (the source tree stays clean).
cp -r "$SRC/examples/thirdparty" "$E2E_TMP/example"
expect 0 "the example builds against the installed tree with its Makefile" \
    env PKG_CONFIG_PATH="$pcdir" make -C "$E2E_TMP/example" LDFLAGS="-Wl,-rpath,$libdir"
check "... into coldswap.so" [ -f "$E2E_TMP/example/coldswap.so" ]
plugin=$E2E_TMP/plugins/coldswap.so
mkdir -m 700 "$E2E_TMP/plugins"
install -o root -g root -m 500 "$E2E_TMP/example/coldswap.so" "$plugin"

daemon_start
control_and_target tp --total $(( HOT + COLD )) --hot "$HOT"
cfg=$(conf coldswap <<CONF
[project]
name=tp
loop=1
interval=1
sleep=1
[engine]
name=thirdparty
project=tp
eng_name=coldswap
libname=$plugin
ops_name=coldswap_ops
idle_scans=2
[task]
project=tp
engine=coldswap
name=target
type=name
value=tp-tgt$E2E_TAG
CONF
)
expect 0 "the example is loaded by obj add" "$ETMEM" obj add -f "$cfg" -s "$DSOCK"
expect 0 "... and started" "$ETMEM" project start -n tp -s "$DSOCK"
t0=$(date +%s)
cold_out() { [ "$(pct_of swapped "$EX_PID" "$EX_COLD")" -ge 90 ]; }
check "at least 90% of the target's cold part goes to swap (pagemap)" wait_for 120 cold_out
echo "# cold part: $(pct_of swapped "$EX_PID" "$EX_COLD")% swapped after $(( $(date +%s) - t0 )) s"
# the plug-in's own count of its cycles (etmem engine showstats)
tp_cycles() { "$ETMEM" engine showstats -n tp -e coldswap -s "$DSOCK" | sed -n 's/.* cycles=\([0-9]*\).*/\1/p'; }
tp_cycles_reach() { [ "$(tp_cycles)" -ge "$1" ]; }
more=$(( $(tp_cycles) + 5 ))
check "... five more of its cycles end" wait_for 60 tp_cycles_reach "$more"
echo "# cold part: $(pct_of swapped "$EX_PID" "$EX_COLD")% swapped after $(( $(date +%s) - t0 )) s," \
    "hot part $(pct_of present "$EX_PID" "$EX_HOT")% resident"
hot_res=$(pct_of present "$EX_PID" "$EX_HOT")
check "at least 90% of its hot part stays resident ($hot_res%)" [ "$hot_res" -ge 90 ]
ctl_sw=$(pct_of swapped "$ctl_pid" "$ctl_cold")
check "the unmanaged control's cold part is left alone ($ctl_sw% swapped)" [ "$ctl_sw" -le 5 ]

expect 0 "its private command answers" "$ETMEM" engine showstats -n tp -e coldswap -s "$DSOCK"
expect_out "task target: running pids=1" "... with the task's state"
echo "# $OUT"
mib=$(echo "$OUT" | sed -n 's/.*paged_out=\([0-9]*\).*/\1/p')
check "... counting at least 90% of the cold part as paged out (${mib:-?} MiB)" \
    [ "${mib:-0}" -ge $(( COLD * 9 / 10 )) ]
expect 0 "... also for one task (-t)" "$ETMEM" engine showstats -n tp -e coldswap -t target -s "$DSOCK"
expect_out "idle_scans=2" "... showing the engine's private key"
expect 186 "an unknown command fails" "$ETMEM" engine nosuch -n tp -e coldswap -s "$DSOCK"
expect_out "coldswap: unknown command 'nosuch'" "... with the plug-in's own message"

expect 0 "project stop" "$ETMEM" project stop -n tp -s "$DSOCK"
check "every page of the target reads back intact" verify_exerciser "$EX_PID" "$EX_OUT"
check "... and of the control" verify_exerciser "$ctl_pid" "$ctl_out"
ctl_hot=$(pct_of present "$ctl_pid" "$ctl_hot")
check "the control's hot part was never touched ($ctl_hot% resident)" [ "$ctl_hot" -ge 95 ]
expect 0 "obj del unloads it" "$ETMEM" obj del -f "$cfg" -s "$DSOCK"
check "... and etmemd no longer maps it" \
    sh -c "! grep -q coldswap /proc/$DPID/maps"
finish
