#!/usr/bin/env bash
# Loss per position up to 4x the training length for the five bundled REMI models (paper Table 6 / Figure 3),
# then the table's plot. Run from the repository root after building; SPE_DEVICE=cuda on a GPU build.
#   bash docs/results/extrapolation/run.sh
set -euo pipefail
spe=${SPE:-build/app/spe}
device=${SPE_DEVICE:-cpu}
out=docs/results/extrapolation
data=${SPE_SHARED_DATA:-../shared/data}
for m in pop-ape pop-sine pop-sine-ungated pop-conv pop-conv-ungated; do
  # POP909: the model's own validation split (46 songs it never trained on).
  "$spe" eval --model resources/models/$m --data "$data/pop909/POP909" --max-position 2048 --bucket 128 \
    --device "$device" --seed 0 --csv "$out/pop909-$m.csv" --json > "$out/pop909-$m.json"
  # Pop1K7 (the paper's corpus; unseen by these models): every song that tokenizes.
  "$spe" eval --model resources/models/$m --data "$data/pop1k7" --all-songs --max-position 2048 \
    --bucket 128 --device "$device" --seed 0 --csv "$out/pop1k7-$m.csv" --json > "$out/pop1k7-$m.json"
  # Pop1K7's src_001 part (108 songs): all five on a CPU in minutes.
  "$spe" eval --model resources/models/$m --data "$data/pop1k7/src_001" --all-songs --max-position 2048 \
    --bucket 128 --device "$device" --threads 1 --seed 0 --csv "$out/pop1k7src001-$m.csv" --json > "$out/pop1k7src001-$m.json"
done
python3 $out/plot.py $out/loss-vs-position.svg "POP909 validation (46 songs):pop909" "Pop1K7 (1,668 songs):pop1k7" \
  "Pop1K7 src_001 (108 songs):pop1k7src001"
