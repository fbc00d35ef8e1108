#!/usr/bin/env python3
"""Rewrite a model folder's weights in another float dtype (F16 / BF16 / F32) and update model.json.

Shipped models are stored in F16 to halve their size; the engine converts to F32 (or the compute dtype)
on load. Only numpy and the standard library are needed (BF16 is produced by rounding F32 to nearest even).
    requantize_model.py MODEL_DIR --dtype F16
"""
import argparse, hashlib, json, os, struct, sys, tempfile

import numpy as np

NUMPY = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32,
         "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
FLOATS = ("F32", "F16", "BF16", "F64")


def fail(msg):
    print(f"requantize_model: {msg}", file=sys.stderr)
    sys.exit(2)


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", None)
    body = data[8 + n:]
    return header, meta, body


def to_f32(dtype, raw):
    if dtype == "BF16":
        return (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32)
    return np.frombuffer(raw, NUMPY[dtype]).astype(np.float32)


def from_f32(dtype, values):
    if dtype == "BF16":
        bits = values.astype(np.float32).view(np.uint32)
        rounded = bits + 0x7FFF + ((bits >> 16) & 1)  # round to nearest even
        return (rounded >> 16).astype(np.uint16).tobytes()
    return values.astype(NUMPY[dtype]).tobytes()


def write_atomically(path, payload):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model_dir")
    ap.add_argument("--dtype", choices=["F32", "F16", "BF16"], required=True)
    args = ap.parse_args()
    meta_path = os.path.join(args.model_dir, "model.json")
    try:
        with open(meta_path) as f:
            model = json.load(f)
        weights_path = os.path.join(args.model_dir, model["weights"]["file"])
        header, meta, body = read(weights_path)
    except (OSError, KeyError, ValueError) as e:
        fail(f"{args.model_dir}: {e}")

    tensors = {}
    for name, info in sorted(header.items()):
        begin, end = info["data_offsets"]
        raw = body[begin:end]
        dtype = info["dtype"]
        if dtype in FLOATS:
            raw, dtype = from_f32(args.dtype, to_f32(dtype, raw)), args.dtype
        tensors[name] = (dtype, info["shape"], raw)

    new_header, offset, chunks = {}, 0, []
    for name, (dtype, shape, raw) in tensors.items():
        new_header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if meta is not None:
        new_header = {"__metadata__": meta, **new_header}
    text = json.dumps(new_header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    payload = struct.pack("<Q", len(text)) + text + b"".join(chunks)
    write_atomically(weights_path, payload)

    model["weights"]["sha256"] = hashlib.sha256(payload).hexdigest()
    model["weights"]["bytes"] = len(payload)
    model["weights"]["dtype"] = args.dtype
    write_atomically(meta_path, (json.dumps(model, indent=2) + "\n").encode())
    print(f"{args.model_dir}: {len(tensors)} tensors, {len(payload) / 1e6:.1f} MB, {args.dtype}")


if __name__ == "__main__":
    main()
