#!/usr/bin/env bash
# Server start-up (issue #15): time from starting `nabij serve` on the Netherlands-size
# SYNTHETIC network of scripts/bench_coverage.sh (342 CBS municipalities, 20 real facilities)
# until /health answers, and the resident memory then. Five starts; prints each and the median.
# NABIJ_BENCH_GRAPH=G.nbg runs it on another graph (e.g. the organic network of
# scripts/bench_organic.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/nl_bench_data.sh
port=${PORT:-8189}
echo "$machine"
echo "graph: ${NABIJ_BENCH_GRAPH:-$graph}"
times=()
for run in 1 2 3 4 5; do
  start=$(date +%s%N)
  target/release/nabij --quiet serve --graph "${NABIJ_BENCH_GRAPH:-$graph}" --municipalities "$gem" --facilities "$fac" --listen "127.0.0.1:$port" --database "$data/bench-startup.sqlite" 2>/dev/null &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.02; done
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/$pid/status)
  echo "run $run: ready after $ms ms, resident $rss MB"
  times+=("$ms")
  kill $pid; wait $pid 2>/dev/null || true
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " ms"}'
