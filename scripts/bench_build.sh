#!/usr/bin/env bash
# Build-time benchmark: `nabij build` on every real extract in ../shared/data/osm and on
# SYNTHETIC networks of growing size up to Netherlands scale (~15 M way nodes), reporting
# the median wall time, peak memory (max RSS), graph file size and median load time.
#   scripts/bench_build.sh [RUNS]        (default 5 runs per input; 3 for the large ones)
# Synthetic inputs are generated once into target/bench-data/ (deterministic, seed 1).
# Needs GNU time (`apt-get install time`).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
command -v /usr/bin/time >/dev/null || { echo "install GNU time: apt-get install time" >&2; exit 1; }
cargo build --release -q
bin=target/release/nabij
data=target/bench-data
mkdir -p "$data"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

bench() { # name input runs
  local name=$1 input=$2 n=$3 times=() mems=() loads=()
  for _ in $(seq "$n"); do
    /usr/bin/time -f "%e %M" -o "$data/time.txt" "$bin" --quiet build --osm "$input" --out "$data/g.nbg"
    read -r t m < "$data/time.txt"; times+=("$t"); mems+=("$m")
    loads+=("$("$bin" info --graph "$data/g.nbg" | awk -F': ' '/load_seconds/ {gsub(",","",$2); print $2}')")
  done
  local nodes edges wn
  read -r nodes edges wn < <("$bin" info --graph "$data/g.nbg" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["nodes"], j["edges"], j["meta"]["stats"]["ingest"]["way_nodes"])')
  local size; size=$(stat -c %s "$data/g.nbg")
  printf "| %s | %s | %s | %s | %s | %.0f | %.1f | %s |\n" "$name" "$wn" "$nodes" "$edges" \
    "$(printf '%s\n' "${times[@]}" | median)" \
    "$(printf '%s\n' "${mems[@]}" | median | awk '{print $1/1024}')" \
    "$(echo "$size" | awk '{print $1/1e6}')" \
    "$(printf '%s\n' "${loads[@]}" | median)"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "| input | way nodes | graph nodes | edges | build s (median) | peak MB | file MB | load s (median) |"
echo "|---|---|---|---|---|---|---|---|"
for f in ../shared/data/osm/*.osm.pbf; do
  name=$(basename "$f" .osm.pbf)
  if "$bin" --quiet build --osm "$f" --out "$data/g.nbg" 2>/dev/null; then
    bench "$name (real)" "$f" "$runs"
  else
    echo "| $name (real) | — | no strongly connected car network | | | | | |"
  fi
done
for wn in 1000000 3000000 7000000 15000000; do
  input="$data/synth_${wn}.osm.pbf"
  [ -f "$input" ] || "$bin" --quiet synth --out "$input" --way-nodes "$wn" --seed 1
  n=$runs; [ "$wn" -ge 7000000 ] && n=3
  bench "synthetic ${wn} (SYNTHETIC)" "$input" "$n"
done
