#!/usr/bin/env bash
# Coverage growth (issue #15): the coverage benchmark (342 CBS municipalities, 20 real
# facilities) on SYNTHETIC networks generated over the municipalities at 1, 3, 7 and 15 M way
# nodes (seed 1, made once in target/bench-data), to see how the answer's time grows.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/nl_bench_data.sh
echo "$machine"
for n in 1000000 3000000 7000000 15000000; do
  pbf="$data/nl_towns_$n.osm.pbf"
  nbg="$data/nl_towns_$n.nbg"
  [ -f "$pbf" ] || target/release/nabij --quiet synth --towns-from "$gem" --out "$pbf" --way-nodes "$n" --seed 1
  # Without a hierarchy: this table is the Dijkstra's growth (scripts/bench_hierarchy.sh has the
  # hierarchy).
  [ -f "$nbg" ] || target/release/nabij --quiet build --osm "$pbf" --out "$nbg" --hierarchy never
  echo "== $n way nodes"
  NABIJ_BENCH_COVERAGE_GRAPH="$nbg" cargo bench -q --bench coverage 2>/dev/null | grep -E "graph|median"
done
