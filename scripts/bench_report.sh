#!/usr/bin/env bash
# Policy-report benchmark: `nabij report` on the Netherlands-scale SYNTHETIC road network of
# scripts/bench_coverage.sh (generated in target/bench-data if missing) with the 342 CBS
# municipalities and the 20 real facilities of ../shared/data: one region (JZ18) as PDF and
# every region (--all) as HTML, five runs each, whole process (graph loading included).
# Prints each run and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/nl_bench_data.sh
echo "$machine"
graph=${NABIJ_BENCH_REPORT_GRAPH:-$graph}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
  local name=$1; shift
  local times=()
  for _ in 1 2 3 4 5; do
    times+=("$( { /usr/bin/time -f "%e" target/release/nabij --quiet report --graph "$graph" \
      --municipalities "$gem" --facilities "$fac" "$@" >/dev/null; } 2>&1 | tail -1)")
  done
  printf '%s: runs %s s; median %s s\n' "$name" "${times[*]}" \
    "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)"
}
echo "graph $graph"
run "one region (JZ18), PDF" --region JZ18 --format pdf --out "$out/jz18.pdf"
run "every region (--all), HTML" --all --out "$out/all.html"
