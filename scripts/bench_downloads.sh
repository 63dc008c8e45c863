#!/usr/bin/env bash
# Downloads for GIS and spreadsheets at national scale (issue #25): `nabij serve` with the 342
# CBS municipalities and the 20 real facilities of ../shared/data on a SYNTHETIC national
# road network with organic streets (NABIJ_BENCH_WAY_NODES way nodes, default 3,000,000: the
# cost measured here is writing the answer for 342 municipalities, which the size of the road
# network does not change). Five runs each, the median:
#   - the OGC API coverage collection, all 342 municipalities in one page, warm (cached answer);
#   - the GeoPackage and the xlsx of the national answer, the coverage computed just before
#     (so that the time is the writing), each run for another need (minutes 45.01, 45.02, ...).
#   scripts/bench_downloads.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
n=${NABIJ_BENCH_WAY_NODES:-3000000}
data=target/bench-data
mkdir -p "$data"
gem=../shared/data/boundaries/gemeenten_2024.geojson
fac=../shared/data/facilities_nl.csv
pbf="$data/nl_organic_$n.osm.pbf"
graph="$data/nl_organic_$n.nbg"
[ -f "$pbf" ] || target/release/nabij --quiet synth --towns-from "$gem" --streets organic --out "$pbf" --way-nodes "$n" --seed 1
[ -f "$graph" ] || target/release/nabij --quiet build --osm "$pbf" --out "$graph"
port=18333
target/release/nabij --quiet serve --graph "$graph" --municipalities "$gem" --facilities "$fac" \
  --listen 127.0.0.1:$port --database "$data/bench-downloads.sqlite" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
python3 - "$base" <<'PY'
import statistics, sys, time, urllib.request
base = sys.argv[1]

def timed(path):
    t = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=120) as r:
        body = r.read()
    return (time.perf_counter() - t) * 1000, len(body)

print(f"machine: 2 cores; server on {base}")
urllib.request.urlopen(base + "/ogc/collections/coverage/items?limit=342").read()
runs = [timed("/ogc/collections/coverage/items?limit=342") for _ in range(5)]
print(f"OGC coverage collection, 342 municipalities in one page, warm: median {statistics.median(r[0] for r in runs):.1f} ms ({runs[0][1] // 1024} KB)")
for fmt in ["gpkg", "xlsx"]:
    times = []
    for i in range(5):
        m = f"{45 + (i + 1) / 100 + (0.5 if fmt == 'xlsx' else 0):.2f}"
        timed(f"/api/v1/coverage?format=json&minutes={m}")
        ms, size = timed(f"/api/v1/coverage?format={fmt}&minutes={m}")
        times.append(ms)
    print(f"{fmt} of the national answer (coverage computed before): median {statistics.median(times):.1f} ms ({size // 1024} KB)")
PY
