#!/usr/bin/python3
"""hnswlib and faiss on the exact files `cascade bench ann` wrote (base.fbin, queries.fbin, gt.ibin).

Run with Debian's python (/usr/bin/python3) after `apt-get install -y python3-hnswlib python3-faiss`.
Builds use one thread like the C# side, except that --faiss-build-threads N builds faiss with N OpenMP threads
(a single-thread faiss build of 1M x 32 takes ~30 min on the 2-core machine); the case name then says
"threads=N" for the build, and every search still runs on one thread (omp_set_num_threads(1) after the build).
The batch case uses two threads.
Prints one JSON object {"results": [...]} on stdout; progress goes to stderr. Never a runtime dependency.
"""
import argparse
import json
import sys
import time

import numpy as np


def read_matrix(path, dtype):
    with open(path, "rb") as f:
        rows, cols = np.fromfile(f, dtype=np.int32, count=2)
        return np.fromfile(f, dtype=dtype, count=int(rows) * int(cols)).reshape(int(rows), int(cols))


def recall(found, truth):
    k = truth.shape[1]
    hits = sum(len(set(found[i, :k].tolist()) & set(truth[i].tolist())) for i in range(truth.shape[0]))
    return hits / truth.size


def log(msg):
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {msg}", file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--metric", choices=["ip", "l2"], required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--ef", default="10,20,40,80,120,200,400")
    ap.add_argument("--batch-ef", type=int, default=80)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--libs", default="hnswlib,faiss")
    ap.add_argument("--faiss-build-threads", type=int, default=1,
                    help="OpenMP threads for the faiss build only (searches stay single-threaded)")
    a = ap.parse_args()
    base = read_matrix(f"{a.dir}/base.fbin", np.float32)
    queries = read_matrix(f"{a.dir}/queries.fbin", np.float32)
    truth = read_matrix(f"{a.dir}/gt.ibin", np.int32)
    efs = [int(e) for e in a.ef.split(",")]
    n, d = base.shape
    tag = f"{a.tag} M={a.m} efc={a.ef_construction}"
    results = []

    def add(case, metric, value, unit):
        results.append({"case": case, "metric": metric, "value": float(value), "unit": unit})
        log(f"  {case}  {metric} = {value:.5g} {unit}")

    libs = a.libs.split(",")
    if "hnswlib" in libs:
        import hnswlib
        log(f"hnswlib {tag}: building (1 thread)")
        index = hnswlib.Index(space=a.metric, dim=d)
        index.init_index(max_elements=n, ef_construction=a.ef_construction, M=a.m, random_seed=42)
        index.set_num_threads(1)
        t = time.perf_counter()
        index.add_items(base, np.arange(n), num_threads=1)
        add(f"hnswlib build {tag} threads=1", "build_s", time.perf_counter() - t, "s")
        for ef in efs:
            index.set_ef(ef)
            index.knn_query(queries[:200], k=a.k, num_threads=1)  # warm-up
            t = time.perf_counter()
            labels, _ = index.knn_query(queries, k=a.k, num_threads=1)
            el = time.perf_counter() - t
            add(f"hnswlib {tag} ef={ef} threads=1", f"recall@{a.k}", recall(labels, truth), "")
            add(f"hnswlib {tag} ef={ef} threads=1", "qps", len(queries) / el, "queries/s")
        index.set_ef(a.batch_ef)
        t = time.perf_counter()
        labels, _ = index.knn_query(queries, k=a.k, num_threads=2)
        add(f"hnswlib {tag} ef={a.batch_ef} threads=2 batch", "qps", len(queries) / (time.perf_counter() - t), "queries/s")
        del index

    if "faiss" in libs:
        import faiss
        bt = a.faiss_build_threads
        if bt < 1:
            sys.exit(f"--faiss-build-threads must be >= 1, got {bt}")
        faiss.omp_set_num_threads(bt)
        log(f"faiss {tag}: building ({bt} thread{'s' if bt > 1 else ''})")
        metric = faiss.METRIC_INNER_PRODUCT if a.metric == "ip" else faiss.METRIC_L2
        index = faiss.IndexHNSWFlat(d, a.m, metric)
        index.hnsw.efConstruction = a.ef_construction
        t = time.perf_counter()
        c = time.process_time()
        index.add(base)
        add(f"faiss hnsw build {tag} threads={bt}", "build_s", time.perf_counter() - t, "s")
        add(f"faiss hnsw build {tag} threads={bt}", "build_cpu_s", time.process_time() - c, "CPU-s")
        faiss.omp_set_num_threads(1)  # every search below is single-threaded, whatever the build used
        for ef in efs:
            index.hnsw.efSearch = ef
            index.search(queries[:200], a.k)
            t = time.perf_counter()
            _, labels = index.search(queries, a.k)
            el = time.perf_counter() - t
            add(f"faiss hnsw {tag} ef={ef} threads=1", f"recall@{a.k}", recall(labels, truth), "")
            add(f"faiss hnsw {tag} ef={ef} threads=1", "qps", len(queries) / el, "queries/s")
        faiss.omp_set_num_threads(2)
        index.hnsw.efSearch = a.batch_ef
        t = time.perf_counter()
        index.search(queries, a.k)
        add(f"faiss hnsw {tag} ef={a.batch_ef} threads=2 batch", "qps", len(queries) / (time.perf_counter() - t), "queries/s")

    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
