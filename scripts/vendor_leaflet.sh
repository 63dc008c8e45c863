#!/usr/bin/env bash
# Fetches Leaflet from the npm registry into web/vendor/leaflet (the map page embeds it).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-1.9.4}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "leaflet@$version" >/dev/null && tar xzf "leaflet-$version.tgz")
cp "$tmp/package/dist/leaflet.js" "$tmp/package/dist/leaflet.css" "$tmp/package/LICENSE" web/vendor/leaflet/
echo "Leaflet $version in web/vendor/leaflet"
