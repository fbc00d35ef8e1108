#!/usr/bin/env bash
# The README's 64-bar take, timed end to end and by the CLI's own generation figure, alternating the F32
# plan (SPE_STEP_IMPL=plan) and what takes use (auto), N pairs (default 6). Pauses the background trainer
# (packaging/train-bundled.sh, started with setsid: its $SPE_RUNS/trainer.pid is its process group) around the runs.
#   [THREADS=T] docs/results/take-bench.sh [PAIRS]   (from the repository root, after building build/app/spe)
# Prints "impl end-to-end-seconds generation-seconds" per run.
set -euo pipefail
pid_file=${SPE_RUNS:-${XDG_CACHE_HOME:-$HOME/.cache}/spe-studio/runs}/trainer.pid
pg=$( [[ -f $pid_file ]] && cat "$pid_file" || echo "")
[[ -n $pg ]] && kill -STOP -- "-$pg" 2>/dev/null || true
trap '[[ -n $pg ]] && kill -CONT -- "-$pg" 2>/dev/null || true' EXIT
sleep 2
for _ in $(seq 1 "${1:-6}"); do
  for impl in plan auto; do
    start=$(date +%s.%N)
    out=$(SPE_STEP_IMPL=$impl build/app/spe generate --prompt resources/prompts/pop909_001.mid --prompt-bars 8 \
      --bars 64 --seed 1 ${THREADS:+--threads $THREADS} -o "${TMPDIR:-/tmp}/take-$impl.mid" 2>&1 | tail -1)
    end=$(date +%s.%N)
    printf "%s %.3f %s\n" "$impl" "$(echo "$end - $start" | bc)" "$(echo "$out" | sed 's/.*(\(.*\) s)/\1/')"
  done
done
