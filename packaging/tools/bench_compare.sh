#!/bin/bash
# One comparison run for docs/results/bench-cpu.md: the eager PyTorch baseline and `spe bench` (the
# DecoderStepPlan and PerformerLM::step) on the same machine state, interleaved round by round, same threads.
# Usage: packaging/tools/bench_compare.sh BUILD_DIR [THREADS] [ROUNDS] [PE]   → JSON lines on stdout.
set -euo pipefail
build=${1:?usage: bench_compare.sh BUILD_DIR [THREADS] [ROUNDS] [PE]}
threads=${2:-2}
rounds=${3:-3}
pe=${4:-sine}
here=$(cd "$(dirname "$0")" && pwd)
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg), threads $threads, OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
for ((r = 1; r <= rounds; ++r)); do
  /usr/bin/python3 "$here/bench_eager.py" --pe "$pe" --threads "$threads" --positions 256,4096,16384
  "$build/app/spe" bench --config pop --pe "$pe" --threads "$threads" --positions 256,4096,16384 --impl plan --json
  "$build/app/spe" bench --config pop --pe "$pe" --threads "$threads" --positions 256,4096,16384 --impl step --json
  echo "# load after round $r: $(cut -d' ' -f1-3 /proc/loadavg)"
done
