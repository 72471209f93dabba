#!/usr/bin/env bash
# A/B of two builds of the server under the same load: per-request server CPU time (robust on a loaded machine,
# unlike req/s) and the load generator's closed-loop figures, old and new interleaved.
# Usage: bench/serving/ab.sh OLD_CASCADE NEW_CASCADE BUNDLE [CONFIG_OLD] [CONFIG_NEW] [ROUNDS] [SECONDS]
# (an older build may not know newer YAML keys: give it its own config)
# e.g.   bench/serving/ab.sh /tmp/old/cascade src/Cascade.Cli/bin/Release/net10.0/cascade /tmp/cascade-serving-bench/bundle
set -euo pipefail
old="$1"; new="$2"; bundle="$3"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cfg_old="${4:-$repo/configs/serving/default.yaml}"; cfg_new="${5:-$cfg_old}"
rounds="${6:-3}"; seconds="${7:-8}"
port=18191
tick=$(getconf CLK_TCK)
run() { # binary config label
  rm -rf "$bundle.ab-state"
  "$1" serve --bundle "$bundle" --state "$bundle.ab-state" --port $port --admin-token ab --config "$2" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 300); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; kill -0 $pid 2>/dev/null || { echo "$3: the server exited (bad config for this build?)" >&2; return 1; }; sleep 1; done
  "$new" loadtest --url http://127.0.0.1:$port/ --concurrency 2 --duration 3 >/dev/null 2>&1 || true   # JIT warm-up
  local before; before=$(awk '{print $14+$15}' /proc/$pid/stat)
  local json; json=$("$new" loadtest --url http://127.0.0.1:$port/ --concurrency 2 --duration "$seconds" --json 2>/dev/null || true)
  local after; after=$(awk '{print $14+$15}' /proc/$pid/stat)
  kill -TERM $pid; wait $pid 2>/dev/null || true
  local qps; qps=$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(r["value"] for r in d["results"] if r["metric"]=="qps"))' 2>/dev/null || echo 0)
  local p99; p99=$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(r["value"] for r in d["results"] if r["metric"]=="p99_ms"))' 2>/dev/null || echo nan)
  python3 -c "q=float('$qps'); n=q*$seconds; cpu=($after-$before)/$tick*1000; print(f'$3: {q:.0f} req/s, p99 {float(\"$p99\"):.1f} ms, server CPU {cpu/max(n,1):.3f} ms/request')"
}
for r in $(seq 1 "$rounds"); do
  run "$old" "$cfg_old" "old round $r"
  run "$new" "$cfg_new" "new round $r"
done
rm -rf "$bundle.ab-state"
