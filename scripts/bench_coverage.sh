#!/usr/bin/env bash
# Coverage benchmark (issue #4): generates a Netherlands-scale SYNTHETIC road network over the
# 342 CBS municipalities (15 M way nodes, seed 1) in target/bench-data if missing, builds it,
# then runs `cargo bench --bench coverage` with the real municipalities and facilities.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
data=target/bench-data
mkdir -p "$data"
gem=../shared/data/boundaries/gemeenten_2024.geojson
[ -f "$data/nl_towns_15000000.osm.pbf" ] || target/release/nabij --quiet synth --towns-from "$gem" --out "$data/nl_towns_15000000.osm.pbf" --way-nodes 15000000 --seed 1
[ -f "$data/nl_towns_15000000.nbg" ] || target/release/nabij --quiet build --osm "$data/nl_towns_15000000.osm.pbf" --out "$data/nl_towns_15000000.nbg"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo bench --bench coverage
