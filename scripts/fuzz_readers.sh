#!/usr/bin/env bash
# Longer property runs of the readers (CI runs 200 cases each): CSV, GeoJSON, grouping,
# demand and point files, and damaged graph files must give a value or a clear error, never a
# panic. Usage: scripts/fuzz_readers.sh [CASES]   (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
PROPTEST_CASES="${1:-20000}" cargo test --release --test readers_fuzz
