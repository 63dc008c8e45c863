#!/usr/bin/env bash
# Reachability benchmark (issue #3): prepares the Netherlands-scale SYNTHETIC graph (15 M way
# nodes, seed 1) in target/bench-data if missing, then runs `cargo bench --bench routing`.
#   scripts/bench_routing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
data=target/bench-data
mkdir -p "$data"
[ -f "$data/synth_15000000.osm.pbf" ] || target/release/nabij --quiet synth --out "$data/synth_15000000.osm.pbf" --way-nodes 15000000 --seed 1
[ -f "$data/synth_15000000.nbg" ] || target/release/nabij --quiet build --osm "$data/synth_15000000.osm.pbf" --out "$data/synth_15000000.nbg"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo bench --bench routing
