#!/usr/bin/python3
"""Eager PyTorch baseline for `spe bench`: the same batch-1 recurrent decoder step (Performer + gated
SineSPE or ConvSPE, FAVOR+ features, pop-piano sizes by default) written the way one writes it in plain
PyTorch — nn.Linear modules, einsum, torch.cat — with random weights, timed token by token.

Prints one JSON line shaped like `spe bench --json`:
  {"impl": "eager-python", "threads": T, "ms_per_token": {"256": ...}, "ms_per_token_stats": {...}, ...}

Usage: packaging/tools/bench_eager.py [--pe sine|conv] [--positions 256,4096,16384] [--threads 2]
                                      [--steps 32] [--warmup 4]
The step does what SPE.md §2–§4 prescribes and what core/model's PerformerLM::step does; positions are
reached as in `spe bench` (codes computed at that position, attention state filled), so a step at any
position costs what it costs there.
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

CONFIGS = {
    "pop": dict(vocab=333, d=512, layers=24, heads=8, d_ff=2048, features=128, R=64, sines=5, kernel=128),
    "groove": dict(vocab=794, d=512, layers=24, heads=8, d_ff=2048, features=128, R=64, sines=8, kernel=128),
    "small": dict(vocab=333, d=256, layers=4, heads=4, d_ff=1024, features=128, R=64, sines=5, kernel=128),
}


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d"]
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.linear1, self.linear2 = nn.Linear(d, c["d_ff"]), nn.Linear(c["d_ff"], d)
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.gate = nn.Parameter(torch.randn(c["heads"], d // c["heads"]))


def favor_features(x, omega):
    """Positive FAVOR+ features [exp(u − ‖x‖²/2), exp(−u − ‖x‖²/2)]/√F of x (…, R), u = x·ω, x scaled by R^(-1/4)."""
    xs = x * x.shape[-1] ** -0.25
    u = xs @ omega
    offset = (xs ** 2).sum(-1, keepdim=True) * 0.5 + 0.5 * math.log(2 * omega.shape[-1])
    return torch.cat([torch.exp(u - offset), torch.exp(-u - offset)], -1)


class EagerDecoder(nn.Module):
    def __init__(self, c, pe):
        super().__init__()
        self.c, self.pe = c, pe
        d, h = c["d"], c["heads"]
        self.dh = d // h
        self.emb = nn.Embedding(c["vocab"], d)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["layers"]))
        self.head = nn.Linear(d, c["vocab"])
        R, K = c["R"], c["sines"]
        scale = (R * self.dh) ** -0.25
        if pe == "sine":
            self.freqs = torch.rand(h * self.dh, K) * 0.5
            self.offsets = torch.rand(h * self.dh, K)
            self.noise = torch.randn(h * self.dh, 2 * K, R) / math.sqrt(2 * K) * scale
        else:
            L = c["kernel"]
            self.filters = torch.randn(h * self.dh, L, 2) / math.sqrt(L) * scale
            self.window = torch.randn(h * self.dh, R, L)  # ring buffer of the last L noise columns
        # Per layer: frozen FAVOR+ ω and gating noise ε (one draw per sequence).
        self.omega = [torch.randn(R, c["features"] // 2) for _ in range(c["layers"])]
        self.eps = [torch.randn(h, self.dh, R) * (self.dh * R) ** -0.25 for _ in range(c["layers"])]

    def codes(self, n):
        """SPE codes (H, D, R) for queries and keys at position n."""
        h, dh = self.c["heads"], self.dh
        if self.pe == "sine":
            phase_k = 2 * math.pi * self.freqs * n
            phase_q = phase_k + self.offsets
            def project(phase):
                basis = torch.stack([torch.cos(phase), torch.sin(phase)], -1).view(h * dh, -1, 1)
                return (basis * self.noise).sum(1).view(h, dh, -1)
            return project(phase_q), project(phase_k)
        L = self.c["kernel"]
        rotated = torch.roll(self.filters, n % L, 1)
        out = torch.bmm(self.window, rotated)  # (HD, R, 2)
        self.window[:, :, n % L] = torch.randn(h * dh, self.c["R"])
        return out[..., 0].reshape(h, dh, -1), out[..., 1].reshape(h, dh, -1)

    def begin(self, fill=1e-3):
        h, f = self.c["heads"], self.c["features"]
        return [(torch.full((h, f, self.dh), fill), torch.full((h, f), fill * f)) for _ in self.layers]

    def step(self, state, token, n):
        h, dh = self.c["heads"], self.dh
        x = self.emb(token) * math.sqrt(self.c["d"])  # (1, d)
        code_q, code_k = self.codes(n)
        for l, layer in enumerate(self.layers):
            q = layer.q(x).view(h, dh)
            k = layer.k(x).view(h, dh)
            v = layer.v(x).view(h, dh)
            g = torch.sigmoid(layer.gate).unsqueeze(-1)
            qt = torch.sqrt(1 - g) * code_q + torch.sqrt(g) * self.eps[l]
            kt = torch.sqrt(1 - g) * code_k + torch.sqrt(g) * self.eps[l]
            qh = torch.einsum("hd,hdr->hr", q, qt)
            kh = torch.einsum("hd,hdr->hr", k, kt)
            phi_q = favor_features(qh, self.omega[l])
            phi_k = favor_features(kh, self.omega[l])
            S, z = state[l]
            S += phi_k.unsqueeze(-1) * v.unsqueeze(-2)
            z += phi_k
            num = torch.einsum("hf,hfe->he", phi_q, S)
            den = (phi_q * z).sum(-1, keepdim=True) + 1e-6
            out = layer.o((num / den).reshape(1, -1))
            x = layer.norm1(x + out)
            x = layer.norm2(x + layer.linear2(F.relu(layer.linear1(x))))
        return self.head(x)


def stats(samples):
    s = sorted(samples)
    q = statistics.quantiles(s, n=10, method="inclusive")
    return {"median": statistics.median(s), "mean": statistics.fmean(s), "min": s[0], "p10": q[0],
            "p90": q[-1], "max": s[-1]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", default="pop", choices=sorted(CONFIGS))
    p.add_argument("--pe", default="sine", choices=["sine", "conv"])
    p.add_argument("--positions", default="256,4096,16384")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=32)
    p.add_argument("--warmup", type=int, default=4)
    args = p.parse_args()
    if args.steps < 16:
        p.error("--steps must be at least 16")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    positions = [int(x) for x in args.positions.split(",")]
    with torch.inference_mode():
        model = EagerDecoder(CONFIGS[args.config], args.pe).eval()
        medians, spread, cpu_medians = {}, {}, {}
        for pos in positions:
            state = model.begin()
            samples, cpu = [], []
            for t in range(args.warmup + args.steps):
                token = torch.tensor([(t * 7919 + 11) % model.c["vocab"]])
                cpu_start = time.process_time()
                start = time.perf_counter()
                logits = model.step(state, token, pos + t)
                logits[0, 0].item()
                if t >= args.warmup:
                    samples.append((time.perf_counter() - start) * 1000.0)
                    cpu.append((time.process_time() - cpu_start) * 1000.0)
            spread[str(pos)] = stats(samples)
            cpu_medians[str(pos)] = statistics.median(cpu)
            medians[str(pos)] = spread[str(pos)]["median"]
    print(json.dumps({"impl": "eager-python", "config": args.config, "pe": args.pe, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "batch": 1, "steps": args.steps,
                      "parameters": sum(p.numel() for p in model.parameters()),
                      "ms_per_token": medians, "ms_per_token_stats": spread,
                      "cpu_ms_per_token": cpu_medians,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}))


if __name__ == "__main__":
    main()
