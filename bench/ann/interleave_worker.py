#!/usr/bin/python3
"""hnswlib side of `cascade bench ann --data-dir DIR --rounds R --compare` (the interleaved comparison).

Run with Debian's python (/usr/bin/python3) after `apt-get install -y python3-hnswlib`. Loads DIR/hnswlib.M<M>.efc<efc>.bin
(save_index of an earlier run) or, when it is missing, builds it from DIR/base.fbin with one thread and saves it
(temporary file, then rename) so later runs reuse the same graph. Then it answers one command per stdin line, so the
C# driver can interleave the two libraries on the same queries while the other one is idle:

  block <ef> <start> <count>   searches queries [start, start + count) of DIR/queries.fbin once on one thread;
                               replies {"seconds" (wall), "cpu_seconds" (this process), "hits"} (hits against
                               DIR/gt.ibin, summed over the block)
  quit

Every reply is one JSON line on stdout; progress goes to stderr. Never a runtime dependency.
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def read_matrix(path, dtype):
    with open(path, "rb") as f:
        rows, cols = np.fromfile(f, dtype=np.int32, count=2)
        data = np.fromfile(f, dtype=dtype, count=int(rows) * int(cols))
        if data.size != int(rows) * int(cols):
            sys.exit(f"{path}: truncated ({data.size} of {int(rows) * int(cols)} values)")
        return data.reshape(int(rows), int(cols))


def read_shape(path):
    with open(path, "rb") as f:
        rows, cols = np.fromfile(f, dtype=np.int32, count=2)
        return int(rows), int(cols)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] hnswlib: {msg}", file=sys.stderr, flush=True)


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--metric", choices=["ip", "l2"], required=True)
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--k", type=int, default=10)
    a = ap.parse_args()
    import hnswlib

    n, d = read_shape(f"{a.dir}/base.fbin")
    queries = read_matrix(f"{a.dir}/queries.fbin", np.float32)
    truth = read_matrix(f"{a.dir}/gt.ibin", np.int32)
    if queries.shape[1] != d:
        sys.exit(f"{a.dir}/queries.fbin: D = {queries.shape[1]}, base.fbin has D = {d}")
    if truth.shape[0] != queries.shape[0] or truth.shape[1] < a.k:
        sys.exit(f"{a.dir}/gt.ibin: shape {truth.shape}, need ({queries.shape[0]}, >= {a.k})")
    truth = truth[:, :a.k]
    path = f"{a.dir}/hnswlib.M{a.m}.efc{a.ef_construction}.bin"
    index = hnswlib.Index(space=a.metric, dim=d)
    if os.path.exists(path):
        t = time.perf_counter()
        index.load_index(path, max_elements=n)
        log(f"loaded {path} ({index.get_current_count()} items) in {time.perf_counter() - t:.2f} s")
        if index.get_current_count() != n:
            sys.exit(f"{path}: holds {index.get_current_count()} items, base.fbin has {n}; delete it to rebuild")
    else:
        base = read_matrix(f"{a.dir}/base.fbin", np.float32)
        index.init_index(max_elements=n, ef_construction=a.ef_construction, M=a.m, random_seed=42)
        index.set_num_threads(1)
        log(f"building {n} x {d} (1 thread, M={a.m}, efc={a.ef_construction})")
        t = time.perf_counter()
        index.add_items(base, np.arange(n), num_threads=1)
        log(f"built in {time.perf_counter() - t:.1f} s; saving {path}")
        del base
        tmp = f"{path}.tmp-{os.getpid()}"
        index.save_index(tmp)
        os.replace(tmp, path)
    index.set_num_threads(1)
    reply({"ready": True, "n": n, "d": d, "queries": int(queries.shape[0])})

    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        if parts[0] == "block":
            ef, start, count = int(parts[1]), int(parts[2]), int(parts[3])
            if start < 0 or count < 1 or start + count > queries.shape[0]:
                reply({"error": f"block {start}+{count} outside {queries.shape[0]} queries"})
                continue
            index.set_ef(ef)
            block = queries[start:start + count]
            c = time.process_time()
            t = time.perf_counter()
            labels, _ = index.knn_query(block, k=a.k, num_threads=1)
            wall = time.perf_counter() - t
            cpu = time.process_time() - c
            hits = sum(len(set(labels[i].tolist()) & set(truth[start + i].tolist())) for i in range(count))
            reply({"seconds": wall, "cpu_seconds": cpu, "hits": hits})
        else:
            reply({"error": f"unknown command {parts[0]!r}"})


if __name__ == "__main__":
    main()
