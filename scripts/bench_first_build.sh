#!/usr/bin/env bash
# The first build a newcomer meets: a clean copy of the committed tree, an empty target
# folder, `cargo build --release` timed, then `cargo test --release --no-run` timed, listing
# every crate the second step compiles (it should be only nabij and the test-only crates:
# proptest, tempfile and their own dependencies; no crate of the binary a second time).
#   scripts/bench_first_build.sh
# Needs the crates in cargo's download cache or internet access (the download is not timed
# separately: run `cargo fetch` first to leave it out).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && git ls-files -z | xargs -0 -I{} cp --parents {} "$work/")
cd "$work"
cargo fetch --quiet
export CARGO_TARGET_DIR="$work/target"
start=$(date +%s.%N)
n=$(cargo build --release 2>&1 | grep -c "Compiling" || true)
mid=$(date +%s.%N)
rebuilt=$(cargo test --release --no-run 2>&1 | grep "Compiling" | awk '{print $2}' | tr '\n' ' ' || true)
end=$(date +%s.%N)
printf 'machine: %s cores; %s\n' "$(nproc)" "$(rustc --version)"
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }
printf 'cargo build --release: %d crates in %s s\n' "$n" "$(secs "$start" "$mid")"
printf 'cargo test --release --no-run after it: %s s; compiled: %s\n' "$(secs "$mid" "$end")" "$rebuilt"
