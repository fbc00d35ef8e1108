#!/usr/bin/env bash
# Loss per position up to 4x the training length for the five bundled REMI models (paper Table 6 / Figure 3).
# Run from the repository root after building:  bash docs/results/extrapolation/run.sh
set -euo pipefail
spe=${SPE:-build/app/spe}
out=docs/results/extrapolation
data=${SPE_SHARED_DATA:-../shared/data}
for m in pop-ape pop-sine pop-sine-ungated pop-conv pop-conv-ungated; do
  # POP909: the model's own validation split (46 songs it never trained on).
  "$spe" eval --model resources/models/$m --data "$data/pop909/POP909" --max-position 2048 --bucket 128 \
    --threads 2 --seed 0 --csv "$out/pop909-$m.csv" --json > "$out/pop909-$m.json"
  # Pop1K7 (the paper's corpus; unseen by these models): its src_001 part.
  "$spe" eval --model resources/models/$m --data "$data/pop1k7/src_001" --all-songs --max-position 2048 \
    --bucket 128 --threads 2 --seed 0 --csv "$out/pop1k7-$m.csv" --json > "$out/pop1k7-$m.json"
done
