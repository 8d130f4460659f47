#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# install-deps.sh GROUP... - install the Debian packages a task needs, only those missing.
# Groups: build (compile etmem), test (unit + end-to-end suite), fuzz (libFuzzer), valgrind,
#         bench (benchmarks), demo, deb (build and check the Debian packages).
#         Needs root and apt-get when something is missing.
set -euo pipefail

declare -A group=(
  [build]="cmake make gcc pkg-config libglib2.0-dev"
  [test]="libcmocka-dev util-linux procps mandoc man-db"
  [fuzz]="clang libclang-rt-14-dev"
  [valgrind]="valgrind"
  [bench]="redis-server redis-tools libhiredis-dev gnuplot-nox lz4 zstd"
  [demo]=""
  [deb]="build-essential debhelper dpkg-dev fakeroot lintian mandoc man-db bash-completion systemd"
)

want=()
for g in "$@"; do
  [[ -v group[$g] ]] || { echo "install-deps: unknown group '$g' (known: ${!group[*]})" >&2; exit 2; }
  for p in ${group[$g]}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || want+=("$p")
  done
done
[ ${#want[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages ${want[*]}; run as root (or install them) first" >&2
  exit 1
fi
echo "install-deps: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
# redis-server's postinst starts a service where systemd runs; we start our own instances.
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
