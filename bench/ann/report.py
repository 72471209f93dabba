#!/usr/bin/env python3
"""Turns the JSON of `cascade bench ann --json` into the Markdown tables of docs/benchmarks.md (stdlib only)."""
import json
import re
import sys


def main():
    doc = json.load(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin)
    m = doc["machine"]
    print(f"Machine: {m['cpu']}, {m['cores']} cores, {m['simd']}; commit {doc['commit']}; {doc['date']}.\n")
    sweep = {}  # (dataset tag) -> ef -> lib -> {metric: value}
    other = []
    recall_name = {}  # dataset tag -> "recall@K" as measured
    for r in doc["results"]:
        c = r["case"]
        hit = re.match(r"^(cascade hnsw|hnswlib|faiss hnsw) (\S+ n=\d+ d=\d+) M=\d+ efc=\d+ ef=(\d+) threads=1$", c)
        if hit:
            lib, tag, ef = hit.group(1).split()[0], hit.group(2), int(hit.group(3))
            metric = "recall" if r["metric"].startswith("recall@") else r["metric"]
            if metric == "recall":
                recall_name[tag] = r["metric"]
            sweep.setdefault(tag, {}).setdefault(ef, {}).setdefault(lib, {})[metric] = r["value"]
        else:
            other.append(r)
    for tag, rows in sweep.items():
        libs = [l for l in ("cascade", "hnswlib", "faiss") if any(l in v for v in rows.values())]
        rk = recall_name.get(tag, "recall@10")
        print(f"#### {tag}: {rk} and single-thread QPS\n")
        print("| ef | " + " | ".join(f"{l} {rk} | {l} QPS" for l in libs) + " |")
        print("|---:|" + "---:|---:|" * len(libs))
        for ef in sorted(rows):
            cells = []
            for l in libs:
                v = rows[ef].get(l, {})
                cells.append(f"{v.get('recall', float('nan')):.4f}")
                cells.append(f"{v.get('qps', float('nan')):,.0f}")
            print(f"| {ef} | " + " | ".join(cells) + " |")
        print()
    print("#### Other figures\n")
    print("| case | metric | value |")
    print("|---|---|---:|")
    for r in other:
        unit = f" {r['unit']}" if r["unit"] else ""
        v = r["value"]
        text = f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
        print(f"| {r['case']} | {r['metric']} | {text}{unit} |")


if __name__ == "__main__":
    main()
