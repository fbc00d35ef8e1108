#!/usr/bin/python3
"""Convert a state dict saved by the SPE paper's code into an SPE Studio model folder.

The paper's music experiments save `torch.save(model.state_dict())` (pop piano REMI, 333 tokens; groove
event tokens, 794 tokens). This tool reads such a file and writes `OUT/model.safetensors` (our own
safetensors writer, no extra dependency) and `OUT/model.json` (format_version 1, see core/io/checkpoint.hpp).

Our module paths ARE the reference names (docs/SPE.md §3.1 "State-dict keys"), so the tensor map is the
identity except for:
  * `...feature_map.omega` (Performer random features, redrawn per take) is dropped;
  * the APE table `pe.pe` (max_len, 1, d_model) is checked against the sinusoidal formula (kept as is: it is
    also the layout of PerformerLM's buffer).
model.json has the structure `spe train` writes: `architecture` = ModelConfig JSON (core/model/config.hpp),
`positional_encoding` as train::describe_model, `tokenizer` = Tokenizer::to_json() (paper_tokenizers.json).

Usage: convert_reference.py STATE_DICT.pt OUT_DIR [--name NAME] [--dtype F32|F16|BF16] [--license TEXT] ...
Needs python3-torch (Debian). Exit status 2 with a one-line message on bad input.
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import re
import struct
import sys
import tempfile

FORMAT_NAME = "spe-studio-model"
FORMAT_VERSION = 1
TOOL = "spe-studio convert_reference.py 0.1.0"

# The APE buffer: same name and (max_len, 1, d_model) layout as the reference (PerformerLM's SinusoidalAPE).
APE_KEY = "pe.pe"

# Vocabulary sizes of the paper's two token schemes (docs/SPE.md §3.1 and §3.2).
REMI_PAPER_VOCAB = 333
EVENT_PAPER_VOCAB = 794


class ConversionError(Exception):
    pass


# --------------------------------------------------------------------------------------------------
# The expected reference layout: the one place that lists every key and its shape.

def reference_layout(vocab, d_model, n_layers, d_ff, pe):
    """Ordered {key: shape} of the reference state dict for the given architecture.

    pe: {"kind": "ape"|"sine"|"conv", "n_heads", "head_dim", "num_sines" | "kernel_size", "gated", "max_len"}
    """
    layout = {
        "token_emb.emb_lookup.weight": (vocab, d_model),
    }
    if pe["kind"] == "ape":
        layout[APE_KEY] = (pe["max_len"], 1, d_model)
    elif pe["kind"] == "sine":
        shape = (pe["n_heads"], pe["head_dim"], pe["num_sines"])
        for name in ("freqs", "offsets", "gains"):
            layout[f"transformer_decoder.spe.{name}"] = shape
    elif pe["kind"] == "conv":
        shape = (pe["n_heads"] * pe["head_dim"], 1, pe["kernel_size"])
        layout["transformer_decoder.spe.conv_q.weight"] = shape
        layout["transformer_decoder.spe.conv_k.weight"] = shape
    if pe["kind"] != "ape" and pe["gated"]:
        for layer in range(n_layers):
            layout[f"transformer_decoder.spe_filters.{layer}.gate"] = (pe["n_heads"], pe["head_dim"])
    for layer in range(n_layers):
        prefix = f"transformer_decoder.decoder_layers.{layer}"
        for proj in ("query", "key", "value", "out"):
            layout[f"{prefix}.attention.{proj}_projection.weight"] = (d_model, d_model)
            layout[f"{prefix}.attention.{proj}_projection.bias"] = (d_model,)
        layout[f"{prefix}.linear1.weight"] = (d_ff, d_model)
        layout[f"{prefix}.linear1.bias"] = (d_ff,)
        layout[f"{prefix}.linear2.weight"] = (d_model, d_ff)
        layout[f"{prefix}.linear2.bias"] = (d_model,)
        for norm in ("norm1", "norm2"):
            layout[f"{prefix}.{norm}.weight"] = (d_model,)
            layout[f"{prefix}.{norm}.bias"] = (d_model,)
    layout["dec_out_proj.weight"] = (vocab, d_model)
    layout["dec_out_proj.bias"] = (vocab,)
    return layout


def is_dropped_key(key):
    # Newer fast-transformers register the Favor projection as a buffer; it is redrawn per take.
    return key.endswith("feature_map.omega")


# --------------------------------------------------------------------------------------------------
# Detection of the architecture from the tensors alone.

def shape_of(state, key):
    return tuple(state[key].shape) if key in state else None


def detect_architecture(state, args):
    emb = shape_of(state, "token_emb.emb_lookup.weight")
    if emb is None or len(emb) != 2:
        raise ConversionError("no 'token_emb.emb_lookup.weight' (vocab, d_model): not a paper music model")
    vocab, d_model = emb
    layers = {int(m.group(1)) for k in state for m in [re.match(r"transformer_decoder\.decoder_layers\.(\d+)\.", k)] if m}
    if not layers:
        raise ConversionError("no 'transformer_decoder.decoder_layers.N.*' keys")
    n_layers = max(layers) + 1
    d_ff_shape = shape_of(state, "transformer_decoder.decoder_layers.0.linear1.weight")
    if d_ff_shape is None:
        raise ConversionError("missing 'transformer_decoder.decoder_layers.0.linear1.weight'")
    d_ff = d_ff_shape[0]

    gated = any(re.fullmatch(r"transformer_decoder\.spe_filters\.\d+\.gate", k) for k in state)
    if APE_KEY in state:
        table = shape_of(state, APE_KEY)
        pe = {"kind": "ape", "max_len": table[0], "n_heads": args.heads, "head_dim": d_model // args.heads}
    elif "transformer_decoder.spe.freqs" in state:
        h, d, k = shape_of(state, "transformer_decoder.spe.freqs")
        pe = {"kind": "sine", "n_heads": h, "head_dim": d, "num_sines": k, "gated": gated}
    elif "transformer_decoder.spe.conv_q.weight" in state:
        hd, _, k = shape_of(state, "transformer_decoder.spe.conv_q.weight")
        gate = shape_of(state, "transformer_decoder.spe_filters.0.gate")
        h = gate[0] if gate else args.heads
        if hd % h:
            raise ConversionError(f"conv_q.weight has {hd} channels, not a multiple of {h} heads")
        pe = {"kind": "conv", "n_heads": h, "head_dim": hd // h, "kernel_size": k, "gated": gated}
    else:
        raise ConversionError("no positional encoding found (neither 'pe.pe' nor 'transformer_decoder.spe.*')")
    if pe["n_heads"] * pe["head_dim"] != d_model:
        raise ConversionError(f"{pe['n_heads']} heads x {pe['head_dim']} dims != d_model {d_model}")
    if pe["kind"] != "ape":
        pe["num_realizations"] = args.realizations
        pe["share_pe"] = True  # one generator for all layers (the only layout with a single 'spe.' prefix)
    return vocab, d_model, n_layers, d_ff, pe


def check_layout(state, expected):
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    mismatched = [f"{k}: expected {list(expected[k])}, found {list(state[k].shape)}"
                  for k in expected if k in state and tuple(state[k].shape) != tuple(expected[k])]
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing ({', '.join(missing[:8])})")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected ({', '.join(unexpected[:8])})")
    if mismatched:
        problems.append(f"{len(mismatched)} shape mismatch ({'; '.join(mismatched[:8])})")
    if problems:
        raise ConversionError("state dict does not have the reference layout: " + "; ".join(problems))


def sinusoidal_table(torch, max_len, d_model):
    """The reference APE table: even dims sin, odd dims cos, div term exp(-2i ln(10000)/d_model)."""
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    div = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
    table = torch.zeros(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(position * div)
    table[:, 1::2] = torch.cos(position * div)
    return table


# --------------------------------------------------------------------------------------------------
# Tokenizers of the paper (docs/SPE.md §3.1, §3.2): exactly what `Tokenizer::to_json()` writes, kept in
# paper_tokenizers.json next to this file (a C++ test asserts it equals make_tokenizer(...)->to_json()).

PAPER_TOKENIZERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "paper_tokenizers.json")
SCHEME_OF_VOCAB = {REMI_PAPER_VOCAB: "remi", EVENT_PAPER_VOCAB: "event"}
# Padding id of each paper model (ModelConfig::pad_id): REMI appends PAD_None last; the event model pads with eos.
PAD_ID = {"remi": 332, "event": 792}
# Paper training sequence lengths (ModelConfig::train_len).
TRAIN_LEN = {"remi": 2048, "event": 512}


def paper_tokenizer(vocab_size, scheme_arg):
    scheme = scheme_arg or SCHEME_OF_VOCAB.get(vocab_size)
    if scheme is None:
        raise ConversionError(f"vocabulary of {vocab_size} tokens is neither the paper's REMI (333) nor event (794)")
    try:
        with open(PAPER_TOKENIZERS, encoding="utf-8") as f:
            tokenizer = json.load(f)[scheme]
    except (OSError, ValueError, KeyError) as e:
        raise ConversionError(f"{PAPER_TOKENIZERS}: cannot read the paper's {scheme} tokenizer ({e})")
    size = tokenizer["vocabulary"]["size"]
    if size != vocab_size:
        raise ConversionError(f"the weights have {vocab_size} tokens but the paper's {scheme} vocabulary has {size}")
    return scheme, tokenizer


# --------------------------------------------------------------------------------------------------
# Output: safetensors + model.json, each written to a temporary file and renamed into place.

DTYPE_NAMES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


def safetensors_dtype(torch, dtype):
    table = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
             torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
             torch.bool: "BOOL"}
    if dtype not in table:
        raise ConversionError(f"dtype {dtype} has no safetensors equivalent")
    return table[dtype]


def tensor_bytes(torch, tensor):
    flat = tensor.detach().cpu().contiguous().reshape(-1)
    if flat.numel() == 0:
        return b""
    # Reinterpret as bytes without numpy (which lacks bfloat16); the host is little-endian like the format.
    assert sys.byteorder == "little"
    return bytes(flat.view(torch.uint8).numpy().tobytes())


def write_atomically(path, chunks):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def write_safetensors(torch, path, tensors, metadata):
    header = {"__metadata__": metadata} if metadata else {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        data = tensor_bytes(torch, t)
        header[name] = {"dtype": safetensors_dtype(torch, t.dtype), "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # data buffer 8-byte aligned, as the format recommends
    write_atomically(path, [struct.pack("<Q", len(text)), text, *blobs])


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------

def load_state_dict(torch, path):
    if not os.path.isfile(path):
        raise ConversionError(f"{path}: no such file")
    try:
        # weights_only refuses arbitrary pickled code (torch >= 1.13).
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - torch raises many types for a bad file
        raise ConversionError(f"{path}: cannot read as a torch state dict ({str(e).splitlines()[0]})")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ConversionError(f"{path}: not a state dict of tensors")
    return dict(state)


def model_config_json(vocab, d_model, n_layers, d_ff, pe, args, pad_id, train_len):
    """(architecture, positional_encoding) exactly as train::describe_model writes them: every ModelConfig
    field (model::to_json), values not stored in the weights at ModelConfig's defaults or from the options."""
    kind = {"ape": "ape_sine", "sine": "sine_spe", "conv": "conv_spe"}[pe["kind"]]
    spe = {"realizations": args.realizations, "num_sines": pe.get("num_sines", 5),
           "kernel_size": pe.get("kernel_size", 128), "gated": pe.get("gated", True), "share_pe": True,
           "conv_algorithm": "auto"}
    architecture = {
        "vocab_size": vocab, "d_model": d_model, "n_layers": n_layers, "n_heads": pe["n_heads"], "d_ff": d_ff,
        "dropout": 0.1, "pe": kind, "spe": spe,
        "feature_map": {"kind": "favor", "n_features": args.features, "orthogonal": True},
        "train_len": train_len, "ape_max_len": pe.get("max_len", 20480), "pad_id": pad_id,
    }
    summary = {"kind": kind}
    if pe["kind"] != "ape":
        summary.update({"gated": spe["gated"], "realizations": spe["realizations"], "share_pe": True})
        summary["num_sines" if pe["kind"] == "sine" else "kernel_size"] = (
            spe["num_sines"] if pe["kind"] == "sine" else spe["kernel_size"])
    return architecture, summary


