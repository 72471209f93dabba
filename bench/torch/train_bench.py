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

Run: python3 bench/torch/train_bench.py --models dssm,hit,deepfm --batch 256,2048 --threads 2
"""
import argparse
import json
import os
import platform
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
        self.dense_linear = nn.Linear(2, 1)
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


def measure(name, bsz, samples):
    torch.manual_seed(1023)
    model = MODELS[name]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(7)
    batches = [make_batch(bsz, gen) for _ in range(8)]
    steps = max(10, -(-samples // bsz))

    def step(b):
        opt.zero_grad(set_to_none=True)
        score, aux = model(b)
        loss = F.binary_cross_entropy_with_logits(score, b["label"], reduction="sum") + model.emb.l2(b, 1e-5)
        if aux is not None:
            loss = loss + aux
        loss.backward()
        opt.step()

    model.train()
    for i in range(5):
        step(batches[i % 8])
    t0 = time.perf_counter()
    for i in range(steps):
        step(batches[i % 8])
    train = steps * bsz / (time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        for i in range(3):
            model(batches[i % 8])
        t0 = time.perf_counter()
        for i in range(steps):
            torch.sigmoid(model(batches[i % 8])[0])
        infer = steps * bsz / (time.perf_counter() - t0)
    return train, infer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="dssm,hit,deepfm")
    ap.add_argument("--batch", default="256,2048")
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    results = []
    for name in args.models.split(","):
        for bsz in [int(x) for x in args.batch.split(",")]:
            train, infer = measure(name, bsz, args.samples)
            print(f"{name} batch {bsz}: train {train:,.0f} samples/s, inference {infer:,.0f} samples/s", file=__import__("sys").stderr)
            results.append({"case": f"torch train model={name} batch={bsz}", "metric": "samples_per_s", "value": round(train, 3), "unit": "samples/s"})
            results.append({"case": f"torch infer model={name} batch={bsz}", "metric": "samples_per_s", "value": round(infer, 3), "unit": "samples/s"})
    print(json.dumps({"command": "bench/torch/train_bench.py", "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}, "results": results}))


if __name__ == "__main__":
    main()
