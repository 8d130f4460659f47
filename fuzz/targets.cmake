# SPDX-License-Identifier: MulanPSL-2.0
# fuzz/targets.cmake - the one list of fuzz targets: each has fuzz_<name>.c plus the extra
# sources and libraries below. Included by fuzz/CMakeLists.txt (the libFuzzer build) and by
# tests/unit/core (each harness replayed over its corpus without libFuzzer, as a unit test).
set(FUZZ_TARGETS config request legacy idle maps relay)
set(fuzz_config_extra objcheck.c)
set(fuzz_config_libs etmemd_core)
set(fuzz_request_libs etmem_common)
set(fuzz_legacy_libs etmem_common)
set(fuzz_idle_libs etmem_kernel)
set(fuzz_maps_libs etmem_kernel)
set(fuzz_relay_libs etmemd_core)
