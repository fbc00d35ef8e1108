#!/usr/bin/env python3
"""Cut event-token continuations to the paper's length (prompt + generated = N tokens) and write them as MIDI.

    truncate_tokens.py SPE IN_DIR OUT_DIR N

Each IN_DIR/*.mid is encoded with `spe tokenize --scheme event`, its first N tokens are kept and decoded with
`spe detokenize` (notes still sounding at the cut end there). The event encoding of a MIDI file written from
event tokens gives those tokens back, so this equals generating N tokens in all.
"""
import json, os, subprocess, sys, tempfile

spe, src, dst, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
os.makedirs(dst, exist_ok=True)
for name in sorted(os.listdir(src)):
    if not name.endswith(".mid"):
        continue
    enc = subprocess.run([spe, "tokenize", "--scheme", "event", os.path.join(src, name)], capture_output=True,
                         text=True, check=True)
    tokens = json.loads(enc.stdout)
    tokens["ids"] = tokens["ids"][:n]
    tokens.pop("names", None)  # ids are what detokenize reads; names would disagree after the cut
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(tokens, f)
    subprocess.run([spe, "detokenize", f.name, "-o", os.path.join(dst, name)], check=True, capture_output=True)
    os.unlink(f.name)
