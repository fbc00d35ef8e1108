#!/usr/bin/env bash
# Take statistics of the bundled models on real songs (issue #10's targets): 8-bar prompts from N Pop1K7
# songs (held out: the shipped models train on POP909) continued for 64 bars with each model and its default
# sampling (or --temperature / --top-p), then `spe stats --json` per take and, per model, how many takes meet
# each target:
#   notes per bar within ±25 % of the prompt's own · ≤ 5 % empty bars · pitch-class entropy within 0.2 bits
#   of the prompt's · last-quarter density ≥ 0.8× the first quarter's
#
#   packaging/take-stats.sh [--models "pop-sine pop-ape ..."] [--prompts N] [--bars B] [--prompt-bars P]
#                           [--temperature T] [--top-p P] [--seed S] [--threads K] [--out DIR] [--offset O]
#
# Writes DIR/<model>/NN.mid (each take, recipe embedded), DIR/<model>/stats.jsonl (spe stats --json) and
# DIR/summary.md (one table row per model; the same rows on stdout). Prompts are every k-th file of the
# sorted Pop1K7 list from file O (default 0), so the same N songs are chosen on every machine; a sampling
# sweep uses another offset (validation songs) than the report. Needs jq. Low priority (nice 10).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
spe=${SPE:-$root/build/app/spe}
data=${SPE_DATA:-$root/../shared/data}
models=(pop-sine pop-sine-ungated pop-conv pop-conv-ungated pop-ape)
prompts=20 bars=64 prompt_bars=8 seed=1 threads=1 offset=0 out=${TMPDIR:-/tmp}/spe-take-stats
sampling=()

die() { echo "take-stats: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) read -r -a models <<<"$2"; shift ;;
    --prompts) prompts=$2; shift ;;
    --bars) bars=$2; shift ;;
    --prompt-bars) prompt_bars=$2; shift ;;
    --temperature) sampling+=(--temperature "$2"); shift ;;
    --top-p) sampling+=(--top-p "$2"); shift ;;
    --seed) seed=$2; shift ;;
    --threads) threads=$2; shift ;;
    --out) out=$2; shift ;;
    --offset) offset=$2; shift ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
command -v jq >/dev/null || die "jq not found (apt-get install jq)"
[[ -x $spe ]] || die "$spe not built (ninja -C build spe)"
[[ -d $data/pop1k7 ]] || die "no Pop1K7 corpus at $data/pop1k7"

mapfile -t all < <(find "$data/pop1k7" -name '*.mid' | LC_ALL=C sort)
((${#all[@]} >= prompts)) || die "only ${#all[@]} Pop1K7 files"
step=$((${#all[@]} / prompts))
chosen=()
((offset >= 0 && offset < step)) || die "--offset must be in [0, $step)"
for ((i = 0; i < prompts; i++)); do chosen+=("${all[i * step + offset]}"); done

mkdir -p "$out"
summary=$out/summary.md
{
  echo "| model | takes | notes/bar ±25 % | empty ≤ 5 % | entropy ±0.2 bits | Q4/Q1 ≥ 0.8 | median notes/bar ratio | median Δentropy | mean empty % | median Q4/Q1 |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$summary"
for m in "${models[@]}"; do
  dir=$out/$m
  mkdir -p "$dir"
  for ((i = 0; i < prompts; i++)); do
    take=$(printf '%s/%02d.mid' "$dir" "$i")
    [[ -s $take ]] && continue  # resumable: a finished take is kept
    nice -n 10 "$spe" generate --model "$m" --prompt "${chosen[i]}" --prompt-bars "$prompt_bars" --bars "$bars" \
      --seed $((seed + i)) --threads "$threads" "${sampling[@]}" -o "$take" >/dev/null 2>>"$dir/generate.log" ||
      echo "take-stats: $m on ${chosen[i]} failed" >&2
  done
  "$spe" stats "$dir"/*.mid --from-bar "$prompt_bars" --json | jq -c 'select(.file)' >"$dir/stats.jsonl"
  jq -rs --arg m "$m" '
    def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
                        else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def r2: if . == null then "–" else (. * 100 | round / 100 | tostring) end;
    [ .[] | {
        ratio: (.continuation.notes_per_bar / (if .prompt.notes_per_bar > 0 then .prompt.notes_per_bar else 1e-9 end)),
        empty: .continuation.empty_bar_fraction,
        dent: (.continuation.pitch_class_entropy_bits - .prompt.pitch_class_entropy_bits),
        fade: .last_vs_first_quarter_density } ] as $t
    | ($t | length) as $n
    | "| \($m) | \($n) | \([$t[] | select((.ratio - 1) | fabs <= 0.25)] | length)/\($n) | \([$t[] | select(.empty <= 0.05)] | length)/\($n) | \([$t[] | select(.dent | fabs <= 0.2)] | length)/\($n) | \([$t[] | select(.fade >= 0.8)] | length)/\($n) | \([$t[].ratio] | median | r2) | \([$t[].dent] | median | r2) | \(([$t[].empty] | add / $n * 100) | r2) | \([$t[].fade] | median | r2) |"
  ' "$dir/stats.jsonl" | tee -a "$summary"
done
echo "take-stats: prompts: ${chosen[*]##"$data"/}" >&2
echo "take-stats: wrote $summary" >&2
