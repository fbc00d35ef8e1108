#!/usr/bin/env bash
# Builds the MIDI reader fuzz target with clang into build-fuzz/ and fuzzes it for SECONDS seconds
# (default 60) from the seed corpus in tests/fuzz/corpus. New crash inputs land in
# build-fuzz/artifacts/; copy the ones you fix into tests/data/fuzz_regressions/ (test_midi replays them).
# Exit status: 0 when no crash was found, non-zero otherwise.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build="${SPE_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs=${FUZZ_BUILD_JOBS:-2}

CC=clang CXX=clang++ cmake -S "$root/tests/fuzz" -B "$build" -G Ninja >/dev/null
cmake --build "$build" --target fuzz_midi_reader -j"$jobs"

# Work on a copy of the seeds so that the committed corpus only changes on purpose.
work="$build/corpus"
mkdir -p "$work" "$build/artifacts"
cp -n "$root/tests/fuzz/corpus/"* "$work/" 2>/dev/null || true
cp -n "$root/tests/data/midi/"*.mid "$work/" 2>/dev/null || true
if [ -d "$root/tests/data/fuzz_regressions" ]; then
  cp -n "$root/tests/data/fuzz_regressions/"* "$work/" 2>/dev/null || true
fi

exec "$build/fuzz_midi_reader" "$work" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/artifacts/"
