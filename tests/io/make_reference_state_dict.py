#!/usr/bin/python3
"""Test fixture: a small state dict with the paper code's key names and shapes (docs/SPE.md §3.1/§3.2),
written independently of the converter, plus expected.json describing every tensor for the C++ check."""
import argparse
import json
import math
import sys

import torch


def sinusoid(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(position * div)
    pe[:, 1::2] = torch.cos(position * div)
    return pe.unsqueeze(1)  # (max_len, 1, d_model) as registered by the reference


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out_pt")
    p.add_argument("out_expected")
    p.add_argument("--pe", choices=["ape", "sine", "conv"], required=True)
    p.add_argument("--ungated", action="store_true")
    p.add_argument("--omega", action="store_true", help="add feature_map.omega buffers (newer fast-transformers)")
    p.add_argument("--extra-key", help="add an unexpected key")
    p.add_argument("--raw", help="also write every expected tensor as little-endian float32, concatenated in "
                                 "expected.json's order (entry 'offset' = first float): a copy independent of "
                                 "the converter and of safetensors")
    p.add_argument("--vocab", type=int, default=333)
    p.add_argument("--d-model", type=int, default=32)
    p.add_argument("--heads", type=int, default=4)
    a = p.parse_args()
    torch.manual_seed(0)
    layers, d_model, heads, sines, kernel, max_len = 2, a.d_model, a.heads, 5, 16, 64
    d_ff = 2 * d_model
    hd = d_model // heads
    # Scaled like trained weights, so that a forward pass through the converted model stays well conditioned.
    sd = {"token_emb.emb_lookup.weight": torch.randn(a.vocab, d_model) / math.sqrt(d_model)}
    if a.pe == "ape":
        sd["pe.pe"] = sinusoid(max_len, d_model)
    elif a.pe == "sine":
        for n in ("freqs", "offsets", "gains"):
            sd[f"transformer_decoder.spe.{n}"] = torch.randn(heads, hd, sines)
    else:
        sd["transformer_decoder.spe.conv_q.weight"] = torch.rand(heads * hd, 1, kernel)
        sd["transformer_decoder.spe.conv_k.weight"] = torch.rand(heads * hd, 1, kernel)
    if a.pe != "ape" and not a.ungated:
        for l in range(layers):
            sd[f"transformer_decoder.spe_filters.{l}.gate"] = torch.randn(heads, hd)
    for l in range(layers):
        pre = f"transformer_decoder.decoder_layers.{l}"
        for proj in ("query", "key", "value", "out"):
            sd[f"{pre}.attention.{proj}_projection.weight"] = torch.randn(d_model, d_model) / math.sqrt(d_model)
            sd[f"{pre}.attention.{proj}_projection.bias"] = torch.randn(d_model)
        if a.omega:
            sd[f"{pre}.attention.inner_attention.feature_map.omega"] = torch.randn(hd, 64)
        sd[f"{pre}.linear1.weight"] = torch.randn(d_ff, d_model) / math.sqrt(d_model)
        sd[f"{pre}.linear1.bias"] = torch.randn(d_ff)
        sd[f"{pre}.linear2.weight"] = torch.randn(d_model, d_ff) / math.sqrt(d_ff)
        sd[f"{pre}.linear2.bias"] = torch.randn(d_model)
        for norm in ("norm1", "norm2"):
            sd[f"{pre}.{norm}.weight"] = 1 + 0.01 * torch.randn(d_model)
            sd[f"{pre}.{norm}.bias"] = torch.zeros(d_model)
    sd["dec_out_proj.weight"] = torch.randn(a.vocab, d_model) / math.sqrt(d_model)
    sd["dec_out_proj.bias"] = torch.randn(a.vocab)
    if a.extra_key:
        sd[a.extra_key] = torch.zeros(3)
    torch.save(sd, a.out_pt)

    expected = {}
    raw = []
    offset = 0
    for k, v in sd.items():
        if k.endswith("feature_map.omega"):
            continue
        flat = v.reshape(-1).double()
        expected[k] = {"shape": list(v.shape), "first": float(flat[0]).hex(), "last": float(flat[-1]).hex(),
                       "sum": float(flat.sum()).hex(), "abs_sum": float(flat.abs().sum()).hex(), "offset": offset}
        raw.append(v.reshape(-1).float().numpy().astype("<f4").tobytes())
        offset += v.numel()
    if a.raw:
        with open(a.raw, "wb") as f:
            f.write(b"".join(raw))
    with open(a.out_expected, "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    sys.exit(main())
