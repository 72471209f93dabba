#!/usr/bin/env python3
"""PyTorch twin of `cascade bench train`: DSSM, HIT and DeepFM on MovieLens-1M-shaped batches.

Same shapes as Cascade's models on the inttower MovieLens layout (docs/data.md): user side user_id (6041 rows),
gender (3), age (8), occupation (22) + 1 dense value; item side movie_id (3707), genres (19 rows, multi-hot up to 6,
mean-pooled) + 1 dense value; embedding dim 32 initialised N(0, 1e-4).
- DSSM: towers (300, 300, 128) Linear→BatchNorm→ReLU on each side, cosine score + bias.
- HIT: towers (300, 300, 32) with batch norm; per side a target and a non-target generator (static fields → 64 → 32
  → p = J·z = 32) whose detached, L2-normalised outputs are concatenated to the tower input; a multi-head
  representer (32 → J·z, J = 2, z = 16); max-then-sum score + bias; cosine generation loss weighted by α = 1e-3.
- DeepFM: linear part (1-d embeddings + dense weights), FM over the 6 field embeddings, DNN (300, 300, 128) with
  dropout 0.1 over all embeddings and dense values, output layer.
Training step: forward, BCE summed over the batch + 1e-5 · Σ‖e‖² over the embedding rows of the batch, backward,
Adam (lr 1e-3) — IntTower's scripts use dense nn.Embedding tables and torch.optim.Adam, as here.
Inference: eval mode, torch.no_grad(). Prints one JSON object (DESIGN.md §7) on stdout.

Timing: at least 20 warm-up steps and --warmup seconds, then --passes timed passes of --samples samples; the median
pass is the headline (best pass and samples per process CPU-second too), as `cascade bench train` does.
Run (Debian's python3-torch lives under /usr/bin/python3):
  /usr/bin/python3 bench/torch/train_bench.py --models dssm,hit,deepfm --batch 256,2048 --threads 1
"""
import argparse
import json
import os
import platform
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB = {"user_id": 6041, "gender": 3, "age": 8, "occupation": 22, "movie_id": 3707, "genres": 19}
USER_FIELDS = ["user_id", "gender", "age", "occupation"]
ITEM_FIELDS = ["movie_id"]
DIM, GENRE_LEN = 32, 6


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.tables = nn.ModuleDict({k: nn.Embedding(v, DIM) for k, v in VOCAB.items()})
        for t in self.tables.values():
            nn.init.normal_(t.weight, 0.0, 1e-4)

    def field(self, batch, name):
        if name == "genres":
            return F.embedding_bag(batch["genres"], self.tables["genres"].weight, batch["genre_offsets"], mode="mean")
        return self.tables[name](batch[name])

    def l2(self, batch, lam):
        total = 0.0
        for name in VOCAB:
            rows = torch.unique(batch[name])
            total = total + lam * self.tables[name].weight[rows].pow(2).sum()
        return total


def tower(inp, sizes):
    layers = []
    for s in sizes:
        layers += [nn.Linear(inp, s), nn.BatchNorm1d(s), nn.ReLU()]
        inp = s
    return nn.Sequential(*layers)


class Dssm(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = Embeddings()
        self.user = tower(4 * DIM + 1, [300, 300, 128])
        self.item = tower(2 * DIM + 1, [300, 300, 128])
        self.bias = nn.Parameter(torch.zeros(1))

    def user_input(self, b):
        return torch.cat([self.emb.field(b, f) for f in USER_FIELDS] + [b["user_dense"]], 1)

    def item_input(self, b):
        return torch.cat([self.emb.field(b, "movie_id"), self.emb.field(b, "genres"), b["item_dense"]], 1)

    def forward(self, b):
        return F.cosine_similarity(self.user(self.user_input(b)), self.item(self.item_input(b)), dim=1) + self.bias, None


class HitSide(nn.Module):
    def __init__(self, width, static_width, p=32, heads=2, head_dim=16):
        super().__init__()
        self.generators = nn.ModuleList([nn.Sequential(nn.Linear(static_width, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, p)) for _ in range(2)])
        self.dnn = tower(width + 2 * p, [300, 300, 32])
        self.rep = nn.Linear(32, heads * head_dim)
        self.heads, self.head_dim = heads, head_dim

    def forward(self, x, static):
        gen = [g(static.detach()) for g in self.generators]
        e = torch.cat([F.normalize(g.detach(), dim=1) for g in gen] + [x], 1)
        h = self.dnn(e)
        return self.rep(h).view(-1, self.heads, self.head_dim), gen


class Hit(Dssm):
    def __init__(self):
        nn.Module.__init__(self)
        self.emb = Embeddings()
        self.user_side = HitSide(4 * DIM + 1, 4 * DIM)
        self.item_side = HitSide(2 * DIM + 1, 2 * DIM)
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, b):
        ux, ix = self.user_input(b), self.item_input(b)
        u, gu = self.user_side(ux, ux[:, : 4 * DIM])
        a, ga = self.item_side(ix, ix[:, : 2 * DIM])
        score = torch.einsum("bjz,bkz->bjk", u, a).max(dim=2).values.sum(dim=1) + self.bias
        aux = None
        if self.training:
            y = b["label"]
            ut, at = u.detach().flatten(1), a.detach().flatten(1)
            def side(g, t):
                return ((1 - F.cosine_similarity(g[0], t, dim=1)) * y + (1 - F.cosine_similarity(g[1], t, dim=1)) * (1 - y)).mean()
            aux = 1e-3 * (side(gu, at) + side(ga, ut))
        return score, aux


