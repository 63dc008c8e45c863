#!/usr/bin/env bash
# Downloads the real national inputs (needs internet), joins the municipalities with their
# jeugdregio and young people, and builds the Netherlands road graph.
#   scripts/download_nl.sh [DIR]      (default DIR: data/nl, which git ignores)
#
# - OpenStreetMap: Geofabrik's Netherlands extract (~1.3 GB, ODbL, © OpenStreetMap contributors).
# - Municipalities 2024: PDOK "CBS gebiedsindelingen" (generalised municipal boundaries,
#   CC-BY 4.0, Bron: CBS, Kadaster), in WGS84 as GeoJSON (nabij also reads RD New, EPSG:28992).
# - CBS StatLine "Gebieden in Nederland 2024" (table 85755NED): the jeugdregio of each
#   municipality.
# - CBS StatLine "Kerncijfers wijken en buurten 2024" (table 85984NED): inhabitants and the
#   age bands 0-15 and 15-25 per municipality.
# - PDOK "wijken en buurten 2024" neighbourhood polygons and the same CBS table per
#   neighbourhood: scripts/join_buurten.py joins them into DIR/buurten_2024.geojson, where young
#   people live (--origins DIR/buurten_2024.geojson --origins-weight jongeren_0_25).
# scripts/join_nl.py joins the first three into DIR/gemeenten_2024.geojson (est_0_22, jeugdregio_code).
#
# Offline? Place the files by hand in DIR under the names below and run the script again:
# it downloads only what is missing.
set -euo pipefail
dir=${1:-data/nl}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"

pbf_url=https://download.geofabrik.de/europe/netherlands-latest.osm.pbf
gem_url="https://service.pdok.nl/cbs/gebiedsindelingen/2024/wfs/v1_0?service=WFS&version=2.0.0&request=GetFeature&typeName=gebiedsindelingen:gemeente_gegeneraliseerd&outputFormat=application/json&srsName=EPSG:4326&count=1000"
geb_url="https://opendata.cbs.nl/ODataApi/odata/85755NED/TypedDataSet?\$format=json&\$filter=startswith(RegioS,'GM')"
buurt_url="https://service.pdok.nl/cbs/wijkenbuurten/2024/wfs/v1_0?service=WFS&version=2.0.0&request=GetFeature&typeName=wijkenbuurten:buurten&outputFormat=application/json&srsName=EPSG:4326"
kernbu_url="https://opendata.cbs.nl/ODataApi/odata/85984NED/TypedDataSet?\$format=json&\$filter=startswith(WijkenEnBuurten,'BU')&\$select=WijkenEnBuurten,k_0Tot15Jaar_8,k_15Tot25Jaar_9"
kern_url="https://opendata.cbs.nl/ODataApi/odata/85984NED/TypedDataSet?\$format=json&\$filter=startswith(WijkenEnBuurten,'GM')&\$select=WijkenEnBuurten,SoortRegio_2,AantalInwoners_5,k_0Tot15Jaar_8,k_15Tot25Jaar_9"

# fetch NAME URL WHAT: downloads URL to DIR/NAME (via NAME.part) unless NAME is there.
fetch() {
  local name=$1 url=$2 what=$3
  if [ -s "$dir/$name" ]; then
    echo "have $dir/$name"
    return
  fi
  echo "downloading $what..."
  local err
  if ! err=$(curl -fsSL --retry 3 --connect-timeout 20 -o "$dir/$name.part" "$url" 2>&1); then
    rm -f "$dir/$name.part"
    cat >&2 <<MSG
error: could not download $what
  from $url
  (${err##*$'\n'})
This script needs internet access. Without it, download the file elsewhere and place it at
  $dir/$name
then run scripts/download_nl.sh again (files already there are not downloaded again).
MSG
    exit 1
  fi
  mv "$dir/$name.part" "$dir/$name"
}

fetch netherlands-latest.osm.pbf "$pbf_url" "the Geofabrik Netherlands extract (about 1.3 GB)"
fetch gemeenten_pdok_2024.geojson "$gem_url" "the 2024 municipalities from PDOK"
fetch gebieden_85755NED.json "$geb_url" "CBS Gebieden in Nederland 2024 (jeugdregio per municipality)"
fetch kerncijfers_85984NED.json "$kern_url" "CBS Kerncijfers wijken en buurten 2024 (young people per municipality)"

# fetch_pages NAME URL WHAT PAGE FIELD FLAG START_PARAM COUNT_PARAM: fetches URL page by page
# (PAGE items each) into DIR/NAME_<start>.json until a page holds fewer than PAGE items in its
# FIELD array, and appends "FLAG file" for each page to the array `paged`.
fetch_pages() {
  local name=$1 url=$2 what=$3 page=$4 field=$5 flag=$6 start_param=$7 count_param=$8
  local start=0 n file
  while :; do
    file="${name}_$start.json"
    fetch "$file" "$url&$count_param=$page&$start_param=$start" "$what (from $start)"
    paged+=("$flag" "$dir/$file")
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get(sys.argv[2], [])))' "$dir/$file" "$field")
    [ "$n" -lt "$page" ] && break
    start=$((start + page))
  done
}

# The WFS serves 1,000 features per request, CBS's OData at most 10,000 rows.
paged=()
fetch_pages buurten_pdok_2024 "$buurt_url" "the 2024 neighbourhoods from PDOK" 1000 features --buurten startIndex count
fetch_pages kerncijfers_buurten_85984NED "$kernbu_url" "CBS Kerncijfers wijken en buurten 2024 (young people per neighbourhood)" 10000 value --kerncijfers '$skip' '$top'

echo "joining municipalities, jeugdregio's and young people..."
python3 "$here/join_nl.py" \
  --gemeenten "$dir/gemeenten_pdok_2024.geojson" \
  --gebieden "$dir/gebieden_85755NED.json" \
  --kerncijfers "$dir/kerncijfers_85984NED.json" \
  --out "$dir/gemeenten_2024.geojson"

echo "joining neighbourhoods and their young people..."
python3 "$here/join_buurten.py" "${paged[@]}" \
  --out "$dir/buurten_2024.geojson"

echo "building the road graph..."
cargo run --release -- build --osm "$dir/netherlands-latest.osm.pbf" --out "$dir/netherlands.nbg"
echo "done: $dir/netherlands.nbg, $dir/gemeenten_2024.geojson and $dir/buurten_2024.geojson"
