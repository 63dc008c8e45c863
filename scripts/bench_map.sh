#!/usr/bin/env bash
# Map page benchmark (issue #14): the page in headless Chromium with the 342 real CBS
# municipalities and the 20 real facilities on the Netherlands-scale SYNTHETIC road network of
# scripts/bench_coverage.sh (generated if missing). Prints the time from navigation to the
# first full render (coverage fetched, every municipality drawn), five page loads, and the
# redraw after a new limit and after another grouping (answer arrived to map drawn).
# Needs chromium, chromium-driver and selenium (as .ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/nl_bench_data.sh
mkdir -p target/browser
port=${PORT:-8197}
target/release/nabij --quiet serve --graph "$data/nl_towns_15000000.nbg" --municipalities "$gem" --facilities "$fac" --listen "127.0.0.1:$port" --database "$data/bench-map.sqlite" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
echo "$machine"
echo "coverage GeoJSON: $(curl -s "http://127.0.0.1:$port/api/v1/coverage" | wc -c) bytes, gzip $(curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/api/v1/coverage" | wc -c) bytes"
for i in 1 2 3 4 5; do
  py=python3
  [ -x target/pyenv/bin/python3 ] && py=target/pyenv/bin/python3
  "$py" tests/browser/map_page.py "http://127.0.0.1:$port" target/browser/map_nl.png --timing-only
done
