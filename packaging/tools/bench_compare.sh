#!/bin/bash
# One comparison run for docs/results/bench-cpu.md: the eager PyTorch baseline and `spe bench` (the
# DecoderStepPlan in F32 and BF16, and PerformerLM::step) on the same machine state, interleaved round by round, same threads.
# Usage: packaging/tools/bench_compare.sh BUILD_DIR [THREADS] [ROUNDS] [PE]   → JSON lines on stdout.
set -euo pipefail
build=${1:?usage: bench_compare.sh BUILD_DIR [THREADS] [ROUNDS] [PE]}
threads=${2:-2}
rounds=${3:-3}
pe=${4:-sine}
here=$(cd "$(dirname "$0")" && pwd)
# A bounded spin: OpenMP workers spin ~10k iterations for the next parallel region, then sleep. The
# default (300k) is as fast on an idle machine but burns the cores other processes need under load;
# PASSIVE (sleep at once) pays a wake-up per small op: 18 ms/token instead of 9.5 on an idle 2-core VM.
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-10000}
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg), threads $threads, GOMP_SPINCOUNT=$GOMP_SPINCOUNT OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
for ((r = 1; r <= rounds; ++r)); do
  /usr/bin/python3 "$here/bench_eager.py" --pe "$pe" --threads "$threads" --positions 256,4096,16384
  "$build/app/spe" bench --config pop --pe "$pe" --threads "$threads" --positions 256,4096,16384 --impl plan --json
  "$build/app/spe" bench --config pop --pe "$pe" --threads "$threads" --positions 256,4096,16384 --impl step --json
  "$build/app/spe" bench --config pop --pe "$pe" --threads "$threads" --positions 256,4096,16384 --impl plan --dtype bf16 --json
  echo "# load after round $r: $(cut -d' ' -f1-3 /proc/loadavg)"
done