class DeepFm(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = Embeddings()
        self.linear = nn.ModuleDict({k: nn.Embedding(v, 1) for k, v in VOCAB.items()})
        self.dense_linear = nn.Linear(2, 1, bias=False)  # Cascade's LinearPart: x_denseᵀ·w, the one bias is self.bias
        self.dnn = nn.Sequential(nn.Linear(6 * DIM + 2, 300), nn.ReLU(), nn.Dropout(0.1), nn.Linear(300, 300), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(300, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 1, bias=False))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, b):
        names = USER_FIELDS + ITEM_FIELDS + ["genres"]
        fields = torch.stack([self.emb.field(b, n) for n in names], 1)  # (B, F, D)
        dense = torch.cat([b["user_dense"], b["item_dense"]], 1)
        lin = sum(self.linear[n](b[n]).squeeze(1) for n in USER_FIELDS + ITEM_FIELDS)
        lin = lin + F.embedding_bag(b["genres"], self.linear["genres"].weight, b["genre_offsets"], mode="mean").squeeze(1)
        lin = lin + self.dense_linear(dense).squeeze(1)
        s = fields.sum(1)
        fm = 0.5 * (s * s - (fields * fields).sum(1)).sum(1)
        deep = self.dnn(torch.cat([fields.flatten(1), dense], 1)).squeeze(1)
        return lin + fm + deep + self.bias, None


MODELS = {"dssm": Dssm, "hit": Hit, "deepfm": DeepFm}


def make_batch(bsz, gen):
    b = {k: torch.randint(1, v, (bsz,), generator=gen) for k, v in VOCAB.items() if k != "genres"}
    lengths = torch.randint(1, 4, (bsz,), generator=gen)  # MovieLens movies have 1–6 genres, most 1–3
    b["genres"] = torch.randint(1, VOCAB["genres"], (int(lengths.sum()),), generator=gen)
    b["genre_offsets"] = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])
    b["user_dense"] = torch.rand(bsz, 1, generator=gen)
    b["item_dense"] = torch.rand(bsz, 1, generator=gen)
    b["label"] = (torch.rand(bsz, generator=gen) < 0.57).float()
    return b


def phase(step, batches, steps, bsz, passes, warmup):
    """Warm-up (at least 20 steps and `warmup` seconds), then `passes` timed passes of `steps` steps.
    Returns (median samples/s, best samples/s, samples per process CPU-second over all passes, median ms/step)."""
    t0, i = time.perf_counter(), 0
    while i < 20 or time.perf_counter() - t0 < warmup:
        step(batches[i % len(batches)])
        i += 1
    times = []
    cpu0 = time.process_time()
    for _ in range(passes):
        t0 = time.perf_counter()
        for j in range(steps):
            step(batches[j % len(batches)])
        times.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu0
    times.sort()
    median = times[len(times) // 2] if len(times) % 2 else 0.5 * (times[len(times) // 2 - 1] + times[len(times) // 2])
    n = steps * bsz
    return n / median, n / times[0], n * passes / max(cpu, 1e-9), 1000 * median / steps


def measure(name, bsz, args):
    torch.manual_seed(1023)
    model = MODELS[name]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(7)
    batches = [make_batch(bsz, gen) for _ in range(8)]
    steps = max(10, -(-args.samples // bsz))

    def train_step(b):
        opt.zero_grad(set_to_none=True)
        score, aux = model(b)
        loss = F.binary_cross_entropy_with_logits(score, b["label"], reduction="sum") + model.emb.l2(b, 1e-5)
        if aux is not None:
            loss = loss + aux
        loss.backward()
        opt.step()

    def infer_step(b):
        torch.sigmoid(model(b)[0])

    model.train()
    train = phase(train_step, batches, steps, bsz, args.passes, args.warmup)
    model.eval()
    with torch.no_grad():
        infer = phase(infer_step, batches, steps, bsz, args.passes, args.warmup)
    return train, infer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="dssm,hit,deepfm")
    ap.add_argument("--batch", default="256,2048")
    ap.add_argument("--samples", type=int, default=20000, help="timed samples per pass (at least 10 batches)")
    ap.add_argument("--passes", type=int, default=5, help="timed passes per case; the median is reported")
    ap.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per case (at least 20 steps)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads (compare with cascade bench train --threads)")
    args = ap.parse_args()
    if args.threads < 1 or args.passes < 1 or args.samples < 1 or args.warmup < 0:
        ap.error("--threads, --passes and --samples must be at least 1, --warmup at least 0")
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    results = []
    for name in args.models.split(","):
        for bsz in [int(x) for x in args.batch.split(",")]:
            train, infer = measure(name, bsz, args)
            print(f"{name} batch {bsz}: train {train[0]:,.0f} samples/s (best {train[1]:,.0f}, {train[2]:,.0f} per CPU-s, {train[3]:.2f} ms/step), "
                  f"inference {infer[0]:,.0f} samples/s (best {infer[1]:,.0f}, {infer[2]:,.0f} per CPU-s)", file=sys.stderr)
            tag = f"model={name} batch={bsz} threads={args.threads}"
            for phase_name, fig in (("train", train), ("infer", infer)):
                results.append({"case": f"torch {phase_name} {tag}", "metric": "samples_per_s", "value": round(fig[0], 3), "unit": "samples/s"})
                results.append({"case": f"torch {phase_name} {tag}", "metric": "best_samples_per_s", "value": round(fig[1], 3), "unit": "samples/s"})
                results.append({"case": f"torch {phase_name} {tag}", "metric": "samples_per_cpu_s", "value": round(fig[2], 3), "unit": "samples/CPU-s"})
    print(json.dumps({"command": "bench/torch/train_bench.py", "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}, "results": results}))


if __name__ == "__main__":
    main()
