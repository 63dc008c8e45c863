#!/usr/bin/env bash
# Coverage on SYNTHETIC Netherlands networks with organic streets (issue #15): the generator's
# `--streets organic` towns (distributor roads around cells of cul-de-sacs, T-junctions and a
# few loops) over the 342 CBS municipalities at 1, 3, 7 and 15 M way nodes (seed 1). For each:
# junction degrees beside those of the real Porto and Malta extracts; `nabij build` with the
# default `--hierarchy auto` (wall time, peak memory, file size) and with `never`; then the
# coverage benchmark (342 municipalities, 20 real facilities) on both graphs.
# Writes only under target/bench-data. Usage: scripts/bench_organic.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/nl_bench_data.sh
echo "$machine"
cargo build --release -q --example junction_degrees
real=()
for name in porto_portugal_r5_test malta_gdal_ubuntu; do
  nbg="$data/real-$name.nbg"
  [ -f "$nbg" ] || target/release/nabij --quiet build --osm "../shared/data/osm/$name.osm.pbf" --out "$nbg" --hierarchy never
  real+=("$nbg")
done
target/release/examples/junction_degrees "${real[@]}" "$graph"
for n in 1000000 3000000 7000000 15000000; do
  pbf="$data/nl_organic_$n.osm.pbf"
  [ -f "$pbf" ] || target/release/nabij --quiet synth --towns-from "$gem" --out "$pbf" --way-nodes "$n" --seed 1 --streets organic
  for mode in auto never; do
    nbg="$data/nl_organic_$n-$mode.nbg"
    echo "== nl_organic_$n, --hierarchy $mode"
    timed_build "$pbf" "$nbg" "$mode"
  done
  target/release/examples/junction_degrees "$data/nl_organic_$n-never.nbg"
  for mode in auto never; do
    echo "== coverage, nl_organic_$n, --hierarchy $mode"
    coverage_on "$data/nl_organic_$n-$mode.nbg"
  done
done
