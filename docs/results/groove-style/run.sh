#!/usr/bin/env bash
# Groove continuation style similarity (paper section 3.3, Figure 5, appendix C.2) and loss beyond the training
# length on groove_mma/test (styles unseen in training). Run from the repository root after building.
#   MODELS="groove-sine:resources/models/groove-sine groove-ape:/path/to/groove-ape" bash docs/results/groove-style/run.sh
set -euo pipefail
spe=${SPE:-build/app/spe}
device=${SPE_DEVICE:-cpu}
data=${SPE_SHARED_DATA:-../shared/data}/groove_mma/test
out=docs/results/groove-style
work=${WORK:-/tmp/groove-style}
models=${MODELS:-groove-sine:resources/models/groove-sine}
ls "$data"/*.mid | awk 'NR % 3 == 1' > "$work.prompts"   # every third test song: 96 prompts
for entry in $models; do
  name=${entry%%:*}; dir=${entry#*:}
  "$spe" eval --model "$dir" --data "$data" --all-songs --max-position 2048 --bucket 128 --device "$device" \
    --seed 0 --csv "$out/loss-test-$name.csv" --json > "$out/loss-test-$name.json"
  mkdir -p "$work/$name/2048" "$work/$name/1024"
  # 2-bar prompt, 2048 tokens in all (4x the training length of 512), seed 1; one thread per process.
  xargs -P "$(nproc)" -I{} sh -c "\"$spe\" generate --model \"$dir\" --prompt {} --prompt-bars 2 --tokens 2048 \
    --seed 1 --device cpu --threads 1 -o \"$work/$name/2048/\$(basename {} .mid).cont.mid\" > /dev/null" < "$work.prompts"
  # The paper's protocol: 1024 tokens in all (twice the training length), four chunks of equal duration.
  python3 "$out/truncate_tokens.py" "$spe" "$work/$name/2048" "$work/$name/1024" 1024
  "$spe" eval --style --continuations "$work/$name/1024" --sources "$data" --prompt-bars 2 --chunks 4 --json \
    > "$out/style-$name-1024tokens.json"
  "$spe" eval --style --continuations "$work/$name/2048" --sources "$data" --prompt-bars 2 --chunks 8 --json \
    > "$out/style-$name-2048tokens.json"
done
