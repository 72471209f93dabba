#!/usr/bin/env bash
# Serving benchmark of docs/benchmarks.md: 100,000 simulated ads, K = 1,000, N = 200, M = 20 (configs/serving/default.yaml).
# Usage: bench/serving/measure.sh [workdir]   (builds nothing; run `dotnet build src/Cascade.Cli -c Release` first)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cascade="$repo/src/Cascade.Cli/bin/Release/net10.0/cascade"
work="${1:-/tmp/cascade-serving-bench}"
mkdir -p "$work"
[ -f "$work/bundle/manifest.json" ] || "$cascade" export --out "$work/bundle" --ads 100000 --force
rm -rf "$work/bundle.state"
"$cascade" serve --bundle "$work/bundle" --port 18190 --admin-token bench --config "$repo/configs/serving/default.yaml" 2>"$work/serve.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18190/readyz >/dev/null && break; sleep 1; done
url=http://127.0.0.1:18190/
# The server warmed itself up before /readyz (engine.warmup_seconds); every loadtest run below is preceded by 3 s of
# the same load that is not counted (--warmup, the default), so the load generator's own process is warm too.
grep -o "warmed up with .*s;" "$work/serve.log" >&2 || true
"$cascade" loadtest --url $url --concurrency 1 --duration 10 --json > "$work/closed1.json" 2> "$work/closed1.txt" || true
"$cascade" loadtest --url $url --concurrency 2 --duration 10 --json > "$work/closed2.json" 2> "$work/closed2.txt" || true
for r in 1 2 3 4 5; do   # the target: 1,000 req/s with 1,000 ad events/s, five separate 10-s runs
  "$cascade" loadtest --url $url --qps 1000 --duration 10 --events-per-second 1000 --ads 100000 --admin-token bench \
    --latency-log "$work/open1000-$r.csv" --json > "$work/open1000-$r.json" 2> "$work/open1000-$r.txt" || true
done
"$cascade" loadtest --url $url --sweep 50,100,200,400,600,800,1000,1200,1400,1600,1800 --duration 4 --events-per-second 1000 --ads 100000 \
  --admin-token bench --svg "$repo/docs/figures/serving-qps-sweep.svg" --json > "$work/sweep.json" 2> "$work/sweep.txt" || true
curl -s http://127.0.0.1:18190/metrics > "$work/metrics.txt"
echo "results in $work (closed1.json closed2.json open1000-{1..5}.json/.csv sweep.json metrics.txt)" >&2
