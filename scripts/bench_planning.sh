#!/usr/bin/env bash
# Scenario and siting-advice benchmark (issue #13): the same Netherlands-scale SYNTHETIC road
# network over the 342 CBS municipalities as scripts/bench_coverage.sh (generated in
# target/bench-data if missing), the 20 real facilities, then `cargo bench --bench planning`:
# a scenario of 5 changes with its diff, and advice for K = 3 units among the 342
# municipalities' representative points (fairness and coverage objectives). Medians.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/nl_bench_data.sh
echo "$machine"
cargo bench --bench planning
