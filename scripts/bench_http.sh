#!/usr/bin/env bash
# HTTP load benchmark (issue #5): the release binary on loopback, serving the 342 CBS
# municipalities and the 20 real facilities on the Netherlands-scale SYNTHETIC graph generated
# over them (prepared by scripts/bench_coverage.sh). wrk, bounded in time, 127.0.0.1 only.
#   scripts/bench_http.sh [SECONDS]      (default 15 s per run)
# Needs wrk (apt-get install wrk). NABIJ_BENCH_GRAPH=G.nbg runs it on another graph.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }
cargo build --release -q
data=target/bench-data
[ -f "$data/nl_towns_15000000.nbg" ] || scripts/bench_coverage.sh >/dev/null
port=18089
bin=target/release/nabij
graph=${NABIJ_BENCH_GRAPH:-$data/nl_towns_15000000.nbg}
echo "graph: $graph"
$bin --quiet serve --listen 127.0.0.1:$port --graph "$graph" \
  --municipalities ../shared/data/boundaries/gemeenten_2024.geojson --facilities ../shared/data/facilities_nl.csv &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
start=$(date +%s.%N)
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.2; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "start-up (load graph, snap index, prepare inputs): $(echo "$(date +%s.%N) - $start" | bc) s"

echo "== uncached /api/v1/coverage (each request a new need profile; 342 municipalities)"
for m in 31 32 33 34 35 36 37 38 39 40 41; do
  curl -s -o /dev/null -w "%{time_total}\n" "http://127.0.0.1:$port/api/v1/coverage?minutes=$m&format=json"
done | sort -g | awk '{a[NR]=$1} END {printf "median %.0f ms, min %.0f ms, max %.0f ms over %d requests\n", a[int((NR+1)/2)]*1000, a[1]*1000, a[NR]*1000, NR}'

for fmt in geojson json; do
  url="http://127.0.0.1:$port/api/v1/coverage?format=$fmt"
  curl -s -o /dev/null "$url"   # warm the cache
  size=$(curl -s "$url" | wc -c)
  echo "== cached /api/v1/coverage?format=$fmt ($size bytes), 64 connections, 2 threads, ${secs} s"
  wrk -t2 -c64 -d"${secs}s" --latency "$url" | grep -E "Latency|50%|90%|99%|Requests/sec"
  echo "== the same with Accept-Encoding: gzip"
  wrk -t2 -c64 -d"${secs}s" --latency -H "Accept-Encoding: gzip" "$url" | grep -E "Latency|50%|90%|99%|Requests/sec"
done
