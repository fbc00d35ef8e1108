#!/usr/bin/env bash
# The whole test suite: configure, build, every CTest label (unit, integration, gui, slow; gpu tests skip
# themselves visibly without CUDA; the `fuzz` label runs libFuzzer on the MIDI reader for a bounded time).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${SPE_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build_dir" -j "$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" --timeout 900
