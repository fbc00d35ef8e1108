#!/usr/bin/python3
"""Eager PyTorch baseline for `spe train` throughput: one training step (forward, cross-entropy, backward,
AdamW) of the bundled models' architecture — Performer, gated sineSPE, FAVOR+, 6 layers × 256, 4 heads,
d_ff 1024, 128 features, R = 64 realizations, 5 sines, dropout 0.1 — written the way one writes it in plain
PyTorch (nn.Linear modules, einsum, causal linear attention by chunks of 64 positions), on
random tokens, timed step by step.

Prints one JSON line: {"impl": "eager-python", "threads": T, "tokens_per_step": B·N, "step_s": {...},
"tokens_per_s": ...}.

Usage: packaging/tools/train_eager.py [--threads 1] [--batch 16] [--seq-len 512] [--steps 4] [--warmup 1]
                                      [--bf16]
The step follows SPE.md §2–§4 as core/model's training forward does; only the timing is compared, so the
tokens are random (the cost of a step does not depend on them).
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import bench_eager  # the same layer and FAVOR+ features as the decoding baseline beside this file
from bench_eager import favor_features

ARCH = dict(vocab=385, d=256, layers=6, heads=4, d_ff=1024, features=128, R=64, sines=5, dropout=0.1)


class Layer(bench_eager.Layer):
    """The decoding baseline's layer, as trained: gates start at zero (as `spe train` initialises them), dropout."""

    def __init__(self, c):
        super().__init__(c)
        nn.init.zeros_(self.gate)
        self.drop = nn.Dropout(c["dropout"])


def causal_linear_attention(phi_q, phi_k, v, chunk=64):
    """Σ_{m≤n} φq_n·φk_m v_m / Σ_{m≤n} φq_n·φk_m for (B, H, N, F) features and (B, H, N, E) values, by
    chunks: masked quadratic attention inside a chunk, the running state S = Σ φk vᵀ of the chunks before
    it across chunks (a per-position cumulative sum of outer products is B·H·N·F·E floats per layer)."""
    b, h, n, f = phi_q.shape
    e = v.shape[-1]
    c = min(chunk, n)
    assert n % c == 0, "--seq-len must be a multiple of the chunk (64)"
    q = phi_q.reshape(b, h, n // c, c, f)
    k = phi_k.reshape(b, h, n // c, c, f)
    vv = v.reshape(b, h, n // c, c, e)
    mask = torch.ones(c, c, dtype=torch.bool).tril()
    a = (q @ k.transpose(-1, -2)).masked_fill(~mask, 0.0)  # (B, H, nc, C, C)
    num = a @ vv
    den = a.sum(-1, keepdim=True)
    kv = k.transpose(-1, -2) @ vv  # (B, H, nc, F, E): each chunk's Σ φk vᵀ
    s_before = torch.cumsum(kv, 2) - kv  # the state left by the chunks before
    k_sums = k.sum(3)  # (B, H, nc, F): each chunk's Σ φk
    z_before = torch.cumsum(k_sums, 2) - k_sums
    num = num + q @ s_before
    den = den + (q * z_before.unsqueeze(3)).sum(-1, keepdim=True) + 1e-6
    return (num / den).reshape(b, h, n, e)


class EagerPerformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        d, h, K = c["d"], c["heads"], c["sines"]
        self.dh = d // h
        self.emb = nn.Embedding(c["vocab"], d)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["layers"]))
        self.head = nn.Linear(d, c["vocab"])
        # sineSPE, shared by the layers: learned frequencies, phase offsets and gains per (head, dim, sine).
        self.freqs = nn.Parameter(torch.rand(h * self.dh, K) * 0.5)
        self.offsets = nn.Parameter(torch.rand(h * self.dh, K))
        self.gains = nn.Parameter(torch.randn(h * self.dh, K))
        self.drop = nn.Dropout(c["dropout"])

    def spe_codes(self, n):
        """Q̄, K̄ (N, H, D, R): one fresh noise draw per step, as in training."""
        c, h, dh, K, R = self.c, self.c["heads"], self.dh, self.c["sines"], self.c["R"]
        pos = torch.arange(n, dtype=torch.float32)
        phase_k = 2 * math.pi * self.freqs.unsqueeze(-1) * pos  # (HD, K, N)
        phase_q = phase_k + self.offsets.unsqueeze(-1)
        noise = torch.randn(h * dh, 2 * K, R) / math.sqrt(2 * K) * (R * dh) ** -0.25
        gains = F.softplus(self.gains).repeat(1, 2).unsqueeze(-1)  # (HD, 2K, 1)

        def project(phase):
            basis = torch.cat([torch.cos(phase), torch.sin(phase)], 1)  # (HD, 2K, N)
            return torch.einsum("ckn,ckr->ncr", basis, gains * noise).reshape(n, h, dh, R)

        return project(phase_q), project(phase_k)

    def forward(self, tokens):
        b, n = tokens.shape
        h, dh, R = self.c["heads"], self.dh, self.c["R"]
        x = self.drop(self.emb(tokens) * math.sqrt(self.c["d"]))
        code_q, code_k = self.spe_codes(n)
        for layer in self.layers:
            q = layer.q(x).view(b, n, h, dh)
            k = layer.k(x).view(b, n, h, dh)
            v = layer.v(x).view(b, n, h, dh)
            g = torch.sigmoid(layer.gate).unsqueeze(-1)  # (H, D, 1)
            eps = torch.randn(h, dh, R) * (dh * R) ** -0.25
            qt = torch.sqrt(1 - g) * code_q + torch.sqrt(g) * eps
            kt = torch.sqrt(1 - g) * code_k + torch.sqrt(g) * eps
            qh = torch.einsum("bnhd,nhdr->bhnr", q, qt)
            kh = torch.einsum("bnhd,nhdr->bhnr", k, kt)
            omega = torch.randn(R, self.c["features"] // 2)  # FAVOR+ ω redrawn per step
            phi_q, phi_k = favor_features(qh, omega), favor_features(kh, omega)  # (B, H, N, F)
            att = causal_linear_attention(phi_q, phi_k, v.transpose(1, 2)).transpose(1, 2).reshape(b, n, -1)
            x = layer.norm1(x + layer.drop(layer.o(att)))
            x = layer.norm2(x + layer.drop(layer.linear2(layer.drop(F.relu(layer.linear1(x))))))
        return self.head(x)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seq-len", type=int, default=512)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--bf16", action="store_true", help="torch.autocast(cpu, bfloat16) around the forward")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = EagerPerformer(ARCH).train()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-4)
    times = []
    for t in range(args.warmup + args.steps):
        tokens = torch.randint(0, ARCH["vocab"], (args.batch, args.seq_len + 1))
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            logits = model(tokens[:, :-1])
        loss = F.cross_entropy(logits.float().reshape(-1, ARCH["vocab"]), tokens[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if t >= args.warmup:
            times.append(time.perf_counter() - start)
    tokens_per_step = args.batch * args.seq_len
    median = statistics.median(times)
    print(json.dumps({"impl": "eager-python", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "bf16": args.bf16, "batch": args.batch, "seq_len": args.seq_len,
                      "tokens_per_step": tokens_per_step, "steps": args.steps,
                      "parameters": sum(q.numel() for q in model.parameters()),
                      "step_s": {"median": median, "min": min(times), "max": max(times)},
                      "tokens_per_s": tokens_per_step / median,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}))


if __name__ == "__main__":
    main()