def convert(args):
    try:
        import torch
    except ImportError:
        raise ConversionError("python3-torch is not installed (apt-get install python3-torch)")

    state = load_state_dict(torch, args.input)
    dropped = sorted(k for k in state if is_dropped_key(k))
    for key in dropped:
        del state[key]

    vocab, d_model, n_layers, d_ff, pe = detect_architecture(state, args)
    check_layout(state, reference_layout(vocab, d_model, n_layers, d_ff, pe))

    out = {}
    for key, tensor in state.items():
        if key == APE_KEY:
            reference = sinusoidal_table(torch, pe["max_len"], d_model)
            error = (tensor.reshape(pe["max_len"], d_model).double() - reference).abs().max().item()
            if error > 1e-4:
                raise ConversionError(f"{args.input}: tensor '{APE_KEY}' is not the sinusoidal table "
                                      f"(max deviation {error:.3g})")
        if tensor.is_floating_point() and args.dtype:
            tensor = tensor.to(getattr(torch, DTYPE_NAMES[args.dtype]))
        out[key] = tensor

    scheme, tokenizer = paper_tokenizer(vocab, args.scheme)
    train_len = args.training_length or TRAIN_LEN[scheme]
    architecture, pe_summary = model_config_json(vocab, d_model, n_layers, d_ff, pe, args, PAD_ID[scheme], train_len)
    float_dtypes = sorted({safetensors_dtype(torch, t.dtype) for t in out.values() if t.is_floating_point()})

    os.makedirs(args.output, exist_ok=True)
    weights_path = os.path.join(args.output, "model.safetensors")
    write_safetensors(torch, weights_path, out, {"format": FORMAT_NAME})
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "name": args.name or os.path.basename(os.path.normpath(args.output)),
        "description": args.description or f"Converted from the SPE paper's {pe['kind']} model "
                                           f"({os.path.basename(args.input)})",
        "architecture": architecture,
        "positional_encoding": pe_summary,
        "tokenizer": tokenizer,
        "training": {"length": train_len, "steps": args.steps,
                     "dataset": {"name": args.dataset or {"remi": "Pop1K7", "event": "Groove2Groove"}.get(
                         scheme, "unknown")},
                     "metrics": {}},
        "provenance": {
            "tool": TOOL,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "command": " ".join(sys.argv),
            "git_commit": "",
            "source": os.path.abspath(args.input),
            "dropped_keys": dropped,
        },
        "license": args.license,
        "weights": {"file": "model.safetensors", "sha256": sha256_file(weights_path),
                    "bytes": os.path.getsize(weights_path),
                    "dtype": float_dtypes[0] if len(float_dtypes) == 1 else ("mixed" if float_dtypes else "none")},
    }
    write_atomically(os.path.join(args.output, "model.json"), [(json.dumps(meta, indent=2) + "\n").encode("utf-8")])
    return len(out), dropped, pe


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="state dict saved with torch.save(model.state_dict())")
    parser.add_argument("output", help="model folder to write (created if needed)")
    parser.add_argument("--name", help="model name (default: the output folder's name)")
    parser.add_argument("--description")
    parser.add_argument("--license", default="unspecified",
                        help="license of the weights (the paper publishes no checkpoints: say where yours came from)")
    parser.add_argument("--dtype", choices=sorted(DTYPE_NAMES), help="store floating-point tensors in this dtype")
    parser.add_argument("--scheme", choices=["remi", "event"], help="token scheme (default: from the vocabulary size)")
    parser.add_argument("--heads", type=int, default=8,
                        help="attention heads when the weights do not say (APE, ungated ConvSPE)")
    parser.add_argument("--realizations", type=int, default=64, help="SPE realisations R (not stored in weights)")
    parser.add_argument("--features", type=int, default=128, help="Favor random features (not stored in weights)")
    parser.add_argument("--training-length", type=int, help="training sequence length (default: paper's)")
    parser.add_argument("--steps", type=int, default=0, help="optimiser steps the model was trained for")
    parser.add_argument("--dataset", help="training data set name")
    args = parser.parse_args(argv)
    try:
        count, dropped, pe = convert(args)
    except ConversionError as e:
        print(f"convert_reference: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"convert_reference: {e.filename or args.output}: {e.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}: {count} tensors, positional encoding {pe['kind']}"
          + (f", dropped {len(dropped)} feature_map.omega keys" if dropped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
