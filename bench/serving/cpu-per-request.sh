#!/usr/bin/env bash
# CPU per request of the server and of the load generator, and per near-line event (issue #6's budget: server + load
# generator + 1,000 events/s within ~1.3 ms of CPU per request on 2 cores). Process CPU (utime + stime) over fixed runs:
#   idle   10 s with no traffic, before and after the phases (the server's background CPU: tier-1 JIT right after the
#          warm-up, GC, timers); the smaller one is subtracted from the other phases
#   req    open loop QPS req/s for 10 s, no events
#   ev     EVENTS bid changes/s for 10 s, no requests
# Usage: bench/serving/cpu-per-request.sh [workdir] [qps] [events/s] [serving.yaml]
#   (builds nothing: `dotnet build src/Cascade.Cli -c Release` first; the bundle is measure.sh's, exported if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cascade="$repo/src/Cascade.Cli/bin/Release/net10.0/cascade"
work="${1:-/tmp/cascade-serving-bench}"; qps="${2:-500}"; ev="${3:-1000}"; config="${4:-$repo/configs/serving/default.yaml}"
port=18191
mkdir -p "$work"
[ -f "$work/bundle/manifest.json" ] || "$cascade" export --out "$work/bundle" --ads 100000 --force
rm -rf "$work/cpu.state"
"$cascade" serve --bundle "$work/bundle" --state "$work/cpu.state" --port $port --admin-token bench --config "$config" 2>"$work/cpu-serve.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 1; done
url=http://127.0.0.1:$port/
tck=$(getconf CLK_TCK)
server_ms() { awk -v t="$tck" '{print int(($14 + $15) * 1000 / t)}' /proc/$server/stat; }
loadgen_ms() { # runs one loadtest, prints its own CPU ms
  /usr/bin/time -f "%U %S" -o "$work/cpu-time.txt" "$cascade" loadtest --url $url "$@" >/dev/null 2>>"$work/cpu-loadtest.txt" || true
  awk '{printf "%d", ($1 + $2) * 1000}' "$work/cpu-time.txt"
}
"$cascade" loadtest --url $url --concurrency 2 --duration 20 >/dev/null 2>&1 || true   # JIT warm-up (tier-1 code)
: > "$work/cpu-loadtest.txt"
sleep 5   # let background tier-1 compilation of the warm-up settle
c0=$(server_ms); sleep 10; idle=$(( $(server_ms) - c0 ))
echo "idle (before): server ${idle} ms CPU in 10 s"
empty=$(loadgen_ms --qps 0.001 --duration 10)   # the generator's own start-up and JIT, no requests
c0=$(server_ms); lgr=$(loadgen_ms --qps "$qps" --duration 10); sr=$(( $(server_ms) - c0 ))
c0=$(server_ms); lge=$(loadgen_ms --qps 0.001 --duration 10 --events-per-second "$ev" --ads 100000 --admin-token bench); se=$(( $(server_ms) - c0 ))
c0=$(server_ms); sleep 10; idle2=$(( $(server_ms) - c0 ))
echo "idle (after): server ${idle2} ms CPU in 10 s"
idle=$(( idle < idle2 ? idle : idle2 ))
n=$(awk -v q="$qps" 'BEGIN{printf "%d", q * 10}')
awk -v s="$((sr - idle))" -v l="$lgr" -v e="$empty" -v n="$n" 'BEGIN{printf "req: %d requests; server %.3f ms CPU/request (idle subtracted); load generator %.3f ms CPU/request (%.3f without its start-up)\n", n, s/n, l/n, (l-e)/n}'
n=$(awk -v q="$ev" 'BEGIN{printf "%d", q * 10}')
awk -v s="$((se - idle))" -v l="$lge" -v e="$empty" -v n="$n" 'BEGIN{printf "ev: %d events; server %.4f ms CPU/event (idle subtracted); load generator %.4f ms CPU/event without its start-up\n", n, s/n, (l-e)/n}'
grep -h "open loop target $qps " "$work/cpu-loadtest.txt" || true
