# SPDX-License-Identifier: MulanPSL-2.0
# Front door: `make` builds, `make demo` runs the bundled example, `make check` runs every
# test, `make bench` runs the benchmarks (by hand, ~25 min; bench/results/latest.md). Each
# target installs the Debian packages it needs first.
BUILD ?= build
CMAKE_FLAGS ?=

.PHONY: all build demo check bench install clean

all: build

build:
	scripts/install-deps.sh build test
	cmake -S . -B $(BUILD) -DETMEM_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j2

demo: build
	scripts/demo.sh

check:
	tests/run

bench: build
	ETMEM_BUILD_DIR=$(BUILD) bench/run

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz build-release
