#!/usr/bin/env bash
# Coverage benchmark (issue #4): generates a Netherlands-scale SYNTHETIC road network over the
# 342 CBS municipalities (15 M way nodes, seed 1) in target/bench-data if missing, builds it,
# then runs `cargo bench --bench coverage` with the real municipalities and facilities.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/nl_bench_data.sh
echo "$machine"
cargo bench --bench coverage
