# Sourced by the national-scale benchmark scripts: builds the release binary and makes sure
# the Netherlands-size SYNTHETIC road network over the 342 CBS municipalities (15 M way nodes,
# seed 1) exists in target/bench-data (generated and built once, then reused). Sets $data,
# $gem (municipalities), $fac (facilities) and $graph.
cargo build --release -q
data=target/bench-data
mkdir -p "$data"
gem=../shared/data/boundaries/gemeenten_2024.geojson
fac=../shared/data/facilities_nl.csv
graph="$data/nl_towns_15000000.nbg"
[ -f "$data/nl_towns_15000000.osm.pbf" ] || target/release/nabij --quiet synth --towns-from "$gem" --out "$data/nl_towns_15000000.osm.pbf" --way-nodes 15000000 --seed 1
[ -f "$graph" ] || target/release/nabij --quiet build --osm "$data/nl_towns_15000000.osm.pbf" --out "$graph"
machine="machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

# `timed_build INPUT.osm.pbf OUT.nbg MODE`: `nabij build --hierarchy MODE` with its wall time and
# peak memory, and the summary lines about the graph and its hierarchy.
timed_build() {
  /usr/bin/time -f "  process: %e s wall, %M KB peak" target/release/nabij build --osm "$1" \
    --out "$2" --hierarchy "$3" 2>&1 | grep -E "graph:|hierarchy|wall time|process:"
}

# `coverage_on G.nbg`: the coverage benchmark (342 municipalities, 20 real facilities) on G.
coverage_on() {
  NABIJ_BENCH_COVERAGE_GRAPH="$1" cargo bench -q --bench coverage 2>/dev/null | grep -E "graph|median"
}
