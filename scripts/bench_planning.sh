#!/usr/bin/env bash
# Scenario and siting-advice benchmark (issue #13): the same Netherlands-scale SYNTHETIC road
# network over the 342 CBS municipalities as scripts/bench_coverage.sh (generated in
# target/bench-data if missing), the 20 real facilities, then `cargo bench --bench planning`:
# a scenario of 5 changes with its diff, and advice for K = 3 units among the 342
# municipalities' representative points (fairness and coverage objectives). Medians.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
data=target/bench-data
mkdir -p "$data"
gem=../shared/data/boundaries/gemeenten_2024.geojson
[ -f "$data/nl_towns_15000000.osm.pbf" ] || target/release/nabij --quiet synth --towns-from "$gem" --out "$data/nl_towns_15000000.osm.pbf" --way-nodes 15000000 --seed 1
[ -f "$data/nl_towns_15000000.nbg" ] || target/release/nabij --quiet build --osm "$data/nl_towns_15000000.osm.pbf" --out "$data/nl_towns_15000000.nbg"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo bench --bench planning
