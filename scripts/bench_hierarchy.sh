#!/usr/bin/env bash
# Contraction hierarchy (issue #15): for the real Malta and Porto extracts and the SYNTHETIC
# networks over the 342 CBS municipalities at 1 and 3 M way nodes (seed 1): `nabij build` with
# and without the hierarchy (wall time, peak memory, file size, upward arcs), then the coverage
# benchmark (342 municipalities, 20 real facilities) on the synthetic graphs both ways.
# Writes only under target/bench-data. Usage: scripts/bench_hierarchy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/nl_bench_data.sh
echo "$machine"
inputs=(../shared/data/osm/malta_gdal_ubuntu.osm.pbf ../shared/data/osm/porto_portugal_r5_test.osm.pbf)
for n in 1000000 3000000; do
  pbf="$data/nl_towns_$n.osm.pbf"
  [ -f "$pbf" ] || target/release/nabij --quiet synth --towns-from "$gem" --out "$pbf" --way-nodes "$n" --seed 1
  inputs+=("$pbf")
done
for input in "${inputs[@]}"; do
  name=$(basename "$input" .osm.pbf)
  for mode in never always; do
    out="$data/ch-$name-$mode.nbg"
    echo "== $name, --hierarchy $mode"
    timed_build "$input" "$out" "$mode"
  done
done
for n in 1000000 3000000; do
  for mode in never always; do
    echo "== coverage, nl_towns_$n, --hierarchy $mode"
    coverage_on "$data/ch-nl_towns_$n-$mode.nbg"
  done
done
