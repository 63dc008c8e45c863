#!/usr/bin/env bash
# Downloads the real national inputs (needs internet) and builds the Netherlands graph.
#   scripts/download_nl.sh [DIR]      (default DIR: data/nl, which git ignores)
# - OpenStreetMap: Geofabrik's Netherlands extract (~1.3 GB, ODbL, © OpenStreetMap contributors)
# - Municipalities 2024: CBS Wijk- en Buurtkaart via PDOK WFS (CC-BY 4.0, Bron: CBS, Kadaster),
#   requested in WGS84 as GeoJSON (nabij also reads RD New, EPSG:28992).
set -euo pipefail
dir=${1:-data/nl}
mkdir -p "$dir"
cd "$dir"

echo "downloading the Geofabrik Netherlands extract..."
curl -fL --retry 3 -o netherlands-latest.osm.pbf.part \
  https://download.geofabrik.de/europe/netherlands-latest.osm.pbf
mv netherlands-latest.osm.pbf.part netherlands-latest.osm.pbf

echo "downloading the 2024 municipalities from PDOK..."
curl -fL --retry 3 -o gemeenten_2024.geojson.part \
  "https://service.pdok.nl/cbs/wijkenbuurten/2024/wfs/v1_0?service=WFS&version=2.0.0&request=GetFeature&typeNames=wijkenbuurten:gemeenten&outputFormat=application/json&srsName=EPSG:4326"
mv gemeenten_2024.geojson.part gemeenten_2024.geojson

cd - >/dev/null
echo "building the road graph..."
cargo run --release -- build --osm "$dir/netherlands-latest.osm.pbf" --out "$dir/netherlands.nbg"
echo "done: $dir/netherlands.nbg"
